"""The `kaiji` command: thin Click commands that parse, call tracker.service and print.

Heavy modules (SQLAlchemy, Alembic, ReportLab) are imported inside the commands that need them,
so that `kaiji --help` and `kaiji --version` start fast.
"""

from __future__ import annotations

import gc
import os
import sys
from contextlib import contextmanager
from datetime import date
from typing import Any, Iterable

import click

from .. import __version__
from ..errors import KaijiError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class DateParam(click.ParamType):
    name = "DATE"

    def convert(self, value: Any, param, ctx) -> date:
        if isinstance(value, date):
            return value
        from ..dates import DateError, read_date  # here: `kaiji --help` and `--version` parse no dates

        try:
            return read_date(value)
        except DateError as exc:
            self.fail(str(exc), param, ctx)


DATE = DateParam()


class YenParam(click.ParamType):
    """An amount of yen as people write it (1520, 1,520, 1520円, １，５２０円): events.parse_yen reads it."""

    name = "YEN"

    def __init__(self, minimum: int = 1):
        self.minimum = minimum

    def convert(self, value: Any, param, ctx) -> int:
        from ..errors import BadInput
        from ..events import parse_yen

        try:
            what = param.opts[0] if isinstance(param, click.Option) else "the amount in yen"
            return parse_yen(value, what, self.minimum)
        except BadInput as exc:
            self.fail(str(exc), param, ctx)


YEN = YenParam()


class Labelled(click.ParamType):
    """One of the library's keyed values (a status, a decision kind, a method, a ruling's outcome), typed as
    its English key or its Japanese name, as kaiji prints it. `read` is the library's reader of a value (it
    raises BadInput); `labels` returns its table, {key: Japanese name}, imported when needed, so that the
    commands that do not use it do not pay for it."""

    def __init__(self, read, labels, name: str = "CHOICE"):
        self.read, self.labels, self.name = read, labels, name

    def get_metavar(self, param, ctx=None) -> str:
        keys = "[" + "|".join(self.labels()) + "]"
        return keys if len(keys) <= 40 else self.name  # a longer list is in the option's help

    def convert(self, value: Any, param, ctx) -> str:
        from ..errors import BadInput

        try:
            return self.read(value)
        except BadInput as exc:
            self.fail(str(exc), param, ctx)

    def shell_complete(self, ctx, param, incomplete):
        from click.shell_completion import CompletionItem

        return [CompletionItem(k, help=v) for k, v in self.labels().items() if k.startswith(incomplete)]


def _statuses() -> dict[str, str]:
    from ..timeline import STATUS_JA

    return STATUS_JA


def _decision_kinds() -> dict[str, str]:
    from ..timeline import DECISION_KINDS

    return {k: v[0] for k, v in DECISION_KINDS.items()}


def _methods() -> dict[str, str]:
    from ..schema import METHODS

    return METHODS


def _read_status(value: str) -> str:
    from ..service import status_key

    return status_key(value)


def _read_decision_kind(value: str) -> str:
    from ..service import decision_kind

    return decision_kind(value)


def _read_method(value: str) -> str:
    from ..service import method_keys

    return method_keys([value])[0]


STATUS = Labelled(_read_status, _statuses, "STATUS")
DECISION_KIND = Labelled(_read_decision_kind, _decision_kinds, "KIND")
METHOD = Labelled(_read_method, _methods)


class Failure(click.ClickException):
    """A KaijiError on its way to the user: one sentence, the error's exit code."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(f"kaiji: error: {self.format_message()}", err=True)


SAVED_BUT_OUTPUT_FAILED = 3  # the exit code when the records were saved but the report of it could not be shown


class OutputFailed(Exception):
    """Standard output could not take what kaiji printed: a full disk, a closed pipe, an encoding that
    cannot show a character. Raised by _Guarded, so that it is told apart from kaiji's own errors."""

    def __init__(self, cause: Exception):
        super().__init__(str(cause))
        self.cause = cause

    def reason(self) -> str:
        c = self.cause
        if isinstance(c, UnicodeEncodeError):
            char = c.object[c.start:c.end][:1]
            return (f"its encoding, {c.encoding}, cannot show the character U+{ord(char):04X}; set "
                    "PYTHONIOENCODING=utf-8 or use a UTF-8 terminal")
        if isinstance(c, BrokenPipeError):
            return "the program reading it closed it"
        return (c.strerror if isinstance(c, OSError) and c.strerror else type(c).__name__)


