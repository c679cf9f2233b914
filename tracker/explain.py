"""A request's dates told in words: which day each count started, which days were skipped and why."""

from __future__ import annotations

from datetime import date

from .deadlines import Deadline
from .events import receipt_warning
from .i18n import _, show_date, show_stored
from .models import Request
from .timeline import DECISION_KINDS, State, live_events, rule_row, status_label


class Step(str):
    """A line of the explanation that is a step of a count: printed with its day, which it keeps (`on`)
    apart from its text (`text`) for `kaiji explain --format json`."""

    on: date | None
    text: str

    def __new__(cls, on: date | None, text: str, column: int = 0) -> "Step":
        """`column`: the display width the day is padded to, so that the texts of a count line up."""
        from .table import width

        day = show_date(on, weekday=True) if on is not None else ""
        line = super().__new__(cls, f"    {day}{' ' * (column - width(day))}  {text}" if on is not None
                               else f"    {text}")
        line.on, line.text = on, text
        return line


def _deadline(dl: Deadline, unknown: bool = False) -> list[str]:
    """unknown: no rule is known, so the date is not merely not yet known."""
    from .table import width

    column = max((width(show_date(step.day, weekday=True)) for step in dl.steps if step.day), default=0)
    lines: list[str] = [Step(step.day, step.text, column) for step in dl.steps]
    due = (show_date(dl.due, weekday=True) if dl.due else
           _("unknown (no rule)") if unknown else _("not yet known"))
    lines.append(f"  => {dl.what}: {due}")
    return lines


