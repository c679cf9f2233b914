"""Statistics per body, year, ground or requester: how many requests, how they were decided, how long
the bodies took, how often late, fees, grounds cited, appeals (`kaiji stats`, `kaiji report`, the web's
統計 page).

What is counted, precisely (the README and `kaiji stats --help` say the same):

- Requests entered by mistake (voided) are left out; the filters are those of `kaiji request list`
  (service.request_where), so --from/--to bound the receipt date.
- Days taken are those of a request that was received and decided: from its receipt date (受付日; after
  a transfer (移送), still the first body's receipt, which the period runs from) to the date of its first
  decision (開示決定等; the notice's date). "Calendar" days are the difference of the two dates (stored as
  days_calendar);
  "counted" days are the decision date's number in the count the rule makes (deadlines.count_days, the
  engine that counts the due date: the rule of the body that decided, in force on the receipt date;
  from the period's first day, open days only under a working-days rule, and without the days of a
  correction (補正) when the rule leaves them out). A request not received or not decided has no days;
  one not decided and not withdrawn is counted as pending.
- Decisions by kind count every decision of the requests (a special extension's remainder is a second).
- Late: the first decision came after the decision due date in force (extensions included; past the
  rule's limit, the limit) — the stored `decision_due` that timeline.refresh keeps. The share is of the
  decided requests that had a due date.
- Extended: requests with an extension notice (延長 or 特例延長). Fees: per request, the yen charged (the
  decisions' fees and fee events); the sum, and the median of the requests charged anything.
- Grounds: how many decisions cite each ground (a decision citing one for several parts counts once),
  named with the ordinance of the body's jurisdiction; those cited equally often by their code, then by
  their article's name (the same 第5条第2号 of two ordinances). `--by ground` puts a request under each ground its
  decisions cite. Appeals: requests with an appeal (審査請求) and the outcome of its ruling (裁決).
- Median and 90th percentile by the nearest-rank method: the p-th percentile of n values is the
  ceil(p/100 × n)-th smallest, always one of the values (the median of 1, 2, 3, 4 is 2).

The counting is SQL's: GROUP BY over the requests alone, by the cells the groupings split them into (body, year,
requester, ground), reading what timeline.refresh stores on each request after every event (timeline.statistics:
the calendar days and the days counted by the rule, whether extended, the fees charged, the appeal's outcome, the
live decisions' kinds and the grounds they cite), from one index of the listed requests that holds every column
read (ix_requests_listed_statistics), or by body from an index for each query whose columns start with its GROUP
BY's (schema.STATISTICS_BY_BODY), so that its rows are grouped as they are read rather than sorted. Python adds
the cells up into groups and reads the medians off histograms. No mapped request objects, no pass over the events. A caller that keeps what it counted (counted(), Counted) has
only the bodies written to since counted again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, and_, case, cast, extract, func, select
from sqlalchemy.orm import Session

from . import service, timeline
from .errors import BadInput
from .i18n import N_, _
from .models import Body, Requester
from .schema import (bodies as bodies_t, closed_days, deadline_rules, decisions, events, grounds,
                     jurisdictions as jurisdictions_t, requesters, requests, withheld_parts)

BY = {"body": N_("body"), "year": N_("year"), "ground": N_("ground"), "requester": N_("requester")}
DECISION_KEYS = tuple(timeline.DECISION_KINDS)
OUTCOMES = ("upheld", "partly-granted", "granted", "dismissed")
TOP_GROUNDS = 5


def percentile(values: list[int], p: int) -> int | None:
    """The p-th percentile of values by the nearest-rank method: the ceil(p/100 × n)-th smallest (None for none)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-p * len(ordered) // 100))
    return ordered[rank - 1]


