"""Test databases are built by running the migrations, never by create_all.

SQLite by default; set KAIJI_TEST_DB to a PostgreSQL URL to run the same suite there, e.g.
KAIJI_TEST_DB=postgresql+psycopg://postgres@127.0.0.1:5432/test pytest
"""

from __future__ import annotations

import gc
import io
import os
import shutil
import sys
from pathlib import Path

# Keep the compiled test modules (pytest's assertion rewriting) and kaiji's own modules between runs, even
# where the environment says not to write bytecode (PYTHONDONTWRITEBYTECODE, as on the project's machines):
# otherwise every run, and under pytest-xdist every worker, compiles them all again (some 3 s of CPU per
# process, a tenth of the quick run). They go to a folder of pytest's own beside this one
# (.pytest_cache/pycache, which git ignores), never beside the sources. Set here, before the test
# modules and most of kaiji are imported; modules imported earlier were compiled in memory as before.
if sys.dont_write_bytecode and sys.pycache_prefix is None:
    sys.pycache_prefix = str(Path(__file__).resolve().parent.parent / ".pytest_cache" / "pycache")
    sys.dont_write_bytecode = False
from typing import Callable

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from tracker import db as dbm
from tracker.cli import cli
from tracker.models import Base
from tracker.presets import seed



def worker_database(url: str | None) -> str | None:
    """The PostgreSQL database this test process uses: KAIJI_TEST_DB's own, or under pytest-xdist (the
    tests run in parallel workers, see pyproject.toml) one per worker beside it, named after it with the
    worker's id (test_gw0, test_gw1, …) and created on the same server when missing."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    own = make_url(url).set(database=f"{make_url(url).database}_{worker}")
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}) is None:
                conn.exec_driver_sql(f'CREATE DATABASE "{own.database}"')
    finally:
        server.dispose()
    return own.render_as_string(hide_password=False)


PG_URL = worker_database(os.environ.get("KAIJI_TEST_DB"))

# Output is fitted to COLUMNS when it is set. Something in the test run sets COLUMNS in the process's C
# environment (which child processes inherit) without os.environ knowing; setting and deleting it
# through os.environ unsets it there too, so a kaiji started by a test sees no terminal width unless
# the test gives one.
os.environ["COLUMNS"] = "0"
del os.environ["COLUMNS"]

# Test files whose tests start many processes (races, crashes, interrupted writes), wait on locks or
# render large PDFs: marked slow, so that `pytest -m "not slow"` runs the rest quickly while working.
# Single tests elsewhere that start a new Python process (a fresh interpreter's modules, main() as a user
# runs it, `kaiji serve`) carry @pytest.mark.slow themselves.
SLOW_FILES = {"test_concurrency.py", "test_races.py", "test_crash.py", "test_data_safety.py", "test_pdf_layout.py",
              "test_web_browser.py"}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)


# Whether this run leaves out the slow tests (`pytest -m "not slow"`): the quick run while working.
# pytest_configure sets it before any test module is imported, so that `examples` can read it.
QUICK = False


def pytest_configure(config):
    global QUICK
    QUICK = "not slow" in (config.getoption("markexpr", "") or "")


def examples(n: int) -> int:
    """The examples a property test tries: n in the full run (CI, `pytest`), a sixth of them (at least 25)
    in the quick run, where each run still draws new ones."""
    return max(25, n // 6) if QUICK else n


def pytest_collection_finish(session):
    # What the run has imported by now (SQLAlchemy, Hypothesis, the test modules: some 100,000 objects)
    # lives to its end. Freeze it out of the cycle collector's sight, as kaiji's main() does, and collect
    # the young generation less often: each command a test runs leaves an engine behind for the collector,
    # and a full collection walked every one of those objects again (a fifth of the quick run's time).
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


@pytest.fixture(scope="session", autouse=True)
def own_cache(tmp_path_factory):
    """The tests keep what kaiji caches (the parsed PDF font) in a folder of their own, not the user's."""
    import matplotlib

    from tracker.pdf import fonts

    # matplotlib reads XDG_CACHE_HOME once, when first asked: asked here, it keeps its list of the machine's
    # fonts where it always does, instead of scanning every font again in each test process (0.6 s of CPU).
    matplotlib.get_cachedir()
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(cache))              # for kaiji run as a subprocess
        mp.setattr(fonts, "cache_dir", lambda: cache / "kaiji" / "fonts")
        yield cache


@pytest.fixture(autouse=True)
def own_files_folder(tmp_path, monkeypatch):
    """Each test keeps the documents' files (`kaiji doc add`) in a folder of its own: on PostgreSQL they
    would otherwise go to the user's data folder. A test of the default folder unsets KAIJI_FILES."""
    monkeypatch.setenv("KAIJI_FILES", str(tmp_path / "files"))


