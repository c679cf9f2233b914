"""`kaiji request …`: log requests and record each follow-up event."""

from __future__ import annotations

from datetime import date

import click

from ..i18n import N_, _, ngettext, show_stored
from . import (DATE, DECISION_KIND, METHOD, YEN, App, Failure, KaijiGroup, Labelled, YenParam, cli, emit_json,
               pass_app, today, warn)
from .filters import request_filters
from .output import emit_list, emit_record, format_option


class OldSpelling(click.Option):
    """An option whose names after the first are old spellings: they still work, and --help shows only the first."""

    def get_help_record(self, ctx: click.Context):
        names = self.opts
        self.opts = names[:1]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = names


# A department's telephone extension (内線) is --phone-ext: "extension" alone is 延長 everywhere else in kaiji
# (`request extend`, --extension-max, `pdf notice --extension`). --extension still works, unlisted.
def _phone_ext_option(help: str):
    return click.option("--phone-ext", "--extension", "phone_ext", cls=OldSpelling, help=help)


# ---------------------------------------------------------------- requests

@cli.group(cls=KaijiGroup)
def request() -> None:
    """Log requests and record what happens to them."""


@request.command("add")
@click.option("--body", required=True, help="The implementing body: its key (kaiji body list), its name (舞鶴市長), its "
                                             "jurisdiction (舞鶴市) or a unique prefix.")
@click.option("--subject", required=True, help="The documents requested (請求する行政文書の名称又は内容).")
@click.option("--filed", type=DATE, help="The date on the form (default: the receipt date).")
@click.option("--received", type=DATE, help="The receipt date stamped by the office (受付年月日).")
@click.option("--requester", help="Requester's name (created as a person if new; see kaiji requester add).")
@click.option("--method", "methods", type=METHOD, multiple=True, default=("copy",), show_default=True,
              help="inspect (閲覧), view (視聴) or copy (写しの交付); repeat for several.")
@click.option("--mail/--no-mail", default=False, help="Copies to be mailed (送付希望 有).")
@click.option("--reason", help="Why disclosure is in the public interest.")
@click.option("--reference", help="The body's reference number, if known.")
@click.option("--department", help="The department handling it (担当部課).")
@click.option("--department-phone", help="The department's telephone.")
@_phone_ext_option(N_("The department's telephone extension (内線), e.g. 1342."))
@click.option("--notes", help="Free notes.")
@click.option("--force", is_flag=True, help="Add it even if a request with the same body, subject and receipt date "
                                            "exists.")
@click.option("--json", "as_json", is_flag=True, help="Print the request as JSON instead of its id.")
@pass_app
def request_add(app: App, body, subject, filed, received, requester, methods, mail, reason, reference, department,
                department_phone, phone_ext, notes, force, as_json) -> None:
    """Log a new request and print its id.

    \b
    Example:
      kaiji request add --body maizuru --subject "カスタマーハラスメントアンケートの調査結果" \\
          --received 2024-12-27 --requester "市民オンブズマンまいづる" --method copy --mail
    """
    from .. import service

    warnings: list[str] = []
    with app.write() as s:
        known = requester is None or service.find_requester(s, requester) is not None
        req = service.add_request(s, body=body, subject=subject, filed=filed, received=received,
                                  requester=requester, methods=methods, mail=mail, reason=reason,
                                  reference=reference, department_name=department,
                                  department_phone=department_phone, phone_ext=phone_ext, notes=notes,
                                  warnings=warnings, force=force)
        out = service.request_dict(req)
    for w in warnings:
        warn(w)
    if not known and out["requester"] is not None:  # an empty --requester '' names no one
        warn(_("{name} was not a requester yet: added as a person. For a group, or to add an address for the forms: "
               "kaiji requester edit \"{name}\" --group --representative … --address …").format(name=out["requester"]))
    emit_json(out) if as_json else click.echo(out["id"])


def _status_ja(status: str) -> str:
    from ..timeline import status_label

    return status_label(status)


