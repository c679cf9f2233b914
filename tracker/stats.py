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
  named with the ordinance of the body's jurisdiction. `--by ground` puts a request under each ground its
  decisions cite. Appeals: requests with an appeal (審査請求) and the outcome of its ruling (裁決).
- Median and 90th percentile by the nearest-rank method: the p-th percentile of n values is the
  ceil(p/100 × n)-th smallest, always one of the values (the median of 1, 2, 3, 4 is 2).

The work is one query a table (requests, the few kinds of event that matter, decisions, grounds) and one
pass in Python: no mapped request objects, so that it is fast at 100,000 requests.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select
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


def percentile(values: list[int], p: int) -> int | None:
    """The p-th percentile of values by the nearest-rank method: the ceil(p/100 × n)-th smallest (None for none)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-p * len(ordered) // 100))
    return ordered[rank - 1]


@dataclass
class _Group:
    key: Any
    name: str
    requests: int = 0
    decided: int = 0
    pending: int = 0
    withdrawn: int = 0
    kinds: Counter = field(default_factory=Counter)
    calendar: list[int] = field(default_factory=list)
    counted: list[int] = field(default_factory=list)
    judged: int = 0
    late: int = 0
    extended: int = 0
    fees: list[int] = field(default_factory=list)
    grounds: Counter = field(default_factory=Counter)
    appeals: int = 0
    outcomes: Counter = field(default_factory=Counter)

    def record(self, articles: dict, top: int) -> dict[str, Any]:
        return {
            "group": self.key, "name": self.name, "requests": self.requests, "decided": self.decided,
            "pending": self.pending, "withdrawn": self.withdrawn,
            **{k: self.kinds[k] for k in DECISION_KEYS},
            "days_median": percentile(self.calendar, 50), "days_p90": percentile(self.calendar, 90),
            "counted_median": percentile(self.counted, 50), "counted_p90": percentile(self.counted, 90),
            "late": self.late, "late_share": round(self.late / self.judged, 3) if self.judged else None,
            "extended": self.extended, "fee_total": sum(self.fees), "fee_median": percentile(self.fees, 50),
            "grounds": [{"ground": code, "article": articles[(jur, code)], "count": n}
                        for (jur, code), n in sorted(self.grounds.items(), key=lambda x: (-x[1], x[0][1]))[:top]],
            "appeals": self.appeals, "appeals_open": self.appeals - sum(self.outcomes.values()),
            **{k.replace("-", "_"): self.outcomes[k] for k in OUTCOMES},
        }


@dataclass
class _Request:
    """One request's part in the statistics, before its counted days are known."""

    groups: list[_Group]
    calendar: int
    counted: int | None = None
    count_key: tuple | None = None      # (jurisdiction id, rule row id): counted days read off a shared count
    start: date | None = None
    decided_on: date | None = None


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
    """stats() for each grouping of `bys` (as its `by`), in one pass over the requests: the records of each."""
    for by in bys:
        if by is not None and by not in BY:
            raise BadInput(_("--by must be one of {choices}; got {value!r}.").format(choices=", ".join(BY),
                                                                                      value=by), field="by")
    where = service.request_where(session, **filters)
    chosen = select(requests.c.id).where(*where)
    jurisdictions = {j.id: j for j in session.scalars(select(Jurisdiction).options(
        selectinload(Jurisdiction.rules), selectinload(Jurisdiction.closed_days)))}
    # Plain values, not mapped attributes, in the pass over every request.
    bodies = {b.id: (b.key, b.name, b.jurisdiction_id) for b in session.scalars(select(Body))}
    ordinances = {j: jur.ordinance for j, jur in jurisdictions.items()}
    rule_on: dict[tuple[int, date], int | None] = {}  # (jurisdiction, receipt date): the rule row in force (None: unknown)
    rule_of: dict[int, dl.Rule] = {}
    closed = {j: timeline.closed_days(jur) for j, jur in jurisdictions.items()}
    requesters = ({r.id: r.name for r in session.scalars(select(Requester))} if "requester" in bys else {})
    articles: dict[tuple[int, str], str] = {}     # (jurisdiction id, ground): 舞鶴市情報公開条例第5条第2号

    live = decisions.c.event_id.not_in(select(events.c.retracts_id).where(
        events.c.kind == "retraction", events.c.retracts_id.is_not(None)))
    by_request: dict[int, list] = defaultdict(list)
    for row in session.execute(select(decisions.c.request_id, decisions.c.kind, decisions.c.fee).where(
            decisions.c.request_id.in_(chosen), live)):
        by_request[row.request_id].append(row)
    cited: dict[int, list[str]] = defaultdict(list)
    for row in session.execute(select(withheld_parts.c.decision_id, decisions.c.request_id,
                                      withheld_parts.c.ground).distinct()
                               .join(decisions, decisions.c.id == withheld_parts.c.decision_id)
                               .where(decisions.c.request_id.in_(chosen), live)):
        cited[row.request_id].append(row.ground)
    timelines: dict[int, list] = defaultdict(list)
    for row in session.execute(select(events.c.id, events.c.request_id, events.c.kind, events.c.on, events.c.data,
                                      events.c.retracts_id)
                               .where(events.c.request_id.in_(chosen), events.c.kind.in_(EVENT_KINDS))
                               .order_by(events.c.request_id, events.c.id)):
        timelines[row.request_id].append(row)

    groups: dict[tuple, _Group] = {}    # (by, key): the group

    def group(by, key, name) -> _Group:
        if (by, key) not in groups:
            groups[by, key] = _Group(key, name)
        return groups[by, key]

    spans: dict[tuple, list[tuple[date, date]]] = defaultdict(list)   # count key: (start, decision) pairs
    pending_counts: list[_Request] = []
    for rid, body_id, requester_id, filed_on, received_on, decided_on, decision_due, status in session.execute(
            select(requests.c.id, requests.c.body_id, requests.c.requester_id, requests.c.filed_on,
                   requests.c.received_on, requests.c.decided_on, requests.c.decision_due,
                   requests.c.status).where(*where)):
        body_key, body_name, jur_id = bodies[body_id]
        made = by_request.get(rid, ())
        codes = cited.get(rid, ())
        grounds = sorted({(jur_id, code) for code in codes}, key=lambda g: g[1]) if codes else ()
        for g in grounds:
            articles.setdefault(g, ordinances[jur_id] + g[1])
        mine = []
        for by in bys:
            if by is None:
                mine.append(group(by, None, _("all requests")))
            elif by == "body":
                mine.append(group(by, body_key, body_name))
            elif by == "year":
                year = (received_on or filed_on).year
                mine.append(group(by, year, str(year)))
            elif by == "requester":
                name = requesters.get(requester_id)
                mine.append(group(by, name, name or _("(no requester)")))
            else:
                mine += [group(by, articles[g], articles[g]) for g in grounds]
        if not mine:
            continue
        # The effect of each live event, as the timeline applies it (corrections, extensions, fees, appeals);
        # most requests have none of these kinds.
        lived, pauses, appeal, ruling, fee = (), (), None, None, sum(d.fee or 0 for d in made)
        if rid in timelines:
            lived = timeline.live_events(SimpleNamespace(events=timelines[rid]))
            s = timeline.State()
            for e in lived:
                kind = KINDS[e.kind]
                if kind.apply is not None:
                    kind.apply(s, e)
            appeal = s.decision_appeal or s.inaction_appeal
            ruling = timeline.ruling_on(lived, appeal)
            fee += s.fee_charged
            pauses = s.pauses
        extended = any(e.kind in ("extension", "special_extension") for e in lived)
        for g in mine:
            g.requests += 1
            for d in made:
                g.kinds[d.kind] += 1
            if decided_on is not None:
                g.decided += 1
                if decision_due is not None:
                    g.judged += 1
                    g.late += decided_on > decision_due
            elif status == "withdrawn":
                g.withdrawn += 1
            else:
                g.pending += 1
            g.extended += extended
            if fee:
                g.fees.append(fee)
            if appeal is not None:
                g.appeals += 1
                if ruling is not None:
                    g.outcomes[ruling.data["outcome"]] += 1
        for code in codes:    # one a decision and ground (the query gives them so)
            for g in mine:
                g.grounds[(jur_id, code)] += 1
        if decided_on is None or received_on is None:
            continue
        item = _Request(mine, (decided_on - received_on).days)
        on = (jur_id, received_on)
        if on not in rule_on:
            row = timeline.rule_row(jurisdictions[jur_id], received_on)
            if row is not None and row.id not in rule_of:
                rule_of[row.id] = timeline.to_rule(row)
            rule_on[on] = row.id if row is not None else None
        row_id = rule_on[on]
        if row_id is None:
            # The body's rule is unknown (kaiji body import --rule unknown): its calendar days are known, the
            # days its rule would count are not, and are left out rather than guessed.
            pending_counts.append(item)
            continue
        rule = rule_of[row_id]
        start = dl.first_day(rule, received_on)
        if decided_on < start:
            item.counted = 0
        elif pauses and rule.exclude_correction:
            # Days of a correction are not counted: this request's own count (as exports.counted_days).
            item.counted = dl.day_numbers(rule, closed[jur_id], start, decided_on, pauses)[-1]
        else:
            # Without a correction whether a day counts does not depend on where the count starts: one count
            # per rule over each stretch of days the requests cover, and the days from this start are a
            # difference of its numbers.
            item.count_key, item.start, item.decided_on = (jur_id, row_id), start, decided_on
            spans[item.count_key].append((start, decided_on))
        pending_counts.append(item)

    counts = {}   # count key: the first days of its stretches, and each stretch's first day and numbers
    for key, pairs in spans.items():
        rule = rule_of[key[1]]
        stretches: list[list[date]] = []
        for first, last in sorted(pairs):
            if stretches and first <= stretches[-1][1] + dl.ONE_DAY:
                stretches[-1][1] = max(stretches[-1][1], last)
            else:
                stretches.append([first, last])
        counts[key] = ([first for first, _last in stretches],
                       [(first, dl.day_numbers(rule, closed[key[0]], first, last)) for first, last in stretches])
    for item in pending_counts:
        if item.count_key is not None:
            firsts, stretches = counts[item.count_key]
            first, nums = stretches[bisect_right(firsts, item.start) - 1]
            before = (item.start - first).days - 1
            item.counted = nums[(item.decided_on - first).days] - (nums[before] if before >= 0 else 0)
        for g in item.groups:
            g.calendar.append(item.calendar)
            if item.counted is not None:
                g.counted.append(item.counted)

    made = []
    for by in bys:
        ordered = sorted((g for (b, _key), g in groups.items() if b == by), key=(lambda g: g.key) if by == "year"
                         else (lambda g: (-g.requests, str(g.name))))
        made.append([g.record(articles, top) for g in ordered])
    return made

