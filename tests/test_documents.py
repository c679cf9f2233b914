"""Documents kept with a request (tracker/documents.py): one stored file per content, owner-only, text for
search; all or nothing; a damaged or encrypted PDF kept with a warning. Through the library, then the
command line's wiring (doc add/list/open/remove, db backup --with-files)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
from datetime import date
from pathlib import Path

import pytest

from tracker import db as dbm
from tracker import documents, search, service
from tracker.errors import BadInput, NotFound

from .conftest import PG_URL

D = date.fromisoformat
PAPERS = Path(__file__).parent / "data" / "maizuru-2024-papers.txt"


@pytest.fixture
def rid(engine) -> int:
    with dbm.transaction(engine) as s:
        return service.add_request(s, body="maizuru", subject="アンケートの調査結果", received=D("2024-12-27")).id


@pytest.fixture
def folder(tmp_path) -> Path:
    return tmp_path / "files"


def add(engine, rid, paths, folder, **kw) -> documents.Added:
    with dbm.transaction(engine) as s:
        return documents.add(s, rid, [str(p) for p in paths], folder=folder, **kw)


def stored(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def hits(engine, query: str) -> set[tuple[int, str, int | None]]:
    with dbm.reading(engine) as s:
        return {(h.request, h.field, h.source_id) for h in search.search(s, query)}


def pdf(path: Path, pages: list[str], encrypt: str | None = None) -> Path:
    """A PDF drawn by ReportLab in the embedded IPAex Mincho, one line of text a page."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from tracker.pdf import fonts

    font = next((p for p in fonts.candidates() if p.name == "ipaexm.ttf"), None)
    if font is None:
        pytest.skip("IPAex Mincho (fonts-ipaexfont-mincho) is not installed")
    pdfmetrics.registerFont(TTFont("TestIPAex", str(font)))
    c = canvas.Canvas(str(path), encrypt=encrypt)
    for text in pages:
        c.setFont("TestIPAex", 12)
        c.drawString(72, 720, text)
        c.showPage()
    c.save()
    return path


def test_a_text_file_is_kept_by_its_sha256_owner_only_with_its_text(engine, rid, folder):
    added = add(engine, rid, [PAPERS], folder, kind="disclosed", title="アンケート回答", received=D("2025-01-24"))
    doc = added.documents[0]
    data = PAPERS.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    assert (doc.sha256, doc.size, doc.pages, doc.media_type, doc.text_status) == (sha, len(data), None,
                                                                                 "text/plain", "read")
    assert (doc.kind, doc.title, doc.received_on, doc.filename) == ("disclosed", "アンケート回答", D("2025-01-24"),
                                                                   "maizuru-2024-papers.txt")
    path = folder / sha[:2] / sha
    assert stored(folder) == [path] and path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700 and stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert added.warnings == []
    assert hits(engine, "民生委員") == {(rid, "document", doc.id)}
    assert hits(engine, "アンケート回答") >= {(rid, "document", doc.id)}   # the title is searched too


def test_a_shift_jis_text_file_is_read(engine, rid, folder, tmp_path):
    letter = tmp_path / "letter.txt"
    letter.write_bytes("開示の実施について（通知）".encode("cp932"))
    doc = add(engine, rid, [letter], folder, kind="letter").documents[0]
    assert doc.text_status == "read" and hits(engine, "開示の実施") == {(rid, "document", doc.id)}


def test_the_same_file_twice_is_stored_once_and_kept_while_a_record_names_it(engine, rid, folder):
    first = add(engine, rid, [PAPERS], folder).documents[0]
    second = add(engine, rid, [PAPERS], folder, kind="disclosed").documents[0]
    assert first.id != second.id and first.sha256 == second.sha256
    assert len(stored(folder)) == 1
    with dbm.transaction(engine) as s:
        _doc, gone = documents.remove(s, first.id, folder)
    assert not gone and len(stored(folder)) == 1
    assert hits(engine, "怒鳴") == {(rid, "document", second.id)}
    with dbm.transaction(engine) as s:
        _doc, gone = documents.remove(s, second.id, folder)
    assert gone and stored(folder) == []
    assert hits(engine, "怒鳴") == set()