def _request_columns():
    from .output import Column

    return [Column("id", N_("id"), right=True), Column("body_name", N_("body"), shrink=6),
            Column("subject", N_("subject"), shrink=10, text=True),
            Column("status", N_("status"), shrink=6,
                   show=lambda r: _status_ja(r["status"]) + (_("（誤登録）") if r.get("voided") else "")),
            Column("received_on", N_("received")),
            Column("decision_due", N_("decision due"), shrink=10, show=_due_shown),
            Column("decided_on", N_("decided")), Column("appeal_due", N_("appeal due"))]


def _due_shown(r: dict) -> str:
    """The decision date as a table shows it: unknown, not blank, when no rule is known for the body."""
    if r["decision_due"] is None and "rule_unknown" in r["flags"]:
        return _("unknown (no rule)")
    return r["decision_due"]  # ISO: the table shows it as the reader writes dates


@request.command("list")
@request_filters
@click.option("--include-void", is_flag=True, help="Also the requests voided as entered by mistake (誤登録).")
@format_option
@pass_app
def request_list(app: App, filters, include_void, fmt) -> None:
    """List requests with their status and dates.

    \b
    Example:
      kaiji request list --status received --body maizuru
    """
    from .. import service

    with app.read() as s:  # every request of a large database: JSON and CSV are written as they are read
        emit_list(service.request_rows(s, include_void=include_void, **filters), _request_columns(), fmt)


@request.command("show")
@click.argument("request_id", type=int)
@format_option
@pass_app
def request_show(app: App, request_id, fmt) -> None:
    """Show one request with its decisions and its whole timeline.

    \b
    Example:
      kaiji request show 1 --json
    """
    from .. import service
    from ..dates import iso

    with app.read() as s:
        req = service.get_request(s, request_id)
        out = service.request_dict(req)
        retracted = {e.retracts_id for e in req.events if e.retracts_id}
        out["timeline"] = [service.event_dict(e, retracted) for e in req.events]
        out["decisions"] = [service.decision_dict(d) for d in req.decisions]
        out["department"] = req.department.name if req.department else None
        st = service.state(s, req)
        out |= {"late_by_days": st.late_by, "inaction_appeal_from": iso(st.inaction_from),
                "extension_limit": iso(st.extension_limit.due) if st.extension_limit else None,
                "lawsuit_due": iso(st.lawsuit_due), "flags": st.flags,
                "void_reason": st.voided.data.get("reason") if st.voided else None,
                "voided_on": iso(st.voided.on) if st.voided else None,
                "void_event": st.voided.id if st.voided else None}
    emit_record(out, fmt, lambda width: _show_text(out, width))


