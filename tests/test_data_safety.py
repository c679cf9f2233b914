"""Nothing lost, nothing clobbered (issue 10): what kaiji writes, where, and what it says when writing fails.

Files: written whole or not at all (tracker.files), never over the database or a backup, an
existing file only with --force, owner-only. Standard output: a failure after the records were
committed says so (exit 3) rather than "nothing was written". Subprocesses where the real process
matters (exit codes, pipes, signals, a full disk as RLIMIT_FSIZE makes one); CliRunner elsewhere.
"""

from __future__ import annotations

import errno
import os
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker import files
from tracker.cli import cli
from tracker.errors import BadInput, Refused

KAIJI = [sys.executable, "-c", "from tracker.launch import main; main()"]
# --force: several tests add the same request more than once
ADD = ["request", "add", "--body", "maizuru", "--subject", "調査結果", "--received", "2025-01-06", "--force"]


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def invoke(*args, **kwargs):
    return CliRunner(**kwargs).invoke(cli, [str(a) for a in args], catch_exceptions=False)


def one_sentence(result_or_stderr, code: int | None = None) -> str:
    stderr = result_or_stderr if isinstance(result_or_stderr, str) else result_or_stderr.stderr
    if code is not None:
        assert result_or_stderr.exit_code == code, (result_or_stderr.exit_code, stderr)
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr and len(lines) == 1 and lines[0].startswith("kaiji: error: "), stderr
    assert "internal error" not in stderr, stderr
    return lines[0]


@pytest.fixture
def sqlite_db(tmp_path) -> Path:
    """A SQLite database (whatever KAIJI_TEST_DB says) with one request, in a folder of its own."""
    db = tmp_path / "data" / "kaiji.sqlite3"
    db.parent.mkdir()
    assert invoke("--db", db, *ADD).exit_code == 0
    return db


def run(args, env=None, limit: int | None = None, **kwargs) -> subprocess.CompletedProcess:
    """kaiji as a process; limit: the largest file it may write (RLIMIT_FSIZE), a disk that fills up."""
    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    kwargs.setdefault("capture_output", True)
    return subprocess.run([*KAIJI, *map(str, args)], env={**os.environ, **(env or {})},
                          preexec_fn=small_disk if limit else None, **kwargs)


def count_requests(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT count(*) FROM requests").fetchone()[0]
    finally:
        con.close()


# ---------------------------------------------------------------- 3. never over the database, an existing file only with --force

@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_a_pdf_is_never_written_over_the_database_or_its_side_files(sqlite_db, suffix):
    target = Path(f"{sqlite_db}{suffix}")
    for force in ([], ["--force"]):
        result = invoke("--db", sqlite_db, "pdf", "request", "1", "-o", target, *force)
        assert "is the database or one of its files" in one_sentence(result, 2)
        assert not target.exists() or not target.read_bytes().startswith(b"%PDF")  # SQLite's own -shm changes
        assert count_requests(sqlite_db) == 1


def test_the_database_is_recognised_through_a_symbolic_link(sqlite_db, tmp_path):
    (tmp_path / "link").symlink_to(sqlite_db.parent)
    result = invoke("--db", sqlite_db, "pdf", "request", "1", "-o", tmp_path / "link" / "kaiji.sqlite3-journal")
    assert "is the database or one of its files" in one_sentence(result, 2)
    assert not Path(f"{sqlite_db}-journal").exists()


def test_a_pdf_is_never_written_over_a_backup(sqlite_db, tmp_path):
    backup = tmp_path / "copy.sqlite3"
    assert invoke("--db", sqlite_db, "db", "backup", backup).exit_code == 0
    before = backup.read_bytes()
    result = invoke("--db", sqlite_db, "pdf", "request", "1", "-o", backup, "--force")
    assert "is a SQLite database" in one_sentence(result, 1)
    assert backup.read_bytes() == before


def test_an_existing_pdf_is_replaced_only_with_force(sqlite_db, tmp_path):
    out = tmp_path / "request.pdf"
    out.write_bytes(b"my own notes")
    result = invoke("--db", sqlite_db, "pdf", "request", "1", "-o", out)
    assert "exists already; give --force" in one_sentence(result, 1)
    assert out.read_bytes() == b"my own notes"
    assert invoke("--db", sqlite_db, "pdf", "request", "1", "-o", out, "--force").exit_code == 0
    assert out.read_bytes().startswith(b"%PDF")


def test_each_refuses_before_writing_any_file_when_one_exists(sqlite_db, tmp_path):
    assert invoke("--db", sqlite_db, *ADD).exit_code == 0
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "request-2.pdf").write_bytes(b"keep")
    result = invoke("--db", sqlite_db, "pdf", "request", "1", "2", "--each", "-o", folder)
    assert "exists already" in one_sentence(result, 1)
    assert sorted(p.name for p in folder.iterdir()) == ["request-2.pdf"]