def test_a_removal_that_does_not_commit_keeps_the_file(engine, rid, folder):
    doc = add(engine, rid, [PAPERS], folder).documents[0]
    with pytest.raises(RuntimeError), dbm.transaction(engine) as s:
        documents.remove(s, doc.id, folder)
        raise RuntimeError("interrupted")
    assert len(stored(folder)) == 1
    with dbm.reading(engine) as s:
        assert documents.file_of(documents.get(s, doc.id), folder).read_bytes() == PAPERS.read_bytes()


def test_a_japanese_pdf_gives_its_pages_and_text(engine, rid, folder, tmp_path):
    made = pdf(tmp_path / "kettei.pdf", ["行政文書部分開示決定通知書", "窓口で怒鳴られた職員の記録"])
    doc = add(engine, rid, [made], folder, kind="notice").documents[0]
    assert (doc.media_type, doc.pages, doc.text_status) == ("application/pdf", 2, "read")
    with dbm.reading(engine) as s:
        text = next(h for h in search.search(s, "職員の記録")).passage
    assert "窓口で怒鳴られた職員の記録" in text                       # the embedded font's text comes back
    assert hits(engine, "部分開示決定") == {(rid, "document", doc.id)}


def test_a_damaged_or_encrypted_pdf_is_kept_with_a_warning(engine, rid, folder, tmp_path):
    damaged = tmp_path / "broken.pdf"
    damaged.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nthis is not a PDF's body")
    secret = pdf(tmp_path / "secret.pdf", ["秘密の文書"], encrypt="kagi")
    added = add(engine, rid, [damaged, secret], folder)
    assert [(d.text_status, d.pages, d.media_type) for d in added.documents] == [
        ("unreadable", None, "application/pdf")] * 2
    assert len(added.warnings) == 2
    assert "broken.pdf" in added.warnings[0] and "damaged" in added.warnings[0]
    assert "secret.pdf" in added.warnings[1] and "encrypted" in added.warnings[1]
    assert len(stored(folder)) == 2                                    # kept all the same
    assert hits(engine, "秘密") == set()
    assert hits(engine, "secret.pdf") == {(rid, "document", added.documents[1].id)}   # its name is searched


def test_a_bad_file_among_several_records_nothing_and_leaves_no_file(engine, rid, folder, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("開示文書", "utf-8")
    for bad in (tmp_path / "missing.pdf", tmp_path):      # a file that is not there, a folder
        with pytest.raises(BadInput) as e, dbm.transaction(engine) as s:
            documents.add(s, rid, [str(good), str(bad)], folder=folder)
        assert e.value.field == "files" and str(bad) in str(e.value)
    assert stored(folder) == []
    with dbm.reading(engine) as s:
        assert documents.of_request(s, rid) == []


def test_files_written_by_a_transaction_that_does_not_commit_are_deleted(engine, rid, folder):
    with pytest.raises(RuntimeError), dbm.transaction(engine) as s:
        documents.add(s, rid, [str(PAPERS)], folder=folder)
        assert len(stored(folder)) == 1
        raise RuntimeError("the next step failed")
    assert stored(folder) == []


def test_a_file_over_the_limit_is_refused(engine, rid, folder, tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "MAX_BYTES", 1000)
    with pytest.raises(BadInput) as e:
        add(engine, rid, [PAPERS], folder)
    assert "MB" in str(e.value) and stored(folder) == []


def test_a_decision_must_be_the_requests_and_the_kind_one_of_four(engine, rid, folder):
    with dbm.transaction(engine) as s:
        other = service.add_request(s, body="maizuru", subject="別の請求", received=D("2025-01-06")).id
        service.decide(s, other, kind="full", on=D("2025-01-10"))
        service.decide(s, rid, kind="full", on=D("2025-01-10"))
        theirs, ours = (service.get_request(s, i).decisions[0].id for i in (other, rid))
    with pytest.raises(NotFound) as e:
        add(engine, rid, [PAPERS], folder, decision=theirs)
    assert e.value.field == "decision"
    assert add(engine, rid, [PAPERS], folder, decision=ours).documents[0].decision_id == ours
    with pytest.raises(BadInput) as e:
        add(engine, rid, [PAPERS], folder, kind="minutes")
    assert e.value.field == "kind"
    assert add(engine, rid, [PAPERS], folder, kind="開示文書").documents[0].kind == "disclosed"


@pytest.mark.skipif(bool(PG_URL), reason="SQLite files only")
def test_the_files_are_kept_beside_the_database_unless_kaiji_files_says(db_url, monkeypatch, tmp_path):
    monkeypatch.delenv("KAIJI_FILES")
    assert documents.files_folder(db_url) == Path(f"{dbm.sqlite_path(db_url)}-files")
    monkeypatch.setenv("KAIJI_FILES", str(tmp_path / "elsewhere"))
    assert documents.files_folder(db_url) == tmp_path / "elsewhere"


# ---------------------------------------------------------------- the command line

def test_doc_commands(kaiji, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "アンケートの調査結果", "--received", "R6.12.27")
    out = kaiji.ok("doc", "add", "1", PAPERS, PAPERS, "--kind", "disclosed", "--received", "令和7年1月24日").stdout
    assert out.strip() == "documents 1, 2 added to request 1."
    listed = json.loads(kaiji.ok("doc", "list", "1", "--json").stdout)
    assert [(d["id"], d["kind"], d["received_on"], d["text"]) for d in listed] == [
        (1, "disclosed", "2025-01-24", "read"), (2, "disclosed", "2025-01-24", "read")]
    where = Path(kaiji.ok("doc", "open", "1").stdout.strip())
    assert where.read_bytes() == PAPERS.read_bytes() and where.is_relative_to(Path(os.environ["KAIJI_FILES"]))
    assert kaiji.ok("doc", "open", "1", "-o", "copy.txt").stdout.strip() == "wrote copy.txt"
    assert (tmp_path / "copy.txt").read_bytes() == PAPERS.read_bytes()
    assert kaiji("doc", "open", "1", "-o", "copy.txt").exit_code == 1            # not over a file without --force
    assert "its file is kept" in kaiji.ok("doc", "remove", "1").stdout
    assert kaiji.ok("doc", "remove", "2").stdout.strip() == "document 2 removed, and its file."
    assert not where.exists()
    missing = kaiji("doc", "open", "2")
    assert missing.exit_code == 2 and "there is no document 2" in missing.output
    assert kaiji("doc", "add", "9", PAPERS).exit_code == 2


def test_doc_add_warns_of_a_pdf_it_cannot_read(kaiji, tmp_path):
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "アンケートの調査結果", "--received", "R6.12.27")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n%%EOF garbage")
    result = kaiji.ok("doc", "add", "1", broken)
    assert "kaiji: warning: the text of" in result.stderr and "document 1 added to request 1." in result.stdout


