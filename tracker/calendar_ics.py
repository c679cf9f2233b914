"""Every date that can be missed, as an iCalendar file (RFC 5545) a phone or desktop calendar imports.

One all-day event per request and date: the decision (extended or not), the remainder after a special
extension (特例延長), the disclosure appointment, the last day to appeal (審査請求), the last day to sue
(取消訴訟), an unpaid fee. The dates are the timeline's as timeline.refresh stores them (what `kaiji due`
lists) and each event's description gives the reason `kaiji explain` gives, in one line; nothing here
counts a day (timeline and deadlines do).

The file is written as the dates are read, never whole in memory: the stored dates in order from one
select, their requests read a window at a time as plain rows, and the text written here (escaped and
folded as the icalendar library writes it: tests/test_calendar.py compares the two byte for byte).

What a calendar needs to update an event rather than add a second one, on every import:
- UID: the request and the stored date's name (request-12-decision_due@kaiji). An extension changes
  the decision's date and title but not its UID, so the calendar moves the event.
- SEQUENCE: RFC 5545 wants it to grow whenever the date moves. kaiji stores no revision numbers;
  the timeline is append-only (a mistake is retracted by a later event, never deleted), so the
  number of events that can move a date (SETS_DATE below), counting retracted ones and the
  retractions themselves, never falls, and grows with every event that moves the date. It is read
  from the records alone, so two exports of the same records are the same bytes. (Not counted: a
  rule or closed day added later, which moves dates without an event; the DTSTAMP does not move
  either then. Calendars that match by UID still take the new date; some keep the old one.)
- DTSTAMP: without a METHOD, RFC 5545 §3.8.7.2 makes it the time the event's information was last
  revised: the time the request's latest event was recorded, never the time of the export.
"""

from __future__ import annotations

import heapq
import json
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice
from types import SimpleNamespace
from typing import Iterable, Iterator

from sqlalchemy import String, literal, select, type_coerce, union_all
from sqlalchemy.orm import Session

from . import __version__
from .deadlines import Deadline, appeal_due, lawsuit_due
from .i18n import N_, _, language, show_date, use_language
from .schema import ID_BATCH, OPEN_STATUSES, bodies, decisions, events, id_batches, requests
from .timeline import State, appealable, applied, closed_days, compute, lawsuit_from, live_events

# What each kind of date is called, as reports.due names the kinds (DueItem.kind).
LABELS = {
    "decision": N_("Decision due"),
    "extended decision": N_("Extended decision due"),
    "remainder": N_("Decision on the remainder due"),
    "disclosure": N_("Disclosure appointment"),
    "disclosure missed": N_("Disclosure appointment passed"),
    "appeal": N_("Last day to appeal"),
    "lawsuit": N_("Last day to sue"),
    "fee": N_("Fee unpaid"),
}

# The stored date each event stands for (its UID names it), and the kinds of event that can move it.
SETS_DATE = {
    "decision_due": {"received", "correction_asked", "correction_answered", "extension", "special_extension",
                     "transfer", "withdrawn"},
    "rest_due": {"special_extension", "decision", "withdrawn"},
    "disclosure_on": {"decision", "disclosed", "withdrawn"},
    "appeal_due": {"decision", "appeal_filed", "withdrawn"},
    "lawsuit_due": {"decision", "appeal_filed", "ruling", "withdrawn"},
    "fee_unpaid": {"decision", "fee_charged", "fee_paid", "disclosed"},
}
SUBJECT_COLUMNS = 40   # the subject in an event's title, clipped (the description has it whole)
# What a calendar is given unless asked for more (`kaiji calendar --since/--all`, the web's feed): what is still
# outstanding however old (a decision or a remainder not yet made, whose date stays stored until it is; a fee
# not yet paid), and the other dates from this many days before today on. A phone's calendar wants what is still
# to come and what is still owed; a group's ten years of past appointments and appeal and lawsuit periods (at
# 100,000 requests, 111,000 of 127,000 dates) would bury those, and a calendar app slows or refuses a
# subscription of that size.
PAST_DAYS = 30
OUTSTANDING = ("decision_due", "rest_due", "fee_unpaid")   # shown whatever `since` says


