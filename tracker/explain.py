"""A request's dates told in words: which day each count started, which days were skipped and why."""

from __future__ import annotations

from datetime import date

from .dates import format_wareki, weekday_ja
from .deadlines import Deadline
from .events import receipt_warning
from .models import Request
from .timeline import DECISION_KINDS, State, live_events, rule_row


class Step(str):
    """A line of the explanation that is a step of a count: printed with its day, which it keeps (`on`)
    apart from its text (`text`) for `kaiji explain --format json`."""

    on: date | None
    text: str

    def __new__(cls, on: date | None, text: str) -> "Step":
        line = super().__new__(cls, f"    {on.isoformat()} {weekday_ja(on)}  {text}" if on is not None
                               else f"    {text}")
        line.on, line.text = on, text
        return line


def _deadline(dl: Deadline) -> list[str]:
    lines: list[str] = [Step(step.day, step.text) for step in dl.steps]
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
    if s.received_closed:
        out.append(f"  !! {receipt_warning(s)}")
    out += _deadline(s.first_due)
    why_late = {
        "late": "it was notified after the date then due, so the body was already late and it does not move the date",
        "not_later": "it does not move the date later",
        "special_late": f"a special extension must be notified within the original period (行政機関情報公開法第11条 "
                        f"「同条第一項に規定する期間内に」, and the ordinances' equivalents), which ended on "
                        f"{s.first_due.due if s.first_due else '?'}; it has no effect",
    }
    for e, why in s.late_extensions:
        data = e.data
        new = data.get("new_due") or data.get("part_due")
        out.append(f"\n!! {'Special extension (特例延長)' if e.kind == 'special_extension' else 'Extension (延長)'} "
                   f"notice dated {e.on}, to {new}: recorded, but {why_late[why]}.")
    if s.extension is not None:
        data = s.extension.data
        reason = f" — reason: {data['reason']}" if data.get("reason") else ""
        if s.extension.kind == "special_extension":
            out.append(f"\nSpecial extension (特例延長) notified {s.extension.on}: a substantial part by "
                       f"{data['part_due']}, the remainder by {data['rest_due']}{reason}")
            if s.extended_to is not None and s.extended_to.isoformat() != data["part_due"]:
                out.append(f"  the substantial part stays due on {s.extended_to}, the date already in force, which is "
                           f"later than the notice's {data['part_due']}: the notice moves the remainder.")
            out.append("  the substantial part must be decided within the extension limit below; the remainder has "
                       "no fixed limit (「相当の期間内」), only the date the notice gives.")
        else:
            out.append(f"\nExtension (延長) notified {s.extension.on}: decision now due {data['new_due']}{reason}")
        if any(p.asked > s.extension.on for p in s.pauses):
            out.append("  a correction (補正) was asked after this notice: kaiji keeps the date the notice gives; no "
                       "source settles whether correction days push an extended date back.")
        if s.extension_limit is not None:
            out += _deadline(s.extension_limit)
            if s.extension_over_limit:
                out.append(f"  !! the notice's date {s.extended_to} is past the limit the rule allows "
                           f"({s.extension_limit.due}): it has no effect beyond the limit, so the decision is taken "
                           f"as due on {s.decision_due}, and overdue (an appeal against inaction open) from the day "
                           "after.")
    elif s.extension_limit is not None and not s.decisions and s.extension_limit.due is not None:
        out.append("\nIf the body extends the period (延長), the latest date its notice may give:")
        out += _deadline(s.extension_limit)
    for d in s.decisions:
        out.append(f"\nDecision: {DECISION_KINDS[d.kind][0]} ({d.kind}) dated {d.decided_on}"
                   + (f", learned of on {d.notified_on}" if d.notified_on else ", date learned of not recorded"))
    if s.decisions:
        if s.late_by:
            out.append(f"  the decision came {s.late_by} days after it was due ({s.decision_due}): it was late.")
        elif s.decision_due:
            out.append(f"  on time: due {s.decision_due}.")
        if s.remainder_late_by:
            out.append(f"  the decision on the remainder came {s.remainder_late_by} days after the date the special "
                       f"extension gave ({s.remainder_due}): it was late.")
    elif s.decision_due is not None:
        out.append(f"\nNo decision recorded. If none is made by {s.decision_due}, an appeal against inaction "
                   f"(不作為についての審査請求, 行政不服審査法第3条) can be filed from {s.inaction_from}.")
    if s.inaction_appeal is not None:
        out.append(f"  an appeal against inaction was filed on {s.inaction_appeal.on}"
                   + (": the request is still undecided, and late." if not s.decisions else
                      "; a decision has been made since, which can be appealed in its own right."))
    if s.objection is not None:
        out.append(f"\nA third party objected ({s.objection.on}): at least two weeks must lie between the decision "
                   "and the disclosure (行政機関情報公開法第13条第3項, and the ordinances' equivalents)"
                   + (f", so the disclosure may be carried out from {s.earliest_disclosure}." if s.earliest_disclosure
                      else "."))
        if "disclosed_within_two_weeks" in s.flags:
            out.append("  !! the disclosure is set or was carried out within those two weeks: the body's breach.")
    if s.appeal is not None:
        out.append("\nAppeal (審査請求):")
        out += _deadline(s.appeal)
        if s.appeal_due is None:
            out.append("  (an appeal has been filed or the request withdrawn: this date no longer runs)")
    if s.lawsuit is not None:
        ruled = any(e.kind == "ruling" for e in live_events(req))
        out.append("\nLawsuit (取消訴訟) against the ruling:" if ruled else
                   "\nLawsuit (取消訴訟), if no appeal is made first:")
        out += _deadline(s.lawsuit)
    elif s.appeal is not None and s.status == "appealed":
        out.append("\nLawsuit (取消訴訟): while the appeal is pending, the 6 months run from the ruling "
                   "(行政事件訴訟法第14条第3項).")
    return out