@pytest.mark.skipif(bool(PG_URL), reason="kaiji db backup copies SQLite files")
def test_backup_with_files_copies_the_documents_files(kaiji, tmp_path):
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "アンケートの調査結果", "--received", "R6.12.27")
    kaiji.ok("doc", "add", "1", PAPERS)
    dest = tmp_path / "backup.sqlite3"
    out = kaiji.ok("db", "backup", "--with-files", dest).stdout
    assert f"1 document file copied to {dest}-files" in out
    sha = hashlib.sha256(PAPERS.read_bytes()).hexdigest()
    copy = Path(f"{dest}-files") / sha[:2] / sha
    assert copy.read_bytes() == PAPERS.read_bytes() and stat.S_IMODE(copy.stat().st_mode) == 0o600
    # the backup opens with its files beside it: its document is there
    restored = dbm.database_url(str(dest))
    engine = dbm.open_database(restored)
    with dbm.reading(engine) as s:
        doc = documents.get(s, 1)
        assert documents.file_of(doc, Path(f"{dest}-files")) == copy
    engine.dispose()


def test_the_readme_documents_section_runs_and_shows_what_kaiji_prints(kaiji, tmp_path, monkeypatch):
    """The README's "Documents and search" commands, on the Maizuru request with its papers beside; the table
    it shows is what `kaiji search 怒鳴` prints at 80 columns."""
    import re
    import shlex
    import shutil

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    section = readme.split("## Documents and search", 1)[1].split("\n## ", 1)[0]
    commands, shown = re.findall(r"```sh\n(.+?)\n```\n\n```\n(.+?)\n```", section, re.S)[0]
    monkeypatch.chdir(tmp_path)
    shutil.copy(PAPERS, tmp_path / "maizuru-2024-papers.txt")
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "アンケートの調査結果", "--received", "R6.12.27")
    monkeypatch.setenv("COLUMNS", "80")
    for line in commands.splitlines():
        kaiji.ok(*shlex.split(line)[1:])
    assert kaiji.ok("search", "怒鳴").stdout.rstrip("\n") == shown