def since_default(today: date) -> date:
    """The first day a calendar shows unless asked for another: PAST_DAYS before `today`."""
    return today - timedelta(days=PAST_DAYS)


@dataclass
class Entry:
    """One date of one request, as the calendar shows it."""

    request_id: int
    column: str              # the stored date it is (SETS_DATE's keys): the UID's second part
    kind: str                # LABELS' keys
    on: date
    body_name: str
    subject: str
    reason: str              # one line: which rule, counted from which day
    sequence: int
    stamp: datetime          # UTC, naive, as recorded_at is stored
    details: list[str] = field(default_factory=list)  # more lines for the description
    location: str | None = None

    @property
    def uid(self) -> str:
        return f"request-{self.request_id}-{self.column}@kaiji"


def one_line(dl: Deadline) -> str:
    """A deadline's reason in one line: what it is counted under, the day the count starts, and, after the
    last counted day, what moved it. The day-by-day count is `kaiji explain`'s."""
    steps = dl.steps
    dated = [i for i, s in enumerate(steps) if s.day is not None]
    last_counted = max((i for i, s in enumerate(steps) if s.counted), default=-1)
    keep = [s.text for i, s in enumerate(steps)
            if i == 0 or (s.counted is None and s.day is not None and (i == dated[0] or i > last_counted))]
    return _("; ").join(keep)


COLUMNS = tuple(SETS_DATE)   # an event's place among one request's events of the same day: its column's


def entries(session: Session, filters: dict, jurisdiction_of, since: date | None = None,
            window: int = 2000) -> Iterator[Entry]:
    """The calendar's dates for the requests service.iter_requests(**filters) gives, those of OUTSTANDING and the
    others on or after `since` (None: every date), in date order (then by request, then by COLUMNS), as they are
    read (a bad filter is refused when this is called).

    The order is the stored dates' (timeline.refresh keeps them; an unpaid fee with no appointment has a day of
    its own, worked out first for those few); then `window` dates at a time, the requests they belong to
    are read as plain rows and only what each date's reason needs is worked out: a decision's period by
    timeline.compute, the periods to appeal and to sue from what they count from (the latest remembered)."""
    from .service import request_where

    where = request_where(session, **filters)
    return _entries(session, where, jurisdiction_of, since, window)


def _entries(session: Session, where: list, jurisdiction_of, since: date | None, window: int) -> Iterator[Entry]:
    reasons = _Reasons(jurisdiction_of)
    keys = heapq.merge(_stored_keys(session, where, since), _fee_keys(session, where, reasons))
    kept: dict[int, SimpleNamespace] = {}   # the last window's requests: a request's later dates often follow soon
    while chunk := list(islice(keys, window)):
        ids = {request_id for _on, request_id, _c in chunk}
        loaded = {i: kept[i] for i in ids & kept.keys()} | _load(session, ids - kept.keys())
        for on, request_id, c in chunk:
            yield reasons.entry(loaded[request_id], COLUMNS[c], on)
        kept = loaded


def _stored_keys(session: Session, where: list, since: date | None) -> Iterator[tuple]:
    """(date, request, column's place in COLUMNS) of every date stored on the chosen requests that the
    calendar shows (those of OUTSTANDING, the others on or after `since`), in that order; an unpaid fee is here
    when it is shown on the disclosure appointment."""
    r = requests.c
    shown = {"decision_due": [r.status.in_(OPEN_STATUSES)], "fee_unpaid": [r.fee_unpaid > 0]}
    parts = []
    for place, column in enumerate(COLUMNS):
        on = r.disclosure_on if column == "fee_unpaid" else r[column]
        when = on.is_not(None) if since is None or column in OUTSTANDING else on >= since
        parts.append(select(on.label("on"), r.id.label("id"), literal(place).label("place"))
                     .where(*where, when, *shown.get(column, [])))
    q = union_all(*parts).order_by("on", "id", "place")
    for row in session.connection().execute(q, execution_options={"yield_per": 5000}):
        yield tuple(row)


