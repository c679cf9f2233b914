"""What is late and what is coming: the overdue and due lists, read from the dates stored on each request.

timeline.refresh keeps those dates (decision_due, rest_due, appeal_due, …) right whenever a
request's events change, so each list is a few indexed queries. They select plain columns from
the tables (schema.py), not mapped objects: a large group has thousands of dates coming up, and
these commands need neither the mapped classes nor their configuration, which together cost more
than the queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import deadlines as dl
from .i18n import N_, _, language
from .schema import OPEN_STATUSES, SHOWN, WAITING_STATUSES, bodies, flag_codes, flag_text, requests

_req, _body = requests.c, bodies.c
# What both lists show of a request; a request entered by mistake (voided) is in neither. schema.SHOWN ("IS
# false"), the term of the lists' own partial indexes, not schema.LISTED ("= false", the web list's orders):
# SQLite uses a partial index only for the very term it was made with, and walking the web list's index by
# decision_due to find the few late requests reads nearly all.
_SHOWN = (select(_req.id, _req.status, _req.subject, _req.flags, _body.key.label("body_key"),
                 _body.name.label("body_name"))
          .join_from(requests, bodies, _body.id == _req.body_id)
          .where(SHOWN))


def flags_ja(flags: list[str]) -> str:
    """The flags in a few words of the reader's language, for a table."""
    return ("、" if language() == "ja" else "; ").join(flag_text(f) for f in flags)


def kind_label(kind: str) -> str:
    """A DueItem's kind as the reader calls it: its Japanese name (決定期限) in Japanese, the key in English."""
    return DueItem.KINDS_JA[kind] if language() == "ja" else kind


def dates_unknown(session: Session) -> list[int]:
    """The waiting requests whose dates are unknown because no rule is known for their body (flag
    rule_unknown): neither list can say whether they are late, and the commands say so, not nothing.
    schema.SHOWN as in _SHOWN: with "= false" SQLite walked the partial index of every listed request without a
    decision due (33 ms at a million requests, for none found; 0.1 ms this way)."""
    q = (select(_req.id).where(SHOWN, _req.status.in_(WAITING_STATUSES), _req.decided_on.is_(None),
                               _req.decision_due.is_(None), _req.flags.like("%rule_unknown%")).order_by(_req.id))
    return list(session.scalars(q))


@dataclass(slots=True)   # thousands at a million requests: no __dict__ each
class OverdueItem:
    request_id: int
    body: str                 # the body's key
    body_name: str
    subject: str
    received_on: date | None
    what: str                 # "decision", or "remainder" after a special extension (特例延長)
    since: date               # the date that passed
    inaction_from: date       # an appeal against inaction (不作為) is open from this day
    inaction_appealed: bool   # and one has been filed: the request is still undecided, and late
    flags: list[str]          # codes of schema.FLAGS


def _count(session: Session, where: tuple) -> int:
    """How many listed requests match `where`: read from an index of the requests not voided (schema.py, the
    dashboard's), without the rows themselves."""
    return session.scalar(select(func.count()).select_from(requests).where(SHOWN, *where))


def _undecided(statuses: tuple) -> tuple:
    """The undecided requests of `statuses`, in terms that lead SQLite to the partial index of the undecided
    requests by decision due (schema.py): its own term, and the status as an expression no index holds (with
    the status itself, SQLite takes the index of status and decision due, which holds the decided too)."""
    return (_req.decided_on.is_(None), _req.status.concat("").in_(statuses))


def _late(as_of: date) -> tuple:
    """The requests waiting for a decision past its due date."""
    return (*_undecided(WAITING_STATUSES), _req.decision_due < as_of)


BY_NUMBER = 1000   # the most remainders past due read by their numbers (an IN list) for overdue's lines


def _overdue_rows(session: Session, as_of: date, limit: int | None = None) -> tuple[list, int]:
    """The rows of overdue() in its order (the longest overdue first), the first `limit` of them if given, and how
    many there are in all: the requests waiting past their decision due, and those past the date for the
    remainder after a special extension (特例延長) that are not waiting past a decision due (one line a request).
    The waiting are read in order from their index as far as the limit, and counted from it when cut; the
    remainders, few, are found from their numbers and dates alone, and only the first `limit` read whole."""
    shown = _SHOWN.add_columns(_req.received_on, _req.decision_due, _req.rest_due, _req.decided_on)
    waiting = session.execute(shown.where(*_late(as_of)).order_by(_req.decision_due, _req.id).limit(limit)).all()
    total = len(waiting) if limit is None or len(waiting) < limit else _count(session, _late(as_of))
    # The remainders past due that are not waiting past a decision due (one line a request: such a one not among
    # the waiting read, cut at the limit, would come after them all in the order below).
    # Found and counted from their numbers and dates alone; only the first `limit` (None: all) read whole.
    past = _req.rest_due < as_of
    found = session.execute(select(_req.id, _req.status, _req.decided_on, _req.decision_due, _req.rest_due)
                            .where(SHOWN, past))
    keys = sorted((r.rest_due, r.id) for r in found if not _waiting_late(r, as_of))
    total += len(keys)
    ids = [rid for _on, rid in keys[:limit]]
    if len(ids) <= BY_NUMBER:   # more (`overdue --all` over many) read as a whole, not as one IN list
        rest = session.execute(shown.where(_req.id.in_(ids))).all() if ids else []
    else:
        chosen = set(ids)
        rest = [r for r in session.execute(shown.where(past)) if r.id in chosen]
    # The longest overdue first: by the date that passed (a remainder's, after a special extension, is rest_due).
    rows = sorted(waiting + rest, key=lambda r: (r.decision_due if _waiting_late(r, as_of) else r.rest_due, r.id))
    return rows[:limit], total


