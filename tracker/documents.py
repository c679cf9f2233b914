"""Documents received for a request (a notice, what was disclosed, a letter): a copy of each file kept
in the files folder, and a record saying what it is.

The files folder is KAIJI_FILES if set, else beside a SQLite database (kaiji.sqlite3-files), else (a
PostgreSQL database) `files` in the user's data folder. A file is stored under its SHA-256
(ab/abcdef…), readable by its owner only (files.write_bytes), so the same file added twice is stored
once and any number of records may name it; it is deleted when the last record naming it is removed,
after that removal has committed. Files are written inside the caller's transaction, after every check
and insert: if the transaction does not commit, the files it wrote new are deleted again (a file left
behind by a process killed meanwhile names no record and is harmless: it is reused if that file is
added again).

The text of a PDF (pypdf) and of a text file (UTF-8 or cp932) goes into the search index (search.py);
a damaged or encrypted PDF is stored all the same, with a warning that its text could not be read.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import stat
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Sequence

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from . import search
from .errors import BadInput, NotFound, Refused
from .i18n import N_, _
from .imports import MAX_BYTES
from .models import Decision, Document

# The kinds of document (--kind), with their Japanese names (accepted as well) and English ones.
KINDS = {"notice": ("通知書", N_("notice")), "disclosed": ("開示文書", N_("disclosed documents")),
         "letter": ("書簡", N_("letter")), "other": ("その他", N_("other"))}
TEXT_TYPES = ("text/plain", "text/csv", "text/markdown", "text/html", "application/json")


def files_folder(url: str) -> Path:
    """Where the database's document files are kept (see the module's docstring)."""
    from .db import sqlite_path

    given = os.environ.get("KAIJI_FILES")
    if given:
        return Path(given).expanduser().resolve()
    path = sqlite_path(url)
    if path is not None:
        return Path(f"{path}-files")
    from platformdirs import user_data_dir

    return Path(user_data_dir("kaiji", appauthor=False)) / "files"


def stored_path(folder: Path, sha256: str) -> Path:
    return folder / sha256[:2] / sha256


@dataclass
class Incoming:
    """A file read and looked at, not yet stored."""
    path: str
    data: bytes
    sha256: str
    media_type: str
    pages: int | None
    text: str | None
    status: str          # documents.text_status
    problem: str | None  # why its text could not be read


def media_type(name: str, data: bytes) -> str:
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def pdf_text(data: bytes) -> tuple[int | None, str | None, str | None]:
    """A PDF's pages and text, or why its text cannot be read: (pages, text, problem)."""
    import io
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about a damaged file: the warning below says it
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return None, None, _("it is encrypted")
        pages = len(reader.pages)
        return pages, "\n".join(p.extract_text() or "" for p in reader.pages), None
    except Exception as exc:  # pypdf raises many kinds on a damaged file (PdfReadError, ValueError, KeyError …)
        return None, None, _("it is damaged ({reason})").format(reason=str(exc).splitlines()[0] if str(exc)
                                                                    else type(exc).__name__)