def _show_text(out: dict, width: int | None) -> str:
    """`request show` as text: its fields, its decisions, its timeline told in words (events.describe);
    lines clipped to `width` if given."""
    from ..table import clip
    from ..table import width as display_width

    def fitted(prefix: str, value: object) -> str:
        return prefix + (str(value) if width is None else clip(str(value), max(width - display_width(prefix), 1)))

    def field(label: str) -> str:  # a label right-aligned in 15 columns (full-width characters take two)
        return " " * max(15 - display_width(label), 0) + label + ": "

    lines = []
    if out["voided_on"]:
        lines.append(_("VOID (誤登録) since {on}: {reason} — left out of every list and report; retract event {event} "
                       "to restore it.").format(on=show_stored(out["voided_on"]), reason=out["void_reason"],
                                                event=out["void_event"]))
    for label, key in ((N_("id"), "id"), (N_("body"), "body_name"), (N_("subject"), "subject"),
                       (N_("requester"), "requester"), (N_("status"), "status"), (N_("filed"), "filed_on"),
                       (N_("received"), "received_on"), (N_("reference"), "reference"),
                       (N_("department"), "department"), (N_("decision due"), "decision_due"),
                       (N_("decided"), "decided_on"), (N_("learned of"), "notified_on"),
                       (N_("appeal due"), "appeal_due"), (N_("extension limit"), "extension_limit"),
                       (N_("disclosure"), "disclosure_on"), (N_("lawsuit due"), "lawsuit_due"),
                       (N_("fee unpaid"), "fee_unpaid")):
        value = out[key]
        if value is None and key == "decision_due" and "rule_unknown" in out["flags"]:
            lines.append(fitted(field(_(label)), _("unknown (no rule)")))
        if value is not None:
            shown = show_stored(value) if key in _DATES else value
            if key == "fee_unpaid":
                shown = _("{amount} yen").format(amount=f"{value:,}")
            if key == "status":   # 延長中 (extended); in English, the key alone
                said = _status_ja(value)
                shown = f"{said} ({value})" if said != value else value
            lines.append(fitted(field(_(label)), shown))
    for code in out["flags"]:
        lines.append(fitted(field(_("!!")), _flag_words(code)))
    for d in out["decisions"]:
        said = (_("decision {id}: {kind} on {on}, fee {fee}円") if d["fee"] is not None
                else _("decision {id}: {kind} on {on}"))
        lines.append("\n" + fitted("", said.format(id=d["id"], kind=d["kind_ja"], on=show_stored(d["decided_on"]),
                                                   fee=f"{d['fee']:,}" if d["fee"] is not None else "")))
        for w in d["withheld"]:
            lines.append(fitted("  " + _("withheld") + ": ", f"{w['part']} — {w['ground']} — {w['reason']}"))
    lines.append("\n" + _("timeline:"))
    # Each event a line: its number, its date, its sentence; a sentence too long for the terminal goes on
    # under itself (folded, never clipped: it is what happened).
    from ..wrap import fold

    told = _told(out["timeline"])
    days = [show_stored(e["on"], weekday=False, short=True) for e in told]
    wide = max([display_width(_("on"))] + [display_width(d) for d in days])
    head = max([display_width(_("event"))] + [len(str(e["id"])) for e in told])
    ev, on = _("event"), _("on")
    lines.append(f"{' ' * (head - display_width(ev))}{ev}  {on}{' ' * (wide - display_width(on))}  {_('what')}")
    for e, day in zip(told, days):
        prefix = f"{e['id']:>{head}}  {day}{' ' * (wide - display_width(day))}  "
        lines += fold(e["what"], width, prefix, " " * display_width(prefix)) if width else [prefix + e["what"]]
    return "\n".join(lines)


_DATES = ("filed_on", "received_on", "decision_due", "decided_on", "notified_on", "appeal_due", "extension_limit",
          "disclosure_on", "lawsuit_due")


def _told(timeline: list[dict]) -> list[dict]:
    """The timeline's events as rows of (id, date, sentence): a retracted event says which event took it back
    and why; a retraction says what it takes back."""
    from ..events import describe

    taken_back = {e["retracts"]: (e["id"], e["note"]) for e in timeline if e["retracts"]}
    return [{"id": e["id"], "on": e["on"],   # the table shows it as the reader writes dates
             "what": describe(e["kind"], e["data"], note=e["note"], retracts=e["retracts"],
                              retracted_by=taken_back.get(e["id"]))} for e in timeline]


def _flag_words(code: str) -> str:
    from ..schema import flag_text

    return f"{flag_text(code)} [{code}]"


def _record(app: App, request_id: int, kind: str, on: date, data: dict | None = None, note: str | None = None) -> None:
    """Record one follow-up event and say what it changed."""
    from .. import events, service
    from ..i18n import show_date

    with app.write() as s:
        rec = service.record(s, request_id, kind, on, data, note)
        st = rec.state
    for w in rec.warnings:
        warn(w)
    if st.voided is not None:
        return click.echo(_("request {id}: 誤登録 recorded (event {event}); it is left out of every list and report "
                            "from now on.").format(id=request_id, event=rec.event.id))
    said = (_("request {id}: {kind} recorded (event {event}); status {status}, decision due {due}")
            if st.decision_due and not st.decisions
            else _("request {id}: {kind} recorded (event {event}); status {status}"))
    click.echo(said.format(id=request_id, kind=events.label(kind), event=rec.event.id, status=_status_ja(st.status),
                           due=show_date(st.decision_due)))