def _waiting_late(r, as_of: date) -> bool:
    return (r.status in WAITING_STATUSES and r.decided_on is None and r.decision_due is not None
            and r.decision_due < as_of)


def overdue(session: Session, as_of: date) -> list[OverdueItem]:
    """Requests whose decision (or, after a special extension, the remainder) is past due on as_of.

    A request under an appeal against inaction is still undecided and late: it stays on the list.
    """
    return _overdue_items(_overdue_rows(session, as_of)[0], as_of)


def _overdue_items(rows: list, as_of: date) -> list[OverdueItem]:
    items = []
    for r in rows:
        waiting = _waiting_late(r, as_of)
        since = r.decision_due if waiting else r.rest_due
        items.append(OverdueItem(r.id, r.body_key, r.body_name, r.subject, r.received_on,
                                 "decision" if waiting else "remainder", since, dl.inaction_appeal_from(since),
                                 waiting and r.status in ("appealed", "ruled"), flag_codes(r.flags)))
    return items


@dataclass(slots=True)   # 82,000 of them at a million requests (`kaiji due`): no __dict__ each
class DueItem:
    on: date | None
    kind: str
    request_id: int
    body: str                 # the body's key
    body_name: str
    subject: str
    detail: str               # in the reader's language
    flags: list[str]          # codes of schema.FLAGS

    KINDS_JA = {"decision": "決定期限", "extended decision": "延長後の決定期限", "remainder": "特例延長の残り",
                "disclosure": "開示の実施", "disclosure missed": "開示の実施日経過", "appeal": "審査請求期限",
                "lawsuit": "取消訴訟期限", "fee": "費用未納"}

    @property
    def kind_ja(self) -> str:
        return self.KINDS_JA[self.kind]

    def days_left(self, as_of: date) -> int | None:
        return (self.on - as_of).days if self.on else None


# fee_unpaid is stored only when above zero; "> 0" (not IS NOT NULL) lets SQLite use its index.
_FEES = ("fee", _req.fee_unpaid, (_req.fee_unpaid > 0,), N_("{yen}円 unpaid"))


def _due_lists(as_of: date, within: int) -> list[tuple]:
    """The lists `due` merges: (kind, the stored column, the rows it takes, what a line says)."""
    until = as_of + timedelta(days=within)
    return [
        # An open request is undecided (timeline.compute gives a decided one its status): said, as _undecided
        # does, so that the index of the undecided is used.
        ("decision", _req.decision_due, (*_undecided(OPEN_STATUSES), _req.decision_due >= as_of,
                                         _req.decision_due <= until), N_("decision due")),
        ("remainder", _req.rest_due, (_req.rest_due >= as_of, _req.rest_due <= until),
         N_("decision on the remainder due")),
        ("disclosure", _req.disclosure_on, (_req.disclosure_on >= as_of, _req.disclosure_on <= until),
         N_("disclosure appointment")),
        # An appointment that passed, within as many days back as the list looks ahead, with nothing recorded:
        # the disclosure was missed, or not yet recorded.
        ("disclosure missed", _req.disclosure_on, (_req.disclosure_on < as_of,
                                                   _req.disclosure_on >= as_of - timedelta(days=within)),
         N_("appointment passed; no disclosure recorded")),
        ("appeal", _req.appeal_due, (_req.appeal_due >= as_of, _req.appeal_due <= until), N_("last day to appeal")),
        ("lawsuit", _req.lawsuit_due, (_req.lawsuit_due >= as_of, _req.lawsuit_due <= until),
         N_("last day to sue, 行政事件訴訟法第14条")),
        _FEES,
    ]


_NO_FLAGS: list[str] = []   # the lines with no flag share it (not to be changed: nothing changes an item's flags)


