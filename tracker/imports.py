"""Bulk import of requests from what a spreadsheet writes: each row checked as `kaiji request add` checks it,
all in one transaction.

The file is an Excel workbook (.xlsx, its first sheet, read with openpyxl in read-only mode) or CSV in
UTF-8, UTF-8 with a byte-order mark (Excel's "CSV UTF-8") or cp932 (Shift_JIS, Excel's older "CSV"):
a BOM says UTF-8; otherwise the text is tried as UTF-8, strictly, and else as cp932. One request a
row, with a header naming the columns: `COLUMNS` by key, in English or in Japanese (`HEADERS`),
including every header `kaiji export requests` writes, so that an export imports again (the columns
kaiji works out itself, such as the status or the decision due, are ignored). `body` and `subject`
are required. Rows are counted as a spreadsheet shows them: the header is row 1, the first request row 2.

A row that repeats a request already recorded, or an earlier row of the same file (the same body,
subject and receipt date), is skipped and counted, unless duplicates are allowed: importing the same
file twice adds nothing the second time.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterator
from typing import BinaryIO
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from . import service
from .dates import DateError, read_date
from .errors import BadInput, KaijiError, Refused
from .exports import FORMULA_START, REQUEST_FIELDS
from .i18n import _, catalog
from .models import Body, Jurisdiction

COLUMNS = ("body", "subject", "filed", "received", "requester", "method", "mail", "reason", "reference",
           "department")
REQUIRED = ("body", "subject")
TRUE = {"yes", "y", "true", "1", "有", "あり", "要", "○"}
FALSE = {"no", "n", "false", "0", "無", "なし", "不要", "×", ""}
_METHOD_SPLIT = re.compile(r"[;,、・/\s]+")

# A header cell, as written (NFKC-normalised and case-folded), and the column it names: the keys, the
# Japanese names of a request's form (様式第1号), and every header of `kaiji export requests` in English and
# Japanese (its body_key column holds the body's key, preferred to the body's name in its body column).
HEADERS: dict[str, str | None] = {c: c for c in COLUMNS}
HEADERS.update({"実施機関": "body", "件名": "subject", "請求日": "filed", "受付日": "received", "請求者": "requester",
                "開示の方法": "method", "送付希望": "mail", "理由": "reason", "整理番号": "reference",
                "担当部課": "department", "請求する行政文書の名称又は内容": "subject", "受付年月日": "received"})
for _f in REQUEST_FIELDS:
    _column = _f.key if _f.key in COLUMNS or _f.key == "body_key" else None  # None: worked out by kaiji, ignored
    for _name in (_f.key, _f.header, _f.ja, catalog("ja").gettext(_f.header)):
        HEADERS.setdefault(unicodedata.normalize("NFKC", _name).strip().casefold(), _column)
del _f, _column, _name

# The column each field of service.add_request comes from: an error from it names its field (errors.py).
FIELD_COLUMN = {"body": "body", "subject": "subject", "filed": "filed", "received": "received",
                "requester": "requester", "methods": "method", "mail": "mail", "reason": "reason",
                "reference": "reference", "department_name": "department"}


# The largest CSV file kaiji reads (about half a million requests); larger ones are split first.
MAX_BYTES = 50 * 1024 * 1024
# A file of more rows shows a progress bar on a terminal (`kaiji request import`).
PROGRESS_ABOVE = 300


def read_file(path: str, stdin: BinaryIO | None = None) -> tuple[bytes, str]:
    """A CSV file's bytes and its name for messages; "-" reads `stdin`.

    Only a regular file is opened (a device such as /dev/zero, a folder or a named pipe is refused
    before it is read), and no more than MAX_BYTES are read, from a file or standard input.
    """
    if path == "-":
        name, stream = _("standard input"), stdin
    else:
        name = path
        try:
            st = os.stat(path)
        except OSError as exc:
            raise BadInput(_("cannot read {name} ({reason}); check the file's path.").format(
                name=name, reason=exc.strerror)) from None
        if not stat.S_ISREG(st.st_mode):
            raise BadInput(_("{name} is not a regular file (it is a folder, device or pipe); save the requests as a "
                             "CSV file and import that file.").format(name=name))
        if st.st_size > MAX_BYTES:
            raise BadInput(_("{name} is {size} MB, more than the {limit} MB kaiji imports at once; split it into "
                             "smaller files and import each.").format(name=name, size=st.st_size // 2**20,
                                                                      limit=MAX_BYTES // 2**20))
        try:
            stream = open(path, "rb")
        except OSError as exc:
            raise BadInput(_("cannot read {name} ({reason}); check the file's path and permissions.").format(
                name=name, reason=exc.strerror)) from None
    with stream if path != "-" else contextlib.nullcontext(stream):
        data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise BadInput(_("{name} holds more than the {limit} MB kaiji imports at once; split it into smaller files "
                         "and import each.").format(name=name, limit=MAX_BYTES // 2**20))
    return data, name


@dataclass
class Row:
    number: int                  # the row as a spreadsheet numbers it (the header is row 1)
    values: dict[str, str]


def row_error(exc: KaijiError | None, row: int, column: str | None, message: str) -> KaijiError:
    """The error for a bad row, as one sentence: where, what, and that nothing was written; its field is the column."""
    cls = type(exc) if exc is not None else BadInput
    message = message.rstrip("。.")
    if column:
        return cls(_("row {row}, column {column}: {message} (nothing was imported).").format(
            row=row, column=column, message=message), field=column)
    return cls(_("row {row}: {message} (nothing was imported).").format(row=row, message=message), field=column)


def read_rows(data: bytes, name: str | None = None) -> list[Row]:
    """Decode and split a CSV file or an .xlsx workbook of requests; BadInput naming the file, row or column on
    anything amiss."""
    return read_table(data, name, HEADERS, REQUIRED)


def read_table(data: bytes, name: str | None, headers: dict[str, str | None], required: tuple[str, ...],
               records: str | None = None) -> list[Row]:
    """Decode and split a CSV file or an .xlsx workbook whose header names columns of `headers` (a header cell,
    NFKC-normalised and case-folded: its column, or None for one to ignore); `required` columns must be there.
    `records` names what a row holds (None: a request, with the request import's messages)."""
    known = COLUMNS if records is None else tuple(dict.fromkeys(c for c in headers.values() if c))
    name = name or _("the file")
    if data.startswith(b"PK\x03\x04"):
        table = _xlsx_rows(data, name)
    else:
        table = _split(_decode(data, name), name)
    header = next(table, None)
    if header is not None:
        while header and not header[-1].strip():
            header = header[:-1]  # a sheet's empty cells right of the header
    if header is None or not any(h.strip() for h in header):
        raise BadInput(_("{name} is empty; its first line must name the columns, e.g. {columns}.").format(
            name=name, columns=",".join(known)))
    columns = []
    for h in header:
        key = unicodedata.normalize("NFKC", h).strip().casefold()
        if key not in headers and records is None:
            raise BadInput(_("{name}: column {column!r} in the header is not one kaiji knows; the columns are "
                             "{columns} (or their Japanese names, 実施機関, 件名, 請求日 …).").format(
                name=name, column=h.strip(), columns=", ".join(known)))
        if key not in headers:
            raise BadInput(_("{name}: column {column!r} in the header is not one kaiji knows; the columns are "
                             "{columns}.").format(name=name, column=h.strip(), columns=", ".join(known)))
        columns.append(headers[key])
    named = [c for c in columns if c is not None]
    if len(set(named)) != len(named):
        dup = next(c for c in named if named.count(c) > 1)
        raise BadInput(_("{name}: the header names column {column!r} twice; keep one.").format(name=name, column=dup))
    present = set(named) | ({"body"} if "body_key" in named else set())
    missing = [c for c in required if c not in present]
    if missing and records is None:
        raise BadInput(_("{name}: the header lacks the column {columns}; every request needs a body and a "
                         "subject.").format(name=name, columns=", ".join(missing)))
    if missing:
        raise BadInput(_("{name}: the header lacks the column {columns}; add it.").format(
            name=name, columns=", ".join(missing)))
    out = []
    for number, fields in enumerate(table, start=2):
        if not any(f.strip() for f in fields):
            continue  # a blank line, as spreadsheets leave at the end
        if len(fields) > len(columns) and not any(f.strip() for f in fields[len(columns):]):
            fields = fields[:len(columns)]  # empty cells right of the last column
        if len(fields) != len(columns):
            raise row_error(None, number, None, _("it has {fields} fields but the header names {columns} columns; "
                                              "check for a stray comma or an unclosed quote").format(
                fields=len(fields), columns=len(columns)))
        values = {c: _plain(f) for c, f in zip(columns, fields) if c is not None}
        if values.get("body_key", "").strip():
            values["body"] = values["body_key"]  # the export's key: a body's name may be shared
        values.pop("body_key", None)
        out.append(Row(number, values))
    if not out and records is None:
        raise BadInput(_("{name} has a header but no requests; nothing to import.").format(name=name))
    if not out:
        raise BadInput(_("{name} has a header but no rows below it; nothing to import.").format(name=name))
    return out


def _plain(text: str) -> str:
    """A cell as it was before an export made it plain text: the apostrophe before =, +, -, @ taken off."""
    return text[1:] if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START) else text


