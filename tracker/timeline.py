"""A request's state worked out from its timeline: status and every date, each with its explanation.

`compute` is the one place that reads events and rules to decide what a request's dates are;
`refresh` stores the results on the request row so lists are a single indexed query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from . import deadlines as dl
from .models import Decision, DeadlineRule, Event, Jurisdiction, Request

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


def rule_row(jurisdiction: Jurisdiction, on: date) -> DeadlineRule:
    """The rule version in force on a day: the latest whose effective_from is not after it."""
    rows = [r for r in jurisdiction.rules if r.effective_from is None or r.effective_from <= on]
    if not rows:
        rows = sorted(jurisdiction.rules, key=lambda r: r.effective_from or date.min)[:1]
    return max(rows, key=lambda r: (r.effective_from or date.min, r.id))


def to_rule(row: DeadlineRule) -> dl.Rule:
    return dl.Rule(period_days=row.period_days, counts_request_day=row.counts_request_day,
                   working_days=row.working_days, move_off_closed=row.move_off_closed,
                   extension_max_days=row.extension_max_days, extension_from=row.extension_from,
                   exclude_correction=row.exclude_correction, source=row.source,
                   effective_from=row.effective_from, note=row.note)


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
    body_id: int | None = None
    reference: str | None = None
    first_due: dl.Deadline | None = None        # the ordinance's own period
    extension: Event | None = None              # the extension in force (延長 or 特例延長)
    extension_limit: dl.Deadline | None = None
    extension_over_limit: bool = False
    late_extensions: list[Event] = field(default_factory=list)  # notified after the date then due: no effect
    remainder_due: date | None = None           # 特例延長: the date the notice gives for the remainder
    remainder_late_by: int | None = None
    decision_due: date | None = None            # the date a decision is due now
    rest_due: date | None = None                # 特例延長: the remainder, while outstanding
    decisions: list[Decision] = field(default_factory=list)
    late_by: int | None = None                  # days the first decision came after its due date
    appeal: dl.Deadline | None = None
    appeal_due: date | None = None              # while an appeal is still open to file
    lawsuit: dl.Deadline | None = None
    disclosure_on: date | None = None           # an appointment not yet kept
    fee_unpaid: int | None = None
    inaction_from: date | None = None           # 不作為についての審査請求 possible from this day
    notes: list[str] = field(default_factory=list)

    @property
    def decided_on(self) -> date | None:
        return self.decisions[0].decided_on if self.decisions else None

    @property
    def notified_on(self) -> date | None:
        return self.decisions[0].notified_on if self.decisions else None


def compute(request: Request, jurisdiction_of) -> State:
    """Work out a request's state from its live events.

    `jurisdiction_of(body_id)` returns the jurisdiction of a body (bodies change on transfer).
    """
    events = live_events(request)
    s = State(body_id=request.body_id)
    kinds = {e.kind for e in events}
    pauses: list[dl.Pause] = []
    fee_total = fee_paid = 0
    live_ids = {e.id for e in events}
    s.decisions = sorted((d for d in request.decisions if d.event_id in live_ids), key=lambda d: (d.decided_on, d.id))

    for e in events:
        data = e.data or {}
        if e.kind == "filed":
            s.body_id = data.get("body_id", s.body_id)
        elif e.kind == "received":
            s.received_on = e.on
        elif e.kind == "reference":
            s.reference = data.get("number")
        elif e.kind == "transfer":
            s.body_id = data["to_body_id"]
        elif e.kind == "correction_asked":
            pauses.append(dl.Pause(e.on, None))
        elif e.kind == "correction_answered" and pauses and pauses[-1].answered is None:
            pauses[-1] = dl.Pause(pauses[-1].asked, e.on)
        elif e.kind == "fee_charged":
            fee_total += int(data.get("amount", 0))
        elif e.kind == "fee_paid":
            fee_paid += int(data.get("amount", 0))

    jur = jurisdiction_of(s.body_id)
    days = closed_days(jur)
    if s.received_on is not None:
        rule = to_rule(rule_row(jur, s.received_on))
        s.first_due = dl.decision_due(rule, days, s.received_on, pauses)
        s.decision_due = s.first_due.due
        if s.first_due.due is not None:
            s.extension_limit = dl.extension_limit(rule, days, s.received_on, s.first_due.due, pauses)
        for e in events:
            if e.kind not in ("extension", "special_extension"):
                continue
            new_due = date.fromisoformat(e.data["part_due" if e.kind == "special_extension" else "new_due"])
            if s.decision_due is None or e.on > s.decision_due or new_due <= s.decision_due:
                # Notified after the date then due (or not moving it later): recorded as a fact, but the
                # body was already late and the request stays overdue.
                s.late_extensions.append(e)
                continue
            s.extension, s.decision_due = e, new_due
            limit = s.extension_limit.due if s.extension_limit else None
            s.extension_over_limit = limit is not None and new_due > limit
            s.remainder_due = date.fromisoformat(e.data["rest_due"]) if e.kind == "special_extension" else None
        s.rest_due = s.remainder_due

    for d in s.decisions:
        fee_total += d.fee or 0
    if s.decisions:
        first = s.decisions[0]
        if s.decision_due is not None and first.decided_on > s.decision_due:
            s.late_by = (first.decided_on - s.decision_due).days
        if s.remainder_due is not None and len(s.decisions) >= 2:
            s.rest_due = None
            if s.decisions[1].decided_on > s.remainder_due:
                s.remainder_late_by = (s.decisions[1].decided_on - s.remainder_due).days
        appealable = [d for d in s.decisions if DECISION_KINDS[d.kind][1]]
        if appealable:
            last = appealable[-1]
            s.appeal = dl.appeal_due(days, last.decided_on, last.notified_on)
            ruling = next((e for e in reversed(events) if e.kind == "ruling"), None)
            if ruling is not None:
                learned = ruling.data.get("notified")
                s.lawsuit = dl.lawsuit_due(ruling.on, date.fromisoformat(learned) if learned else None,
                                           after_ruling=True)
            elif "appeal_filed" not in kinds:
                s.lawsuit = dl.lawsuit_due(last.decided_on, last.notified_on)
            if not kinds & {"appeal_filed", "withdrawn"}:
                s.appeal_due = s.appeal.due
        latest = s.decisions[-1]
        if latest.disclosure_on and "disclosed" not in kinds:
            s.disclosure_on = latest.disclosure_on
    elif s.decision_due is not None:
        s.inaction_from = dl.inaction_appeal_from(s.decision_due)

    if fee_total > fee_paid:
        s.fee_unpaid = fee_total - fee_paid

    open_correction = bool(pauses) and pauses[-1].answered is None
    for status, present in (("withdrawn", "withdrawn" in kinds), ("ruled", "ruling" in kinds),
                            ("appealed", "appeal_filed" in kinds), ("disclosed", "disclosed" in kinds),
                            ("decided", bool(s.decisions)), ("correction", open_correction),
                            ("extended", s.extension is not None), ("received", s.received_on is not None)):
        if present:
            s.status = status
            break
    if s.status == "withdrawn":
        s.decision_due = s.rest_due = s.appeal_due = s.disclosure_on = s.inaction_from = None
    return s


def refresh(request: Request, jurisdiction_of) -> State:
    """Recompute the request's stored columns from its timeline; return the full state."""
    s = compute(request, jurisdiction_of)
    request.status = s.status
    request.body_id = s.body_id
    request.received_on = s.received_on
    request.reference = s.reference
    request.decision_due = s.decision_due
    request.decided_on = s.decided_on
    request.notified_on = s.notified_on
    request.appeal_due = s.appeal_due
    request.disclosure_on = s.disclosure_on
    request.rest_due = s.rest_due
    request.fee_unpaid = s.fee_unpaid
    return s