def _lines(session: Session, kind: str, column, where: tuple, detail: str,
           limit: int | None = None) -> tuple[list[DueItem], int]:
    """One of due's lists, the soonest first (fees: by number): its first `limit` lines if given, and how many
    it has in all."""
    text = _(detail)
    q = _SHOWN.add_columns(column.label("value")).where(*where)
    # Unpaid fees are few (a fee is paid or waived soon): all of them, cut below. Ordered by number in SQL,
    # SQLite would walk every request in that order to find the first few fees, not use their index.
    if kind != "fee":
        q = q.order_by(column, _req.id).limit(limit)
    items = []
    # Read as they come, not all held first; the texts many lines share (a body's key and name, a flag list) kept
    # once: `kaiji due` at a million requests has 82,000 lines.
    shared: dict = {}
    for r in session.execute(q):
        if kind == "fee":
            on, what, says = None, kind, text.format(yen=r.value)
        else:
            on, what, says = r.value, "extended decision" if kind == "decision" and r.status == "extended" else kind, text
        items.append(DueItem(on, what, r.id, shared.setdefault(r.body_key, r.body_key),
                             shared.setdefault(r.body_name, r.body_name), r.subject, says,
                             flag_codes(r.flags) if r.flags else _NO_FLAGS))
    if kind == "fee":
        items.sort(key=lambda i: i.request_id)
    # Counted apart, from the index, only when the lines were cut (a window count would read every row).
    total = len(items) if limit is None or kind == "fee" or len(items) < limit else _count(session, where)
    return items[:limit], total


def _first_fees(session: Session, limit: int) -> tuple[list[DueItem], int]:
    """The first `limit` unpaid fees by request number, and how many there are: what _lines gives for _FEES,
    without a line made for every fee of a large database. Their numbers are read from the fee index alone and
    sorted there ("+ 0": by the number as a value, so that SQLite does not walk every request in number order to
    find the first few fees), then those requests."""
    total = _count(session, _FEES[2])
    if limit <= 0:
        return [], total
    ids = list(session.scalars(select(_req.id).where(SHOWN, *_FEES[2]).order_by(_req.id + 0).limit(limit)))
    return _lines(session, *_FEES[:2], (*_FEES[2], _req.id.in_(ids)), _FEES[3])[0], total


def _merged(lists: list[list[DueItem]]) -> list[DueItem]:
    items = [i for lines in lists for i in lines]
    items.sort(key=lambda i: (i.on is None, i.on or date.max, i.request_id))
    return items


def due(session: Session, as_of: date, within: int) -> list[DueItem]:
    """Every date coming up between as_of and as_of + within days, the disclosure appointments of the
    past `within` days with no disclosure recorded, and every unpaid fee."""
    return _merged([_lines(session, *entry)[0] for entry in _due_lists(as_of, within)])


def _first_dated(session: Session, as_of: date, within: int, limit: int) -> tuple[list[DueItem], int]:
    """The first `limit` lines of due() without the fees, and how many there are: each list cut in SQL."""
    dated = [_lines(session, *entry, limit) for entry in _due_lists(as_of, within) if entry[0] != "fee"]
    return _merged([lines for lines, _n in dated])[:limit], sum(n for _l, n in dated)


def due_first(session: Session, as_of: date, within: int, limit: int | None) -> tuple[list[DueItem], int]:
    """The first `limit` lines of due() (None: all), in its order (the dates, then the fees by number), and how
    many lines it has in all, without reading the rest (`kaiji due` at a million requests has 82,000)."""
    if limit is None:
        items = due(session, as_of, within)
        return items, len(items)
    lines, dated = _first_dated(session, as_of, within, limit)
    fees, fee_total = _first_fees(session, limit - len(lines))
    return lines + fees, dated + fee_total


def overdue_first(session: Session, as_of: date, limit: int | None) -> tuple[list[OverdueItem], int]:
    """The first `limit` lines of overdue() (None: all), in its order, and how many it has in all."""
    rows, total = _overdue_rows(session, as_of, limit)
    return _overdue_items(rows, as_of), total


@dataclass
class FirstLines:
    """What a page shows of overdue and due (without fees) and of the unpaid fees: the first lines of each,
    the most urgent first (overdue: the longest due; fees: by number), and how many each list has in all."""
    overdue: list[OverdueItem]
    coming: list[DueItem]
    fees: list[DueItem]
    totals: dict[str, int]    # overdue, coming, fees


def first_lines(session: Session, as_of: date, within: int, limit: int) -> FirstLines:
    """The first `limit` lines of overdue, of due without the fees, and of the unpaid fees, with their counts:
    each list cut as it is read, for a page over a large database (the dashboard of `kaiji serve`)."""
    late, late_total = overdue_first(session, as_of, limit)
    coming, coming_total = _first_dated(session, as_of, within, limit)
    fees, fee_total = _first_fees(session, limit)
    return FirstLines(late, coming, fees, {"overdue": late_total, "coming": coming_total, "fees": fee_total})