def _event_command(kind) -> None:
    """`kaiji request COMMAND REQUEST_ID [--on DATE] [--note …]` and the options of the kind's data
    (events.Field), made from the registry: a new kind of event needs no code here."""
    def command(app, request_id, on, note, **values):
        _record(app, request_id, kind.key, on or today(),
                {f.key: values[f.option.lstrip("-").split("/")[0].replace("-", "_")] for f in kind.fields}, note)

    f = pass_app(command)
    for field in reversed(kind.fields):
        name = field.option.lstrip("-").split("/")[0].replace("-", "_")
        if field.argument:
            f = click.argument(name, type=YEN if field.type == "yen" else str)(f)
        elif field.type == "bool":
            f = click.option(field.option, name, default=False, help=field.help)(f)
        else:
            type_ = DATE if field.type == "date" else _choice(field) if field.type == "choice" else str
            f = click.option(field.option, name, type=type_, required=field.required, help=field.help)(f)
    f = click.option("--note", help="A note to keep with the event.")(f)
    f = click.option("--on", "on", type=DATE, default=None, help="The date (default: today).")(f)
    f = click.argument("request_id", type=int)(f)
    example = f"\n\n\b\nExample:\n  kaiji request {kind.command} 1 {kind.example}" if kind.example else ""
    request.command(kind.command, help=kind.help + example)(f)


def _choice(field) -> Labelled:
    from ..events import choice_key

    return Labelled(lambda value: choice_key(value, field.choice_labels, field.what), lambda: field.choice_labels)


def _event_commands() -> None:
    from ..events import KINDS

    for kind in KINDS.values():
        if kind.command:
            _event_command(kind)


_event_commands()


@request.command("decide")
@click.argument("request_id", type=int)
@click.option("--kind", type=DECISION_KIND, required=True,
              help="full (全部開示), partial (部分開示), refusal (不開示), neither (存否応答拒否), absent (不存在), "
                   "rejected (却下).")
@click.option("--on", "on", type=DATE, required=True, help="The decision's date (the notice's date).")
@click.option("--notified", type=DATE, help="The day the requester learned of it (starts the appeal period).")
@click.option("--withheld", multiple=True,
              help="A part not disclosed; repeat, with a --ground and --withheld-reason each.")
@click.option("--ground", multiple=True, help="The provision relied on, e.g. 第5条第2号; one per --withheld.")
@click.option("--withheld-reason", multiple=True, help="Why that part is withheld; one per --withheld.")
@click.option("--decision-reason",
              help="The decision's own reason, for 不存在, 存否応答拒否 and 却下 (e.g. why no document is held).")
@click.option("--reason", "old_reason", multiple=True, hidden=True,
              help="Old spelling: --withheld-reason with --withheld, else --decision-reason.")