class _Guarded:
    """Standard output (text, or its binary .buffer) whose failures are OutputFailed."""

    def __init__(self, stream):
        self._stream = stream

    def _call(self, name: str, *args):
        try:
            return getattr(self._stream, name)(*args)
        except (OSError, UnicodeEncodeError, ValueError) as exc:  # ValueError: the stream was closed
            raise OutputFailed(exc) from exc

    def write(self, data):
        return self._call("write", data)

    def writelines(self, lines):
        return self._call("writelines", lines)

    def flush(self):
        return self._call("flush")

    @property
    def buffer(self):
        return _Guarded(self._stream.buffer)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def guard_stdout() -> None:
    if not isinstance(sys.stdout, _Guarded) and sys.stdout is not None:
        sys.stdout = _Guarded(sys.stdout)


def _silence_stdout() -> None:
    """After a failure, what is still buffered for standard output goes nowhere: Python's own flush at
    exit would otherwise fail again and turn the exit code into 120."""
    try:
        fd = sys.__stdout__.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except (AttributeError, OSError, ValueError):  # not a real file (the test runner's)
        pass


def _saved(session) -> list:
    """What a write session inserted, changed or deleted, as (table, primary key) pairs, in order."""
    from sqlalchemy import event, inspect

    rows: list[tuple[str, str, object]] = []

    @event.listens_for(session, "after_flush")
    def after_flush(session, _context):
        for how, objects in (("new", session.new), ("changed", session.dirty), ("deleted", session.deleted)):
            for obj in objects:
                if how != "changed" or session.is_modified(obj):
                    key = inspect(obj).mapper.primary_key_from_instance(obj)
                    rows.append((how, obj.__table__.name, key[0] if len(key) == 1 else tuple(key)))
    return rows


def describe_saved(rows: list) -> str:
    """`requests 7; events 12–13 (2)`: ids and tables only, never a value (it may be personal data)."""
    parts = []
    new = {(table, key) for how, table, key in rows if how == "new"}
    for how in ("new", "changed", "deleted"):
        by_table: dict[str, list] = {}
        for h, table, key in rows:
            if h == how and (how == "new" or (table, key) not in new) and key not in by_table.setdefault(table, []):
                by_table[table].append(key)
        for table, keys in ((t, k) for t, k in by_table.items() if k):
            ints = sorted(k for k in keys if isinstance(k, int))
            if len(ints) == len(keys) and len(ints) > 2 and ints[-1] - ints[0] == len(ints) - 1:
                ids = f"{ints[0]}–{ints[-1]} ({len(ints)})"
            elif len(keys) > 5:
                ids = f"{len(keys)} rows"
            else:
                ids = ", ".join(map(str, keys))
            parts.append(f"{'' if how == 'new' else how + ' '}{table} {ids}")
    return "; ".join(parts) or "the changes"