def _fee_keys(session: Session, where: list, reasons: "_Reasons") -> list[tuple]:
    """The keys of the unpaid fees with no disclosure appointment, whose day (_fee_day) is no stored date:
    worked out here for those few requests, sorted (outstanding: shown however old)."""
    r = requests.c
    ids = session.connection().scalars(select(r.id).where(*where, r.fee_unpaid > 0, r.disclosure_on.is_(None)))
    return sorted((_fee_day(plain, reasons.state(plain))[0], plain.id, COLUMNS.index("fee_unpaid"))
                  for plain in _load(session, ids).values())


def _load(session: Session, ids: Iterable[int]) -> dict[int, SimpleNamespace]:
    """The requests as plain objects timeline.compute reads: their stored columns, all their events and
    decisions, as plain rows."""
    out: dict[int, SimpleNamespace] = {}
    for batch in id_batches(sorted(ids)):
        out |= _loaded(session.connection(), batch + batch[-1:] * (ID_BATCH - len(batch)))
    return out


def _loaded(conn, ids: list[int]) -> dict[int, SimpleNamespace]:
    # Always ID_BATCH ids (the last repeated): one statement each, which the driver prepares once, not one for
    # every number of ids (SQLite's statement cache would keep a hundred of them, tens of megabytes).
    r, b, e, d = requests.c, bodies.c, events.c, decisions.c
    out = {row.id: SimpleNamespace(**row._mapping, events=[], decisions=[], state=None)
           for row in conn.execute(select(r.id, r.filed_body_id, r.subject, r.disclosure_on, r.fee_unpaid,
                                          b.name.label("body_name"))
                                   .select_from(requests.join(bodies, r.body_id == b.id)).where(r.id.in_(ids)))}
    for row in conn.execute(select(e.id, e.request_id, e.kind, e.on, type_coerce(e.data, String), e.retracts_id,
                                   e.recorded_at).where(e.request_id.in_(ids)).order_by(e.request_id, e.id)):
        out[row[1]].events.append(_Event(*row))
    for row in conn.execute(select(d.id, d.request_id, d.event_id, d.kind, d.decided_on, d.notified_on,
                                   d.disclosure_on, d.disclosure_time, d.disclosure_place, d.fee)
                            .where(d.request_id.in_(ids)).order_by(d.request_id, d.id)):
        out[row.request_id].decisions.append(row)
    return out


class _Event:
    """An event as a plain row, its data (JSON) read only when asked for: most of a timeline's are not."""

    __slots__ = ("id", "request_id", "kind", "on", "_data", "retracts_id", "recorded_at")

    def __init__(self, id, request_id, kind, on, data, retracts_id, recorded_at):
        self.id, self.request_id, self.kind, self.on, self._data = id, request_id, kind, on, data
        self.retracts_id, self.recorded_at = retracts_id, recorded_at

    @property
    def data(self) -> dict:
        if type(self._data) is str:   # SQLite's text; PostgreSQL's driver gives the value read
            self._data = json.loads(self._data)
        return self._data