def explain(req: Request, s: State, jurisdiction_of) -> list[str]:
    jur = jurisdiction_of(s.body_id)
    out = [_("request {id}: {subject}").format(id=req.id, subject=req.subject),
           _("  body: {body} ({key}), {jurisdiction}, {ordinance}; status: {status}").format(
               body=req.body.name, key=req.body.key, jurisdiction=jur.name, ordinance=jur.ordinance,
               status=status_label(s.status))]
    if s.received_on is None:
        out.append(_("  filed {filed} but no receipt date is recorded: the decision period runs from receipt "
                     "(`kaiji request receive {id} --on DATE`).").format(filed=show_date(req.filed_on), id=req.id))
        return out
    row = rule_row(jur, s.received_on)
    if row is None:
        since = _("no rule known")
    else:
        since = (_("in force from {day}").format(day=show_date(row.effective_from, weekday=False))
                 if row.effective_from else _("in force since before this request"))
    out.append("\n" + _("Decision due ({since}; the rule version that applies on the receipt date {received}):").format(
        since=since, received=show_date(s.received_on)))
    if s.received_closed:
        out.append(f"  !! {receipt_warning(s)}")
    out += _deadline(s.first_due, unknown="rule_unknown" in s.flags)
    why_late = {
        "late": _("it was notified after the date then due, so the body was already late and it does not move the "
                  "date"),
        "not_later": _("it does not move the date later"),
        "special_late": _("a special extension must be notified within the original period (行政機関情報公開法第11条 "
                          "「同条第一項に規定する期間内に」, and the ordinances' equivalents), which ended on {end}; it "
                          "has no effect").format(end=show_date(s.first_due.due) if s.first_due and s.first_due.due
                                                  else "?"),
    }
    for e, why in s.late_extensions:
        data = e.data
        new = day(data.get("new_due") or data.get("part_due"))
        text = (_("Special extension (特例延長) notice dated {on}, to {new}: recorded, but {why}.")
                if e.kind == "special_extension" else
                _("Extension (延長) notice dated {on}, to {new}: recorded, but {why}."))
        out.append("\n!! " + text.format(on=show_date(e.on), new=new, why=why_late[why]))
    if s.extension is not None:
        data = s.extension.data
        reason = _(" — reason: {reason}").format(reason=data["reason"]) if data.get("reason") else ""
        if s.extension.kind == "special_extension":
            out.append("\n" + _("Special extension (特例延長) notified {on}: a substantial part by {part}, the remainder "
                                "by {rest}").format(on=show_date(s.extension.on), part=day(data["part_due"]),
                                                     rest=day(data["rest_due"])) + reason)
            if s.extended_to is not None and s.extended_to.isoformat() != data["part_due"]:
                out.append(_("  the substantial part stays due on {due}, the date already in force, which is later "
                             "than the notice's {part}: the notice moves the remainder.").format(
                                 due=show_date(s.extended_to), part=day(data["part_due"])))
            out.append(_("  the substantial part must be decided within the extension limit below; the remainder has "
                         "no fixed limit (「相当の期間内」), only the date the notice gives."))
        else:
            out.append("\n" + _("Extension (延長) notified {on}: decision now due {new}").format(
                on=show_date(s.extension.on), new=day(data["new_due"])) + reason)
        if any(p.asked > s.extension.on for p in s.pauses):
            out.append(_("  a correction (補正) was asked after this notice: kaiji keeps the date the notice gives; no "
                         "source settles whether correction days push an extended date back."))
        if s.extension_limit is not None:
            out += _deadline(s.extension_limit)
            if s.extension_over_limit:
                out.append(_("  !! the notice's date {date} is past the limit the rule allows ({limit}): it has no "
                             "effect beyond the limit, so the decision is taken as due on {due}, and overdue (an "
                             "appeal against inaction open) from the day after.").format(
                                 date=show_date(s.extended_to), limit=show_date(s.extension_limit.due),
                                 due=show_date(s.decision_due)))
    elif s.extension_limit is not None and not s.decisions and s.extension_limit.due is not None:
        out.append("\n" + _("If the body extends the period (延長), the latest date its notice may give:"))
        out += _deadline(s.extension_limit)
    for d in s.decisions:
        text = (_("Decision: {kind} ({key}) dated {on}, learned of on {learned}") if d.notified_on else
                _("Decision: {kind} ({key}) dated {on}, date learned of not recorded"))
        out.append("\n" + text.format(kind=DECISION_KINDS[d.kind][0], key=d.kind, on=show_date(d.decided_on),
                                      learned=show_date(d.notified_on)))
    if s.decisions:
        if s.late_by:
            out.append(_("  the decision came {days} days after it was due ({due}): it was late.").format(
                days=s.late_by, due=show_date(s.decision_due)))
        elif s.decision_due:
            out.append(_("  on time: due {due}.").format(due=show_date(s.decision_due)))
        if s.rest_late_by:
            out.append(_("  the decision on the remainder came {days} days after the date the special extension gave "
                         "({due}): it was late.").format(days=s.rest_late_by, due=day(s.extension.data["rest_due"])))
    elif s.decision_due is not None:
        out.append("\n" + _("No decision recorded. If none is made by {due}, an appeal against inaction "
                            "(不作為についての審査請求, 行政不服審査法第3条) can be filed from {start}.").format(
                                due=show_date(s.decision_due), start=show_date(s.inaction_from)))
    if s.inaction_appeal is not None:
        out.append((_("  an appeal against inaction was filed on {on}: the request is still undecided, and late.")
                    if not s.decisions else
                    _("  an appeal against inaction was filed on {on}; a decision has been made since, which can be "
                      "appealed in its own right.")).format(on=show_date(s.inaction_appeal.on)))
    if s.objection is not None:
        out.append("\n" + (_("A third party objected ({on}): at least two weeks must lie between the decision and the "
                             "disclosure (行政機関情報公開法第13条第3項, and the ordinances' equivalents), so the "
                             "disclosure may be carried out from {start}.") if s.earliest_disclosure else
                           _("A third party objected ({on}): at least two weeks must lie between the decision and the "
                             "disclosure (行政機関情報公開法第13条第3項, and the ordinances' equivalents).")).format(
                                 on=show_date(s.objection.on), start=show_date(s.earliest_disclosure)))
        if "disclosed_within_two_weeks" in s.flags:
            out.append(_("  !! the disclosure is set or was carried out within those two weeks: the body's breach."))
    if s.appeal is not None:
        out.append("\n" + _("Appeal (審査請求):"))
        out += _deadline(s.appeal)
        if s.appeal_due is None:
            out.append(_("  (an appeal has been filed or the request withdrawn: this date no longer runs)"))
    if s.lawsuit is not None:
        ruled = any(e.kind == "ruling" for e in live_events(req))
        out.append("\n" + (_("Lawsuit (取消訴訟) against the ruling:") if ruled else
                           _("Lawsuit (取消訴訟), if no appeal is made first:")))
        out += _deadline(s.lawsuit)
    elif s.appeal is not None and s.status == "appealed":
        out.append("\n" + _("Lawsuit (取消訴訟): while the appeal is pending, the 6 months run from the ruling "
                            "(行政事件訴訟法第14条第3項)."))
    return out


def day(iso_text: str | None) -> str:
    """A date an event's data holds (ISO text), shown as the reader writes dates."""
    return show_stored(iso_text) or "?"