def test_a_backup_replaces_a_file_only_with_force_and_never_another_database(sqlite_db, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_bytes(b"notes")
    assert "exists already" in one_sentence(invoke("--db", sqlite_db, "db", "backup", other), 1)
    assert other.read_bytes() == b"notes"
    assert invoke("--db", sqlite_db, "db", "backup", other, "--force").exit_code == 0
    assert other.read_bytes().startswith(files.SQLITE_HEADER)
    result = invoke("--db", sqlite_db, "db", "backup", other, "--force")  # now a backup: never written over
    assert "is a SQLite database" in one_sentence(result, 1)
    result = invoke("--db", sqlite_db, "db", "backup", f"{sqlite_db}-wal", "--force")
    assert "is the database or one of its files" in one_sentence(result, 2)


# ---------------------------------------------------------------- 4. an output failure after the commit says the records were saved

@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_stdout_after_the_commit_says_the_request_was_saved(sqlite_db):
    with open("/dev/full", "w") as full:
        p = run(["--db", sqlite_db, *ADD], stdout=full, stderr=subprocess.PIPE, capture_output=False, text=True)
    assert p.returncode == 3, p.stderr
    message = one_sentence(p.stderr)
    assert "the records were saved (requests 2; events" in message and "do not run the command again" in message
    assert "nothing was written" not in message
    assert count_requests(sqlite_db) == 2  # saved once; the message says so, so that it is not run again


def test_a_full_stdout_after_an_import_names_the_rows_it_saved(sqlite_db, tmp_path):
    """The import inserts its rows without the ORM (service.write_requests): the message still names them."""
    csv_path = tmp_path / "r.csv"
    csv_path.write_text("body,subject,received,department\n" + "".join(
        f"maizuru,文書{i},2025-01-06,新しい課\n" for i in range(3)), encoding="utf-8")
    with open("/dev/full", "w") as full:
        p = run(["--db", sqlite_db, "request", "import", str(csv_path)], stdout=full, stderr=subprocess.PIPE,
                capture_output=False, text=True)
    assert p.returncode == 3, p.stderr
    message = one_sentence(p.stderr)
    assert "the records were saved (departments " in message, message
    assert "; requests 2–4 (3); events 3–8 (6))" in message, message
    assert count_requests(sqlite_db) == 4


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("command", [["pdf", "request", "1", "-o", "{tmp}/r.pdf"], ["db", "backup", "{tmp}/b.sqlite3"]])
def test_a_full_stdout_after_a_file_was_written_says_so(sqlite_db, tmp_path, command):
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    with open("/dev/full", "w") as full:
        p = run(["--db", sqlite_db, *args], stdout=full, stderr=subprocess.PIPE, capture_output=False, text=True)
    assert p.returncode == 3 and f"{args[-1]} was written, but standard output failed" in one_sentence(p.stderr)
    assert Path(args[-1]).exists()


def test_a_closed_pipe_after_the_commit_says_the_request_was_saved(sqlite_db):
    read, write = os.pipe()
    os.close(read)
    try:
        p = run(["--db", sqlite_db, *ADD], stdout=write, stderr=subprocess.PIPE, capture_output=False, text=True)
    finally:
        os.close(write)
    assert p.returncode == 3, p.stderr
    assert "the records were saved (requests 2;" in one_sentence(p.stderr)
    assert count_requests(sqlite_db) == 2


def test_an_encoding_that_cannot_show_the_output_after_the_commit(kaiji):
    """On both databases: the request is saved; the JSON holds "—", which cp932 cannot show."""
    result = CliRunner(charset="cp932").invoke(cli, ["--db", kaiji.url, *ADD[:4], "--subject", "調査—結果",
                                                     *ADD[6:], "--json"], catch_exceptions=False)
    message = one_sentence(result, 3)
    assert "the records were saved (requests 1; events" in message and "U+2014" in message
    assert "調査" not in message  # ids, never the text (it may be personal data)
    assert "調査—結果" in kaiji.ok("request", "show", "1").output


def test_an_output_failure_before_any_commit_is_one_sentence_and_saves_nothing(kaiji):
    kaiji.ok(*ADD)
    result = CliRunner(charset="cp932").invoke(cli, ["--db", kaiji.url, "explain", "1"], catch_exceptions=False)
    message = one_sentence(result, 1)
    assert "cannot write to standard output" in message and "U+2014" in message and "nothing was written" in message


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["--help"], ["--version"], ["request", "--help"]])
def test_help_into_a_full_stdout_is_one_sentence(args):
    with open("/dev/full", "w") as full:
        p = run(args, stdout=full, stderr=subprocess.PIPE, capture_output=False, text=True)
    assert p.returncode == 1 and "cannot write to standard output (No space left on device)" in one_sentence(p.stderr)