class _Reasons:
    """Each date's event, its reason worked out from no more than it needs. The periods to appeal and to sue
    of many requests count from the same few days: each such period is counted once while it is recent."""

    def __init__(self, jurisdiction_of):
        self.jurisdiction_of = jurisdiction_of
        self.days: dict[int, tuple] = {}    # a jurisdiction's closed days, and its own closed days in order
        self.said: dict[tuple, str] = {}    # the latest periods' reasons (the dates come in order: recent ones recur)

    def remembered(self, key: tuple, work) -> str:
        said = self.said.get(key)
        if said is None:
            if len(self.said) >= 8192:
                del self.said[next(iter(self.said))]   # the oldest
            said = self.said[key] = work()
        return said

    def lawsuit(self, *sued_from) -> str:
        return self.remembered(("lawsuit", *sued_from), lambda: one_line(lawsuit_due(*sued_from)))

    def appeal(self, body_id: int, decided: date, notified: date | None) -> str:
        """The period to appeal's reason. It reads no closed day before the decision or its notice (each period
        starts the day after): the same for every jurisdiction whose own closed days after those agree."""
        jur = self.jurisdiction_of(body_id)
        if jur.id not in self.days:
            days = closed_days(jur)
            self.days[jur.id] = days, sorted(days.extra.items())
        days, extra = self.days[jur.id]
        since = min(decided, notified or decided)
        later = tuple(extra[bisect_right(extra, (since, "\U0010ffff")):])
        return self.remembered(("appeal", days.year_end_closure, later, decided, notified),
                               lambda: one_line(appeal_due(days, decided, notified)))

    def state(self, r: SimpleNamespace) -> tuple[State, list]:
        """What the live events give (timeline.applied), and the live events."""
        if r.state is None:
            live = live_events(r)
            r.state = applied(r, live), live
        return r.state

    def entry(self, r: SimpleNamespace, column: str, on: date) -> Entry:
        """The event of a request's date (the stored column's, or the unpaid fee's day)."""
        s, live = self.state(r)
        # DTSTAMP: when the request's latest event was recorded. SEQUENCE: how many events could move the date.
        stamp = max(e.recorded_at for e in r.events)
        kinds = {e.id: e.kind for e in r.events}
        moves = SETS_DATE[column]
        sequence = sum(1 for e in r.events
                       if e.kind in moves or (e.kind == "retraction" and kinds.get(e.retracts_id) in moves))

        def entry(kind: str, reason: str, **more) -> Entry:
            return Entry(r.id, column, kind, on, r.body_name, r.subject, reason, sequence, stamp, **more)

        if column in ("decision_due", "rest_due"):
            full = compute(r, self.jurisdiction_of)
            if column == "rest_due":
                return entry("remainder", _extension_reason(full))
            if full.extension is not None and full.status == "extended":
                reason = _extension_reason(full)
                if full.extension_over_limit and full.extension_limit is not None:
                    reason += _("; ") + one_line(full.extension_limit)
                return entry("extended decision", reason)
            return entry("decision", one_line(full.first_due))
        if column == "disclosure_on":
            decision = s.decisions[-1]
            details = [_("Time: {time}").format(time=decision.disclosure_time)] if decision.disclosure_time else []
            return entry("disclosure", _("the decision dated {on} sets the disclosure (開示の実施) for this day.").format(
                             on=show_date(decision.decided_on)),
                         details=details, location=decision.disclosure_place)
        if column == "fee_unpaid":
            return entry("fee", _fee_day(r, (s, live))[1])
        last = appealable(s)
        if column == "appeal_due":
            return entry("appeal", self.appeal(s.body_id, last.decided_on, last.notified_on))
        return entry("lawsuit", self.lawsuit(*lawsuit_from(s, live, last)))


def _extension_reason(s: State) -> str:
    """The extension in force, worded as `kaiji explain` words it."""
    e = s.extension
    if e.kind == "special_extension":
        return _("Special extension (特例延長) notified {on}: a substantial part by {part}, the remainder by {rest}").format(
            on=show_date(e.on), part=show_date(date.fromisoformat(e.data["part_due"])),
            rest=show_date(date.fromisoformat(e.data["rest_due"])))
    return _("Extension (延長) notified {on}: decision now due {new}").format(
        on=show_date(e.on), new=show_date(date.fromisoformat(e.data["new_due"])))


def _fee_day(r, state: tuple[State, list]) -> tuple[date, str]:
    """An unpaid fee has no last day of its own: it is shown on the disclosure appointment, when copies are
    handed over against payment, or else on the day it was last charged."""
    s, live = state
    if r.disclosure_on is not None:
        return r.disclosure_on, _("{yen} yen charged and not paid; copies are usually handed over against payment "
                                  "at the disclosure.").format(yen=r.fee_unpaid)
    charged = [e.on for e in live if e.kind == "fee_charged"] + [d.decided_on for d in s.decisions if d.fee]
    return max(charged), _("{yen} yen charged on this day and not paid; record a payment with `kaiji request paid "
                           "{id} YEN`.").format(yen=r.fee_unpaid, id=r.id)