class App:
    """What every command shares: where the database is, and the engine once it is opened."""

    def __init__(self, db: str | None, debug: bool):
        self.db = db
        self.debug = debug
        self._engine = None
        self.committed = False  # whether a transaction of this command has committed
        self.done: str | None = None  # what a command that changes things outside a transaction did (a file written)
        self.saved: list = []  # what the committed transactions wrote, as far as the ORM saw it (see _saved)

    @property
    def url(self) -> str:
        from ..db import database_url

        return database_url(self.db)

    @property
    def engine(self):
        """The database, opened at this kaiji's schema (a new one is created)."""
        if self._engine is None:
            from ..db import open_database

            collect_again()
            self._engine = open_database(self.url)
        return self._engine

    def bare_engine(self, create: bool = False):
        """The database as it is, whatever its schema: for the `kaiji db` commands that inspect or change it.

        A SQLite file that is not there is created (whole, under a temporary name first) only with
        create=True; otherwise it is refused: inspecting a database must not make one."""
        from ..db import _create, make_engine, sqlite_path
        from ..errors import NotFound

        collect_again()
        path = sqlite_path(self.url)
        if path is not None and not path.exists():
            if not create:
                raise NotFound(f"there is no database at {path}; check the --db path or KAIJI_DB.")
            _create(path)
        return make_engine(self.url)

    @contextmanager
    def write(self):
        """A transaction; once it has committed, what it wrote is kept in self.saved, for the message
        should printing the result fail (the user must not run the command again)."""
        from .. import db

        db.WHO = click.get_current_context().command_path  # "kaiji request import", for a writer kept waiting
        with db.transaction(self.engine) as session:
            rows = _saved(session)
            yield session
        self.committed = True
        self.saved.extend(rows)

    def saved_failure(self, what: str) -> Failure | None:
        """After a commit (or a file written): the sentence that says so, so that the command is not run again."""
        done = self.done or (f"the records were saved ({describe_saved(self.saved)})" if self.committed else None)
        if done is None:
            return None
        return Failure(f"{done}, but {what}: do not run the command again.", SAVED_BUT_OUTPUT_FAILED)

    def read(self):
        from ..db import reading

        return reading(self.engine)


pass_app = click.make_pass_decorator(App)


class KaijiCommand(click.Command):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The example a command's help gives ("\b\nExample:" in its docstring) is shown last, below the
        # options, where a reader looks for it after reading them.
        import inspect
        import re

        found = re.search(r"\n[ \t]*\x08\n[ \t]*Examples?\b", self.help or "")
        if found and not self.epilog:
            self.help, self.epilog = self.help[:found.start()].rstrip(), inspect.cleandoc(self.help[found.start():])

    def invoke(self, ctx: click.Context):
        _refuse_broken_text(ctx)
        return super().invoke(ctx)


def _refuse_broken_text(ctx: click.Context) -> None:
    """Refuse a value that is not valid UTF-8 (its bytes arrive as surrogates), naming the option, not the value.

    File names are left alone: a file may be named in any bytes."""
    from ..errors import BadInput

    for param in ctx.command.params:
        values = ctx.params.get(param.name)
        if isinstance(param.type, click.Path) or (param.metavar or "") in ("PATH", "FILE"):
            continue
        for value in values if isinstance(values, (tuple, list)) else (values,):
            if isinstance(value, str) and any("\ud800" <= c <= "\udfff" for c in value):
                name = param.opts[0] if param.opts and param.param_type_name == "option" else param.human_readable_name
                raise BadInput(f"{name} is not valid UTF-8 text (a broken encoding?); type it or save it as UTF-8 "
                               "and try again.")


class KaijiGroup(click.Group):
    command_class = KaijiCommand

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KaijiError as exc:
            raise Failure(str(exc), exc.exit_code) from None
        except OutputFailed as exc:
            _silence_stdout()
            app = ctx.find_object(App)
            saved = app and app.saved_failure(f"standard output failed ({exc.reason()})")
            if saved:
                raise saved from None
            if isinstance(exc.cause, BrokenPipeError):
                ctx.exit(1)  # the reader went away (`kaiji request list | head`): nothing to say, nothing written
            raise Failure(f"cannot write to standard output ({exc.reason()}); nothing was written.") from None
        except KeyboardInterrupt:
            app = ctx.find_object(App)
            saved = app and app.saved_failure("kaiji was interrupted before it said so")
            if saved:
                raise saved from None
            raise
        except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
            # BrokenPipeError: the reader went away (`kaiji request list | head`); Click ends quietly.
            raise
        except Exception as exc:
            app = ctx.find_object(App)
            if app is None or app.debug:
                raise
            from sqlalchemy.exc import DatabaseError

            # Only the driver's first line: later lines (PostgreSQL's DETAIL) may quote personal data.
            if isinstance(exc, DatabaseError):
                from ..db import driver_message

                raise Failure(f"the database refused the operation ({driver_message(exc, app.url)}); nothing was "
                              "written. Try again, or run with --debug for details.") from None
            raise Failure(f"internal error ({type(exc).__name__}); nothing was written. Run again with --debug "
                          "and report what it prints.") from None


