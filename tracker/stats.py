"""Statistics per body, year, ground or requester: how many requests, how they were decided, how long
the bodies took, how often late, fees, grounds cited, appeals (`kaiji stats`, `kaiji report`, the web's
統計 page).

What is counted, precisely (the README and `kaiji stats --help` say the same):

- Requests entered by mistake (voided) are left out; the filters are those of `kaiji request list`
  (service.request_where), so --from/--to bound the receipt date.
- Days taken are those of a request that was received and decided: from its receipt date (受付日; after
  a transfer (移送), still the first body's receipt, which the period runs from) to the date of its first
  decision (開示決定等; the notice's date). "Calendar" days are the difference of the two dates;
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

The counting is SQL's (GROUP BY over the cells the groupings split the requests into: body, year, requester,
ground); Python adds the cells up into groups, reads the medians off histograms, and works out what SQL cannot
say alike on both databases: the days counted by the rule (a difference of a running count that
deadlines.count_days makes once per rule and year, less the days a correction covers) and the appeals'
outcomes (from their few events). No mapped request objects, no pass of Python over every event.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, and_, case, cast, extract, func, literal, select
from sqlalchemy.orm import Session, selectinload

from . import deadlines as dl
from . import service, timeline
from .errors import BadInput
from .events import KINDS
from .i18n import N_, _
from .models import Body, Jurisdiction, Requester
from .schema import (bodies as bodies_t, closed_days, deadline_rules, decisions, events, grounds,
                     jurisdictions as jurisdictions_t, requesters, requests, withheld_parts)

BY = {"body": N_("body"), "year": N_("year"), "ground": N_("ground"), "requester": N_("requester")}
DECISION_KEYS = tuple(timeline.DECISION_KINDS)
OUTCOMES = ("upheld", "partly-granted", "granted", "dismissed")
# The kinds of event whose effect the statistics read (timeline's own `apply` of each), and retractions.
EVENT_KINDS = ("correction_asked", "correction_answered", "extension", "special_extension", "fee_charged",
               "appeal_filed", "ruling", "retraction")
TOP_GROUNDS = 5
RETRACTED_AS_VALUES = 20_000   # PostgreSQL takes at most 65,535 values a statement


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
    whole here. A request's figures come from its row and its events: kaiji never deletes requests, events,
    decisions, withheld parts, rules, closed days or grounds, and changes what a request's row derives
    (status, dates, voided, body after a transfer) only by appending an event (a retraction, a void, a
    decision: a new events id) or, for decision_due, by recomputing after a new rule or closed day (a new
    deadline_rules or closed_days id). A new request is a new requests id; the count guards against an id
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
    for by in bys:
        if by is not None and by not in BY:
            raise BadInput(_("--by must be one of {choices}; got {value!r}.").format(choices=", ".join(BY),
                                                                                      value=by), field="by")
    where = service.request_where(session, **filters)
    jurisdictions = {j.id: j for j in session.scalars(select(Jurisdiction).options(
        selectinload(Jurisdiction.rules), selectinload(Jurisdiction.closed_days)))}
    bodies = {b.id: (b.key, b.name, b.jurisdiction_id) for b in session.scalars(select(Body))}
    names = ({r.id: r.name for r in session.scalars(select(Requester))} if "requester" in bys else {})
    counting = _Counting(session, where, jurisdictions, {b: jur for b, (_k, _n, jur) in bodies.items()})
    articles: dict[tuple[int, str], str] = {}     # (jurisdiction id, ground): 舞鶴市情報公開条例第5条第2号
    plain = [by for by in bys if by != "ground"]
    passes = {}
    if plain:
        passes[False] = counting.cells(("body_id",) + (("year",) if "year" in plain else ())
                                       + (("requester_id",) if "requester" in plain else ()), articles)
    if "ground" in bys:
        passes[True] = counting.cells(("body_id", "ground"), articles)
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
    return made


def _ordinal(session: Session, column):
    """A date column as date.toordinal(), worked out by the database (SQLite's julianday of 0001-01-01 is
    1721425.5; PostgreSQL subtracts dates): no date object made in Python for each request."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(column), Integer) - 1721424
    return cast(column - literal(date(1, 1, 1), Date), Integer) + 1


