"""`kaiji pdf …`: print the request form, the decision notices and the appeal as PDFs."""

from __future__ import annotations

from pathlib import Path

import click

from . import DATE, App, Failure, KaijiGroup, cli, pass_app, today, warn

_FONT = click.option(
    "--font", envvar="KAIJI_FONT", metavar="PATH",
    help="TrueType font to embed (default: IPAex Mincho, or another Japanese TrueType font found on this "
         "machine; 'builtin' for ReportLab's font, not embedded). Also KAIJI_FONT.")
_OUTPUT = click.option("-o", "--output", metavar="PATH",
                       help="The PDF file to write, or - for standard output (default: a name in this folder).")


@cli.group(cls=KaijiGroup)
def pdf() -> None:
    """Print forms as PDFs: the request (様式第1号), decision notices, the appeal (審査請求書).

    \b
    Every form is A4 with dates in 和暦, in the jurisdiction's own wording (forms/*.toml).
    Example:
      kaiji pdf request 1 -o request.pdf
      kaiji pdf notice 1 -o notice.pdf
      kaiji pdf appeal 1 --reasons reasons.txt
    """


def _write(rendered, output: str | None, default: str) -> None:
    from ..errors import BadInput

    for w in rendered.warnings:
        warn(w)
    pages = f"{rendered.pages} page{'s' if rendered.pages != 1 else ''}"
    if output == "-":
        with click.open_file("-", "wb") as stdout:
            stdout.write(rendered.pdf)
        click.echo(f"wrote the PDF to standard output ({pages}, {len(rendered.pdf) // 1024 + 1} KB)", err=True)
        return
    path = Path(output or default).expanduser()
    if path.is_dir():
        path = path / default
    try:
        path.write_bytes(rendered.pdf)
    except OSError as exc:
        raise BadInput(f"cannot write {path} ({exc.strerror or exc}); check the folder exists and is writable.") \
            from None
    click.echo(f"wrote {path} ({pages}, {len(rendered.pdf) // 1024 + 1} KB)")


@pdf.command("request")
@click.argument("request_ids", nargs=-1, type=int)
@click.option("--blank", is_flag=True, help="The empty form, to fill in by hand.")
@click.option("--body", metavar="KEY", help="With --blank: the body whose form and address to print (kaiji body list).")
@click.option("--each", is_flag=True, help="One file per request, named request-ID.pdf (-o names the folder).")
@_OUTPUT
@_FONT
@pass_app
def pdf_request(app: App, request_ids, blank, body, each, output, font) -> None:
    """The request form (開示請求書, 様式第1号) of one or more requests, ready to stamp and hand in.

    \b
    Example:
      kaiji pdf request 1 -o request.pdf
      kaiji pdf request 3 4 5 -o batch.pdf      # one file, a form per request
      kaiji pdf request 3 4 5 --each -o forms/  # forms/request-3.pdf …
      kaiji pdf request --blank --body maizuru  # the empty form
    """
    from .. import pdf as printing

    if blank:
        if request_ids:
            raise click.UsageError("--blank prints the empty form; leave out the request ids.")
        with app.read() as s:
            rendered = printing.blank_request_pdf(s, body, font)
        return _write(rendered, output, f"request-blank{'-' + body if body else ''}.pdf")
    if body:
        raise click.UsageError("--body goes with --blank; a request's form is addressed to the body it was filed with.")
    if not request_ids:
        raise click.UsageError("give one or more request ids (kaiji request list), or --blank for the empty form.")
    ids = list(dict.fromkeys(request_ids))
    if each:
        folder = Path(output or ".").expanduser()
        if output == "-" or (folder.exists() and not folder.is_dir()):
            raise click.UsageError(f"with --each, -o names a folder; {output} is a file.")
        with app.read() as s:
            files = printing.request_pdfs(s, ids, font)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise Failure(f"cannot create the folder {folder} ({exc.strerror}); choose another -o.", 1) from None
        for i, rendered in zip(ids, files):
            _write(rendered, str(folder / f"request-{i}.pdf"), f"request-{i}.pdf")
        return
    with app.read() as s:
        rendered = printing.request_pdf(s, ids, font)
    _write(rendered, output, f"request-{'-'.join(map(str, ids))}.pdf")


@pdf.command("notice")
@click.argument("request_id", type=int)
@click.option("--decision", "decision_id", type=int, help="Only this decision (kaiji request show lists them).")
@click.option("--extension", is_flag=True, help="The extension notice (延長, 様式第7号) instead of the decision's.")
@_OUTPUT
@_FONT
@pass_app
def pdf_notice(app: App, request_id, decision_id, extension, output, font) -> None:
    """The notice of a request's decision, in the layout of its kind (全部開示 … 不存在), with the 教示.

    Kept as a record of the notice received, to file and to share. With --extension: the
    extension notice instead.

    \b
    Example:
      kaiji pdf notice 1 -o notice.pdf
    """
    from .. import pdf as printing

    if extension and decision_id is not None:
        raise click.UsageError("--extension prints the extension notice; leave out --decision.")
    with app.read() as s:
        rendered = printing.notice_pdf(s, request_id, decision_id, extension, font)
    _write(rendered, output, f"{'extension' if extension else 'notice'}-{request_id}.pdf")


@pdf.command("appeal")
@click.argument("request_id", type=int)
@click.option("--reasons", "reasons_file", metavar="FILE",
              help="A UTF-8 text file with the reasons for the appeal (- for standard input); without it the box is "
                   "left to fill in by hand.")
@click.option("--purpose", help="The purpose (審査請求の趣旨), if not the usual one for the decision's kind.")
@click.option("--instruction", help="What the notice said about appeals (教示), if not the form's usual text; "
                                    "e.g. 無 when it said nothing.")
@click.option("--on", "on", type=DATE, help="The appeal's date (default: today).")
@click.option("--decision", "decision_id", type=int, help="The decision appealed (default: the latest one that withholds something).")
@_OUTPUT
@_FONT
@pass_app
def pdf_appeal(app: App, request_id, reasons_file, purpose, instruction, on, decision_id, output, font) -> None:
    """The appeal (審査請求書, 行政不服審査法第19条) against a request's decision, or against inaction.

    Without a decision, and once the decision is overdue, the form is the appeal against
    inaction (不作為, 第19条第3項). Record the appeal with `kaiji request appeal` once filed.

    \b
    Example:
      kaiji pdf appeal 1 --reasons reasons.txt -o appeal.pdf
    """
    from .. import pdf as printing

    reasons = _read_text(reasons_file) if reasons_file else None
    with app.read() as s:
        rendered = printing.appeal_pdf(s, request_id, printing.Appeal(on or today(), reasons, purpose, instruction),
                                       decision_id, font)
    _write(rendered, output, f"appeal-{request_id}.pdf")


def _read_text(path: str) -> str:
    from ..errors import BadInput

    try:
        if path == "-":
            with click.open_file("-", "rb") as stdin:
                data = stdin.read()
        else:
            data = Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read the reasons file {path} ({exc.strerror or exc}); check the path.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"the reasons file {path} is not valid UTF-8 text; save it as UTF-8 and try again.") from None