def _ranked(counts: dict[int, int], p: int) -> int | None:
    """percentile() of the values a histogram (value: how many) holds, without writing them out."""
    n = sum(counts.values())
    if not n:
        return None
    rank = max(1, -(-p * n // 100))
    for value in sorted(counts):
        rank -= counts[value]
        if rank <= 0:
            return value
    raise AssertionError("unreachable")


@dataclass
class _Group:
    """One group's figures, added up from its cells (_Cell); the days and fees as histograms (value: how many)."""

    key: Any
    name: str
    requests: int = 0
    decided: int = 0
    pending: int = 0
    withdrawn: int = 0
    kinds: Counter = field(default_factory=Counter)
    calendar: Counter = field(default_factory=Counter)
    counted: Counter = field(default_factory=Counter)
    judged: int = 0
    late: int = 0
    extended: int = 0
    fees: Counter = field(default_factory=Counter)
    grounds: Counter = field(default_factory=Counter)   # (jurisdiction id, ground): decisions citing it
    appeals: int = 0
    outcomes: Counter = field(default_factory=Counter)

    def add(self, cell: "_Group") -> None:
        for name in ("requests", "decided", "withdrawn", "judged", "late", "extended", "appeals"):
            setattr(self, name, getattr(self, name) + getattr(cell, name))
        for name in ("kinds", "calendar", "counted", "fees", "grounds", "outcomes"):
            getattr(self, name).update(getattr(cell, name))

    def record(self, articles: dict, top: int) -> dict[str, Any]:
        # Grounds cited equally often by their code, then by their article's name (two ordinances' 第5条第2号).
        cited = sorted(self.grounds.items(), key=lambda x: (-x[1], x[0][1], articles[x[0]], x[0][0]))[:top]
        return {
            "group": self.key, "name": self.name, "requests": self.requests, "decided": self.decided,
            "pending": self.requests - self.decided - self.withdrawn, "withdrawn": self.withdrawn,
            **{k: self.kinds[k] for k in DECISION_KEYS},
            "days_median": _ranked(self.calendar, 50), "days_p90": _ranked(self.calendar, 90),
            "counted_median": _ranked(self.counted, 50), "counted_p90": _ranked(self.counted, 90),
            "late": self.late, "late_share": round(self.late / self.judged, 3) if self.judged else None,
            "extended": self.extended, "fee_total": sum(fee * n for fee, n in self.fees.items()),
            "fee_median": _ranked(self.fees, 50),
            "grounds": [{"ground": code, "article": articles[(jur, code)], "count": n}
                        for (jur, code), n in cited],
            "appeals": self.appeals, "appeals_open": self.appeals - sum(self.outcomes.values()),
            **{k.replace("-", "_"): self.outcomes[k] for k in OUTCOMES},
        }

def fingerprint(session: Session) -> tuple:
    """What every figure of stats() depends on, read cheaply (a few index look-ups and the small tables): the
    same fingerprint in one database means the same figures, so a face may keep figures under it.

    Why it cannot be stale: everything stats() reads is either in an append-only table or in a small one read
    whole here. A request's figures come from its row, whose columns from status on are derived from its
    events by timeline.refresh (with what the statistics count: days counted, extended, fees, appeal outcome,
    decision kinds, grounds): kaiji never deletes requests, events, decisions, withheld parts, rules, closed
    days or grounds, and changes what a request's row derives only by appending an event (a retraction, a
    void, a decision: a new events id) or by recomputing after a new rule or closed day (service.recompute: a
    new deadline_rules or closed_days id), or after an upgrade of kaiji (db.upgrade, recompute_all: a new
    kaiji, so a new process and nothing kept). A new request is a new requests id; the count guards against an id
    used again after rows deleted outside kaiji. Bodies (name, jurisdiction), jurisdictions (ordinance,
    year-end closure) and requesters (name) are edited in place, so their rows themselves are part of the
    fingerprint. The caller reads it in the same reading session (db.reading: one state of the database) as
    the figures."""
    tops = [select(func.max(t.c.id)).scalar_subquery()
            for t in (requests, events, decisions, withheld_parts, deadline_rules, closed_days, grounds)]
    counts = session.execute(select(select(func.count(requests.c.id)).scalar_subquery(), *tops)).one()
    return (tuple(counts),
            tuple(session.execute(select(bodies_t.c.id, bodies_t.c.key, bodies_t.c.name,
                                         bodies_t.c.jurisdiction_id).order_by(bodies_t.c.id))),
            tuple(session.execute(select(jurisdictions_t.c.id, jurisdictions_t.c.ordinance,
                                         jurisdictions_t.c.year_end_closure).order_by(jurisdictions_t.c.id))),
            tuple(session.execute(select(requesters.c.id, requesters.c.name).order_by(requesters.c.id))))


def stats(session: Session, by: str | None = "body", top: int = TOP_GROUNDS, **filters) -> list[dict[str, Any]]:
    """A record per group (see the module's docstring for what each figure is); `filters` are
    service.request_where's (body, received_from, received_to, requester, status). by=None: one group, all;
    `top`: how many of the grounds cited most each record names."""
    return stats_by(session, (by,), top, **filters)[0]


def stats_by(session: Session, bys: tuple, top: int = TOP_GROUNDS, **filters) -> list[list[dict[str, Any]]]:
    """stats() for each grouping of `bys` (as its `by`): the records of each. The groupings but `ground` are
    counted together, by the cells they split the requests into (body, and year or requester when asked)."""
    return counted(session, bys, top, **filters)[0]


@dataclass
class Counted:
    """What a counted() call counted: its cells, by grouping pass, with the fingerprint of the database they were
    counted in, so that a later call (a web page's next view) counts again only the bodies written to since."""

    bys: tuple
    filters: dict
    mark: tuple                  # fingerprint() when counted
    passes: dict                 # ground or not: (columns, {cell: _Group}); a cell's first column is its body
    articles: dict

    def touched(self, session: Session, mark: tuple) -> set[int] | None:
        """The bodies whose cells may differ from those kept, now that the fingerprint is `mark`; None: all may
        (a rule, closed day or ground added, a body, jurisdiction or requester edited, requests deleted). A
        request's stored columns change only when an event is appended to it (timeline.refresh) or its
        jurisdiction's rules or closed days change (service.recompute): the requests written to are those with
        events newer than the fingerprint's, and the new requests; their bodies now, their bodies when filed,
        and the bodies any transfer (移送) of theirs named, are the cells that may have changed."""
        (was, *rest), (now, *current) = self.mark, mark
        if rest != current or was[5:] != now[5:]:
            return None
        count, last_request, last_event = (v or 0 for v in was[:3])
        written = set(session.scalars(select(events.c.request_id).where(events.c.id > last_event).distinct()))
        new = set(session.scalars(select(requests.c.id).where(requests.c.id > last_request)))
        if (now[0] or 0) != count + len(new):
            return None    # rows deleted or numbers used again outside kaiji
        written |= new
        if not written:
            return set()
        chosen = list(written)
        bodies = set()
        for filed, body in session.execute(select(requests.c.filed_body_id, requests.c.body_id)
                                           .where(requests.c.id.in_(chosen))):
            bodies.update((filed, body))
        for (data,) in session.execute(select(events.c.data).where(events.c.request_id.in_(chosen),
                                                                   events.c.kind == "transfer")):
            bodies.add(data["to_body_id"])
        return bodies


def counted(session: Session, bys: tuple, top: int = TOP_GROUNDS, since: Counted | None = None,
            mark: tuple | None = None, **filters) -> tuple[list[list[dict[str, Any]]], Counted]:
    """stats_by's records, and what they were counted from. `since`: what an earlier call with the same `bys` and
    filters counted; only the cells of the bodies written to since are counted again (Counted.touched), the
    others are taken as they were: the same figures as counting all. `mark`: fingerprint(session), if the
    caller has read it in this session already."""
    for by in bys:
        if by is not None and by not in BY:
            raise BadInput(_("--by must be one of {choices}; got {value!r}.").format(choices=", ".join(BY),
                                                                                      value=by), field="by")
    where = service.request_where(session, **filters)
    ordinance = dict(session.execute(select(jurisdictions_t.c.id, jurisdictions_t.c.ordinance)).all())
    bodies = {b.id: (b.key, b.name, b.jurisdiction_id) for b in session.scalars(select(Body))}
    names = ({r.id: r.name for r in session.scalars(select(Requester))} if "requester" in bys else {})
    jurisdiction_of = {b: jur for b, (_k, _n, jur) in bodies.items()}
    mark = mark or fingerprint(session)
    touched = (since.touched(session, mark) if since is not None and (since.bys, since.filters) == (bys, filters)
               else None)
    articles: dict[tuple[int, str], str] = dict(since.articles) if touched is not None else {}
    plain = [by for by in bys if by != "ground"]
    wanted = {}
    if plain:
        wanted[False] = ("body_id",) + (("year",) if "year" in plain else ()) + (("requester_id",) if "requester" in plain else ())
    if "ground" in bys:
        wanted[True] = ("body_id", "ground")
    # The by-body indexes (schema.STATISTICS_BY_BODY) hold none of the filters' columns but the body's: with another
    # filter (a receipt period, a status, a requester), reading them would mean a table row for each request.
    in_order = not any(value for key, value in filters.items() if key != "body")
    passes = {}
    for ground, columns in wanted.items():
        if touched is None:
            passes[ground] = _cells(session, where, columns, jurisdiction_of, ordinance, articles, in_order)
        else:
            cells = {key: cell for key, cell in since.passes[ground][1].items() if key[0] not in touched}
            if touched:
                cells.update(_cells(session, where + [requests.c.body_id.in_(sorted(touched))], columns,
                                    jurisdiction_of, ordinance, articles, in_order)[1])
            passes[ground] = (columns, cells)
    made = []
    for by in bys:
        columns, cells = passes[by == "ground"]
        at = {name: i for i, name in enumerate(columns)}
        groups: dict[Any, _Group] = {}
        for key, cell in cells.items():
            if by is None:
                k, name = None, _("all requests")
            elif by == "body":
                k, name = bodies[key[0]][:2]
            elif by == "year":
                k = key[at["year"]]
                name = str(k)
            elif by == "requester":
                k = names.get(key[at["requester_id"]])
                name = k or _("(no requester)")
            else:
                k = name = articles[(bodies[key[0]][2], key[at["ground"]])]
            if k not in groups:
                groups[k] = _Group(k, name)
            groups[k].add(cell)
        ordered = sorted(groups.values(), key=(lambda g: g.key) if by == "year"
                         else (lambda g: (-g.requests, str(g.name))))
        made.append([g.record(articles, top) for g in ordered])
    return made, Counted(bys, dict(filters), mark, passes, articles)


def _cells(session: Session, where: list, columns: tuple, jurisdiction_of: dict, ordinance: dict,
           articles: dict, in_order: bool = True) -> tuple[tuple, dict[tuple, _Group]]:
    """The figures of each cell: a _Group per combination of `columns` (body_id, year, requester_id, ground), each
    counted by GROUP BY over the requests' stored columns (timeline.statistics) in four queries: the counts with
    the decisions' kinds and the appeal's outcome; the days (calendar, counted by the rule); the fees; the
    grounds. A request's grounds are one text (a line a ground, once a decision): `ground` puts it under each."""
    r = requests.c
    # By body, each query reads its own index of schema.STATISTICS_BY_BODY in its GROUP BY's order (`in_order`: no
    # filter but the body's). Grouped by more than the body, or filtered, the body as `body_id + 0`, which no index
    # orders, so that SQLite does not take a by-body index and read a table row for each request (at a million
    # requests, by year: 9 s rather than 18; from a receipt date: 33 s).
    made = {"body_id": r.body_id if columns == ("body_id",) and in_order else r.body_id + 0,
            "year": cast(extract("year", func.coalesce(r.received_on, r.filed_on)), Integer),
            "requester_id": r.requester_id, "ground": r.grounds}
    by_ground = "ground" in columns
    src = select(*[made[c].label(c) for c in columns], r.status, r.received_on, r.decided_on, r.decision_due,
                 r.days_calendar, r.days_counted, r.extended, r.fee_total, r.appeal_outcome, r.decision_kinds,
                 r.grounds.label("cited")).where(*where, *([r.grounds.is_not(None)] if by_ground else [])).subquery()
    cell = [src.c[c] for c in columns]
    k = len(cell)
    cells: dict[tuple, _Group] = {}

    def into(row) -> tuple[_Group, ...]:
        """The cells a row of a query counts in (a request under each ground its decisions cite)."""
        key = tuple(row[:k])
        if not by_ground:   # a cell a row: the common case, 190,000 rows at a million requests
            g = cells.get(key)
            if g is None:
                g = cells[key] = _Group(key, "")
            return (g,)
        keys = [key[:-1] + (g,) for g in sorted(set(key[-1].split("\n")))]
        return tuple(cells.get(key) or cells.setdefault(key, _Group(key, "")) for key in keys)

    # The rows as the driver gives them, in batches, not through the ORM's result row by row (about a tenth of this
    # function's time at a million requests); flushed first, as session.execute would.
    session.flush()
    conn = session.connection()

    def rows_of(query) -> Iterator:
        for part in conn.execute(query).partitions(10_000):
            yield from part

    c = src.c
    decided = c.decided_on.is_not(None)
    for row in rows_of(select(
            *cell, c.decision_kinds, c.appeal_outcome, func.count(), func.count(c.decided_on),
            func.sum(case((and_(c.decided_on.is_(None), c.status == "withdrawn"), 1), else_=0)),
            func.sum(case((and_(decided, c.decision_due.is_not(None)), 1), else_=0)),
            func.sum(case((c.decided_on > c.decision_due, 1), else_=0)),
            func.sum(case((c.extended, 1), else_=0))).group_by(*cell, c.decision_kinds, c.appeal_outcome)):
        kinds, outcome, n, decided_n, withdrawn, judged, late, extended = row[k:]
        for g in into(row):
            g.requests += n
            g.decided += decided_n
            g.withdrawn += int(withdrawn)
            g.judged += int(judged)
            g.late += int(late)
            g.extended += int(extended)
            if kinds:
                for kind in kinds.split(","):
                    g.kinds[kind] += n
            if outcome is not None:
                g.appeals += n
                if outcome != "filed":
                    g.outcomes[outcome] += n

    # Days taken: calendar days, and the days the rule counts (None where the body's rule is unknown: its
    # calendar days are known, the days its rule would count are not, and are left out rather than guessed).
    for row in rows_of(select(*cell, c.days_calendar, c.days_counted, func.count())
                               .where(c.days_calendar.is_not(None)).group_by(*cell, c.days_calendar, c.days_counted)):
        calendar, counted, n = row[k:]
        for g in into(row):
            g.calendar[calendar] += n
            if counted is not None:
                g.counted[counted] += n

    for row in rows_of(select(*cell, c.fee_total, func.count()).where(c.fee_total > 0)
                               .group_by(*cell, c.fee_total)):
        for g in into(row):
            g.fees[row[k]] += row[k + 1]

    # Grounds: how many decisions cite each, named with the ordinance of the body's jurisdiction.
    for row in rows_of(select(*cell, c.cited, func.count()).where(c.cited.is_not(None))
                               .group_by(*cell, c.cited)):
        jur = jurisdiction_of[row[0]]
        cited = Counter(row[k].split("\n"))
        for code in cited:
            articles.setdefault((jur, code), ordinance[jur] + code)
        for g in into(row):
            for code, times in cited.items():
                g.grounds[(jur, code)] += times * row[k + 1]
    return columns, cells
