"""A request's state worked out from its timeline: status and every date, each with its explanation.

`compute` is the one place that reads events and rules to decide what a request's dates are;
`refresh` stores the results on the request row so lists are a single indexed query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from . import deadlines as dl
from .events import KINDS
from .i18n import language
from .models import Decision, DeadlineRule, Event, Jurisdiction, Request
from .schema import FLAGS

DECISION_KINDS = {  # key: (Japanese name, appealable)
    "full": ("全部開示", False),
    "partial": ("部分開示", True),
    "refusal": ("不開示", True),
    "neither": ("存否応答拒否", True),
    "absent": ("不存在", True),
    "rejected": ("却下", True),
}
STATUS_JA = {
    "filed": "提出済", "received": "受付済", "correction": "補正中", "extended": "延長中",
    "decided": "決定済", "disclosed": "開示済", "appealed": "審査請求中", "ruled": "裁決済",
    "withdrawn": "取下げ",
}


def status_label(status: str) -> str:
    """A status as the reader calls it: 受付済 in Japanese, the key (received) in English."""
    return STATUS_JA.get(status, status) if language() == "ja" else status


def decision_label(kind: str) -> str:
    """A decision kind as the reader calls it: 部分開示 in Japanese, the key (partial) in English."""
    return DECISION_KINDS[kind][0] if language() == "ja" and kind in DECISION_KINDS else kind


def rule_row(jurisdiction: Jurisdiction, on: date) -> DeadlineRule | None:
    """The rule version in force on a day: the latest whose effective_from is not after it; None for a
    jurisdiction with no rule known (a body imported with `--rule unknown`), whose dates are then unknown."""
    if not jurisdiction.rules:
        return None
    rows = [r for r in jurisdiction.rules if r.effective_from is None or r.effective_from <= on]
    if not rows:
        rows = sorted(jurisdiction.rules, key=lambda r: r.effective_from or date.min)[:1]
    return max(rows, key=lambda r: (r.effective_from or date.min, r.id))


def to_rule(row: DeadlineRule) -> dl.Rule:
    return dl.Rule(effective_from=row.effective_from, **{k: getattr(row, k) for k in dl.RULE_FIELDS})


def closed_days(jurisdiction: Jurisdiction) -> dl.ClosedDays:
    return dl.ClosedDays(jurisdiction.year_end_closure, {c.day: c.reason for c in jurisdiction.closed_days})


def live_events(request: Request) -> list[Event]:
    """The timeline less retracted entries and the retractions themselves, in the order recorded."""
    retracted = {e.retracts_id for e in request.events if e.kind == "retraction"}
    return [e for e in request.events if e.kind != "retraction" and e.id not in retracted]


@dataclass
class State:
    status: str = "filed"
    received_on: date | None = None
    received_closed: str | None = None          # why the office was closed on the receipt date recorded
    body_id: int | None = None
    reference: str | None = None
    first_due: dl.Deadline | None = None        # the ordinance's own period
    extension: Event | None = None              # the extension in force (延長 or 特例延長)
    extended_to: date | None = None             # the date that extension's notice gives
    extension_limit: dl.Deadline | None = None
    extension_over_limit: bool = False          # the notice goes past the limit: the limit is the due date
    # Extensions recorded that do not move the date, each with why: "late" (notified after the date then
    # due), "not_later" (not moving it later), "special_late" (特例延長 notified after the original period).
    late_extensions: list[tuple[Event, str]] = field(default_factory=list)
    decision_due: date | None = None            # the date a decision is due now
    # 特例延長: the date the notice in force gives for the remainder (events.data["rest_due"], the stored
    # column rest_due), while the remainder is undecided; once it is, rest_late_by says how late it came.
    rest_due: date | None = None
    rest_late_by: int | None = None
    decisions: list[Decision] = field(default_factory=list)
    late_by: int | None = None                  # days the first decision came after its due date
    appeal: dl.Deadline | None = None
    appeal_due: date | None = None              # while an appeal is still open to file
    inaction_appeal: Event | None = None        # 不作為についての審査請求 filed while no decision was made
    decision_appeal: Event | None = None        # 審査請求 against a decision
    lawsuit: dl.Deadline | None = None
    lawsuit_due: date | None = None             # while a lawsuit can still be brought
    disclosure_on: date | None = None           # an appointment not yet kept
    objection: Event | None = None              # a third party's objection (第三者の反対意見)
    earliest_disclosure: date | None = None     # after an objection: two weeks after the decision
    fee_unpaid: int | None = None
    inaction_from: date | None = None           # 不作為についての審査請求 possible from this day
    flags: list[str] = field(default_factory=list)  # codes of schema.FLAGS
    pauses: list[dl.Pause] = field(default_factory=list)  # corrections (補正): asked, answered
    fee_charged: int = 0                        # yen charged by fee events (a decision's own fee apart)
    fee_paid: int = 0
    voided: Event | None = None                 # entered by mistake (誤登録): the live "voided" event
    # What the statistics read (tracker/stats.py), kept on the request row by refresh:
    days_counted: int | None = None             # the first decision's number in the rule's count (counted_days)
    extended: bool = False                      # an extension notice (延長 or 特例延長) is on record
    fee_total: int = 0                          # yen charged: the decisions' fees and the fee events
    appeal_outcome: str | None = None           # an appeal (審査請求): its ruling's outcome, or "filed" while none
    ruling: Event | None = None                 # the ruling (裁決) on that appeal

    @property
    def decided_on(self) -> date | None:
        return self.decisions[0].decided_on if self.decisions else None

    @property
    def notified_on(self) -> date | None:
        return self.decisions[0].notified_on if self.decisions else None

    def flag(self, code: str) -> None:
        assert code in FLAGS, code
        if code not in self.flags:
            self.flags.append(code)


def compute(request: Request, jurisdiction_of, counted: dict | None = None) -> State:
    """Work out a request's state from its live events.

    `jurisdiction_of(body_id)` returns the jurisdiction of a body (bodies change on transfer). `counted`, a
    dict kept by a caller that computes many requests in one transaction (a bulk import), keeps the closed
    days and the periods counted (_periods), so that requests received on the same day under the same rule
    are counted once: the jurisdictions' rules and closed days must not change while it is kept.
    """
    events = live_events(request)
    s = applied(request, events)
    kinds = {e.kind for e in events}
    pauses, fee_total, fee_paid = s.pauses, s.fee_charged, s.fee_paid

    jur = jurisdiction_of(s.body_id)
    days = _kept(counted, ("closed days", jur.id), lambda: closed_days(jur))
    if not jur.rules:
        s.flag("rule_unknown")  # no date is guessed: every date that counts from the rule stays unknown
    if s.received_on is not None:
        s.received_closed = days.reason(s.received_on)
        if s.received_closed:
            s.flag("received_on_closed_day")
        row = rule_row(jur, s.received_on)
        received = s.received_on
        s.first_due, s.extension_limit = _kept(counted, (jur.id, row.id if row is not None else None, received,
                                                         tuple(pauses)),
                                               lambda: _periods(jur, row, days, received, pauses))
        s.decision_due = s.first_due.due
        limit = s.extension_limit.due if s.extension_limit else None
        # Extensions by the date of their notice (a retracted typo re-entered later still counts at its date).
        for e in sorted((e for e in events if e.kind in ("extension", "special_extension")), key=lambda e: (e.on, e.id)):
            new_due = date.fromisoformat(e.data["part_due" if e.kind == "special_extension" else "new_due"])
            if s.first_due.due is None:
                # A correction is pending: the clock stands still, and so does the notice's effect.
                s.extension, s.extended_to = e, new_due
                continue
            if e.kind == "special_extension" and e.on > s.first_due.due:
                # 行政機関情報公開法第11条: the special extension is notified 「同条第一項に規定する期間内に」,
                # within the original period, whatever an ordinary extension did meanwhile.
                s.late_extensions.append((e, "special_late"))
                s.flag("special_extension_late")
                continue
            if s.decision_due is None or e.on > s.decision_due:
                # Notified after the date then due: recorded as a fact, but the body was already late.
                s.late_extensions.append((e, "late"))
                s.flag("extension_late")
                continue
            if e.kind == "special_extension":
                new_due = max(new_due, s.decision_due)  # the substantial part by the date then in force, at the latest
            elif new_due <= s.decision_due:
                s.late_extensions.append((e, "not_later"))
                continue
            s.extension, s.extended_to = e, new_due
            s.extension_over_limit = limit is not None and new_due > limit
            # A notice has no effect beyond the limit: the decision is due on the limit, and it is
            # overdue (and an appeal against inaction open) from the day after it.
            s.decision_due = limit if s.extension_over_limit else new_due
            if s.extension_over_limit:
                s.flag("extension_past_limit")
            s.rest_due = date.fromisoformat(e.data["rest_due"]) if e.kind == "special_extension" else None

    for d in s.decisions:
        fee_total += d.fee or 0
    s.fee_total = fee_total
    s.extended = "extension" in kinds or "special_extension" in kinds
    appeal = s.decision_appeal or s.inaction_appeal
    if appeal is not None:
        s.ruling = ruling = ruling_on(events, appeal)
        s.appeal_outcome = ruling.data["outcome"] if ruling is not None else "filed"
    if s.received_on is not None and s.decisions:
        s.days_counted = counted_days(s, jur, s.decided_on,
                                      counted.setdefault("counted days", {}) if counted is not None else None)
    if s.decisions:
        first = s.decisions[0]
        if s.decision_due is not None and first.decided_on > s.decision_due:
            s.late_by = (first.decided_on - s.decision_due).days
        if s.rest_due is not None and len(s.decisions) >= 2:
            if s.decisions[1].decided_on > s.rest_due:
                s.rest_late_by = (s.decisions[1].decided_on - s.rest_due).days
            s.rest_due = None  # the remainder is decided: nothing more is due
        last = appealable(s)
        if last is not None:
            s.appeal = dl.appeal_due(days, last.decided_on, last.notified_on)
            sued_from = lawsuit_from(s, events, last)
            if sued_from is not None:
                s.lawsuit = dl.lawsuit_due(*sued_from)
            if s.decision_appeal is None and "withdrawn" not in kinds:
                s.appeal_due = s.appeal.due
        disclosing = [d for d in s.decisions if d.kind in ("full", "partial")]
        if s.objection is not None and disclosing:
            s.earliest_disclosure = dl.earliest_disclosure_after_objection(disclosing[-1].decided_on)
            if early_disclosures(disclosing, events):
                s.flag("disclosed_within_two_weeks")
        latest = s.decisions[-1]
        if latest.disclosure_on and not any(e.kind == "disclosed" and e.on >= latest.decided_on for e in events):
            s.disclosure_on = latest.disclosure_on
    elif s.decision_due is not None:
        s.inaction_from = dl.inaction_appeal_from(s.decision_due)
    if s.lawsuit is not None:
        s.lawsuit_due = s.lawsuit.due  # cleared below for a withdrawn request, as the other dates are

    if fee_total > fee_paid:
        s.fee_unpaid = fee_total - fee_paid

    open_correction = bool(pauses) and pauses[-1].answered is None
    # The appeal the request's status follows: against the decision, or, while none is made, against inaction.
    current = s.decision_appeal or (s.inaction_appeal if not s.decisions else None)
    for status, present in (("withdrawn", "withdrawn" in kinds), ("ruled", ruling_on(events, current) is not None),
                            ("appealed", current is not None), ("disclosed", "disclosed" in kinds),
                            ("decided", bool(s.decisions)), ("correction", open_correction),
                            ("extended", s.extension is not None), ("received", s.received_on is not None)):
        if present:
            s.status = status
            break
    if s.status == "withdrawn":
        s.decision_due = s.rest_due = s.appeal_due = s.disclosure_on = s.inaction_from = s.lawsuit_due = None
    return s


def applied(request: Request, events: list[Event]) -> State:
    """The state the live events (live_events) give by their own effects (events.KINDS), before any period is
    counted: the body after transfers, the receipt, corrections, fees, appeals, the live decisions in order."""
    s = State(body_id=request.filed_body_id)  # transfers (移送) move it on
    live_ids = {e.id for e in events}
    s.decisions = sorted((d for d in request.decisions if d.event_id in live_ids), key=lambda d: (d.decided_on, d.id))
    for e in events:  # each event's own effect, in the order recorded
        kind = KINDS.get(e.kind)
        if kind is not None and kind.apply is not None:
            kind.apply(s, e)
    return s


def appealable(s: State) -> Decision | None:
    """The latest live decision that can be appealed (審査請求) and sued against (取消訴訟), if any."""
    return next((d for d in reversed(s.decisions) if DECISION_KINDS[d.kind][1]), None)


def lawsuit_from(s: State, events: list[Event], last: Decision) -> tuple[date, date | None, bool] | None:
    """What the period to sue (dl.lawsuit_due's arguments) counts from: the ruling on the appeal against the
    decision, once made; the latest appealable decision `last` while none was appealed; None while an appeal
    awaits its ruling."""
    ruling = ruling_on(events, s.decision_appeal)
    if ruling is not None:
        learned = ruling.data.get("notified")
        return ruling.on, date.fromisoformat(learned) if learned else None, True
    if s.decision_appeal is None:
        return last.decided_on, last.notified_on, False
    return None


def _kept(counted: dict | None, key, work):
    """work(), or what it gave for `key` before in `counted` (compute's)."""
    if counted is None:
        return work()
    found = counted.get(key)
    if found is None:
        found = counted[key] = work()
    return found


def _periods(jur: Jurisdiction, row: DeadlineRule | None, days: dl.ClosedDays, received: date,
             pauses: list[dl.Pause]) -> tuple[dl.Deadline, dl.Deadline | None]:
    """The decision due under the rule version `row` (None: no rule known, the date unknown) and the limit an
    extension may set (None when the due date is unknown)."""
    if row is None:
        return dl.unknown_rule(jur.name), None
    rule = to_rule(row)
    first = dl.decision_due(rule, days, received, pauses)
    return first, (dl.extension_limit(rule, days, received, first.due, pauses) if first.due is not None else None)


DAYS_KEPT = 20_000   # counted_days: the (jurisdiction, receipt day) look-ups kept at once


def counted_days(st: State, jurisdiction, decided: date, counts: dict | None = None) -> int | None:
    """The decision date's number in the count the rule makes (deadlines.count_days): the days from the first
    day of the period (民法第140条: the day after receipt unless the rule counts the request day) through
    the decision, counted as the rule counts them — open days only under a working-days rule, and never
    the days of a correction (補正) when the rule leaves them out. Counting as many days as the calendar
    holds from the first day reaches at least to the decision date, so every day up to it has its number
    in the steps; the decision date's own number (or that of the last counted day before it) is the
    answer. So a decision "on day 14" of a 14-day period reads 14, whatever the closed days between.

    `counts`: a dict the caller keeps for many requests, in which the counts of a rule with no correction
    pausing them are shared (deadlines.SharedCount) rather than made again for each request."""
    if not (st.received_on and decided):
        return None
    if counts is None:
        row = rule_row(jurisdiction, st.received_on)
        rule = to_rule(row) if row is not None else None
    else:   # the rule in force on a day, and its shared count, looked up once per jurisdiction and day
        days = counts.setdefault("days", {})
        on = (jurisdiction.id, st.received_on)
        if on not in days:
            if len(days) >= DAYS_KEPT:  # a million requests span many days: memory stays flat
                days.clear()
            row = rule_row(jurisdiction, st.received_on)
            key = (jurisdiction.id, row.id) if row is not None else None
            if key is not None and key not in counts:
                counts[key] = dl.SharedCount(to_rule(row), closed_days(jurisdiction))
            days[on] = counts[key] if key is not None else None
        shared = days[on]
        rule = shared.rule if shared is not None else None
    if rule is None:  # no rule known: no count to make
        return None
    start = dl.first_day(rule, st.received_on)
    if decided < start:
        return 0
    if counts is None:
        return dl.day_numbers(rule, closed_days(jurisdiction), start, decided, st.pauses)[-1]
    if st.pauses and rule.exclude_correction:
        return dl.day_numbers(rule, shared.closed, start, decided, st.pauses)[-1]
    return shared.days(start, decided)


def ruling_on(events: list[Event], appeal: Event | None) -> Event | None:
    """The ruling (裁決) recorded after the given appeal, if any."""
    if appeal is None:
        return None
    after = events[events.index(appeal) + 1:]
    return next((e for e in reversed(after) if e.kind == "ruling"), None)


def early_disclosures(disclosing: list[Decision], events: list[Event]) -> list[tuple[date, date]]:
    """(disclosure date, earliest lawful date) of each disclosure set or carried out less than two weeks
    after its own decision (行政機関情報公開法第13条第3項, and the ordinances' equivalents): a decision's
    appointment against that decision; a disclosure carried out against the latest decision before it."""
    out = []
    for d in disclosing:
        earliest = dl.earliest_disclosure_after_objection(d.decided_on)
        if d.disclosure_on and d.disclosure_on < earliest:
            out.append((d.disclosure_on, earliest))
    for e in events:
        if e.kind != "disclosed":
            continue
        own = [d for d in disclosing if d.decided_on <= e.on]
        if own:
            earliest = dl.earliest_disclosure_after_objection(own[-1].decided_on)
            if e.on < earliest:
                out.append((e.on, earliest))
    return out


def stored(s: State) -> dict:
    """The columns of the request row that keep a state (what `overdue`, `due` and the lists read)."""
    return {"status": s.status, "body_id": s.body_id, "received_on": s.received_on, "reference": s.reference,
            "decision_due": s.decision_due, "decided_on": s.decided_on, "notified_on": s.notified_on,
            "appeal_due": s.appeal_due, "disclosure_on": s.disclosure_on, "rest_due": s.rest_due,
            "fee_unpaid": s.fee_unpaid, "lawsuit_due": s.lawsuit_due, "flags": ",".join(s.flags) or None,
            "voided": s.voided is not None, **statistics(s), **exported(s)}


def statistics(s: State) -> dict:
    """The stored columns that tracker/stats.py counts by (GROUP BY) instead of reading the events: the calendar
    days from the receipt to the first decision, the days counted by the rule, whether extended, the fees
    charged, the appeal's outcome, the live decisions' kinds in order (full,partial) and the grounds each cites
    (once a decision, one a line)."""
    return {"days_calendar": (s.decided_on - s.received_on).days if s.decided_on and s.received_on else None,
            "days_counted": s.days_counted, "extended": s.extended, "fee_total": s.fee_total or None,
            "appeal_outcome": s.appeal_outcome, "decision_kinds": ",".join(d.kind for d in s.decisions) or None,
            "grounds": "\n".join(g for d in s.decisions for g in sorted({w.ground for w in d.withheld})) or None}


# How the withheld parts are kept in requests.withheld: each part and its ground joined by PART_GROUND, the parts
# by NEXT_PART: two control characters no part or ground can hold (service.clean refuses them), so that the
# export writes the cell with two replaces (exports._withheld_cell) rather than a decoder's work a request.
PART_GROUND, NEXT_PART = "\x1f", "\x1e"


def exported(s: State) -> dict:
    """The stored columns the requests export reads besides the statistics' (tracker/exports.py), so that it is
    one select of the requests: the yen paid, the appeal's filing and ruling days, the withheld parts."""
    appeal = s.decision_appeal or s.inaction_appeal
    return {"fee_paid": s.fee_paid or None, "appeal_on": appeal.on if appeal else None,
            "ruled_on": s.ruling.on if s.ruling else None,
            "withheld": NEXT_PART.join(w.part + PART_GROUND + w.ground for d in s.decisions for w in d.withheld)
            or None}


def refresh(request: Request, jurisdiction_of) -> State:
    """Recompute the request's stored columns from its timeline; return the full state."""
    s = compute(request, jurisdiction_of)
    for column, value in stored(s).items():
        setattr(request, column, value)
    return s