def warn(message: str) -> None:
    click.echo(f"kaiji: warning: {message}", err=True)


def emit_json(value: Any) -> None:
    import json

    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def emit_json_list(items: Iterable[Any], batch: int = 500) -> None:
    """emit_json(list(items)), written a batch of items at a time: the same text, in little memory.

    json.dumps escapes every newline inside a string, so the only line breaks in an item's text are
    its indentation's, and indenting each line by two spaces gives what indent=2 gives inside a list.
    """
    import json

    parts: list[str] = []
    first = True
    for item in items:
        parts.append(("[\n  " if first else ",\n  ")
                     + json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  "))
        first = False
        if len(parts) >= batch:
            click.echo("".join(parts), nl=False)
            parts.clear()
    parts.append("[]" if first else "\n]")
    click.echo("".join(parts))


def today() -> date:
    return date.today()


class RootGroup(KaijiGroup):
    """`kaiji`: each command's module is imported when the command runs, so that a command loads no
    other command's code (`kaiji --help` lists them all, and so imports them all)."""

    MODULES = {"body": "bodies", "rule": "bodies", "ground": "bodies", "holiday": "bodies", "db": "db",
               "due": "reports", "overdue": "reports", "explain": "reports", "pdf": "pdf",
               "request": "requests", "requester": "requesters"}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        import importlib

        # A name it does not know loads them all, so that Click can suggest the nearest ("Did you mean").
        for module in [self.MODULES[cmd_name]] if cmd_name in self.MODULES else set(self.MODULES.values()):
            importlib.import_module(f"{__name__}.{module}")  # registers its commands on `cli`
        return super().get_command(ctx, cmd_name)


@click.group(cls=RootGroup, context_settings=CONTEXT)
@click.option("--db", envvar="KAIJI_DB", metavar="PATH|URL",
              help="SQLite file or SQLAlchemy URL (postgresql+psycopg://…). Default: kaiji.sqlite3 in your data "
                   "folder. Also KAIJI_DB.")
@click.option("--debug", is_flag=True, help="Show the full traceback of an unexpected error.")
@click.version_option(__version__, "--version", prog_name="kaiji")
@click.pass_context
def cli(ctx: click.Context, db: str | None, debug: bool) -> None:
    """Track information-disclosure requests (情報公開請求) and their deadlines.

    \b
    Dates may be written 2024-12-27, 令和6年12月27日, R6.12.27 or H31.4.30.
    Example:
      kaiji request add --body maizuru --subject "…の調査結果" --received R6.12.27
      kaiji overdue
      kaiji explain 1
    """
    guard_stdout()
    ctx.obj = App(db, debug)


def collect_again() -> None:
    """Once a command has imported what it needs and turns to the database: freeze what is loaded (modules,
    mapped classes, which live as long as the process) out of the cycle collector's sight, and start it
    again for the command's own work (main() turned it off)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def main() -> None:
    # A command first imports SQLAlchemy, the models and the rules: several hundred thousand objects
    # that live as long as the process. Python's cycle collector would walk them again and again while
    # they are created, and at every full collection after (a third of `kaiji overdue`'s own time at
    # 100,000 requests), freeing nothing. So it is off until the command turns to the database
    # (App.engine, App.bare_engine: collect_again), and on again for the command's own work whatever
    # it does; a command that never opens a database ends before it would matter.
    gc.disable()
    guard_stdout()
    try:
        cli(prog_name="kaiji")
    except OutputFailed as exc:  # while Click itself printed (kaiji --help, --version), before any command ran
        _silence_stdout()
        if not isinstance(exc.cause, BrokenPipeError):
            click.echo(f"kaiji: error: cannot write to standard output ({exc.reason()}).", err=True)
        sys.exit(1)
