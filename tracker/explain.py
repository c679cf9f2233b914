"""A request's dates told in words: which day each count started, which days were skipped and why."""

from __future__ import annotations

from .dates import format_wareki, weekday_ja
from .deadlines import Deadline
from .models import Request
from .timeline import DECISION_KINDS, State, rule_row


def _deadline(dl: Deadline) -> list[str]:
    lines = []
    for step in dl.steps:
        if step.day is None:
            lines.append(f"    {step.text}")
        else:
            lines.append(f"    {step.day.isoformat()} {weekday_ja(step.day)}  {step.text}")
    due = f"{dl.due.isoformat()} ({weekday_ja(dl.due)}, {format_wareki(dl.due)})" if dl.due else "not yet known"
    lines.append(f"  => {dl.what}: {due}")
    return lines


def explain(req: Request, s: State, jurisdiction_of) -> list[str]:
    jur = jurisdiction_of(s.body_id)
    out = [f"request {req.id}: {req.subject}",
           f"  body: {req.body.name} ({req.body.key}), {jur.name}, {jur.ordinance}; status: {s.status}"]
    if s.received_on is None:
        out.append(f"  filed {req.filed_on} but no receipt date is recorded: the decision period runs from receipt "
                   f"(`kaiji request receive {req.id} --on DATE`).")
        return out
    row = rule_row(jur, s.received_on)
    since = f"in force from {row.effective_from}" if row.effective_from else "in force since before this request"
    out.append(f"\nDecision due ({since}; the rule version that applies on the receipt date {s.received_on}):")
    out += _deadline(s.first_due)
    if s.extension is not None:
        data = s.extension.data
        if s.extension.kind == "special_extension":
            out.append(f"\nSpecial extension (特例延長) notified {s.extension.on}: a substantial part by "
                       f"{data['part_due']}, the remainder by {data['rest_due']}"
                       + (f" — reason: {data.get('reason')}" if data.get("reason") else ""))
        else:
            out.append(f"\nExtension (延長) notified {s.extension.on}: decision now due {data['new_due']}"
                       + (f" — reason: {data.get('reason')}" if data.get("reason") else ""))
        if s.extension_limit is not None:
            out += _deadline(s.extension_limit)
            if s.extension_over_limit:
                out.append(f"  !! the notice's date {data['new_due']} is past the limit the rule allows.")
    for d in s.decisions:
        out.append(f"\nDecision: {DECISION_KINDS[d.kind][0]} ({d.kind}) dated {d.decided_on}"
                   + (f", learned of on {d.notified_on}" if d.notified_on else ", date learned of not recorded"))
    if s.decisions:
        if s.late_by:
            out.append(f"  the decision came {s.late_by} days after it was due ({s.decision_due}): it was late.")
        elif s.decision_due:
            out.append(f"  on time: due {s.decision_due}.")
    elif s.decision_due is not None:
        out.append(f"\nNo decision recorded. If none is made by {s.decision_due}, an appeal against inaction "
                   f"(不作為についての審査請求, 行政不服審査法第3条) can be filed from {s.inaction_from}.")
    if s.appeal is not None:
        out.append("\nAppeal (審査請求):")
        out += _deadline(s.appeal)
        if s.appeal_due is None:
            out.append("  (an appeal has been filed or the request withdrawn: this date no longer runs)")
    if s.lawsuit is not None:
        out.append("\nLawsuit (取消訴訟), if no appeal is made first:")
        out += _deadline(s.lawsuit)
    return out
