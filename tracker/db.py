"""Database plumbing: where the database is, opening it safely, and running its migrations."""

from __future__ import annotations

import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session

from .errors import BadInput, Refused
from .files import remove_stale_parts
from .i18n import N_, _

# The migrations in order, oldest first; tests check that this matches migrations/versions.
# Kept here so that opening a database needs no Alembic import.
REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011", "0012", "0013")
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
    if db == ":memory:":  # SQLite's name for a database in memory, not a file in this folder: make_engine refuses it
        return "sqlite://"
    return "sqlite:///" + str(Path(db).expanduser().resolve())


def describe(url: str) -> str:
    """The URL without a password, for messages: neither the user's (user:password@) nor one given
    in the query string (?password=…, which libpq also reads)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        u = make_url(url)
    except ArgumentError:
        return _("the --db value given")
    secret = {k: "***" for k in u.query if "password" in k.lower()}
    return u.update_query_dict(secret).render_as_string(hide_password=True).replace("%2A%2A%2A", "***")


def _passwords(url: str) -> list[str]:
    """The passwords a URL holds, to be cut from a driver's message that might repeat them."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        u = make_url(url)
    except ArgumentError:
        return []
    found = [u.password] if u.password else []
    for k, v in u.query.items():
        if "password" in k.lower():
            found += [v] if isinstance(v, str) else list(v)
    return [p for p in found if p]


def driver_message(exc: DatabaseError, url: str) -> str:
    """The first line of a driver's error (later lines, like PostgreSQL's DETAIL, may quote data),
    with any password of the URL cut out."""
    line = str(exc.orig).splitlines()[0] if str(exc.orig) else type(exc.orig).__name__
    for p in _passwords(url):
        line = line.replace(p, "***")
    return line


# How long a writer waits for another to finish (SQLite's busy_timeout, PostgreSQL's lock_timeout).
BUSY_TIMEOUT_MS = 30_000
# Who this process is, for a writer kept waiting by it: "kaiji request import" (the CLI sets it).
WHO = "kaiji"
# A write session's info key for the rows a transaction saved, as ("new" | "changed" | "deleted", table, id),
# kept by a face that says what was saved (cli.App.write): the session's flushes add what the ORM wrote, and
# service.write_requests the rows it inserts with Core, which no flush sees.
SAVED = "kaiji.saved"


def _holder_note() -> str:
    import datetime

    return f"{WHO} (process {os.getpid()}) since {datetime.datetime.now().strftime('%H:%M:%S')}"


def writer_file(path: Path) -> Path:
    """Beside a SQLite database while a kaiji writes to it: who writes (a writer kept waiting names it)."""
    return Path(f"{path}-writer")


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):  # pragma: no cover - exercised through every test
        dbapi_connection.isolation_level = None  # let the "begin" hook below say BEGIN
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        # journal_mode = WAL is kept in the file: use_wal sets it once the file is known to be kaiji's,
        # so that opening someone else's SQLite file by mistake does not change it.
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()
        # What the search index of short words holds for a text (search.py; its triggers call it).
        from .grams import grams

        dbapi_connection.create_function("kaiji_grams", 1, grams, deterministic=True)

    note = writer_file(sqlite_path(engine.url.render_as_string()) or Path(os.devnull))

    @event.listens_for(engine, "begin")
    def on_begin(conn):  # pragma: no cover
        # A writer takes the write lock at BEGIN, so two writers queue on busy_timeout instead of
        # failing with "database is locked" when a read lock cannot be upgraded.
        if conn.get_execution_options().get("readonly"):
            conn.exec_driver_sql("BEGIN")
            return
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        # Holding the lock now: say who, for a writer that waits too long (SQLite cannot tell it).
        try:
            fd = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(_holder_note())
            conn.info["kaiji.note"] = True
        except OSError:
            pass  # a note only: the lock is what matters

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def on_end(conn):  # pragma: no cover
        if conn.info.pop("kaiji.note", False):  # ours: not a waiter's, whose BEGIN never got the lock
            try:
                note.unlink()
            except OSError:
                pass


# The key of the PostgreSQL advisory lock every writing transaction holds ("kaiji" in ASCII).
WRITE_LOCK = 0x6B61696A69


