"""A process killed (SIGKILL) in the middle of a large write leaves the database whole: all of the
write or none of it, and on SQLite a file that passes the integrity check.

The write is a real `kaiji request import` of one CSV file, which runs in one transaction. The test
waits for the command's own progress report (an event, not a sleep) and kills it there.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker import db as dbm
from tracker.models import Event, Request

from .conftest import PG_URL

ROWS = 400
# Long subjects (a list of documents, as groups write them) make the transaction larger than
# SQLite's page cache, so uncommitted pages reach the -wal file before the kill.
SUBJECT = "令和6年度に実施したカスタマーハラスメントに関する職員アンケートの調査結果及び集計表、" * 80
KAIJI = [sys.executable, "-c", "from tracker.cli import main; main()"]


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["body", "subject", "filed", "received", "requester", "method", "mail", "reference",
                    "department"])
        for i in range(rows):
            w.writerow([("maizuru", "ayabe", "national")[i % 3], f"{i}: {SUBJECT}", "", f"R6.{i % 12 + 1}.{i % 28 + 1}",
                        f"請求者{i % 7}", "copy;inspect", "yes" if i % 2 else "no", f"R6-{i}", "総務課"])


def counts(url: str) -> tuple[int, int]:
    """(requests, events) as a fresh connection sees them."""
    engine = dbm.make_engine(url)
    with engine.connect() as conn:
        out = (conn.scalar(select(func.count()).select_from(Request)),
               conn.scalar(select(func.count()).select_from(Event)))
    engine.dispose()
    return out


def integrity(url: str) -> str:
    path = url.split(":///", 1)[1]
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def kill_when(url: str, csv_path: Path, line_starts: str) -> tuple[int, int]:
    """Start the import; SIGKILL it when its stderr shows a line starting so; return (exit status, -wal size then)."""
    proc = subprocess.Popen([*KAIJI, "--db", url, "request", "import", "--progress", str(csv_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    wal = -1
    try:
        for line in proc.stderr:
            seen.append(line)
            if line.startswith(line_starts):
                if not PG_URL:
                    wal_path = Path(url.split(":///", 1)[1] + "-wal")
                    wal = wal_path.stat().st_size if wal_path.exists() else 0
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        status = proc.wait(timeout=120)
        proc.stdout.close()
        proc.stderr.close()
    assert any(line.startswith(line_starts) for line in seen), "".join(seen)
    return status, wal


@pytest.fixture
def big_csv(tmp_path) -> Path:
    path = tmp_path / "requests.csv"
    write_csv(path, ROWS)
    return path


@pytest.mark.parametrize("when", ["kaiji: 200 of", "kaiji: 340 of"])
def test_killed_in_the_middle_of_an_import_leaves_none_of_it(db_url, big_csv, when):
    before = counts(db_url)
    status, wal = kill_when(db_url, big_csv, when)
    assert status == -signal.SIGKILL, "the import ended before it was killed: the test killed nothing"
    if not PG_URL:
        # The uncommitted rows had reached the disk: what follows tests SQLite's recovery, not an empty file.
        assert wal > 100_000, wal
        assert integrity(db_url) == "ok"
    assert counts(db_url) == before
    # The next writer gets on at once: no lock or half-written row was left behind.
    done = subprocess.run([*KAIJI, "--db", db_url, "request", "add", "--body", "maizuru", "--subject", "次の請求",
                           "--received", "R7.1.6"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert counts(db_url) == (before[0] + 1, before[1] + 2)


def test_killed_while_committing_leaves_all_or_none(db_url, big_csv):
    before = counts(db_url)
    status, _ = kill_when(db_url, big_csv, "kaiji: all ")
    if not PG_URL:
        assert integrity(db_url) == "ok"
    after = counts(db_url)
    assert after in (before, (before[0] + ROWS, before[1] + 3 * ROWS)), after
    if after == before:
        assert status == -signal.SIGKILL  # killed before the commit reached the disk
        # and the same import then goes through whole
        done = subprocess.run([*KAIJI, "--db", db_url, "request", "import", str(big_csv)], capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert counts(db_url) == (before[0] + ROWS, before[1] + 3 * ROWS)  # filed, received, reference events
        if not PG_URL:
            assert integrity(db_url) == "ok"


KILLED_IN_BACKUP = r"""
import os, signal, sys
os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)  # the copy is written, not yet given its name
from tracker.cli import main
sys.argv = ["kaiji", "--db", sys.argv[1], "db", "upgrade"]
main()
"""


@pytest.mark.skipif(bool(PG_URL), reason="kaiji copies only SQLite files")
def test_what_an_upgrade_killed_while_copying_leaves_is_removed_at_the_next_start(tmp_path):
    """Issue 10, item 13: SIGKILL during `db upgrade` left its half-written copy (and its journal) beside the
    database for ever. The next kaiji removes those of ended processes, and only those."""
    path = tmp_path / "kaiji.sqlite3"
    url = dbm.database_url(str(path))
    engine = dbm.make_engine(url)
    dbm.upgrade(engine, dbm.REVISIONS[-2], stdout=io.StringIO())
    engine.dispose()
    killed = subprocess.run([sys.executable, "-c", KILLED_IN_BACKUP, str(path)], capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    left = [p for p in tmp_path.iterdir() if p.name.startswith(".kaiji-") and p.name.endswith(".part")]
    assert len(left) == 1, "the kill left no copy"
    journal = left[0].with_name(left[0].name + "-journal")   # as a kill inside SQLite's backup step leaves
    journal.write_bytes(b"\0" * 512)
    running = tmp_path / f".kaiji-{os.getpid()}-0123abcd.part"  # another kaiji's copy in progress: kept
    running.write_bytes(b"")
    unrelated = tmp_path / ".notes.txt.part-1"
    unrelated.write_bytes(b"")
    result = subprocess.run(KAIJI + ["--db", str(path), "request", "list"], capture_output=True, text=True)
    assert result.returncode == 1 and "run `kaiji db upgrade`" in result.stderr  # refused as before, and
    assert not left[0].exists() and not journal.exists()                         # the leftovers are gone
    assert running.exists() and unrelated.exists()
    # `db upgrade` itself also clears them before copying.
    left[0].write_bytes(b"")
    subprocess.run(KAIJI + ["--db", str(path), "db", "upgrade"], check=True, capture_output=True)
    assert not left[0].exists()
    assert sorted(p.name for p in tmp_path.iterdir() if ".part" in p.name) == sorted([running.name, unrelated.name])