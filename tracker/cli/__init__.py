"""The `kaiji` command: thin Click commands that parse, call tracker.service and print.

Heavy modules (SQLAlchemy, Alembic, ReportLab) are imported inside the commands that need them,
so that `kaiji --help` and `kaiji --version` start fast.
"""

from __future__ import annotations

import gc
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


class Failure(click.ClickException):
    """A KaijiError on its way to the user: one sentence, the error's exit code."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(f"kaiji: error: {self.format_message()}", err=True)


class App:
    """What every command shares: where the database is, and the engine once it is opened."""

    def __init__(self, db: str | None, debug: bool):
        self.db = db
        self.debug = debug
        self._engine = None

    @property
    def url(self) -> str:
        from ..db import database_url

        return database_url(self.db)

    @property
    def engine(self):
        if self._engine is None:
            from ..db import open_database

            if not gc.isenabled():  # main() turned the cycle collector off while the command imported its modules
                gc.freeze()         # what is loaded now (modules, mapped classes) lives as long as the process
                gc.enable()
            self._engine = open_database(self.url)
        return self._engine

    def write(self):
        from ..db import transaction

        return transaction(self.engine)

    def read(self):
        from ..db import reading

        return reading(self.engine)


pass_app = click.make_pass_decorator(App)


class KaijiGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KaijiError as exc:
            raise Failure(str(exc), exc.exit_code) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt, BrokenPipeError):
            # BrokenPipeError: the reader went away (`kaiji request list | head`); Click ends quietly.
            raise
        except Exception as exc:
            app = ctx.find_object(App)
            if app is None or app.debug:
                raise
            from sqlalchemy.exc import DatabaseError

            # Only the driver's first line: later lines (PostgreSQL's DETAIL) may quote personal data.
            if isinstance(exc, DatabaseError):
                raise Failure(f"the database refused the operation ({str(exc.orig).splitlines()[0]}); nothing was "
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
    ctx.obj = App(db, debug)


def main() -> None:
    # A command first imports SQLAlchemy, the models and the rules: several hundred thousand objects
    # that live as long as the process. Python's cycle collector would walk them again and again while
    # they are created, and at every full collection after (a third of `kaiji overdue`'s own time at
    # 100,000 requests), freeing nothing. So it is off until the database is opened (App.engine),
    # where what is loaded so far is frozen out of its sight and it starts again for the command's work.
    gc.disable()
    cli(prog_name="kaiji")