class _Counting:
    """The queries of one stats_by call: each groups the chosen requests by their cell (the columns asked)
    and counts in SQL, but for the days counted by the rule (a request's receipt and decision, with the
    count's numbers made once per rule and year) and the appeals' outcomes (read off their few events)."""

    def __init__(self, session: Session, where: list, jurisdictions: dict, jurisdiction_of: dict):
        self.session, self.where, self.jurisdictions, self.jurisdiction_of = session, where, jurisdictions, jurisdiction_of
        retracted = select(events.c.retracts_id).where(events.c.kind == "retraction", events.c.retracts_id.is_not(None))
        # The entries retracted, read once (a scan of the events) rather than by each query; as a subquery again
        # where they are too many to pass as values.
        ids = list(session.scalars(retracted))
        self.retracted = ids if len(ids) <= RETRACTED_AS_VALUES else retracted
        self.closed = {j: timeline.closed_days(jur) for j, jur in jurisdictions.items()}
        self.rules: dict[int, tuple[list[int], list]] = {}   # jurisdiction: its versions' first days, and the rules
        self.numbers: dict[tuple, dl.SharedCount] = {}  # (jurisdiction, working days): its running count
        self.span: tuple = ()      # the first receipt and the last decision of the requests, as ordinals

    def rule_on(self, jur: int, day: int) -> tuple[int, dl.Rule] | None:
        """timeline.rule_row's rule on a day (an ordinal) as (row id, rule); None: no rule known."""
        if jur not in self.rules:
            versions = timeline.RuleOn(self.jurisdictions[jur])
            self.rules[jur] = (versions.firsts, [(row.id, timeline.to_rule(row)) if row is not None else None
                                                 for row in versions.rows])
        firsts, found = self.rules[jur]
        return found[bisect_right(firsts, day)]

    def counted(self, jur: int, rule: dl.Rule, start: int, last: int) -> int:
        """The days the rule counts from `start` through `last` (ordinals, start <= last), no correction."""
        return self.shared(jur, rule).between(start, last)

    def shared(self, jur: int, rule: dl.Rule) -> dl.SharedCount:
        key = (jur, rule.working_days)
        if key not in self.numbers:   # over the requests' years (self.span) from the first
            self.numbers[key] = dl.SharedCount(rule, self.closed[jur], self.span)
        return self.numbers[key]

    def corrected(self, jur: int, rule: dl.Rule, start: int, last: int, pauses: list[dl.Pause]) -> int:
        """counted() less the days a correction covers, as count_days leaves them out (SharedCount.paused)."""
        return self.shared(jur, rule).paused(start, last, pauses, rule.correction_days)

    def cells(self, columns: tuple, articles: dict) -> tuple[tuple, dict[tuple, _Group]]:
        """The figures of each cell: a _Group per combination of `columns` (body_id, year, requester_id, ground)."""
        s, retracted = self.session, self.retracted
        live_decision = decisions.c.event_id.not_in(retracted)
        live_event = events.c.id.not_in(retracted)
        # body_id + 0: an expression no index gives in order, so that SQLite does not walk the requests by the body
        # index to group them (a page read per request, out of order: three times the time of reading them along).
        made = {"body_id": requests.c.body_id + 0,
                "year": cast(extract("year", func.coalesce(requests.c.received_on, requests.c.filed_on)), Integer),
                "requester_id": requests.c.requester_id}
        chosen = select(requests.c.id.label("rid"), *[made[c].label(c) for c in columns if c != "ground"],
                        requests.c.status, requests.c.received_on, requests.c.decided_on,
                        requests.c.decision_due).where(*self.where)
        if "ground" in columns:
            # A request under each ground its live decisions cite.
            cited = (select(decisions.c.request_id, withheld_parts.c.ground).distinct()
                     .join(decisions, decisions.c.id == withheld_parts.c.decision_id).where(live_decision).subquery())
            chosen = (chosen.add_columns(cited.c.ground.label("ground"))
                      .join_from(requests, cited, cited.c.request_id == requests.c.id))
        src = chosen.subquery("chosen")
        cell = [src.c[c] for c in columns]
        k = len(cell)
        cells: dict[tuple, _Group] = {}

        decided = src.c.decided_on.is_not(None)
        lo, hi = s.execute(select(func.min(src.c.received_on), func.max(src.c.decided_on))).one()
        self.span = (lo.toordinal(), hi.toordinal()) if lo and hi else ()
        for row in s.execute(select(
                *cell, func.count(), func.count(src.c.decided_on),
                func.sum(case((and_(src.c.decided_on.is_(None), src.c.status == "withdrawn"), 1), else_=0)),
                func.sum(case((and_(decided, src.c.decision_due.is_not(None)), 1), else_=0)),
                func.sum(case((src.c.decided_on > src.c.decision_due, 1), else_=0))).group_by(*cell)):
            g = cells[tuple(row[:k])] = _Group(tuple(row[:k]), "")
            g.requests, g.decided, g.withdrawn, g.judged, g.late = (int(v) for v in row[k:])

        # Decisions by kind; grounds, a decision citing one for several parts once.
        with_decisions = src.join(decisions, decisions.c.request_id == src.c.rid)
        for row in s.execute(select(*cell, decisions.c.kind, func.count()).select_from(with_decisions)
                             .where(live_decision).group_by(*cell, decisions.c.kind)):
            cells[tuple(row[:k])].kinds[row[k]] = row[k + 1]
        parts = (select(withheld_parts.c.decision_id, decisions.c.request_id, withheld_parts.c.ground).distinct()
                 .join(decisions, decisions.c.id == withheld_parts.c.decision_id).where(live_decision).subquery())
        for row in s.execute(select(*cell, parts.c.ground, func.count())
                             .select_from(src.join(parts, parts.c.request_id == src.c.rid))
                             .group_by(*cell, parts.c.ground)):
            key = tuple(row[:k])
            jur = self.jurisdiction_of[key[0]]
            articles.setdefault((jur, row[k]), self.jurisdictions[jur].ordinance + row[k])
            cells[key].grounds[(jur, row[k])] = row[k + 1]

        # The few events the figures read, in the order recorded (not retracted): extension notices (延長 or
        # 特例延長), corrections (補正), fees charged, appeals (審査請求) and rulings, as the timeline applies them.
        extended: set[tuple] = set()
        states: dict[tuple, timeline.State] = {}      # (cell, request): corrections and fees applied
        appealed: dict[tuple, list] = defaultdict(list)
        for row in s.execute(select(*cell, src.c.rid, events.c.id, events.c.kind, events.c.on)
                             .select_from(src.join(events, events.c.request_id == src.c.rid))
                             .where(events.c.kind.in_(("extension", "special_extension", "correction_asked",
                                                       "correction_answered")), live_event)
                             .order_by(src.c.rid, events.c.id)):
            mine = (tuple(row[:k]), row[k])
            if row.kind in ("extension", "special_extension"):
                extended.add(mine)
            else:
                KINDS[row.kind].apply(states.setdefault(mine, timeline.State()), row)
        for key, _rid in extended:
            cells[key].extended += 1
        for row in s.execute(select(*cell, src.c.rid, events.c.id, events.c.kind, events.c.data)
                             .select_from(src.join(events, events.c.request_id == src.c.rid))
                             .where(events.c.kind.in_(("fee_charged", "appeal_filed", "ruling")), live_event)
                             .order_by(src.c.rid, events.c.id)):
            mine = (tuple(row[:k]), row[k])
            if row.kind == "fee_charged":
                KINDS["fee_charged"].apply(states.setdefault(mine, timeline.State()), row)
            else:
                appealed[mine].append(row)

        # Fees: per request, its decisions' fees and its fee events; most have no fee event, and are counted
        # here by their decisions' fees alone.
        per = (select(*cell, src.c.rid, func.sum(decisions.c.fee).label("fee")).select_from(with_decisions)
               .where(live_decision).group_by(*cell, src.c.rid).subquery())
        for row in s.execute(select(*[per.c[c] for c in columns], per.c.fee, func.count())
                             .where(per.c.fee > 0).group_by(*[per.c[c] for c in columns], per.c.fee)):
            cells[tuple(row[:k])].fees[row[k]] = row[k + 1]
        charged = {mine: state.fee_charged for mine, state in states.items() if state.fee_charged}
        if charged:
            by_decision = {(tuple(row[:k]), row[k]): row[k + 1] or 0 for row in s.execute(
                select(per).where(per.c.rid.in_(select(events.c.request_id).where(events.c.kind == "fee_charged"))))}
            for (key, rid), fee in charged.items():
                fees, was = cells[key].fees, by_decision.get((key, rid), 0)
                if was:
                    fees[was] -= 1
                    if not fees[was]:
                        del fees[was]
                if was + fee:
                    fees[was + fee] += 1

        # Appeals and their rulings' outcomes, as the timeline reads them.
        for (key, _rid), lived in appealed.items():
            state = timeline.State()
            for e in lived:
                if e.kind == "appeal_filed":
                    KINDS["appeal_filed"].apply(state, e)
            appeal = state.decision_appeal or state.inaction_appeal
            if appeal is not None:
                cells[key].appeals += 1
                ruling = timeline.ruling_on(lived, appeal)
                if ruling is not None:
                    cells[key].outcomes[ruling.data["outcome"]] += 1

        # Days taken: calendar days, and the days the rule counts (deadlines.count_days' numbers).
        for row in s.execute(select(*cell, src.c.rid, _ordinal(s, src.c.received_on), _ordinal(s, src.c.decided_on))
                             .where(src.c.received_on.is_not(None), decided)):
            key, rid, received, decided_on = tuple(row[:k]), row[k], row[k + 1], row[k + 2]
            g = cells[key]
            g.calendar[decided_on - received] += 1
            jur = self.jurisdiction_of[key[0]]
            found = self.rule_on(jur, received)
            if found is None:
                # The body's rule is unknown (kaiji body import --rule unknown): its calendar days are known, the
                # days its rule would count are not, and are left out rather than guessed.
                continue
            rule = found[1]
            start = received if rule.counts_request_day else received + 1
            if decided_on < start:
                n = 0
            elif rule.exclude_correction and (key, rid) in states and states[key, rid].pauses:
                # Days of a correction are not counted (as exports.counted_days).
                n = self.corrected(jur, rule, start, decided_on, states[key, rid].pauses)
            else:
                n = self.counted(jur, rule, start, decided_on)
            g.counted[n] += 1
        return columns, cells
