"""`kaiji request …`: log requests and record each follow-up event."""

from __future__ import annotations

from datetime import date

import click

from ..i18n import _
from . import (DATE, DECISION_KIND, METHOD, STATUS, YEN, App, Failure, KaijiGroup, Labelled, YenParam, cli, emit_json,
               pass_app, today, warn)
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
@_phone_ext_option(_("The department's telephone extension (内線), e.g. 1342."))
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
        warn(f"{out['requester']} was not a requester yet: added as a person. For a group, or to add an address "
             f"for the forms: kaiji requester edit \"{out['requester']}\" --group --representative … --address …")
    emit_json(out) if as_json else click.echo(out["id"])


def _status_ja(status: str) -> str:
    from ..timeline import STATUS_JA

    return STATUS_JA.get(status, status)


def _request_columns():
    from ..i18n import N_
    from .output import Column

    return [Column("id", N_("id"), right=True), Column("body_name", N_("body"), shrink=6),
            Column("subject", N_("subject"), shrink=10, text=True),
            Column("status", N_("status"), shrink=6,
                   show=lambda r: _status_ja(r["status"]) + (_("（誤登録）") if r.get("voided") else "")),
            Column("received_on", N_("received")), Column("decision_due", N_("decision due"), shrink=10),
            Column("decided_on", N_("decided")), Column("appeal_due", N_("appeal due"))]


@request.command("list")
@click.option("--status", type=STATUS,
              help="Only requests with this status: filed, received, correction, extended, decided, disclosed, "
                   "appealed, ruled or withdrawn, or its Japanese name (受付済, 決定済 …).")
@click.option("--body", help="Only requests to this body: its key, name (舞鶴市長), jurisdiction (舞鶴市) or a prefix.")
@click.option("--include-void", is_flag=True, help="Also the requests voided as entered by mistake (誤登録).")
@format_option
@pass_app
def request_list(app: App, status, body, include_void, fmt) -> None:
    """List requests with their status and dates.

    \b
    Example:
      kaiji request list --status received --body maizuru
    """
    from .. import service

    with app.read() as s:  # every request of a large database: JSON and CSV are written as they are read
        emit_list((service.request_dict(r) for r in service.iter_requests(s, status=status, body=body,
                                                                           include_void=include_void)),
                  _request_columns(), fmt)


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
    """`request show` as text: its fields, its decisions, its timeline; lines clipped to `width` if given."""
    from ..i18n import N_
    from ..table import clip
    from ..table import width as display_width
    from .output import Column, table

    def fitted(prefix: str, value: object) -> str:
        return prefix + (str(value) if width is None else clip(str(value), max(width - display_width(prefix), 1)))

    lines = []
    if out["voided_on"]:
        lines.append(_("VOID (誤登録) since {on}: {reason} — left out of every list and report; retract event {event} "
                       "to restore it.").format(on=out["voided_on"], reason=out["void_reason"],
                                                event=out["void_event"]))
    for label, key in (("id", "id"), ("body", "body_name"), ("subject", "subject"), ("requester", "requester"),
                       ("status", "status"), ("filed", "filed_on"), ("received", "received_on"),
                       ("reference", "reference"), ("department", "department"), ("decision due", "decision_due"),
                       ("decided", "decided_on"), ("learned of", "notified_on"), ("appeal due", "appeal_due"),
                       ("extension limit", "extension_limit"), ("disclosure", "disclosure_on"),
                       ("lawsuit due", "lawsuit_due"), ("fee unpaid", "fee_unpaid")):
        value = out[key]
        if value is not None:
            lines.append(fitted(f"{label:>15}: ", _status_ja(value) + f" ({value})" if key == "status" else value))
    for code in out["flags"]:
        lines.append(fitted(f"{'!!':>15}: ", _flag_words(code)))
    for d in out["decisions"]:
        lines.append("\n" + fitted("", f"decision {d['id']}: {d['kind_ja']} on {d['decided_on']}"
                                       + (f", fee {d['fee']}円" if d["fee"] is not None else "")))
        for w in d["withheld"]:
            lines.append(fitted("  withheld: ", f"{w['part']} — {w['ground']} — {w['reason']}"))
    lines.append("\ntimeline:")
    events = [e | {"what": e["kind_ja"] + (" (取消済)" if e["retracted"] else ""), "details": _event_details(e)}
              for e in out["timeline"]]
    lines.append(table(events, [Column("id", N_("event"), right=True), Column("on", N_("on")),
                                Column("what", N_("what"), shrink=8),
                                Column("details", N_("details"), shrink=10, text=True)], width))
    return "\n".join(lines)


def _flag_words(code: str) -> str:
    from ..schema import FLAGS

    ja, en = FLAGS[code]
    return f"{ja} ({en}) [{code}]"


def _event_details(e: dict) -> str:
    parts = [f"{k}={v}" for k, v in (e["data"] or {}).items() if k not in ("body_id", "to_body_id", "from_body_id")]
    if e["retracts"]:
        parts.append(f"retracts event {e['retracts']}")
    if e["note"]:
        parts.append(e["note"])
    return "; ".join(parts)


def _record(app: App, request_id: int, kind: str, on: date, data: dict | None = None, note: str | None = None) -> None:
    """Record one follow-up event and say what it changed."""
    from .. import events, service

    with app.write() as s:
        rec = service.record(s, request_id, kind, on, data, note)
        st = rec.state
    for w in rec.warnings:
        warn(w)
    if st.voided is not None:
        return click.echo(_("request {id}: 誤登録 recorded (event {event}); it is left out of every list and report "
                            "from now on.").format(id=request_id, event=rec.event.id))
    click.echo(f"request {request_id}: {events.KINDS[kind].ja} recorded (event {rec.event.id}); status "
               f"{_status_ja(st.status)}" + (f", decision due {st.decision_due}" if st.decision_due and not st.decisions
                                            else ""))


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
@_phone_ext_option(_("Its telephone extension (内線)."))
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
            raise Failure(f"{len(withheld)} --withheld parts but {len(ground)} --ground; every withheld part needs "
                          "the provision relied on (e.g. --ground 第5条第2号).", 2)
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
    click.echo(f"request {request_id}: decision recorded (event {rec.event.id})"
               + (f"; appeal (審査請求) due {st.appeal_due}" if st.appeal_due else ""))


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

    _record(app, request_id, "note", on or today(), {}, clean(text, "the note", required=True, multiline=True))


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
    click.echo(f"request {request_id}: event {event_id} retracted (event {rec.event.id}); status "
               f"{_status_ja(rec.state.status)}")


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
    from ..i18n import _, ngettext

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
                click.echo(_("kaiji: all {count} rows checked; writing").format(count=len(rows)), err=True)
            if dry_run:
                raise DryRun  # rolls the transaction back: nothing is written
    except DryRun:
        pass
    for w in said[:20]:
        warn(w)
    if len(said) > 20:
        warn(_("and {count} more rows received on a closed day.").format(count=len(said) - 20))
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
    click.echo(ngettext("imported {count} request (ids {first}–{last}).",
                        "imported {count} requests (ids {first}–{last}).", len(ids)).format(count=len(ids), first=ids[0], last=ids[-1]))