def test_a_closed_pipe_on_a_read_stays_quiet(sqlite_db):
    read, write = os.pipe()
    os.close(read)
    try:
        p = run(["--db", sqlite_db, "request", "list"], stdout=write, stderr=subprocess.PIPE, capture_output=False)
    finally:
        os.close(write)
    assert (p.returncode, p.stderr) == (1, b"")


def test_ctrl_c_after_the_commit_says_the_request_was_saved(kaiji, monkeypatch):
    from tracker.cli import requests

    def interrupted(message):
        raise KeyboardInterrupt

    monkeypatch.setattr(requests, "warn", interrupted)  # called after the commit, for a requester new to kaiji
    result = CliRunner().invoke(cli, ["--db", kaiji.url, *ADD, "--requester", "山田 花子"], catch_exceptions=False)
    message = one_sentence(result, 3)
    assert "the records were saved (requesters 1; requests 1; events" in message and "interrupted" in message
    assert "山田" not in message
    assert len(kaiji.ok("request", "list", "--json").output.split('"id"')) == 2  # one request, saved once


def test_describe_saved_names_tables_and_ids_only():
    from tracker.cli import describe_saved

    rows = [("new", "requests", i) for i in range(5, 105)] + [("new", "events", 7), ("changed", "requests", 5),
                                                                ("changed", "bodies", 2)]
    assert describe_saved(rows) == "requests 5–104 (100); events 7; changed bodies 2"


# ---------------------------------------------------------------- 5. whole or not at all

def test_a_full_disk_leaves_the_old_file_as_it_was(tmp_path, monkeypatch):
    out = tmp_path / "request.pdf"
    out.write_bytes(b"%PDF the good old one")
    calls = []

    def write(fd, data):
        calls.append(fd)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return os_write(fd, bytes(data[:1000]))

    os_write = os.write
    monkeypatch.setattr(files.os, "write", write)
    with pytest.raises(Refused, match="No space left on device.*free some space"):
        files.write_bytes(out, b"%PDF" + bytes(50_000), force=True)
    assert out.read_bytes() == b"%PDF the good old one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["request.pdf"]  # no temporary file left


@pytest.mark.parametrize("fail_at", ["fsync", "rename"])
def test_a_failure_before_the_name_is_given_leaves_nothing(tmp_path, monkeypatch, fail_at):
    def broken(*args):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(files.os, "fsync" if fail_at == "fsync" else "link", broken)
    with pytest.raises(Refused, match="Input/output error"):
        files.write_bytes(tmp_path / "new.pdf", b"%PDF")
    assert list(tmp_path.iterdir()) == []


def test_a_bad_name_is_one_sentence(tmp_path):
    with pytest.raises(BadInput, match="File name too long"):
        files.write_bytes(tmp_path / ("a" * 300), b"x")
    with pytest.raises(BadInput, match="No such file or directory"):
        files.write_bytes(tmp_path / "no" / "x.pdf", b"x")


def test_a_real_full_disk_keeps_the_old_pdf(sqlite_db, tmp_path):
    """RLIMIT_FSIZE: writes past 40 KB fail, as on a full disk. The old PDF was truncated in place before.
    (40 KB: room for SQLite's 32 KB shared-memory file, made anew when the database is opened now that each
    command closes its connections; a request PDF is larger.)"""
    out = tmp_path / "request.pdf"
    assert invoke("--db", sqlite_db, "pdf", "request", "1", "-o", out).exit_code == 0
    good = out.read_bytes()
    assert len(good) > 40_000
    p = run(["--db", sqlite_db, "pdf", "request", "1", "-o", out, "--force"], limit=40_000, text=True)
    assert p.returncode == 1 and "File too large" in one_sentence(p.stderr)
    assert out.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "request.pdf"]


