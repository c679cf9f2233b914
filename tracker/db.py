"""Database plumbing: where the database is, opening it safely, and running its migrations."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session

from .errors import Refused

# The migrations in order, oldest first; tests check that this matches migrations/versions.
# Kept here so that opening a database needs no Alembic import.
REVISIONS: tuple[str, ...] = ("0001",)
HEAD = REVISIONS[-1]
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
if not MIGRATIONS_DIR.is_dir():  # a source checkout without an install: migrations/ beside tracker/
    MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def default_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("kaiji", appauthor=False)) / "kaiji.sqlite3"


def database_url(db: str | None) -> str:
    """--db / KAIJI_DB: a SQLAlchemy URL, or a path to a SQLite file; the default is the user's data folder."""
    db = db or os.environ.get("KAIJI_DB") or str(default_path())
    if "://" in db:
        if db.startswith("postgresql://"):
            db = "postgresql+psycopg://" + db[len("postgresql://"):]
        return db
    return "sqlite:///" + str(Path(db).expanduser().resolve())


def describe(url: str) -> str:
    """The URL without a password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):  # pragma: no cover - exercised through every test
        dbapi_connection.isolation_level = None  # let the "begin" hook below say BEGIN
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA busy_timeout = 30000")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):  # pragma: no cover
        # A writer takes the write lock at BEGIN, so two writers queue on busy_timeout instead of
        # failing with "database is locked" when a read lock cannot be upgraded.
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("readonly") else "BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:" and not os.path.exists(path):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            # The requests hold personal data: a new database file is readable by its owner only.
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        engine = create_engine(url)
        _sqlite_setup(engine)
        return engine
    return create_engine(url, pool_pre_ping=False)


def alembic_config(connection=None, stdout: IO[str] | None = None):
    from alembic.config import Config

    cfg = Config(stdout=stdout or sys.stdout)
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def current_revision(engine: Engine) -> str | None:
    """The schema revision stored in the database, None for an empty database."""
    try:
        with engine.connect().execution_options(readonly=True) as conn:
            if not inspect(conn).has_table("alembic_version"):
                tables = inspect(conn).get_table_names()
                if tables:
                    raise Refused(f"the database at {describe(str(engine.url))} holds tables that are not kaiji's; "
                                  "point --db or KAIJI_DB at a kaiji database or a new file.")
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DatabaseError as exc:
        raise Refused(f"{describe(str(engine.url))} is not a database kaiji can open "
                      f"({str(exc.orig).splitlines()[0]}); check the --db path or KAIJI_DB.") from None


def upgrade(engine: Engine, revision: str = "head", stdout: IO[str] | None = None) -> None:
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(alembic_config(conn, stdout), revision)
        from .presets import seed

        if revision == "head" or revision == HEAD:
            with Session(bind=conn) as session:
                seed(session)
                session.flush()


def downgrade(engine: Engine, revision: str, stdout: IO[str] | None = None) -> None:
    from alembic import command

    with engine.begin() as conn:
        command.downgrade(alembic_config(conn, stdout), revision)


def check(engine: Engine, stdout: IO[str] | None = None) -> None:
    """Raise if the models and the migrations disagree (Alembic's `check`)."""
    from alembic import command

    with engine.begin() as conn:
        command.check(alembic_config(conn, stdout))


def open_database(url: str) -> Engine:
    """An engine on a database at the code's schema: a new one is created, an older one refused."""
    engine = make_engine(url)
    try:
        rev = current_revision(engine)
    except OperationalError as exc:
        raise Refused(f"cannot reach the database at {describe(url)} ({str(exc.orig).splitlines()[0]}); "
                      "check the URL and that the server is running.") from None
    if rev is None:
        upgrade(engine, stdout=open(os.devnull, "w"))
    elif rev != HEAD:
        if rev in REVISIONS:
            raise Refused(f"the database at {describe(url)} is at schema {rev}, older than this kaiji's {HEAD}; "
                          "back it up and run `kaiji db upgrade`.")
        raise Refused(f"the database at {describe(url)} is at schema {rev}, which this kaiji does not know: "
                      "it was written by a newer kaiji; upgrade kaiji (pip install -U kaiji).")
    return engine


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: everything in it commits together, or nothing does."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A read-only session (on SQLite a deferred BEGIN, so readers do not queue behind writers)."""
    with engine.connect().execution_options(readonly=True) as conn, Session(bind=conn) as session:
        yield session
