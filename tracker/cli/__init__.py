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
from ..i18n import N_, _, install_click

install_click()

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
        say_error(self.format_message())


def say_error(message: str) -> None:
    """kaiji's one error format: one line on standard error (folded on a terminal narrower than it)."""
    _to_stderr(_("kaiji: error: {message}").format(message=message))


def _to_stderr(line: str) -> None:
    """A message on standard error: one line for a program reading it; on a terminal (or with COLUMNS),
    folded to its width under a hanging indent, as the tables and the help are."""
    from .output import terminal_width

    limit = terminal_width(sys.stderr)
    if limit:
        from ..wrap import fold

        line = "\n".join(fold(line, limit, "", "  "))
    click.echo(line, err=True)


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
            return _("its encoding, {encoding}, cannot show the character {code}; set PYTHONIOENCODING=utf-8 or "
                     "use a UTF-8 terminal").format(encoding=c.encoding, code=f"U+{ord(char):04X}")
        if isinstance(c, BrokenPipeError):
            return _("the program reading it closed it")
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
    """What a write session inserted, changed or deleted, as (table, primary key) pairs, in order: what its
    flushes wrote, and what was inserted without them (db.SAVED)."""
    from sqlalchemy import event, inspect

    from ..db import SAVED

    rows: list[tuple[str, str, object]] = session.info.setdefault(SAVED, [])

    @event.listens_for(session, "after_flush")
    def after_flush(session, _context):
        for how, objects in (("new", session.new), ("changed", session.dirty), ("deleted", session.deleted)):
            for obj in objects:
                if how != "changed" or session.is_modified(obj):
                    key = inspect(obj).mapper.primary_key_from_instance(obj)
                    rows.append((how, obj.__table__.name, key[0] if len(key) == 1 else tuple(key)))
    return rows


def describe_saved(rows: list) -> str:
    """`requests 7; events 12–13 (2)`: ids and tables only, never a value (it may be personal data).

    The tables are named as in the database; the words around them in the reader's language."""
    said = {"changed": N_("changed {table} {ids}"), "deleted": N_("deleted {table} {ids}")}
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
                ids = _("{count} rows").format(count=len(keys))
            else:
                ids = ", ".join(map(str, keys))
            parts.append(f"{table} {ids}" if how == "new" else _(said[how]).format(table=table, ids=ids))
    return "; ".join(parts) or _("the changes")


class App:
    """What every command shares: where the database is, and the engine once it is opened."""

    def __init__(self, db: str | None, debug: bool):
        self.db = db
        self.debug = debug
        self._engine = None
        self._opened: list = []   # the engines this command made, disposed when it ends (close)
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
            self._opened.append(self._engine)
        return self._engine

    def close(self) -> None:
        """When the command ends: its connections go back to the database now, not when collected."""
        while self._opened:
            self._opened.pop().dispose()

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
                raise NotFound(_("there is no database at {path}; check the --db path or KAIJI_DB.").format(path=path))
            _create(path)
        engine = make_engine(self.url)
        self._opened.append(engine)
        return engine

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
        done = self.done or (_("the records were saved ({saved})").format(saved=describe_saved(self.saved))
                             if self.committed else None)
        if done is None:
            return None
        return Failure(_("{done}, but {what}: do not run the command again.").format(done=done, what=what),
                       SAVED_BUT_OUTPUT_FAILED)

    def read(self):
        from ..db import reading

        return reading(self.engine)


pass_app = click.make_pass_decorator(App)


def _example_heading(epilog: str | None) -> str | None:
    """An example's heading ("Example:") in the reader's language; the example itself is a command."""
    import re

    return re.sub(r"(?m)^Examples?\b.*:$", lambda m: _(m.group()), epilog) if epilog else epilog


@contextmanager
def _in_readers_language(command: click.Command, ctx: click.Context):
    """The command's help, its example's heading and its options' help translated while it is shown.

    Click keeps them on the objects, declared once in English (the catalog's message ids)."""
    saved = [(command, "help", command.help), (command, "short_help", command.short_help),
             (command, "epilog", command.epilog)]
    saved += [(p, "help", p.help) for p in command.get_params(ctx) if getattr(p, "help", None)]
    try:
        for obj, attr, value in saved:
            if value:
                setattr(obj, attr, _example_heading(value) if attr == "epilog" else _(value))
        yield
    finally:
        for obj, attr, value in saved:
            setattr(obj, attr, value)