def test_ctrl_c_in_a_batch_leaves_whole_files_and_no_empty_one(sqlite_db, tmp_path, monkeypatch):
    for _ in range(3):
        assert invoke("--db", sqlite_db, *ADD).exit_code == 0
    named = []

    def link(part, path):  # the last step of each file: Ctrl-C as the second PDF is given its name
        if Path(path).name.startswith("request-"):
            named.append(path)
            if len(named) == 2:
                raise KeyboardInterrupt
        return os_link(part, path)

    os_link = os.link
    monkeypatch.setattr(files.os, "link", link)
    folder = tmp_path / "forms"
    result = CliRunner().invoke(cli, ["--db", str(sqlite_db), "pdf", "request", "1", "2", "3", "4", "--each", "-o",
                                      str(folder)])
    assert result.exit_code == 1 and "Aborted!" in result.stderr
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["request-1.pdf"], names  # the first written whole; no other, no temporary file
    assert (folder / "request-1.pdf").read_bytes().rstrip().endswith(b"%%EOF")


def test_a_full_disk_during_backup_leaves_nothing(sqlite_db, tmp_path):
    for _ in range(30):
        assert invoke("--db", sqlite_db, *ADD).exit_code == 0
    dest = tmp_path / "backup.sqlite3"
    p = run(["--db", sqlite_db, "db", "backup", dest], limit=sqlite_db.stat().st_size // 2, text=True)
    assert p.returncode == 1 and "cannot write the backup" in one_sentence(p.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_a_full_disk_while_creating_the_database_leaves_no_empty_file(tmp_path):
    db = tmp_path / "new" / "kaiji.sqlite3"
    p = run(["--db", db, "request", "list"], limit=8_192, text=True)
    assert p.returncode == 1 and "nothing was written" in one_sentence(p.stderr)
    assert list(db.parent.iterdir()) == []
    p = run(["--db", db, "request", "list"], text=True)  # with room, the database is created as usual
    assert p.returncode == 0 and db.exists() and mode(db) == 0o600


def test_a_full_disk_during_an_upgrade_leaves_the_database_as_it_was(sqlite_db, tmp_path):
    assert invoke("--db", sqlite_db, "db", "downgrade", "0002").exit_code == 0
    for f in sqlite_db.parent.glob("*.before-*"):
        f.unlink()
    def state():  # the records (a later open may checkpoint the -wal into the file) and the folder
        con = sqlite3.connect(sqlite_db)
        try:
            records = list(con.iterdump())
        finally:
            con.close()
        return records, sorted(p.name for p in sqlite_db.parent.iterdir() if not p.name.endswith(("-wal", "-shm")))

    before = state()
    p = run(["--db", sqlite_db, "db", "upgrade"], limit=sqlite_db.stat().st_size // 2, text=True)
    assert p.returncode == 1, p.stderr
    one_sentence(p.stderr)
    assert state() == before


# ---------------------------------------------------------------- 11. one sentence, not an internal error

BROKEN = "\udcff\udcfe名"  # bytes ff fe as Python passes them on from a command line that is not UTF-8


@pytest.mark.parametrize("args, option", [
    (ADD + ["--requester", BROKEN], "--requester"),
    (["request", "add", "--body", BROKEN, "--subject", "x"], "--body"),
    (["body", "add", "fukuchiyama", "--name", "福知山市長", "--jurisdiction", BROKEN], "--jurisdiction"),
    (["request", "transfer", "1", "--to", BROKEN], "--to"),
    (["requester", "edit", BROKEN, "--phone", "0773-00-0000"], "NAME"),
])
def test_text_that_is_not_utf8_is_one_sentence_naming_the_option(kaiji, args, option):
    kaiji.ok(*ADD)
    result = CliRunner().invoke(cli, ["--db", kaiji.url, *args], catch_exceptions=False)
    assert one_sentence(result, 2).startswith(f"kaiji: error: {option} is not valid UTF-8 text")


def test_a_300_character_output_name_is_one_sentence(sqlite_db, tmp_path):
    result = invoke("--db", sqlite_db, "pdf", "request", "1", "-o", tmp_path / ("a" * 300))
    assert "File name too long" in one_sentence(result, 2)


def test_a_form_file_value_of_the_wrong_kind_is_one_sentence(sqlite_db, tmp_path, monkeypatch):
    (tmp_path / "maizuru.toml").write_text('extends = "generic"\n[request]\ntitle = 12345\n', "utf-8")
    monkeypatch.setenv("KAIJI_FORMS", str(tmp_path))
    result = invoke("--db", sqlite_db, "pdf", "request", "1", "-o", tmp_path / "r.pdf")
    assert "sets request.title to int '12345', but it must be text" in one_sentence(result, 2)


# ---------------------------------------------------------------- 12. owner-only

@pytest.fixture
def loose_umask():
    old = os.umask(0o000)
    yield
    os.umask(old)


def test_an_existing_empty_file_used_as_the_database_becomes_owner_only(tmp_path):
    db = tmp_path / "kaiji.sqlite3"
    db.touch(0o644)
    os.chmod(db, 0o644)
    assert invoke("--db", db, *ADD).exit_code == 0
    assert mode(db) == 0o600


def test_every_folder_kaiji_creates_is_owner_only(tmp_path, loose_umask):
    db = tmp_path / "a" / "b" / "kaiji.sqlite3"
    assert invoke("--db", db, *ADD).exit_code == 0
    assert (mode(tmp_path / "a"), mode(tmp_path / "a" / "b")) == (0o700, 0o700)
    assert invoke("--db", db, "pdf", "request", "1", "--each", "-o", tmp_path / "x" / "y").exit_code == 0
    assert (mode(tmp_path / "x"), mode(tmp_path / "x" / "y")) == (0o700, 0o700)


def test_filled_in_pdfs_are_owner_only(sqlite_db, tmp_path, loose_umask):
    out = tmp_path / "request.pdf"
    assert invoke("--db", sqlite_db, "pdf", "request", "1", "-o", out).exit_code == 0
    assert mode(out) == 0o600


# ---------------------------------------------------------------- 14. a PDF on standard output is reported only when taken whole

def test_a_pdf_into_a_closed_pipe_is_not_reported_written(sqlite_db):
    read, write = os.pipe()
    os.close(read)
    try:
        p = run(["--db", sqlite_db, "pdf", "request", "1", "-o", "-"], stdout=write, stderr=subprocess.PIPE,
                capture_output=False, text=True)
    finally:
        os.close(write)
    assert p.returncode == 1 and "wrote" not in p.stderr
    assert "the PDF did not reach standard output whole" in one_sentence(p.stderr)


def test_a_pdf_into_a_pipe_its_reader_closes_early_is_not_reported_written(sqlite_db):
    for _ in range(5):  # long subjects: a PDF larger than the pipe holds
        assert invoke("--db", sqlite_db, *ADD[:4], "--subject", "調査結果" * 300, *ADD[6:]).exit_code == 0
    p = subprocess.run(" ".join([*map(repr, KAIJI), "--db", str(sqlite_db), "pdf", "request", "1", "2", "3", "4", "5",
                                 "6", "-o", "-", "| head -c1 >/dev/null; exit ${PIPESTATUS[0]}"]),
                       shell=True, executable="/bin/bash", capture_output=True, text=True)
    assert p.returncode == 1 and "wrote" not in p.stderr, p.stderr
    one_sentence(p.stderr)


# ---------------------------------------------------------------- 15. KAIJI_FORMS, Ctrl-C

def test_kaiji_forms_naming_no_folder_is_said(sqlite_db, tmp_path, monkeypatch):
    monkeypatch.setenv("KAIJI_FORMS", str(tmp_path / "nowhere"))
    result = invoke("--db", sqlite_db, "pdf", "request", "1", "-o", tmp_path / "r.pdf")
    assert "KAIJI_FORMS names" in one_sentence(result, 2) and not (tmp_path / "r.pdf").exists()


@pytest.mark.parametrize("module", ["click", "tracker.cli", "sqlalchemy"])
def test_ctrl_c_while_kaiji_loads_prints_no_traceback(tmp_path, module):
    """Ctrl-C as a module loads (kaiji's first tens of milliseconds), through the installed entry point."""
    import shutil

    script = shutil.which("kaiji", path=str(Path(sys.executable).parent))
    assert script is not None
    code = f"""
import os, runpy, signal, sys
class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == {module!r}:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None
sys.meta_path.insert(0, Interrupt())
sys.argv = ["kaiji", "--db", {str(tmp_path / "k.sqlite3")!r}, "request", "list"]
runpy.run_path({script!r}, run_name="__main__")
"""
    # Ctrl-C as a shell delivers it: a test worker of pytest-xdist ignores SIGINT, which a child would inherit.
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert "Traceback" not in p.stderr and p.stderr.strip() == "Aborted!", p.stderr
    assert p.returncode == 1
    assert not (tmp_path / "k.sqlite3").exists()
