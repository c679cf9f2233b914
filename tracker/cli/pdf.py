"""`kaiji pdf …`: print the request form, the decision notices and the appeal as PDFs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..i18n import _, ngettext
from . import DATE, App, Failure, KaijiGroup, cli, pass_app, shown_path, today, warn

_FONT = click.option(
    "--font", envvar="KAIJI_FONT", metavar="PATH",
    help="TrueType font to embed (default: IPAex Mincho, or another Japanese TrueType font found on this "
         "machine; 'builtin' for ReportLab's font, not embedded). Also KAIJI_FONT.")
_OUTPUT = click.option("-o", "--output", metavar="PATH",
                       help="The PDF file to write, or - for standard output (default: a name in this folder).")
_FORCE = click.option("--force", is_flag=True, help="Replace an existing PDF of the same name (never a database).")


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


def _write(app: App, rendered, output: str | None, default: str, force: bool) -> None:
    from ..db import sqlite_path
    from ..files import database_files, write_bytes

    for w in rendered.warnings:
        warn(w)
    pages, size = rendered.pages, len(rendered.pdf) // 1024 + 1
    if output == "-":
        return _to_stdout(rendered.pdf, pages, size)
    path = Path(output or default).expanduser()
    try:
        if path.is_dir():
            path = path / default
    except OSError:
        pass  # a name too long, say: write_bytes says so
    path = write_bytes(path, rendered.pdf, force=force, keep=database_files(sqlite_path(app.url)))
    path = shown_path(path)
    app.done = _("{path} was written").format(path=path)  # until it has been said (a batch goes on with the next file)
    click.echo(ngettext("wrote {path} ({pages} page, {size} KB)", "wrote {path} ({pages} pages, {size} KB)",
                        pages).format(path=path, pages=pages, size=size))
    app.done = None


def _to_stdout(pdf: bytes, pages: int, size: int) -> None:
    """The PDF on standard output, reported written only once all of it was taken."""
    from . import OutputFailed

    stdout = sys.stdout.buffer  # guarded (cli._Guarded): a failure to take it is OutputFailed
    try:
        stdout.write(pdf)
        stdout.flush()
    except OutputFailed as exc:
        raise Failure(_("the PDF did not reach standard output whole ({reason}).").format(reason=exc.reason())) \
            from None
    if _reader_gone(stdout):
        raise Failure(_("the program reading standard output closed it; the PDF may not have reached it whole."))
    click.echo(ngettext("wrote the PDF to standard output ({pages} page, {size} KB)",
                        "wrote the PDF to standard output ({pages} pages, {size} KB)", pages).format(
                            pages=pages, size=size), err=True)


def _reader_gone(stream) -> bool:
    """Whether standard output is a pipe whose reader has already closed it (the data written may be lost)."""
    import os
    import select
    import stat

    try:
        fd = stream.fileno()
        if not stat.S_ISFIFO(os.fstat(fd).st_mode) or not hasattr(select, "poll"):
            return False
        poll = select.poll()
        poll.register(fd, 0)  # POLLERR and POLLHUP are reported whatever is asked
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poll.poll(0))
    except (AttributeError, OSError, ValueError):  # not a real file (the test runner's)
        return False


@pdf.command("request")
@click.argument("request_ids", nargs=-1, type=int)
@click.option("--blank", is_flag=True, help="The empty form, to fill in by hand.")
@click.option("--body", metavar="BODY", help="With --blank: the body whose form and address to print: its key "
                                            "(kaiji body list), name or jurisdiction.")
@click.option("--each", is_flag=True, help="One file per request, named request-ID.pdf (-o names the folder).")
@_OUTPUT
@_FORCE
@_FONT
@pass_app
def pdf_request(app: App, request_ids, blank, body, each, output, force, font) -> None:
    """The request form (開示請求書, 様式第1号) of one or more requests, ready to stamp and hand in.

    \b
    Example:
      kaiji pdf request 1 -o request.pdf
      kaiji pdf request 3 4 5 -o batch.pdf      # one file, a form per request
      kaiji pdf request 3 4 5 --each -o forms/  # forms/request-3.pdf …
      kaiji pdf request --blank --body maizuru  # the empty form
    """
    from .. import pdf as printing
    from ..files import make_folder

    if blank:
        if request_ids:
            raise click.UsageError(_("--blank prints the empty form; leave out the request ids."))
        with app.read() as s:
            rendered = printing.blank_request_pdf(s, body, font)
        return _write(app, rendered, output, f"request-blank{'-' + body if body else ''}.pdf", force)
    if body:
        raise click.UsageError(_("--body goes with --blank; a request's form is addressed to the body it was filed "
                                 "with."))
    if not request_ids:
        raise click.UsageError(_("give one or more request ids (kaiji request list), or --blank for the empty form."))
    ids = list(dict.fromkeys(request_ids))
    if each:
        folder = Path(output or ".").expanduser()
        if output == "-" or (folder.exists() and not folder.is_dir()):
            raise click.UsageError(_("with --each, -o names a folder; {path} is a file.").format(path=output))
        taken = [f"request-{i}.pdf" for i in ids if (folder / f"request-{i}.pdf").exists()]
        if taken and not force:  # said before any is written, not after the first few
            raise Failure(_("{path} exists already ({count} of the files do); give --force to replace them, or name "
                            "another folder.").format(path=folder / taken[0], count=len(taken)))
        with app.read() as s:
            files = printing.request_pdfs(s, ids, font)
        try:
            make_folder(folder)
        except OSError as exc:
            raise Failure(_("cannot create the folder {folder} ({reason}); choose another -o.").format(
                folder=folder, reason=exc.strerror), 1) from None
        for i, rendered in zip(ids, files):
            _write(app, rendered, str(folder / f"request-{i}.pdf"), f"request-{i}.pdf", force)
        return
    with app.read() as s:
        rendered = printing.request_pdf(s, ids, font)
    _write(app, rendered, output, f"request-{'-'.join(map(str, ids))}.pdf", force)


@pdf.command("campaign")
@click.argument("name")
@click.option("--combined", is_flag=True, help="One PDF with every form, for printing in one go (NAME.pdf).")
@click.option("-o", "--output", metavar="FOLDER", default=".", show_default=True,
              help="The folder to write the PDFs in (with --combined: a file name or a folder).")
@_FORCE
@_FONT
@pass_app
def pdf_campaign(app: App, name, combined, output, force, font) -> None:
    """A campaign's request forms: one PDF per body, named by its key, each in its jurisdiction's form.

    \b
    Example:
      kaiji pdf campaign kosaihi-2025 -o forms/       # forms/maizuru.pdf …
      kaiji pdf campaign kosaihi-2025 --combined -o all.pdf
    """
    from .. import pdf as printing
    from ..files import make_folder

    with app.read() as s:
        files = printing.campaign_pdfs(s, name, font, combined)
    if combined:
        key, rendered = files[0]
        return _write(app, rendered, output, f"{key}.pdf", force)
    folder = Path(output).expanduser()
    if output == "-" or (folder.exists() and not folder.is_dir()):
        raise click.UsageError(_("-o names a folder for the forms; {path} is a file (or use --combined).").format(
            path=output))
    taken = [f"{key}.pdf" for key, _r in files if (folder / f"{key}.pdf").exists()]
    if taken and not force:  # said before any is written, not after the first few
        raise Failure(_("{path} exists already ({count} of the files do); give --force to replace them, or name "
                        "another folder.").format(path=folder / taken[0], count=len(taken)))
    try:
        make_folder(folder)
    except OSError as exc:
        raise Failure(_("cannot create the folder {folder} ({reason}); choose another -o.").format(
            folder=folder, reason=exc.strerror), 1) from None
    for key, rendered in files:
        _write(app, rendered, str(folder / f"{key}.pdf"), f"{key}.pdf", force)


@pdf.command("notice")
@click.argument("request_id", type=int)
@click.option("--decision", "decision_id", type=int, help="Only this decision (kaiji request show lists them).")
@click.option("--extension", is_flag=True, help="The extension notice (延長, 様式第7号) instead of the decision's.")
@_OUTPUT
@_FORCE
@_FONT
@pass_app
def pdf_notice(app: App, request_id, decision_id, extension, output, force, font) -> None:
    """The notice of a request's decision, in the layout of its kind (全部開示 … 不存在), with the 教示.

    Kept as a record of the notice received, to file and to share. With --extension: the
    extension notice instead.

    \b
    Example:
      kaiji pdf notice 1 -o notice.pdf
    """
    from .. import pdf as printing

    if extension and decision_id is not None:
        raise click.UsageError(_("--extension prints the extension notice; leave out --decision."))
    with app.read() as s:
        rendered = printing.notice_pdf(s, request_id, decision_id, extension, font)
    _write(app, rendered, output, f"{'extension' if extension else 'notice'}-{request_id}.pdf", force)


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
@_FORCE
@_FONT
@pass_app
def pdf_appeal(app: App, request_id, reasons_file, purpose, instruction, on, decision_id, output, force, font) -> None:
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
    _write(app, rendered, output, f"appeal-{request_id}.pdf", force)


def _read_text(path: str) -> str:
    from ..errors import BadInput

    try:
        if path == "-":
            with click.open_file("-", "rb") as stdin:
                data = stdin.read()
        else:
            data = Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise BadInput(_("cannot read the reasons file {path} ({reason}); check the path.").format(
            path=path, reason=exc.strerror or exc)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(_("the reasons file {path} is not valid UTF-8 text; save it as UTF-8 and try again.").format(
            path=path)) from None
