"""Several processes writing one database at once lose nothing and never fail with "database is
locked"; a backup taken while they write is a consistent copy.

The writers are separate Python processes calling the library, one transaction per request, as
separate `kaiji request add` commands would. They all use one requester and one department that
do not exist yet, so they also race to create those. They start together: each says "ready" and
waits for "go" on its standard input.
"""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from tracker import db as dbm
from tracker.cli import cli
from tracker.models import Department, Request, Requester

from .conftest import PG_URL

WRITER = r"""
import sys
from datetime import date
from tracker import db as dbm, service

url, n, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
engine = dbm.open_database(url)
print("ready", flush=True)
sys.stdin.readline()
for i in range(n):
    with dbm.transaction(engine) as s:
        service.add_request(s, body="maizuru", subject=f"{tag} {i}", received=date(2025, 1, 6),
                            requester="市民オンブズマンまいづる", department_name="人事課")
    if i == 0:
        print("first", flush=True)
print("done", flush=True)
"""


def start(url: str, writers: int, each: int) -> list[subprocess.Popen]:
    """Start the writers, wait until every one is ready, then let them all go at once."""
    procs = []
    for w in range(writers):
        # stderr to a file: with two pipes, reading one to its end could wait on a child blocked on the other.
        err = tempfile.TemporaryFile("w+")
        p = subprocess.Popen([sys.executable, "-c", WRITER, url, str(each), f"writer{w}"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=err, text=True)
        p.err = err
        procs.append(p)
    for p in procs:
        line = p.stdout.readline()
        assert line == "ready\n", line + _stderr(p)
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    return procs


def _stderr(p: subprocess.Popen) -> str:
    p.err.seek(0)
    return p.err.read()


def finish(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        # Not communicate(): it reads the pipe's file descriptor directly, and loses what readline()
        # above has already buffered ("done" arrives with "first" from a fast writer).
        out = p.stdout.read()
        p.wait(timeout=600)
        err = _stderr(p)
        assert "locked" not in err.lower(), err
        assert p.returncode == 0, err
        assert out.endswith("done\n"), out + err


def subjects(url: str) -> list[str]:
    engine = dbm.make_engine(url)
    with dbm.reading(engine) as s:
        out = list(s.scalars(select(Request.subject).where(Request.subject.like("writer%"))))
    engine.dispose()
    return out


def test_eight_writers_of_200_lose_nothing(db_url):
    # On PostgreSQL the writers skip waiting for each commit's flush to disk: that guards against a
    # server crash, which this test does not make; locking and visibility are the same.
    url = db_url + ("?options=-c%20synchronous_commit%3Doff" if PG_URL else "")
    procs = start(url, 8, 200)
    finish(procs)
    got = subjects(db_url)
    assert len(got) == 1600
    assert sorted(got) == sorted(f"writer{w} {i}" for w in range(8) for i in range(200))
    engine = dbm.make_engine(db_url)
    with dbm.reading(engine) as s:
        # The requester and department the writers raced to create exist once, and every request has them.
        assert s.scalar(select(func.count()).select_from(Requester)
                        .where(Requester.name == "市民オンブズマンまいづる")) == 1
        assert s.scalar(select(func.count()).select_from(Department).where(Department.name == "人事課")) == 1
        assert s.scalar(select(func.count()).select_from(Request).where(
            Request.subject.like("writer%"), Request.requester_id.is_(None))) == 0
    engine.dispose()


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's online backup; PostgreSQL is backed up with pg_dump")
def test_a_backup_taken_while_others_write_is_consistent(db_url, tmp_path):
    procs = start(db_url, 2, 300)
    for p in procs:
        assert p.stdout.readline() == "first\n"  # both are writing
    copies = []
    while any(p.poll() is None for p in procs) or not copies:
        dest = tmp_path / f"copy{len(copies)}.sqlite3"
        result = CliRunner().invoke(cli, ["--db", db_url, "db", "backup", str(dest)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == f"backup written to {dest}"
        copies.append(dest)
    finish(procs)
    partial = 0
    for dest in copies:
        con = sqlite3.connect(dest)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
        rows = [r[0] for r in con.execute("SELECT subject FROM requests WHERE subject LIKE 'writer%'")]
        # Each writer commits its requests in order, so a copy of one moment holds a first part of each
        # writer's requests, every one with its events: nothing half-written, nothing skipped.
        for w in range(2):
            mine = sorted(int(s.split()[1]) for s in rows if s.startswith(f"writer{w} "))
            assert mine == list(range(len(mine)))
        assert con.execute("SELECT count(*) FROM requests r WHERE NOT EXISTS "
                           "(SELECT 1 FROM events e WHERE e.request_id = r.id AND e.kind = 'received')").fetchone()[0] == 0
        con.close()
        assert dest.stat().st_mode & 0o777 == 0o600
        assert not Path(f"{dest}-wal").exists()
        partial += 0 < len(rows) < 600
    assert partial >= 1, "no copy was taken while the writers were half-way: the test did not test that"
    assert not list(tmp_path.glob(".*part*"))  # no temporary file left behind


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only")
def test_postgresql_backup_is_done_with_the_pg_dump_command_kaiji_gives(db_url, tmp_path):
    """On PostgreSQL `kaiji db backup` says how to use pg_dump; the command it gives works."""
    import re
    import shlex
    import shutil
    result = CliRunner().invoke(cli, ["--db", db_url, "db", "backup", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "pg_dump" in result.stderr and not (tmp_path / "x").exists()
    command = re.search(r"`(pg_dump [^`]+)`", result.stderr)[1]
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    done = subprocess.run(shlex.split(command), cwd=tmp_path, capture_output=True, text=True)
    if "server version mismatch" in done.stderr:
        pytest.skip("pg_dump is older than the server")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "kaiji.dump").stat().st_size > 0


def test_a_writer_kept_waiting_too_long_says_why_and_writes_nothing(db_url, monkeypatch):
    """Issue 10, item 10: a long import holds the database to its end; a writer that has waited the busy
    timeout gives up with one sentence saying so (not "database is locked" or a driver's error)."""
    from datetime import date

    from tracker import service

    import os

    monkeypatch.setattr(dbm, "BUSY_TIMEOUT_MS", 1000)
    monkeypatch.setattr(dbm, "WHO", "kaiji request import")  # what the holder's command line notes
    engine = dbm.open_database(db_url)
    with dbm.transaction(engine) as s:   # as an import would, between its first row and its commit
        service.add_request(s, body="maizuru", subject="writer 取込中", received=date(2025, 1, 6))
        result = CliRunner().invoke(cli, ["--db", db_url, "request", "add", "--body", "maizuru", "--subject",
                                          "writer 待ち", "--received", "2025-01-06"])
    engine.dispose()
    assert result.exit_code == 1, result.output
    # It names who holds the lock, as that kaiji noted it (SQLite: a note beside the file; PostgreSQL:
    # the holder's application_name).
    assert result.stderr.startswith(f"kaiji: error: the database is busy: kaiji request import (process "
                                    f"{os.getpid()}) since ")
    assert "has been writing to it for more than 1 s (a `kaiji request import` holds it" in result.stderr
    assert sorted(subjects(db_url)) == ["writer 取込中"]
    path = dbm.sqlite_path(db_url)
    if path is not None:  # the note is gone with the transaction
        assert not dbm.writer_file(path).exists()


def test_a_note_left_by_a_killed_writer_names_no_one(db_url, tmp_path):
    path = dbm.sqlite_path(db_url)
    if path is None:
        pytest.skip("SQLite's note beside the file")
    dbm.writer_file(path).write_text("kaiji request import (process 999999999) since 10:00:00", "utf-8")
    engine = dbm.open_database(db_url)
    assert dbm.lock_holder(engine) is None
    dbm.writer_file(path).write_text(f"kaiji request add (process {__import__('os').getpid()}) since 10:00:00", "utf-8")
    assert dbm.lock_holder(engine).startswith("kaiji request add (process ")
    engine.dispose()


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's file locks")
def test_an_upgrade_kept_waiting_says_so_and_changes_nothing(tmp_path, monkeypatch):
    """db upgrade does not go through transaction(): it too gives up with the busy sentence (and says the
    database was not changed, its backup having been written), not "internal error"."""
    import sqlite3

    path = tmp_path / "old.sqlite3"
    url = dbm.database_url(str(path))
    engine = dbm.make_engine(url)
    dbm.upgrade(engine, dbm.REVISIONS[-2], stdout=io.StringIO())
    engine.dispose()
    monkeypatch.setattr(dbm, "BUSY_TIMEOUT_MS", 500)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = CliRunner().invoke(cli, ["--db", url, "db", "upgrade"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1, result.output
    assert "the database is busy" in result.stderr and "the database was not changed" in result.stderr
    assert "Traceback" not in result.output
    assert dbm.current_revision(dbm.make_engine(url)) == dbm.REVISIONS[-2]


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's journal modes")
def test_a_restored_backup_held_by_a_writer_is_still_read(tmp_path):
    """A backup is a rollback-journal file; switching it to WAL needs it alone. With another writer
    holding it, kaiji reads it as it is (and switches it another time) instead of failing at once."""
    import sqlite3

    source = dbm.database_url(str(tmp_path / "a.sqlite3"))
    assert CliRunner().invoke(cli, ["--db", source, "request", "add", "--body", "maizuru", "--subject", "控え",
                                    "--received", "2025-01-06"]).exit_code == 0
    assert CliRunner().invoke(cli, ["--db", source, "db", "backup", str(tmp_path / "rest.sqlite3")]).exit_code == 0
    holder = sqlite3.connect(tmp_path / "rest.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        listed = CliRunner().invoke(cli, ["--db", str(tmp_path / "rest.sqlite3"), "request", "list"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert listed.exit_code == 0, listed.output
    assert "控え" in listed.stdout