@click.option("--document", multiple=True, help="A document's title; repeat for several.")
@click.option("--fee", type=YenParam(minimum=0), help="Copy fee in yen (実費), e.g. 190, 1,520 or 1520円.")
@click.option("--notice-number", help="The notice's number.")
@click.option("--disclosure-on", type=DATE, help="Date of the disclosure appointment.")
@click.option("--disclosure-time", help="Time of the appointment, e.g. 午後2時.")
@click.option("--disclosure-place", help="Place, e.g. 舞鶴市役所人事課.")
@click.option("--disclosure-method", type=METHOD, multiple=True, help="inspect (閲覧), view (視聴) or copy (写しの交付).")
@click.option("--later-on", type=DATE, help="The date from which the document could be disclosed (第10条後段).")
@click.option("--department", help="Department named on the notice.")
@click.option("--department-phone", help="Its telephone.")
@_phone_ext_option(N_("Its telephone extension (内線)."))
@click.option("--remarks", help="Remarks (備考).")
@click.option("--note", help="A note to keep with the event.")
@pass_app
def request_decide(app, request_id, kind, on, notified, withheld, ground, withheld_reason, decision_reason, old_reason,
                   document, fee, notice_number, disclosure_on, disclosure_time, disclosure_place, disclosure_method,
                   later_on, department, department_phone, phone_ext, remarks, note):
    """Record the decision (開示決定等) and what its notice says.

    \b
    Example (a partial disclosure withholding two parts):
      kaiji request decide 1 --kind partial --on R7.1.10 --notified R7.1.20 \\
          --withheld "店名の部分" --ground 第5条第2号 --withheld-reason "…おそれがあるため" \\
          --withheld "個人名" --ground 第5条第1号 --withheld-reason "…" --fee 190
    """
    from .. import service

    reason, decision_reason = _split_old_reason(old_reason, withheld or ground, withheld_reason, decision_reason)
    if not (len(withheld) == len(ground) == len(reason)):
        if len(ground) < len(withheld):
            raise Failure(_("{parts} --withheld parts but {grounds} --ground; every withheld part needs the provision "
                            "relied on (e.g. --ground 第5条第2号).").format(parts=len(withheld), grounds=len(ground)), 2)
        raise Failure(_("give one --ground and one --withheld-reason for each --withheld part ({parts} parts, "
                        "{grounds} grounds, {reasons} reasons).").format(parts=len(withheld), grounds=len(ground),
                                                                         reasons=len(reason)), 2)
    with app.write() as s:
        rec = service.decide(
            s, request_id, kind=kind, on=on, notified=notified,
            withheld=[service.Withheld(p, g, r) for p, g, r in zip(withheld, ground, reason)],
            documents=document, fee=fee, notice_number=notice_number, disclosure_on=disclosure_on,
            disclosure_time=disclosure_time, disclosure_place=disclosure_place,
            disclosure_methods=disclosure_method, later_on=later_on, department_name=department,
            reason=decision_reason, department_phone=department_phone, phone_ext=phone_ext, remarks=remarks, note=note)
        st = rec.state
    for w in rec.warnings:
        warn(w)
    from ..i18n import show_date

    said = (_("request {id}: decision recorded (event {event}); appeal (審査請求) due {due}") if st.appeal_due
            else _("request {id}: decision recorded (event {event})"))
    click.echo(said.format(id=request_id, event=rec.event.id, due=show_date(st.appeal_due)))


def _split_old_reason(old: tuple[str, ...], parts: bool, withheld_reason: tuple[str, ...],
                      decision_reason: str | None) -> tuple[tuple[str, ...], str | None]:
    """(the withheld parts' reasons, the decision's own reason) from decide's options. The old --reason
    meant either: a withheld part's reason where --withheld or --ground is given, else the decision's."""
    if not old:
        return withheld_reason, decision_reason
    if withheld_reason or decision_reason is not None:
        raise Failure(_("--reason is the old spelling of --withheld-reason and --decision-reason; give only the new "
                        "options."), 2)
    if parts:
        return old, None
    if len(old) == 1:
        return (), old[0]
    raise Failure(_("--reason is given {n} times with no --withheld part; use --decision-reason once for the "
                    "decision's own reason, or --withheld-reason with each --withheld part.").format(n=len(old)), 2)


@request.command("note")
@click.argument("request_id", type=int)
@click.argument("text")
@click.option("--on", "on", type=DATE, default=None, help="The date (default: today).")
@pass_app
def request_note(app, request_id, text, on):
    """Add a free note to the timeline.

    \b
    Example:
      kaiji request note 1 "電話で進み具合を尋ねた" --on 2025-01-08
    """
    from ..service import clean

    _record(app, request_id, "note", on or today(), {}, clean(text, _("the note"), required=True, multiline=True))


@request.command("retract")
@click.argument("request_id", type=int)
@click.argument("event_id", type=int)
@click.option("--reason", required=True, help="Why the event is taken back.")
@pass_app
def request_retract(app, request_id, event_id, reason):
    """Take back an event recorded by mistake; it stays in the timeline, marked as retracted.

    \b
    Example:
      kaiji request retract 1 5 --reason "日付の誤り"
    """
    from .. import service

    with app.write() as s:
        rec = service.retract(s, request_id, event_id, reason, today())
    click.echo(_("request {id}: event {event} retracted (event {retraction}); status {status}").format(
        id=request_id, event=event_id, retraction=rec.event.id, status=_status_ja(rec.state.status)))


def _stderr_is_terminal() -> bool:
    """Whether a person watches standard error (a progress bar is drawn only then, never into a log file)."""
    import sys

    return sys.stderr is not None and sys.stderr.isatty()