def _decode(data: bytes, name: str) -> str:
    """The text of a CSV file: UTF-8 with a BOM; else UTF-8 if it all decodes strictly; else cp932 (Shift_JIS)."""
    head = data[:4096]
    if b"\x00" in head or head.startswith((b"%PDF", b"SQLite format 3", b"\xd0\xcf\x11\xe0")):
        raise BadInput(_("{name} is not a CSV text file (it holds binary data, e.g. a PDF, a database or an old .xls "
                         "workbook); save the sheet as .xlsx or CSV UTF-8 and import that.").format(name=name))
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
    else:
        encodings = ("utf-8", "cp932")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
    raise BadInput(_("{name} is neither UTF-8 nor Shift_JIS (cp932) text (line {line}); save it as CSV UTF-8 "
                     "and try again.").format(name=name, line=line)) from None


def _xlsx_rows(data: bytes, name: str) -> Iterator[list[str]]:
    """The rows of a workbook's first sheet as text: a date cell as its ISO date, a whole number as digits."""
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise BadInput(_("{name} is not an Excel workbook kaiji can read ({reason}); save it again as .xlsx, or as "
                         "CSV UTF-8.").format(name=name, reason=type(exc).__name__)) from None
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell(v) for v in values]
    finally:
        book.close()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _split(text: str, name: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BadInput(_("{name} is not valid CSV near line {line} ({reason}); check the quotes there.").format(
                name=name, line=reader.line_num, reason=exc)) from None
        yield fields


def _date(row: Row, column: str) -> date | None:
    text = row.values.get(column, "").strip()
    if not text:
        return None
    try:
        return read_date(text)
    except DateError as exc:
        raise row_error(None, row.number, column, str(exc)) from None


def _mail(row: Row) -> bool:
    text = row.values.get("mail", "").strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise row_error(None, row.number, "mail", _("{text!r} is not yes or no (有/無)").format(text=text))


def request_args(row: Row) -> dict:
    """The keyword arguments of service.add_request for one row (dates, yes/no and methods read here)."""
    v = row.values
    methods = [m for m in _METHOD_SPLIT.split(v.get("method", "").strip()) if m] or ["copy"]
    try:
        service.method_keys(methods, field="methods")
    except KaijiError as exc:
        raise row_error(exc, row.number, FIELD_COLUMN.get(exc.field), str(exc)) from None
    return dict(body=v["body"].strip(), subject=v["subject"], filed=_date(row, "filed"),
                received=_date(row, "received"), requester=v.get("requester") or None, methods=methods,
                mail=_mail(row), reason=v.get("reason") or None, reference=v.get("reference") or None,
                department_name=v.get("department") or None)


def import_requests(session: Session, rows: list[Row], progress: Callable[[int, int], None] | None = None,
                    every: int = 1000, batch: int = 2000, warnings: list[str] | None = None,
                    skipped: list[int] | None = None, allow_duplicates: bool = False) -> list[int]:
    """Add every row as service.add_request adds a request, in the caller's transaction; return the new ids.

    Each row is checked by service.check_request (add_request's checks) and the checked rows are written
    `batch` at a time by service.write_requests (add_request's writer). The first bad row raises its error,
    naming the row and column; the caller's transaction then rolls back, so either every row is written or
    none is. `progress(done, total)` is called every `every` rows. A row with the body, subject and receipt
    date of a request in the records, or of an earlier row, is left out and its number appended to
    `skipped` (service.refuse_twice decides what is the same request), unless allow_duplicates.
    """
    # Looked up once for the whole file: the bodies with their jurisdictions' rules and closed days (kept
    # alive here, as the session holds loaded rows only weakly), bodies, requesters and departments by name
    # (service.BULK), and the periods counted for each body and receipt date (timeline.compute's `counted`).
    # The transaction holds the write lock (db.py): none of them can change meanwhile.
    keep = list(session.scalars(select(Body).options(
        selectinload(Body.jurisdiction).selectinload(Jurisdiction.rules),
        selectinload(Body.jurisdiction).selectinload(Jurisdiction.closed_days))))
    lookup = service.jurisdiction_lookup(session)
    counted: dict = {}
    # What can be checked row by row without the database (dates, yes/no, methods) is checked for
    # every row first, so that a bad date in the last row of a large file is reported at once.
    checked = [(row, request_args(row)) for row in rows]
    ids: list[int] = []
    pending: list[service.NewRequest] = []  # checked since the last write
    seen: set[tuple] = set()  # the rows of this file already added, as (body, subject, received, filed)

    def write() -> None:
        ids.extend(service.write_requests(session, pending))
        pending.clear()

    session.info[service.BULK] = {}
    try:
        for i, (row, args) in enumerate(checked, start=1):
            if not allow_duplicates and _duplicate(session, args, seen):
                if skipped is not None:
                    skipped.append(row.number)
            else:
                try:
                    new = service.check_request(session, **args, force=allow_duplicates, jurisdiction_of=lookup,
                                                counted=counted)
                except KaijiError as exc:
                    raise row_error(exc, row.number, FIELD_COLUMN.get(exc.field), str(exc)) from None
                pending.append(new)
                if warnings is not None:
                    warnings.extend(_("row {row}: {warning}").format(row=row.number, warning=w)
                                    for w in service.new_request_warnings(new))
            reporting = progress is not None and i % every == 0
            if i % batch == 0 or reporting:  # the rows reported as checked are written too
                write()
            if reporting:
                progress(i, len(rows))
        write()
    finally:
        del session.info[service.BULK]
    del keep
    return ids


def _duplicate(session: Session, args: dict, seen: set[tuple]) -> bool:
    """Whether the row repeats a request recorded already (service.refuse_twice) or an earlier row of the file.

    A row whose body or subject is amiss is not a duplicate: service.add_request then says what is wrong."""
    try:
        body = service.get_body(session, args["body"], field="body")
        subject = service.clean(args["subject"], "the subject", required=True, multiline=True, field="subject")
        assert subject is not None
    except KaijiError:
        return False
    received, filed = args["received"], args["filed"] or args["received"]
    key = (body.id, subject, received, filed if received is None else None)
    if key in seen:
        return True
    try:
        service.refuse_twice(session, body, subject, filed, received)
    except Refused:
        return True
    seen.add(key)
    return False
