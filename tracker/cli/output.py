"""The one output layer: every listing and `show` command prints its records here.

A command builds a list of dicts (the records) and declares, once, the columns its table shows.
The same records then print in each format:

- json: the records as they are (`emit_json_list` writes a long list a batch at a time);
- csv: the records' keys as the header, a row per record; a list or dict in a cell as compact JSON;
- table: the declared columns, fitted to the terminal (tracker/table.py measures and clips), or, on a
  terminal narrower than STACK_BELOW columns, one field a line. Output that goes to a file or a pipe
  (no terminal, no COLUMNS) keeps every value whole.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Sequence

import click

from ..i18n import _, dates_as_written, show_stored

FORMATS = ("table", "json", "csv")
STACK_BELOW = 60  # a terminal narrower than this shows a table one field a line


@dataclass(frozen=True)
class Column:
    """A column of a table: the record's key, its header (marked with N_(), shown through _()), how it aligns,
    whether it may be clipped and to how narrow (`shrink`), whether it is free text (clipped first)."""

    key: str
    header: str
    right: bool = False
    shrink: int | None = None  # the narrowest the column may be clipped to; None: never clipped
    text: bool = False  # free text (a subject): narrowed before the others
    show: Callable[[dict], Any] | None = None  # what the table shows, when not record[key]

    def cell(self, record: dict) -> Any:
        return self.show(record) if self.show is not None else record.get(self.key)


def terminal_width(stream=None) -> int | None:
    """The columns output may take: COLUMNS if set, else the terminal's; None when the stream (standard
    output unless given) is not a terminal (a file or a pipe keeps every value whole)."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        stream = stream if stream is not None else sys.stdout
        if stream is not None and stream.isatty():
            return shutil.get_terminal_size().columns
    except (AttributeError, ValueError, OSError):
        pass
    return None


def help_width() -> int:
    """The width Click wraps help text to: the terminal's (80 off a terminal), at most 100, at least 40."""
    return max(min(terminal_width() or 80, 100) - 2, 40)


def format_option(f: Callable) -> Callable:
    """`--format table|json|csv`, and `--json` for `--format json`: the command receives fmt."""

    @functools.wraps(f)
    def command(*args, fmt: str | None, as_json: bool, **kwargs):
        if as_json and fmt not in (None, "json"):
            from ..errors import BadInput

            raise BadInput(_("--json is short for --format json; give one of them, not --json with --format "
                             "{fmt}.").format(fmt=fmt))
        return f(*args, fmt="json" if as_json else fmt or "table", **kwargs)

    command = click.option("--json", "as_json", is_flag=True, help="Short for --format json.")(command)
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
                        help="table (the default), json or csv (UTF-8, a header row).")(command)


# ---------------------------------------------------------------- tables

def table(records: Iterable[dict], columns: Sequence[Column], width: int | None = None) -> str:
    """The records as a table of the columns, fitted to `width` display columns (None: values kept whole);
    narrower than STACK_BELOW, or when the columns cannot be narrowed enough, one field a line."""
    return "\n".join(table_pieces(cells(records, columns), columns, width))


def cells(records: Iterable[dict], columns: Sequence[Column]) -> list[tuple]:
    """What the table shows of each record, a tuple a row: the records are read one at a time and not kept."""
    if dates_as_written():
        return [tuple(_as_written(c.cell(r)) for c in columns) for r in records]
    return [tuple(c.cell(r) for c in columns) for r in records]


def table_pieces(rows: Sequence[tuple], columns: Sequence[Column], width: int | None = None) -> Iterator[str]:
    """table()'s text in pieces (joined by newlines) from the rows cells() made."""
    from ..table import fit, render_pieces, stack
    from ..table import width as display_width

    headers = [_(c.header) for c in columns]
    right = [i for i, c in enumerate(columns) if c.right]
    if width is None:
        yield from render_pieces(headers, rows, right)
        return
    if width < STACK_BELOW:
        yield stack(headers, rows, width)
        return
    natural = [max([display_width(h)] + [display_width(" ".join(str(v).split())) for v in col if v is not None])
               for h, col in zip(headers, zip(*rows))] if rows else [display_width(h) for h in headers]
    order = sorted((i for i, c in enumerate(columns) if c.shrink is not None), key=lambda i: not columns[i].text)
    widths = fit(natural, [c.shrink for c in columns], order, width)
    if widths is None:
        yield stack(headers, rows, width)
        return
    yield from render_pieces(headers, rows, right, widths)


def _as_written(value: Any) -> Any:
    """A table cell holding an ISO date (the records keep ISO for JSON and CSV) as the reader writes dates."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return show_stored(value, weekday=False, short=True)
        except ValueError:
            return value
    return value


# ---------------------------------------------------------------- the formats

def _cell(value: Any) -> str:
    """A CSV cell: text as it is, nothing for None, anything else (a number, true/false, a list) as compact JSON."""
    import json

    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def emit_csv(records: Iterable[dict], batch: int = 500) -> None:
    """The records as CSV: their keys (the first record's) as the header, a row each, written a batch at a time."""
    import csv
    import io

    buffer = io.StringIO()
    writer = None
    for n, record in enumerate(records, 1):
        if writer is None:
            writer = csv.writer(buffer, lineterminator="\n")
            keys = list(record)
            writer.writerow(keys)
        writer.writerow([_cell(record.get(k)) for k in keys])
        if n % batch == 0:
            click.echo(buffer.getvalue(), nl=False)
            buffer.seek(0)
            buffer.truncate()
    click.echo(buffer.getvalue(), nl=False)


def emit_list(records: Iterable[dict], columns: Sequence[Column], fmt: str, empty: str | None = None) -> None:
    """A listing in its format; `empty` is what the table says when there is nothing to list."""
    from . import emit_json_list

    if fmt == "json":
        if hasattr(records, "json_chunks"):  # plain rows (records.Rows): written without making each record
            for chunk in records.json_chunks():
                click.echo(chunk, nl=False)
            return click.echo("")
        return emit_json_list(records)
    if fmt == "csv":
        return emit_csv(records)
    rows = cells(records, columns)
    if not rows and empty is not None:
        return click.echo(empty)
    for piece in table_pieces(rows, columns, terminal_width()):
        click.echo(piece)


def emit_record(record: dict, fmt: str, text: Callable[[int | None], str]) -> None:
    """One record (`request show`, `db current`): JSON as an object, CSV as one row, or `text(width)`."""
    from . import emit_json

    if fmt == "json":
        return emit_json(record)
    if fmt == "csv":
        return emit_csv([record])
    click.echo(text(terminal_width()))


def say(text: str) -> None:
    """A sentence on standard output, folded to the terminal (kept whole for a file or a pipe)."""
    from ..wrap import fold

    room = terminal_width()
    click.echo("\n".join(fold(text, room, "", "  ")) if room else text)