@request.command("import")
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--dry-run", is_flag=True, help="Check every row and say what would be imported; write nothing.")
@click.option("--allow-duplicates", is_flag=True,
              help="Also import rows with the body, subject and receipt date of a request already recorded.")
@click.option("--progress", is_flag=True, help="Report on stderr as the rows are checked (every 5%).")
@click.option("--json", "as_json", is_flag=True, help="Print the new requests' ids as JSON.")
@pass_app
def request_import(app: App, file, dry_run, allow_duplicates, progress, as_json) -> None:
    """Import requests from an Excel workbook (.xlsx) or a CSV file (- reads standard input): all rows or none.

    \b
    The header names the columns, as `kaiji request add` names its options or in Japanese:
      body,subject,filed,received,requester,method,mail,reason,reference,department
      実施機関,件名,請求日,受付日,請求者,開示の方法,送付希望,理由,整理番号,担当部課
    A file written by `kaiji export requests` imports as it is. body and subject are required; dates
    in any form kaiji reads (ISO, 和暦); method is inspect, view or copy (several separated by ;); mail
    is yes or no (有/無). CSV may be UTF-8 (with or without a BOM) or Shift_JIS. A row with the body,
    subject and receipt date of a request already recorded (or of an earlier row) is skipped, so
    importing a file again adds nothing. Every row is checked as `request add` checks it, and the
    whole file is written in one transaction: one bad row, and nothing is imported. A file may be up
    to 50 MB (about half a million rows); split a larger one.

    \b
    Example:
      kaiji request import requests.xlsx --dry-run
      kaiji request import requests.csv
    """
    import sys

    from .. import imports
    from ..i18n import _

    rows = imports.read_rows(*imports.read_file(file, sys.stdin.buffer))
    bar = None
    if not progress and len(rows) > imports.PROGRESS_ABOVE and _stderr_is_terminal():
        bar = click.progressbar(length=len(rows), label=_("checking rows"), file=sys.stderr)

    def report(done: int, total: int) -> None:
        if bar is not None:
            bar.update(done - bar.pos)
        else:
            click.echo(_("kaiji: {done} of {total} rows checked").format(done=done, total=total), err=True)

    class DryRun(Exception):
        pass

    said: list[str] = []
    skipped: list[int] = []
    try:
        with app.write() as s:
            ids = imports.import_requests(s, rows, report if progress or bar else None,
                                          every=max(1, len(rows) // (100 if bar else 20)), warnings=said,
                                          skipped=skipped, allow_duplicates=allow_duplicates)
            if bar is not None:
                bar.render_finish()
            if progress:
                click.echo(_("kaiji: all {n} rows checked; writing").format(n=len(rows)), err=True)
            if dry_run:
                raise DryRun  # rolls the transaction back: nothing is written
    except DryRun:
        pass
    for w in said[:20]:
        warn(w)
    if len(said) > 20:
        more = len(said) - 20
        warn(ngettext("and {n} more row received on a closed day.", "and {n} more rows received on a closed day.",
                      more).format(n=more))
    if skipped:
        shown = ", ".join(map(str, skipped[:20])) + (", …" if len(skipped) > 20 else "")
        warn(ngettext("{count} row skipped as a request already recorded (row {rows}); --allow-duplicates imports "
                      "it anyway.",
                      "{count} rows skipped as requests already recorded (rows {rows}); --allow-duplicates imports "
                      "them anyway.", len(skipped)).format(count=len(skipped), rows=shown))
    if dry_run:
        click.echo(ngettext("would import {count} request; nothing was written (--dry-run).",
                            "would import {count} requests; nothing was written (--dry-run).", len(ids)).format(
            count=len(ids)))
        return
    if as_json:
        return emit_json(ids)
    if not ids:
        click.echo(_("imported no requests: every row is a request already recorded."))
        return
    click.echo(ngettext("imported {n} request (ids {first}–{last}).", "imported {n} requests (ids {first}–{last}).",
                        len(ids)).format(n=len(ids), first=ids[0], last=ids[-1]))