def plain_text(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return None


def read(path: str) -> Incoming:
    """Read a file to add: a regular file of at most MAX_BYTES (as `request import` takes), with its text."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise BadInput(_("cannot read {name} ({reason}); check the file's path.").format(
            name=path, reason=exc.strerror), field="files") from None
    if not stat.S_ISREG(st.st_mode):
        raise BadInput(_("{name} is not a regular file (it is a folder, device or pipe); name the document's "
                         "file.").format(name=path), field="files")
    if st.st_size > MAX_BYTES:
        raise BadInput(_("{name} is {size} MB, more than the {limit} MB kaiji keeps of one document; split it or "
                         "keep it elsewhere.").format(name=path, size=st.st_size // 2**20, limit=MAX_BYTES // 2**20),
                       field="files")
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise BadInput(_("cannot read {name} ({reason}); check the file's path and permissions.").format(
            name=path, reason=exc.strerror), field="files") from None
    if len(data) > MAX_BYTES:
        raise BadInput(_("{name} holds more than the {limit} MB kaiji keeps of one document; split it or keep it "
                         "elsewhere.").format(name=path, limit=MAX_BYTES // 2**20), field="files")
    kind = media_type(path, data)
    pages = text = problem = None
    status = "none"
    if kind == "application/pdf":
        pages, text, problem = pdf_text(data)
    elif kind.startswith("text/") or kind in TEXT_TYPES:
        text = plain_text(data)
        if text is None:
            problem = _("it is neither UTF-8 nor Shift_JIS (cp932) text")
    if problem is not None:
        status = "unreadable"
    elif text is not None:
        status = "read"
    return Incoming(path, data, hashlib.sha256(data).hexdigest(), kind, pages, text, status, problem)


@dataclass
class Added:
    documents: list[Document]
    warnings: list[str] = field(default_factory=list)


def kind_key(value: str) -> str:
    from .events import choice_key

    return choice_key(value, {k: ja for k, (ja, _en) in KINDS.items()}, N_("the kind (--kind)"), field="kind")


def kind_label(key: str) -> str:
    from .i18n import language

    ja, en = KINDS[key]
    return ja if language() == "ja" else _(en)


def add(session: Session, request_id: int, paths: Sequence[str], *, folder: Path, kind: str = "other",
        decision: int | None = None, title: str | None = None, received: date | None = None) -> Added:
    """Keep a copy of each file for the request, with its record and its text in the search index; all in the
    caller's transaction (a bad file among several: nothing is recorded, and no file is left behind)."""
    from .service import clean, get_request

    req = get_request(session, request_id)
    if not paths:
        raise BadInput(_("name at least one file to add."), field="files")
    kind = kind_key(kind)
    if decision is not None:
        d = session.get(Decision, decision)
        if d is None or d.request_id != req.id:
            raise NotFound(_("request {id} has no decision {decision}; `kaiji request show {id}` lists its "
                             "decisions.").format(id=req.id, decision=decision), field="decision")
    title = clean(title, _("the title"), field="title")
    incoming = [read(p) for p in paths]  # every file read and checked before anything is written
    added = Added([])
    for f in incoming:
        doc = Document(request_id=req.id, decision_id=decision, kind=kind, title=title,
                       filename=os.path.basename(f.path), sha256=f.sha256, size=len(f.data), pages=f.pages,
                       media_type=f.media_type, received_on=received, text_status=f.status)
        session.add(doc)
        session.flush()
        search.index_document(session, doc, f.text)
        added.documents.append(doc)
        if f.problem is not None:
            added.warnings.append(_("the text of {name} could not be read ({reason}); it is kept, but search will "
                                    "not find its words.").format(name=f.path, reason=f.problem))
    _store(session, folder, incoming)
    return added


def _store(session: Session, folder: Path, incoming: Sequence[Incoming]) -> None:
    """Write the files not stored yet; delete them again if the transaction does not commit."""
    from .files import make_folder, write_bytes

    written: list[Path] = []
    try:
        for f in incoming:
            target = stored_path(folder, f.sha256)
            if target.exists() or target in written:
                continue
            make_folder(target.parent)
            write_bytes(target, f.data, what=N_("the document"))
            written.append(target)
    except OSError as exc:
        _unlink(written)
        raise Refused(_("cannot keep the files in {folder} ({reason}); nothing was recorded: check that the folder "
                        "(KAIJI_FILES) is writable and has room.").format(folder=folder, reason=exc.strerror)) from None
    except BaseException:
        _unlink(written)
        raise
    if written:
        _when_ended(session, on_rollback=lambda: _unlink(written))


def _unlink(paths: Sequence[Path]) -> None:
    for p in paths:
        try:
            p.unlink()
            p.parent.rmdir()  # its ab/ folder, once empty
        except OSError:
            pass


def _when_ended(session: Session, *, on_commit=None, on_rollback=None) -> None:
    """Run on_commit once the session's outermost transaction has committed, on_rollback if it ended without."""
    committed, ended = [], []

    def after_commit(_session):
        committed.append(True)

    def after_end(_session, transaction):
        if transaction.parent is not None or transaction.nested or ended:
            return
        ended.append(True)  # (a listener cannot be removed while the session calls them)
        action = on_commit if committed else on_rollback
        if action is not None:
            action()

    event.listen(session, "after_commit", after_commit)
    event.listen(session, "after_transaction_end", after_end)


def get(session: Session, doc_id: int) -> Document:
    doc = session.get(Document, doc_id) if 0 < doc_id <= 2**31 - 1 else None
    if doc is None:
        raise NotFound(_("there is no document {id}; `kaiji doc list REQUEST` shows the ids.").format(id=doc_id),
                       field="document")
    return doc


def of_request(session: Session, request_id: int) -> list[Document]:
    from .service import get_request

    get_request(session, request_id)
    return list(session.scalars(select(Document).where(Document.request_id == request_id).order_by(Document.id)))


def file_of(doc: Document, folder: Path) -> Path:
    """The stored file of a document; refused if it is not in the folder (KAIJI_FILES set elsewhere?)."""
    path = stored_path(folder, doc.sha256)
    if not path.is_file():
        raise Refused(_("the file of document {id} is not in {folder}; if the files were moved, set KAIJI_FILES to "
                        "their folder.").format(id=doc.id, folder=folder))
    return path


def remove(session: Session, doc_id: int, folder: Path) -> tuple[Document, bool]:
    """Remove a document's record (and its words from the index); its file is deleted once the removal has
    committed, unless another record names it. Returns the document and whether the file goes."""
    doc = get(session, doc_id)
    search.unindex_document(session, doc.id)
    session.delete(doc)
    session.flush()
    others = session.scalar(select(func.count()).select_from(Document).where(Document.sha256 == doc.sha256))
    if not others:
        path = stored_path(folder, doc.sha256)
        _when_ended(session, on_commit=lambda: _unlink([path]))
    return doc, not others


def document_dict(doc: Document) -> dict:
    return {"id": doc.id, "request": doc.request_id, "decision": doc.decision_id, "kind": doc.kind,
            "title": doc.title, "filename": doc.filename, "media_type": doc.media_type, "size": doc.size,
            "pages": doc.pages, "received_on": doc.received_on.isoformat() if doc.received_on else None,
            "text": doc.text_status, "sha256": doc.sha256}


def backup_files(backup: Path, folder: Path) -> tuple[Path, int]:
    """Copy the files a SQLite backup's documents name into a folder beside it (BACKUP-files): the backup
    and its folder restore together. Returns the folder and the files copied."""
    import sqlite3

    from .files import make_folder, write_bytes

    con = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        names = [r[0] for r in con.execute("SELECT DISTINCT sha256 FROM documents ORDER BY sha256")]
    finally:
        con.close()
    dest = Path(f"{backup}-files")
    copied = 0
    for sha in names:
        source = stored_path(folder, sha)
        if not source.is_file():
            continue  # removed since the backup's moment, or never here: `doc open` says so for it
        target = stored_path(dest, sha)
        try:
            make_folder(target.parent)
        except OSError as exc:
            from .files import failure

            raise failure(target.parent, exc, N_("the document")) from None
        write_bytes(target, source.read_bytes(), force=True, what=N_("the document"))
        copied += 1
    return dest, copied