@pytest.fixture(scope="session", autouse=True)
def one_statement_cache():
    """Every engine kaiji makes in this run shares one cache of compiled SQL statements.

    kaiji makes an engine per command and SQLAlchemy caches compiled statements per engine, keyed by
    the engine's dialect object: in a process that runs one command (kaiji itself) that costs nothing,
    but a test run of thousands of commands compiled the same statements again for each (a fifth of
    the quick run's time). Here the dialects of one driver count as one (they are configured alike:
    db.make_engine makes them all) and their engines share a cache. Only compiling is shared: each
    engine keeps its own connections, events and pool.
    """
    import sqlalchemy
    from sqlalchemy.util import LRUCache

    caches: dict[type, LRUCache] = {}

    with pytest.MonkeyPatch.context() as mp:
        def create_engine(*args, **kwargs):
            engine = sqlalchemy.create_engine(*args, **kwargs)
            cls = type(engine.dialect)
            if cls not in caches:
                mp.setattr(cls, "__hash__", lambda self: hash(type(self)))
                mp.setattr(cls, "__eq__", lambda self, other: type(self) is type(other))
                caches[cls] = LRUCache(2000)
            engine._compiled_cache = caches[cls]
            return engine

        mp.setattr(dbm, "create_engine", create_engine)
        yield


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes():
    """Accounts made in the tests get Argon2id hashes with the cheapest cost (1 pass over 8 KiB) through
    tracker.users.PASSWORD_PARAMETERS: with kaiji's (argon2-cffi's recommended, 64 MiB, 3 passes) each of
    the suite's hashes and logins cost 0.2 s of CPU. tests/test_web.py checks that kaiji itself keeps those."""
    import dataclasses

    from argon2.profiles import RFC_9106_LOW_MEMORY

    from tracker import users

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(users, "PASSWORD_PARAMETERS",
                   dataclasses.replace(RFC_9106_LOW_MEMORY, time_cost=1, memory_cost=8, parallelism=1))
        yield


def ipaex() -> bool:
    """Whether the IPAex fonts the PDFs and charts draw Japanese in are installed (the tests that look at them
    are skipped otherwise)."""
    from tracker.pdf import fonts

    return any(p.name.startswith("ipaex") for p in fonts.candidates())


def is_postgres() -> bool:
    return bool(PG_URL)


def reset_postgres(url: str) -> None:
    """Empty the PostgreSQL test database completely (schema and data)."""
    engine = dbm.make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> str:
    """A database at the latest schema with the presets, built by the migrations once per session."""
    if PG_URL:
        reset_postgres(PG_URL)
        engine = dbm.make_engine(PG_URL)
        dbm.upgrade(engine, stdout=io.StringIO())
        engine.dispose()
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = dbm.make_engine(dbm.database_url(str(path)))
    dbm.upgrade(engine, stdout=io.StringIO())
    engine.dispose()
    return str(path)


@pytest.fixture
def db_url(template, tmp_path) -> str:
    """A fresh database for one test: a copy of the template (SQLite) or the emptied test database (PostgreSQL)."""
    if PG_URL:
        engine = dbm.make_engine(PG_URL)
        if dbm.current_revision(engine) != dbm.HEAD:  # a migration test left it elsewhere
            engine.dispose()
            reset_postgres(PG_URL)
            engine = dbm.make_engine(PG_URL)
            dbm.upgrade(engine, stdout=io.StringIO())
        else:
            tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
            with engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            with dbm.transaction(engine) as session:
                seed(session)
        engine.dispose()
        return PG_URL
    path = tmp_path / "kaiji.sqlite3"
    shutil.copy(template, path)
    return dbm.database_url(str(path))


@pytest.fixture
def engine(db_url):
    engine = dbm.open_database(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    with dbm.transaction(engine) as s:
        yield s


class Kaiji:
    """Runs `kaiji --db URL …` in-process and keeps the result."""

    def __init__(self, url: str):
        self.url = url

    def __call__(self, *args: str, input: str | None = None):
        return CliRunner().invoke(cli, ["--db", self.url, *map(str, args)], input=input, catch_exceptions=False)

    def ok(self, *args: str):
        result = self(*args)
        assert result.exit_code == 0, result.output
        return result


@pytest.fixture
def kaiji(db_url) -> Kaiji:
    return Kaiji(db_url)


PREPARED: dict[tuple, Path] = {}   # the databases prepared() has saved: by name, language and user


@pytest.fixture(scope="session", autouse=True)
def prepared_folder(tmp_path_factory) -> Path:
    global PREPARED_FOLDER
    PREPARED_FOLDER = tmp_path_factory.mktemp("prepared")
    return PREPARED_FOLDER


def prepared(kaiji: Kaiji, name: str, build: Callable[[Kaiji], None]) -> None:
    """Fill a test's new database (nothing written to it yet, no engine open on it) as build(kaiji) does.

    On SQLite, build runs once per session for each name (and language and user: the records may say
    them); the file it leaves is saved, and later tests get a copy of it instead of running the same
    commands again. On PostgreSQL, build runs every time."""
    path = dbm.sqlite_path(kaiji.url)
    if path is None:
        build(kaiji)
        return
    key = (name, os.environ.get("KAIJI_LANG"), os.environ.get("KAIJI_USER"))
    if key in PREPARED:
        shutil.copy(PREPARED[key], path)
        return
    build(kaiji)
    assert not Path(f"{path}-wal").exists(), "an engine is still open on the database"
    PREPARED[key] = PREPARED_FOLDER / f"{len(PREPARED)}.sqlite3"
    shutil.copy(path, PREPARED[key])


@pytest.fixture(autouse=True)
def english_unless_a_test_says(monkeypatch):
    """Tests read kaiji's English unless they choose (KAIJI_LANG wins over the machine's locale)."""
    monkeypatch.setenv("KAIJI_LANG", "en")