class KaijiHelpFormatter(click.HelpFormatter):
    """Click's help layout, folded by display width (full-width characters take two columns, and Japanese
    may break between any two characters): tracker.wrap."""

    def write_text(self, text: str) -> None:
        from ..wrap import fold_paragraphs

        indent = " " * self.current_indent
        self.write(fold_paragraphs(text, self.width, indent, indent) + "\n")

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        from ..table import width
        from ..wrap import fold

        head = f"{prefix or _('Usage:') + ' ':>{self.current_indent}}{prog} "
        lines = fold(args, self.width, head, " " * min(width(head), self.width // 2)) if args else [head.rstrip()]
        self.write("\n".join(lines) + "\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        from ..table import width
        from ..wrap import fold_paragraphs

        rows = list(rows)
        first_col = min(max((width(r[0]) for r in rows), default=0), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            pad = " " * (first_col + self.current_indent)
            if width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - width(first)))
                text = fold_paragraphs(second, self.width, pad, pad)[len(pad):]
            else:
                text = "\n" + fold_paragraphs(second, self.width, pad, pad)
            self.write(text + "\n")


class KaijiContext(click.Context):
    formatter_class = KaijiHelpFormatter


HELP_OPTION = "Show this message and exit."  # Click's own msgid, in kaiji's catalog with Click's other words


class _Translated:
    """Help in the reader's language (tracker.i18n), its example last, folded as terminals draw it."""

    context_class = KaijiContext

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The example a command's help gives ("Example:" in its docstring) is shown last, below the
        # options, where a reader looks for it after reading them.
        import inspect
        import re

        self.help = inspect.cleandoc(self.help) if self.help else self.help
        found = re.search(r"^[ \t]*Examples?\b[^\n]*:[ \t]*$", self.help or "", re.MULTILINE)
        if found and not self.epilog:
            self.help, self.epilog = (self.help[:found.start()].rstrip().removesuffix("\x08").rstrip(),
                                      "\b\n" + self.help[found.start():])

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _in_readers_language(self, ctx):
            super().format_help(ctx, formatter)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        # Click words the help option when it first makes it, in the language of that moment, and keeps
        # it: declared in English here like every other option's help, it is translated when shown.
        made = getattr(self, "_help_option", None) is None  # Click keeps it once made (8.1.8 on)
        option = super().get_help_option(ctx)
        if made and option is not None:
            option.help = HELP_OPTION
        return option

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return [_(piece) if piece in ("[OPTIONS]", "COMMAND [ARGS]...") else piece
                for piece in super().collect_usage_pieces(ctx)]

    def get_short_help_str(self, limit: int = 45) -> str:
        saved = self.help, self.short_help
        self.help, self.short_help = (_(v) if v else v for v in saved)
        try:
            return super().get_short_help_str(limit)
        finally:
            self.help, self.short_help = saved


class KaijiCommand(_Translated, click.Command):
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
                raise BadInput(_("{option} is not valid UTF-8 text (a broken encoding?); type it or save it as UTF-8 "
                                 "and try again.").format(option=name))


class KaijiGroup(_Translated, click.Group):
    command_class = KaijiCommand

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KaijiError as exc:
            raise Failure(str(exc), exc.exit_code) from None
        except OutputFailed as exc:
            _silence_stdout()
            app = ctx.find_object(App)
            saved = app and app.saved_failure(_("standard output failed ({reason})").format(reason=exc.reason()))
            if saved:
                raise saved from None
            if isinstance(exc.cause, BrokenPipeError):
                ctx.exit(1)  # the reader went away (`kaiji request list | head`): nothing to say, nothing written
            raise Failure(_("cannot write to standard output ({reason}); nothing was written.").format(
                reason=exc.reason())) from None
        except KeyboardInterrupt:
            app = ctx.find_object(App)
            saved = app and app.saved_failure(_("kaiji was interrupted before it said so"))
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

                raise Failure(_("the database refused the operation ({reason}); nothing was written. Try again, or "
                                "run with --debug for details.").format(reason=driver_message(exc, app.url))) from None
            raise Failure(_("internal error ({error}); nothing was written. Run again with --debug and report what it "
                            "prints.").format(error=type(exc).__name__)) from None


def put_file(app: "App", output: str, data: bytes | Iterable[bytes], force: bool, whole: bool = False):
    """What a command made (bytes, or pieces of bytes as they are made), to standard output (`-o -`, None
    returned) or to the file named (never over the database or one of its files; --force to replace another),
    whose path it returns. A file is written under a temporary name and named when whole, so an error while
    the pieces are made leaves nothing; `whole`: the same on standard output (the pieces are kept in a
    temporary file until the last, for an export that can still refuse a row, as cp932 does)."""
    if output == "-":
        pieces = (data,) if isinstance(data, (bytes, bytearray, memoryview)) else data
        if whole:
            import shutil
            import tempfile

            with tempfile.TemporaryFile() as kept:
                for piece in pieces:
                    kept.write(piece)
                kept.seek(0)
                shutil.copyfileobj(kept, sys.stdout.buffer)
        else:
            for piece in pieces:
                sys.stdout.buffer.write(piece)
        sys.stdout.flush()
        return None
    from ..db import sqlite_path
    from ..files import database_files, write_bytes

    return write_bytes(output, data, force=force, keep=database_files(sqlite_path(app.url)))


def shown_path(path) -> str:
    """A file kaiji wrote, named as the reader would name it: request.pdf in the current folder, else in full."""
    from pathlib import Path

    path = Path(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def warn(message: str) -> None:
    _to_stderr(_("kaiji: warning: {message}").format(message=message))


def emit_json(value: Any) -> None:
    import json

    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def emit_json_list(items: Iterable[Any], batch: int = 500) -> None:
    """emit_json(list(items)), written a batch of items at a time: the same text, in little memory
    (tracker/records.py)."""
    from ..records import list_chunks

    for chunk in list_chunks(items, batch):
        click.echo(chunk, nl=False)
    click.echo("")


def _usage_sentence(exc: click.UsageError) -> str:
    """A usage error's message and where to read how the command is used, as one sentence."""
    message = " ".join(exc.format_message().split())
    ctx = exc.ctx
    if ctx is None:
        return message
    return _("{message} See '{command} --help'.").format(message=message, command=ctx.command_path)


def today() -> date:
    return date.today()


class RootGroup(KaijiGroup):
    """`kaiji`: each command's module is imported when the command runs, so that a command loads no
    other command's code (`kaiji --help` lists them all, and so imports them all)."""

    MODULES = {"body": "bodies", "rule": "bodies", "ground": "bodies", "holiday": "bodies", "db": "db",
               "due": "reports", "export": "export", "overdue": "reports", "explain": "reports", "pdf": "pdf",
               "request": "requests", "requester": "requesters",
               "calendar": "calendar", "campaign": "campaigns", "digest": "digest", "serve": "serve", "user": "users",
               "doc": "documents", "search": "documents", "stats": "stats", "report": "stats"}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.MODULES)

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        """Click's own usage errors in kaiji's one format: `kaiji: error: …` on one line, exit code 2.

        The language is read once for the whole command (a message is translated millions of times in an
        export), and forgotten when it ends."""
        from ..i18n import language, use_language

        with use_language(language()):   # the one chosen around it (use_language), else the environment's
            return self._main(*args, standalone_mode=standalone_mode, **kwargs)

    def _main(self, *args, standalone_mode: bool = True, **kwargs):
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)
        except click.ClickException as exc:
            if isinstance(exc, click.UsageError) and not isinstance(exc, Failure):
                say_error(_usage_sentence(exc))
            else:
                exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo(_("Aborted!"), err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        from .output import help_width

        extra.setdefault("terminal_width", help_width())  # help wraps to the width tables fit (output.py)
        return super().make_context(info_name, args, parent, **extra)

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
@click.option("--iso", is_flag=True, envvar="KAIJI_ISO",
              help="Print dates as 2025-01-10 in any language (for scripts). Also KAIJI_ISO=1.")
@click.version_option(__version__, "--version", prog_name="kaiji")
@click.pass_context
def cli(ctx: click.Context, db: str | None, debug: bool, iso: bool) -> None:
    """Track information-disclosure requests (情報公開請求) and their deadlines.

    \b
    Dates may be written 2024-12-27, 令和6年12月27日, R6.12.27 or H31.4.30.
    Example:
      kaiji request add --body maizuru --subject "…の調査結果" --received R6.12.27
      kaiji overdue
      kaiji explain 1
    """
    from ..i18n import use_iso_dates

    guard_stdout()
    use_iso_dates(iso)
    ctx.obj = App(db, debug)
    ctx.call_on_close(ctx.obj.close)


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
            say_error(_("cannot write to standard output ({reason}).").format(reason=exc.reason()))
        sys.exit(1)