def _postgresql_setup(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def on_begin(conn):  # pragma: no cover - exercised through every PostgreSQL test
        # Writers take turns, as on SQLite (BEGIN IMMEDIATE): a writing transaction first waits, up to
        # 30 s as SQLite's busy_timeout, for the one database-wide write lock, which it holds to its
        # commit or rollback. So every check a command makes against the records (a receipt not yet
        # recorded, a name not yet taken, the calendar a due date is counted on) still holds when it
        # commits, whatever else is running; READ COMMITTED alone would let two writers check at once.
        # Readers (reading(), readonly) take no lock and never wait.
        if not conn.get_execution_options().get("readonly"):
            conn.exec_driver_sql(f"SELECT set_config('lock_timeout', '{BUSY_TIMEOUT_MS}ms', true), "
                                 f"pg_advisory_xact_lock({WRITE_LOCK})")
            # Holding the lock now: say who, where a writer kept waiting can read it (pg_stat_activity).
            conn.exec_driver_sql("SELECT set_config('application_name', %(who)s, true)",
                                 {"who": _holder_note()[:63]})


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for other databases and for an in-memory one."""
    if not url.startswith("sqlite"):
        return None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        path = make_url(url).database or ""  # without a ?query: sqlite:///f.sqlite3?timeout=5 is f.sqlite3
    except ArgumentError:
        return None
    return Path(path) if path and path != ":memory:" else None


def _empty_file(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size == 0
    except OSError:
        return False


def make_engine(url: str) -> Engine:
    # hide_parameters: the values of a statement (names, addresses) stay out of logs and error texts.
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    path = sqlite_path(url)
    if path is None and url.startswith("sqlite"):
        raise BadInput(_("{database} is a database in memory, and nothing kaiji wrote to it would be kept; give a "
                         "file's path with --db or KAIJI_DB.").format(database=describe(url)))
    if path is not None and (not path.exists() or _empty_file(path)):
        from .files import make_folder

        try:
            make_folder(path.parent)
            # The requests hold personal data: a new database file (or an empty one kaiji fills) is
            # readable by its owner only (SQLite gives its -wal and -shm files the same permissions).
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            os.chmod(path, 0o600)
        except OSError as exc:
            raise Refused(_("cannot create the database file {path} ({reason}); check the --db path "
                            "or KAIJI_DB.").format(path=path, reason=exc.strerror)) from None
    try:
        engine = create_engine(url, hide_parameters=True)
    except (ArgumentError, NoSuchModuleError, ImportError):
        raise BadInput(_("{database} is not a database kaiji can use; give a SQLite file's path or a URL "
                         "postgresql+psycopg://user@host/database with --db or KAIJI_DB.").format(
                             database=describe(url))) from None
    if url.startswith("sqlite"):
        _sqlite_setup(engine)
    elif engine.dialect.name == "postgresql":
        _postgresql_setup(engine)
    return engine


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
            tables = set(conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                if engine.dialect.name == "sqlite" else
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").scalars())
            # Another application's database (even one Alembic manages) is left as it is: kaiji writes
            # nothing to a database that holds tables it does not know, and creates its own only in a new
            # or empty one.
            foreign = sorted(tables - known_tables())
            if foreign:
                raise Refused(_("the database at {database} holds tables that are not kaiji's ({tables}), so kaiji "
                                "leaves it untouched; point --db or KAIJI_DB at a kaiji database or a new file.")
                              .format(database=describe(str(engine.url)),
                                      tables=", ".join(foreign[:5]) + (", …" if len(foreign) > 5 else "")))
            rev = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() \
                if "alembic_version" in tables else None
            if rev is None and tables - {"alembic_version"}:
                raise Refused(_("the database at {database} holds kaiji's tables but no schema revision, so kaiji "
                                "leaves it untouched; restore it from a backup, or point --db or KAIJI_DB at a kaiji "
                                "database or a new file.").format(database=describe(str(engine.url))))
            return rev
    except DatabaseError as exc:
        if isinstance(exc, OperationalError) and engine.dialect.name != "sqlite":
            raise  # a server that cannot be reached: open_database says so
        reason = driver_message(exc, engine.url.render_as_string(hide_password=False))
        raise Refused(_("{database} is not a database kaiji can open ({reason}); check the --db path or "
                        "KAIJI_DB.").format(database=describe(str(engine.url)), reason=reason)) from None


def known_tables() -> set[str]:
    """The tables a kaiji database holds at any of its revisions (every table 0001 to the head has)."""
    from .schema import FTS_TABLES, metadata

    return set(metadata.tables) | set(FTS_TABLES) | {"alembic_version"}


def refuse_unknown(engine: Engine, target: str, *, allow_base: bool = False) -> None:
    """Refuse a target revision this kaiji does not have, and a database a newer kaiji wrote."""
    if target not in REVISIONS + (("head", "base") if allow_base else ("head",)):
        raise BadInput(_("{target} is not a schema revision of this kaiji; use one of {revisions} or head.").format(
            target=repr(target), revisions=", ".join(REVISIONS + (("base",) if allow_base else ()))))
    rev = current_revision(engine)
    if rev is not None and rev not in REVISIONS:
        raise Refused(_("the database at {database} is at schema {revision}, which this kaiji does not know: it was "
                        "written by a newer kaiji; upgrade kaiji (pip install -U kaiji).").format(
                            database=describe(str(engine.url)), revision=rev))


def backup(url: str, dest: str | os.PathLike[str], force: bool = False) -> Path:
    """Copy a SQLite database to a new file, consistently even while other processes write to it.

    SQLite's online backup copies every page inside one read transaction, so the copy is the
    database as of one moment (in WAL mode, writers go on meanwhile). The copy is written beside
    its destination under a temporary name, checked, and only then given its name (files.replacing):
    a crash leaves no half-written file that looks like a backup. It is readable by its owner only.
    An existing file is replaced only with force, and never the database or another SQLite file.
    """
    import sqlite3

    source = sqlite_path(url)
    if source is None:
        libpq = describe(url).replace("postgresql+psycopg://", "postgresql://", 1)  # the URL pg_dump reads
        raise Refused(_("kaiji copies only SQLite files; back up the PostgreSQL database with pg_dump, e.g. "
                        "`pg_dump --format=custom --file=kaiji.dump '{url}'`, and restore it with pg_restore.").format(
                            url=libpq))
    if not source.is_file():
        raise BadInput(_("there is no database file at {path}; check the --db path or KAIJI_DB.").format(path=source))
    current_revision(make_engine(url))  # refuses a file that is not a database
    from .files import database_files, replacing

    dest = Path(dest).expanduser().resolve()
    if not dest.parent.is_dir():
        raise BadInput(_("the folder {folder} does not exist; create it or name a file in an existing folder.").format(
            folder=dest.parent))
    remove_stale_parts(dest.parent)
    with replacing(dest, force=force, keep=database_files(source), what=N_("the backup")) as part:
        try:
            src = sqlite3.connect(source, timeout=30)
            dst = sqlite3.connect(part)
            try:
                src.backup(dst)  # all pages in one step: one consistent snapshot
                dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
                ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                dst.close()
                src.close()
        except sqlite3.Error as exc:  # a full disk, mostly
            raise Refused(_("cannot write the backup {path} ({reason}); nothing was written there: free some space "
                            "and try again.").format(path=dest, reason=exc)) from None
        if ok != "ok":
            raise Refused(_("the copy of {path} failed SQLite's integrity check ({result}); the database may be "
                            "damaged: keep it as it is and ask for help.").format(path=source, result=ok))
    return dest


def backup_before_change(url: str, engine: Engine, what: str) -> Path | None:
    """Before an upgrade or downgrade of a SQLite file that holds a schema: a backup beside it."""
    import datetime

    source = sqlite_path(url)
    rev = current_revision(engine)
    if source is None or rev is None:
        return None
    remove_stale_parts(source.parent)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        dest = source.with_name(f"{source.stem}.before-{what}-from-{rev}-{stamp}{f'-{n}' if n else ''}"
                                f"{source.suffix}")
        if not dest.exists():
            return backup(url, dest)
    raise Refused(_("too many backups named {name} beside {path}; move some away.").format(
        name=f"{source.stem}.before-{what}-…", path=source))


def use_wal(engine: Engine) -> None:
    """Put a kaiji SQLite file in WAL mode (kept in the file): readers and one writer at a time go on together."""
    if engine.dialect.name == "sqlite":
        import sqlite3

        raw = engine.raw_connection()  # outside any transaction, where journal_mode can change
        try:
            raw.driver_connection.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            # Another process holds the file (a restored backup is in rollback-journal mode, and the
            # switch needs it alone): it stays in that mode, which works, and is switched next time.
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
        finally:
            raw.close()


@contextmanager
def migrating(engine: Engine) -> Iterator:
    """A connection in one transaction for migrations.

    On SQLite, batch migrations rebuild a table (copy, drop, rename), and with foreign keys on,
    dropping a table that others refer to fails. So foreign keys are off for the migration (SQLite
    allows that only outside a transaction) and every reference is checked before the commit.
    """
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection if engine.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            try:
                begun = conn.begin()
            except OperationalError as exc:
                busy(engine, exc, migration=True)
            with begun:
                yield conn
                if raw is not None and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise Refused(_("the migration would leave records pointing at nothing; nothing was changed. "
                                    "Report this with `kaiji db current`'s output."))
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys = ON")


def upgrade(engine: Engine, revision: str = "head", stdout: IO[str] | None = None) -> list[int]:
    """Migrate to `revision`; at the head, add the presets a database lacks and work out every request's
    stored dates again. Returns the ids of the requests whose stored dates or flags changed."""
    from alembic import command

    refuse_unknown(engine, revision)
    use_wal(engine)
    before = current_revision(engine)
    changed: list[int] = []
    with migrating(engine) as conn:
        command.upgrade(alembic_config(conn, stdout), revision)
        from .presets import seed

        if revision == "head" or revision == HEAD:
            with Session(bind=conn) as session:
                seed(session)
                session.flush()
                if before not in (None, HEAD):
                    # The stored dates and flags are derived by the code's rules: a new version may
                    # work them out differently, so every request is worked out again.
                    from .service import recompute_all

                    changed = recompute_all(session)
    return changed


def downgrade(engine: Engine, revision: str, stdout: IO[str] | None = None) -> None:
    from alembic import command

    refuse_unknown(engine, revision, allow_base=True)
    with migrating(engine) as conn:
        command.downgrade(alembic_config(conn, stdout), revision)


def check(engine: Engine, stdout: IO[str] | None = None) -> None:
    """Raise if the models and the migrations disagree (Alembic's `check`)."""
    from alembic import command

    with engine.begin() as conn:
        command.check(alembic_config(conn, stdout))


def _create(path: Path) -> None:
    """A new SQLite database at path, built under a temporary name beside it and given its name only
    when whole (files.replacing): a full disk or Ctrl-C leaves no empty or half-made database. If
    another kaiji created it meanwhile, theirs is kept."""
    from .files import database_files, make_folder, replacing

    try:
        make_folder(path.parent)
    except OSError as exc:
        raise Refused(_("cannot create the database file {path} ({reason}); check the --db path "
                        "or KAIJI_DB.").format(path=path, reason=exc.strerror)) from None
    part = None
    try:
        with replacing(path, what=N_("the new database")) as part:
            try:
                engine = make_engine("sqlite:///" + str(part))
                try:
                    upgrade(engine, stdout=open(os.devnull, "w"))
                finally:
                    engine.dispose()
                if Path(f"{part}-wal").exists():  # SQLite could not move all of it into the file itself
                    raise Refused(_("its last step failed"))
            except (DatabaseError, Refused) as exc:  # a full disk, mostly
                cause = exc if isinstance(exc, DatabaseError) else exc.__context__
                reason = str(cause.orig).splitlines()[0] if isinstance(cause, DatabaseError) else str(exc)
                raise Refused(_("cannot create the database file {path} ({reason}); nothing was written: free some "
                                "space, or choose another --db, and try again.").format(path=path, reason=reason)) \
                    from None
    except Refused:
        if not path.exists():
            raise   # else: another kaiji created it meanwhile
    finally:
        for f in database_files(part)[1:] if part is not None else ():
            f.unlink(missing_ok=True)


def open_database(url: str) -> Engine:
    """An engine on a database at the code's schema: a new one is created, an older one refused."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        _create(path)
    engine = make_engine(url)
    try:
        rev = current_revision(engine)
    except OperationalError as exc:
        raise Refused(_("cannot reach the database at {database} ({reason}); check the URL and that the server is "
                        "running.").format(database=describe(url), reason=driver_message(exc, url))) from None
    if path is not None and rev is not None:  # what a kaiji killed while copying (an upgrade's backup) left beside it
        remove_stale_parts(path.parent)
    if rev in (None, HEAD):
        use_wal(engine)
    if rev is None:
        upgrade(engine, stdout=open(os.devnull, "w"))
    elif rev != HEAD:
        if rev in REVISIONS:
            raise Refused(_("the database at {database} is at schema {revision}, older than this kaiji's {head}; "
                            "run `kaiji db upgrade` (it copies a SQLite file first; take a pg_dump of PostgreSQL).")
                          .format(database=describe(url), revision=rev, head=HEAD))
        raise Refused(_("the database at {database} is at schema {revision}, which this kaiji does not know: it was "
                        "written by a newer kaiji; upgrade kaiji (pip install -U kaiji).").format(
                            database=describe(url), revision=rev))
    return engine


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: everything in it commits together, or nothing does.

    Writers take turns (see _sqlite_setup, _postgresql_setup); one that has waited BUSY_TIMEOUT_MS for
    another to finish gives up with a sentence saying so, and has written nothing.
    """
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            yield session
    except OperationalError as exc:
        busy(engine, exc)


def busy(engine: Engine, exc: OperationalError, migration: bool = False) -> None:
    """Raise the one sentence for a writer that waited BUSY_TIMEOUT_MS for another, naming who holds the
    lock where that kaiji said; re-raise any other error. migration: the database was not changed
    (rather than: nothing was written)."""
    if not (getattr(exc.orig, "sqlstate", None) == "55P03" or "database is locked" in str(exc.orig)):
        raise exc
    holder = lock_holder(engine)
    if holder:
        m = re.fullmatch(r"(.*) \(process (\d+)\) since (\S+)", holder)
        if m:  # as _holder_note wrote it: said in the reader's language
            holder = _("{command} (process {pid}) since {time}").format(command=m[1], pid=m[2], time=m[3])
        message = (_("the database is busy: {holder} has been writing to it for more than {seconds} s (a `kaiji "
                     "request import` holds it until the whole file is written); the database was not changed, so "
                     "run the command again when that one has finished.") if migration else
                   _("the database is busy: {holder} has been writing to it for more than {seconds} s (a `kaiji "
                     "request import` holds it until the whole file is written); nothing was written, so run the "
                     "command again when that one has finished."))
    else:
        message = (_("the database is busy: another kaiji command has been writing to it for more than {seconds} s "
                     "(a `kaiji request import` holds it until the whole file is written); the database was not "
                     "changed, so run the command again when that one has finished.") if migration else
                   _("the database is busy: another kaiji command has been writing to it for more than {seconds} s "
                     "(a `kaiji request import` holds it until the whole file is written); nothing was written, so "
                     "run the command again when that one has finished."))
    raise Refused(message.format(holder=holder, seconds=BUSY_TIMEOUT_MS // 1000)) from None


def lock_holder(engine: Engine) -> str | None:
    """Who holds the write lock, as that kaiji noted it ("kaiji request import (process 4242) since
    10:02:13"), or None if no live kaiji says so."""
    path = sqlite_path(engine.url.render_as_string())
    if path is not None:
        from .files import alive

        try:
            note = writer_file(path).read_text("utf-8")[:200]
        except (OSError, UnicodeDecodeError):
            return None
        m = re.search(r"\(process (\d+)\)", note)
        return note if m and alive(int(m[1])) else None
    if engine.dialect.name != "postgresql":
        return None
    try:
        with engine.connect().execution_options(readonly=True) as conn:
            return conn.execute(text(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = :hi AND l.objid::bigint = :lo "
                # advisory locks are per database: a kaiji writing to another database on the server is not it
                "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
                {"hi": WRITE_LOCK >> 32, "lo": WRITE_LOCK & 0xFFFFFFFF}).scalar() or None
    except DatabaseError:
        return None


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A read-only session that sees one state of the database throughout, however many queries it runs.

    SQLite gives that to a read transaction (a deferred BEGIN, so readers do not queue behind writers);
    PostgreSQL's default (READ COMMITTED) lets each statement see what was committed since the last,
    so a reading session there asks for REPEATABLE READ.
    """
    options: dict = {"readonly": True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    with engine.connect().execution_options(**options) as conn, Session(bind=conn) as session:
        yield session