def summary(e: Entry) -> str:
    """The event's title: what is due, the body, the subject clipped (「決定期限: 舞鶴市長 — …」)."""
    from .table import clip

    return _("{what}: {body} — {subject}").format(what=_(LABELS[e.kind]), body=e.body_name,
                                                   subject=clip(e.subject, SUBJECT_COLUMNS))


# ---------------------------------------------------------------- the file's text (RFC 5545)

def text(value: str) -> str:
    r"""A TEXT value escaped (RFC 5545 §3.3.11) as icalendar escapes it: backslash, semicolon, comma, and every
    line end as \n (icalendar first reads a written-out \N as a line end, and so does this)."""
    return (value.replace("\\N", "\n").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def content_line(line: str) -> bytes:
    """A content line in UTF-8, folded as icalendar folds it (RFC 5545 §3.1): pieces of at most 74 octets,
    never cutting a character, each after the first on a line of its own after one space; a piece that would
    end in a backslash or a caret leaves it to the next, so that no escape is split."""
    data = line.encode()
    if len(data) < 75:
        return data + b"\r\n"
    pieces, start, end = [], 0, len(data)
    while end - start > 74:
        cut = start + 74
        while data[cut] & 0xC0 == 0x80:    # inside a character: cut before it
            cut -= 1
        if data[cut - 1] in b"\\^":
            cut -= 1
        pieces.append(data[start:cut])
        start = cut
    pieces.append(data[start:])
    return b"\r\n ".join(pieces) + b"\r\n"


def description(e: Entry) -> str:
    """The event's description: the reason in one line, the request, more details, where to see every day."""
    return "\n".join([e.reason, _("Request {id}: {subject}").format(id=e.request_id, subject=e.subject), *e.details,
                      _("Every day of the count: kaiji explain {id}").format(id=e.request_id)])


def event_text(e: Entry, remind: int = 0) -> bytes:
    """One event (VEVENT), its properties in the order icalendar writes them; remind > 0 adds an alarm that
    many days before it."""
    title = text(summary(e))
    end = e.on + timedelta(days=1)             # DTEND is exclusive: the next day
    stamp = e.stamp.isoformat(timespec="seconds").replace("-", "").replace(":", "")
    out = [b"BEGIN:VEVENT\r\n", content_line("SUMMARY:" + title),
           f"DTSTART;VALUE=DATE:{e.on.isoformat().replace('-', '')}\r\n"
           f"DTEND;VALUE=DATE:{end.isoformat().replace('-', '')}\r\nDTSTAMP:{stamp}Z\r\n".encode(),
           content_line(f"UID:{text(e.uid)}"), f"SEQUENCE:{e.sequence}\r\n".encode(),
           content_line("DESCRIPTION:" + text(description(e)))]
    if e.location:
        out.append(content_line("LOCATION:" + text(e.location)))
    out.append(b"TRANSP:TRANSPARENT\r\n")      # a deadline does not make anyone busy
    if remind > 0:
        out += [b"BEGIN:VALARM\r\nACTION:DISPLAY\r\n", content_line("DESCRIPTION:" + title),
                f"TRIGGER:-P{remind}D\r\nEND:VALARM\r\n".encode()]
    out.append(b"END:VEVENT\r\n")
    return b"".join(out)


def ics_chunks(items: Iterable[Entry], remind: int = 0, batch: int = 100) -> Iterator[bytes]:
    """The .ics file (a VCALENDAR of all-day events), a piece of `batch` events at a time, the same bytes
    icalendar writes for the same calendar (tests/test_calendar.py compares them)."""
    lang = language()
    with use_language(lang):   # the language asked once, not for every message (the environment's, or a page's)
        head = [content_line(line) for line in (
            "BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{text(f'-//kaiji//kaiji {__version__}//{lang.upper()}')}",
            "CALSCALE:GREGORIAN", "X-WR-CALNAME:" + text(_("kaiji: disclosure request deadlines")))]
    yield b"".join(head)
    items = iter(items)
    while True:
        # Nothing is yielded while the language is set: a generator's context is its caller's.
        with use_language(lang):
            piece = b"".join(event_text(e, remind) for e in islice(items, batch))
        if not piece:
            break
        yield piece
    yield b"END:VCALENDAR\r\n"
