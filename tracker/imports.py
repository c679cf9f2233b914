"""Bulk import of requests from a CSV file: each row checked as `kaiji request add` checks it, all in one transaction.

The file is UTF-8 (Excel's "CSV UTF-8", with its byte-order mark, is fine), one request a row,
with a header naming the columns; `COLUMNS` lists them, `body` and `subject` are required.
Rows are counted as a spreadsheet shows them: the header is row 1, the first request row 2.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import stat
from collections.abc import Callable, Iterator
from typing import BinaryIO
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from . import service
from .dates import DateError, read_date
from .errors import BadInput, KaijiError
from .models import Body, Jurisdiction

COLUMNS = ("body", "subject", "filed", "received", "requester", "method", "mail", "reason", "reference",
           "department")
REQUIRED = ("body", "subject")
TRUE = {"yes", "y", "true", "1", "有", "あり", "要", "○"}
FALSE = {"no", "n", "false", "0", "無", "なし", "不要", "×", ""}
_METHOD_SPLIT = re.compile(r"[;,、・/\s]+")

# The column each field of service.add_request comes from: an error from it names its field (errors.py).
FIELD_COLUMN = {"body": "body", "subject": "subject", "filed": "filed", "received": "received",
                "requester": "requester", "methods": "method", "mail": "mail", "reason": "reason",
                "reference": "reference", "department_name": "department"}


# The largest CSV file kaiji reads (about half a million requests); larger ones are split first.
MAX_BYTES = 50 * 1024 * 1024


def read_file(path: str, stdin: BinaryIO | None = None) -> tuple[bytes, str]:
    """A CSV file's bytes and its name for messages; "-" reads `stdin`.

    Only a regular file is opened (a device such as /dev/zero, a folder or a named pipe is refused
    before it is read), and no more than MAX_BYTES are read, from a file or standard input.
    """
    if path == "-":
        name, stream = "standard input", stdin
    else:
        name = path
        try:
            st = os.stat(path)
        except OSError as exc:
            raise BadInput(f"cannot read {name} ({exc.strerror}); check the file's path.") from None
        if not stat.S_ISREG(st.st_mode):
            raise BadInput(f"{name} is not a regular file (it is a folder, device or pipe); save the requests as a "
                           "CSV file and import that file.")
        if st.st_size > MAX_BYTES:
            raise BadInput(f"{name} is {st.st_size // 2**20} MB, more than the {MAX_BYTES // 2**20} MB kaiji imports "
                           "at once; split it into smaller files and import each.")
        try:
            stream = open(path, "rb")
        except OSError as exc:
            raise BadInput(f"cannot read {name} ({exc.strerror}); check the file's path and permissions.") from None
    with stream if path != "-" else contextlib.nullcontext(stream):
        data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise BadInput(f"{name} holds more than the {MAX_BYTES // 2**20} MB kaiji imports at once; split it into "
                       "smaller files and import each.")
    return data, name


@dataclass
class Row:
    number: int                  # the row as a spreadsheet numbers it (the header is row 1)
    values: dict[str, str]


def _fail(exc: KaijiError | None, row: int, column: str | None, message: str) -> KaijiError:
    """The error for a bad row, as one sentence: where, what, and that nothing was written; its field is the column."""
    where = f"row {row}" + (f", column {column}" if column else "")
    cls = type(exc) if exc is not None else BadInput
    return cls(f"{where}: {message.rstrip('.')} (nothing was imported).", field=column)


def read_rows(data: bytes, name: str = "the file") -> list[Row]:
    """Decode and split a CSV file; BadInput naming the file, row or column on anything amiss."""
    head = data[:4096]
    if b"\x00" in head or head.startswith((b"%PDF", b"SQLite format 3", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise BadInput(f"{name} is not a CSV text file (it holds binary data, e.g. a spreadsheet, PDF or database); "
                       "save the sheet as CSV UTF-8 and import that.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        try:
            data.decode("cp932")
            hint = "it looks like Shift_JIS, Excel's usual CSV; save it as CSV UTF-8 (コンマ区切り) and try again"
        except UnicodeDecodeError:
            hint = "save it as UTF-8 and try again"
        raise BadInput(f"{name} is not UTF-8 text (line {line}); {hint}.") from None
    rows = _split(text, name)
    header = next(rows, None)
    if header is None or not any(h.strip() for h in header):
        raise BadInput(f"{name} is empty; its first line must name the columns, e.g. {','.join(COLUMNS)}.")
    columns = [h.strip().lower() for h in header]
    for col in columns:
        if col not in COLUMNS:
            raise BadInput(f"{name}: column {col!r} in the header is not one kaiji knows; the columns are "
                           f"{', '.join(COLUMNS)}.")
    if len(set(columns)) != len(columns):
        dup = next(c for c in columns if columns.count(c) > 1)
        raise BadInput(f"{name}: the header names column {dup!r} twice; keep one.")
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise BadInput(f"{name}: the header lacks the column{'s' if len(missing) > 1 else ''} "
                       f"{', '.join(missing)}; every request needs a body and a subject.")
    out = []
    for number, fields in enumerate(rows, start=2):
        if not any(f.strip() for f in fields):
            continue  # a blank line, as spreadsheets leave at the end
        if len(fields) != len(columns):
            raise _fail(None, number, None, f"it has {len(fields)} fields but the header names {len(columns)} "
                                            "columns; check for a stray comma or an unclosed quote")
        out.append(Row(number, dict(zip(columns, fields))))
    if not out:
        raise BadInput(f"{name} has a header but no requests; nothing to import.")
    return out


def _split(text: str, name: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BadInput(f"{name} is not valid CSV near line {reader.line_num} ({exc}); check the quotes "
                           "there.") from None
        yield fields


def _date(row: Row, column: str) -> date | None:
    text = row.values.get(column, "").strip()
    if not text:
        return None
    try:
        return read_date(text)
    except DateError as exc:
        raise _fail(None, row.number, column, str(exc)) from None


def _mail(row: Row) -> bool:
    text = row.values.get("mail", "").strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise _fail(None, row.number, "mail", f"{text!r} is not yes or no (有/無)")


def request_args(row: Row) -> dict:
    """The keyword arguments of service.add_request for one row (dates, yes/no and methods read here)."""
    v = row.values
    methods = [m for m in _METHOD_SPLIT.split(v.get("method", "").strip()) if m] or ["copy"]
    try:
        service.method_keys(methods, field="methods")
    except KaijiError as exc:
        raise _fail(exc, row.number, FIELD_COLUMN.get(exc.field), str(exc)) from None
    return dict(body=v["body"].strip(), subject=v["subject"], filed=_date(row, "filed"),
                received=_date(row, "received"), requester=v.get("requester") or None, methods=methods,
                mail=_mail(row), reason=v.get("reason") or None, reference=v.get("reference") or None,
                department_name=v.get("department") or None)


def import_requests(session: Session, rows: list[Row], progress: Callable[[int, int], None] | None = None,
                    every: int = 1000, batch: int = 500, warnings: list[str] | None = None) -> list[int]:
    """Add every row with service.add_request in the caller's transaction; return the new ids.

    The first bad row raises its error, naming the row and column; the caller's transaction then
    rolls back, so either every row is written or none is. `progress(done, total)` is called every
    `every` rows.
    """
    # The session holds loaded rows only weakly: keep the bodies and their jurisdictions' rules and closed
    # days alive, so that each row does not load them again; bodies, requesters and departments are
    # looked up once each (service.BULK), and the new rows are inserted `batch` at a time.
    keep = list(session.scalars(select(Body).options(
        selectinload(Body.jurisdiction).selectinload(Jurisdiction.rules),
        selectinload(Body.jurisdiction).selectinload(Jurisdiction.closed_days))))
    # What can be checked row by row without the database (dates, yes/no, methods) is checked for
    # every row first, so that a bad date in the last row of a large file is reported at once.
    checked = [(row, request_args(row)) for row in rows]
    ids: list[int] = []
    pending = []  # added since the last flush: their ids are known once flushed, and then they are let go

    def flush() -> None:
        session.flush()
        ids.extend(r.id for r in pending)
        pending.clear()

    session.info[service.BULK] = {}
    try:
        for i, (row, args) in enumerate(checked, start=1):
            said: list[str] = []
            try:
                pending.append(service.add_request(session, **args, flush=False, warnings=said))
            except KaijiError as exc:
                raise _fail(exc, row.number, FIELD_COLUMN.get(exc.field), str(exc)) from None
            if warnings is not None:
                warnings.extend(f"row {row.number}: {w}" for w in said)
            reporting = progress is not None and i % every == 0
            if i % batch == 0 or reporting:  # the rows reported as checked have passed the database's checks too
                flush()
            if reporting:
                progress(i, len(rows))
        flush()
    finally:
        del session.info[service.BULK]
    del keep
    return ids
