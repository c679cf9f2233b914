"""`kaiji doc …`: the documents received for a request (tracker/documents.py), and `kaiji search`
(tracker/search.py)."""

from __future__ import annotations

import click

from ..i18n import N_, _
from . import DATE, App, KaijiGroup, cli, pass_app, shown_path, warn
from .output import Column, emit_list, format_option


@cli.group(cls=KaijiGroup)
def doc() -> None:
    """Documents received for a request: notices, what was disclosed, letters (kept as files)."""


@doc.command("add")
@click.argument("request_id", metavar="ID", type=int)
@click.argument("files", metavar="FILE…", nargs=-1, required=True)
@click.option("--kind", default="other", show_default=True, metavar="KIND",
              help="notice (通知書), disclosed (開示文書), letter (書簡) or other (その他).")
@click.option("--decision", type=int, metavar="N", help="The decision it came with (its id in `request show`).")
@click.option("--title", help="What the document is (otherwise its file name).")
@click.option("--received", type=DATE, help="The day it arrived.")
@pass_app
def doc_add(app: App, request_id, files, kind, decision, title, received) -> None:
    """Keep a copy of each FILE with request ID, and its text for `kaiji search`.

    PDF, images, text and Office files of up to 50 MB each; the same file added twice is stored once.
    The text of PDFs and text files (UTF-8 or Shift_JIS) is searched.

    \b
    Example:
      kaiji doc add 1 kekka.pdf --kind disclosed --received 2025-01-24
    """
    from .. import documents
    from ..i18n import ngettext

    with app.write() as s:
        added = documents.add(s, request_id, files, folder=documents.files_folder(app.url), kind=kind,
                              decision=decision, title=title, received=received)
        ids = [d.id for d in added.documents]
    for w in added.warnings:
        warn(w)
    click.echo(ngettext("document {ids} added to request {id}.", "documents {ids} added to request {id}.",
                        len(ids)).format(ids=", ".join(map(str, ids)), id=request_id))


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{-(-n // 1024)} KB"


@doc.command("list")
@click.argument("request_id", metavar="ID", type=int)
@format_option
@pass_app
def doc_list(app: App, request_id, fmt) -> None:
    """List the documents kept with request ID.

    \b
    Example:
      kaiji doc list 1
    """
    from .. import documents

    with app.read() as s:
        rows = [documents.document_dict(d) for d in documents.of_request(s, request_id)]
    columns = [Column("id", N_("id"), right=True),
               Column("kind", N_("kind"), show=lambda r: documents.kind_label(r["kind"])),
               Column("title", N_("title"), shrink=8, text=True, show=lambda r: r["title"] or r["filename"]),
               Column("received_on", N_("received")),
               Column("pages", N_("pages"), right=True),
               Column("size", N_("size"), right=True, show=lambda r: _size(r["size"])),
               Column("text", N_("text"), show=lambda r: _(TEXT_STATUS[r["text"]]))]
    emit_list(rows, columns, fmt, empty=_("request {id} has no documents.").format(id=request_id))


TEXT_STATUS = {"read": N_("searched"), "none": N_("no text"), "unreadable": N_("unreadable")}


@doc.command("open")
@click.argument("doc_id", metavar="DOC", type=int)
@click.option("-o", "--output", metavar="PATH", help="Write a copy to PATH instead of printing where the file is.")
@click.option("--force", is_flag=True, help="Replace an existing file of that name (never a database).")
@pass_app
def doc_open(app: App, doc_id, output, force) -> None:
    """Print where document DOC's file is kept, or write a copy of it with -o.

    \b
    Example:
      kaiji doc open 3 -o kekka.pdf
    """
    from .. import documents
    from . import put_file

    with app.read() as s:
        path = documents.file_of(documents.get(s, doc_id), documents.files_folder(app.url))
    if output is None:
        click.echo(str(path))
        return
    written = put_file(app, output, path.read_bytes(), force)
    if written is not None:
        app.done = _("{path} was written").format(path=written)
        click.echo(_("wrote {path}").format(path=shown_path(written)))


@doc.command("remove")
@click.argument("doc_id", metavar="DOC", type=int)
@pass_app
def doc_remove(app: App, doc_id) -> None:
    """Remove document DOC; its file is deleted unless another document is the same file.

    \b
    Example:
      kaiji doc remove 3
    """
    from .. import documents

    with app.write() as s:
        doc, gone = documents.remove(s, doc_id, documents.files_folder(app.url))
    click.echo((_("document {id} removed, and its file.") if gone else
                _("document {id} removed; its file is kept, as another document is the same file.")).format(id=doc.id))


# ---------------------------------------------------------------- search

@cli.command()
@click.argument("query")
@click.option("--in", "where", metavar="PLACES",
              help="Where to look, comma-separated: requests, notes, decisions, documents (default: all).")
@click.option("--body", help="Only requests to this body (key or name).")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="The most hits shown.")
@format_option
@pass_app
def search(app: App, query, where, body, limit, fmt) -> None:
    """Search subjects, reasons, notes, decisions and documents' text; the newest request first.

    Every word of QUERY must occur in one piece of text; words of any length, without spaces in
    Japanese (怒鳴, 議会, 店). Full-width and half-width letters, and upper and lower case, are alike.

    \b
    Example:
      kaiji search 民生委員 --in documents,notes
    """
    from .. import search as searching

    with app.read() as s:
        hits = searching.search(s, query, where=where.split(",") if where else None, body=body, limit=limit)
        rows = [h.as_dict() for h in hits]
    columns = [Column("request", N_("request"), right=True),
               Column("where_label", N_("where"), shrink=6),
               Column("passage", N_("passage"), shrink=20, text=True,
                      show=lambda r: f"{r['passage'][:r['match_start']]}【{r['passage'][r['match_start']:r['match_end']]}】"
                                     f"{r['passage'][r['match_end']:]}")]
    emit_list(rows, columns, fmt, empty=_("nothing found for {query}.").format(query=query))
