"""Long lists of records written as they are read: JSON text the same, character for character, as
`json.dumps(list(records), ensure_ascii=False, indent=2)`, in pieces, in little memory and time.

Python's json module indents in pure Python (its C encoder writes only compact text before 3.14), which
was a quarter of `kaiji request list --json` at 100,000 requests. The values of kaiji's records are nearly
all text, whole numbers, true/false, null or a list of texts: those are written here, a string through
json's own C escaper (so every escape is json's), anything else (a float, a dict) by json.dumps itself,
indented to its depth.

`Rows` goes one step further for a list read as plain rows of one select (service.request_rows): each
column has a kind, the JSON is written a batch of rows at a time, column by column, without making a dict
a row; iterating it gives the dicts (`record`), for CSV and tables. tests/test_records.py compares both
with json.dumps on every kind of value.

`json_sql` goes one step further again: the database writes each record's text (its own JSON escaping, which is
json's), and Python only joins them: what `request list --json` reads where it can (service.request_rows).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from json.encoder import encode_basestring as _text  # the C escaper json.dumps(ensure_ascii=False) uses

_KEY_INDENT = "\n    "        # a record's key, inside the list: depth 2
_ITEM_INDENT = "\n      "     # an item of a list inside a record: depth 3
_LIST_SEP = "," + _ITEM_INDENT


def _texts(items: list) -> str:
    """A list of texts as a record's value."""
    return "[" + _ITEM_INDENT + _LIST_SEP.join(map(_text, items)) + _KEY_INDENT + "]" if items else "[]"


def _value(value) -> str:
    """A record's value as JSON text at depth 2."""
    t = type(value)
    if t is str:
        return _text(value)
    if value is None:
        return "null"
    if t is bool:
        return "true" if value else "false"
    if t is int:
        return int.__repr__(value)
    if t is list and all(type(x) is str for x in value):
        return _texts(value)
    # Anything else as json.dumps writes it, its lines indented to where it stands.
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", _KEY_INDENT)


def _record(record) -> str:
    if type(record) is not dict or not record or not all(type(k) is str for k in record):
        return json.dumps(record, ensure_ascii=False, indent=2).replace("\n", "\n  ")
    return "{" + ",".join(_KEY_INDENT + _text(k) + ": " + _value(v) for k, v in record.items()) + "\n  }"


def _listed(pieces: Iterable[str], batch: int) -> Iterator[str]:
    """The list's text around the records' own (each at depth 1), `batch` records a piece."""
    parts: list[str] = []
    first = True
    for piece in pieces:
        parts.append(("[\n  " if first else ",\n  ") + piece)
        first = False
        if len(parts) >= batch:
            yield "".join(parts)
            parts.clear()
    parts.append("[]" if first else "\n]")
    yield "".join(parts)


def list_chunks(records: Iterable, batch: int = 500) -> Iterator[str]:
    """The records as an indented JSON list (no newline after it), a piece of `batch` records at a time."""
    return _listed(map(_record, records), batch)


# ---------------------------------------------------------------- plain rows

# A column's kind: how its stored value becomes the record's (and its JSON text). Every kind keeps None.
#   int, text: as read; bool: true/false (SQLite gives 0/1); date: ISO text (SQLite stores it so, PostgreSQL
#   gives a date, whose str() is ISO); split: comma-separated text as a list (requests.methods);
#   codes: the same, nothing as [] (requests.flags, schema.flag_codes).
KINDS = ("int", "text", "bool", "date", "split", "codes")


def _cell(kind: str, value):
    if value is None:
        return [] if kind == "codes" else None
    if kind == "bool":
        return bool(value)
    if kind == "date":
        return value if type(value) is str else value.isoformat()
    if kind in ("split", "codes"):
        return value.split(",") if value or kind == "split" else []
    return value


def _json_column(kind: str, column: tuple) -> list[str]:
    """One column of a batch of rows as JSON texts (what _value(_cell(kind, v)) gives, without the calls)."""
    if kind == "int":
        return ["null" if v is None else int.__repr__(int(v)) for v in column]
    if kind == "text":
        return ["null" if v is None else _text(v) for v in column]
    if kind == "bool":
        return ["null" if v is None else "true" if v else "false" for v in column]
    if kind == "date":
        return ["null" if v is None else f'"{v}"' for v in column]   # str(date) is ISO; SQLite's text is
    if kind == "split":
        return ["null" if v is None else _texts(v.split(",")) for v in column]
    return [_texts(v.split(",")) if v else "[]" for v in column]


class Rows:
    """Records read as rows of plain values (a select's), each column of a kind (KINDS) under a key, given as
    batches (lists) of rows, as a result's partitions() gives them.

    Iterating gives each row's record (a dict, as `record` makes it); `json_chunks` writes the same records
    as list_chunks would, a batch at a time, without making the dicts."""

    def __init__(self, fields: Sequence[tuple[str, str]], batches: Iterable[Sequence[Sequence]] = (),
                 texts: Iterable[Sequence[str]] | None = None):
        for key, kind in fields:
            if kind not in KINDS:
                raise ValueError(f"{key}: unknown kind {kind!r}")
        self.fields = tuple(fields)
        self.batches = batches
        # A record's text with a %s for each value (texts_of), the keys escaped once.
        self._template = "{" + ",".join(_KEY_INDENT + _text(key).replace("%", "%%") + ": %s"
                                        for key, _k in self.fields) + "\n  }"
        self.texts = texts   # batches of each record's JSON text, made by the database (json_sql), if it can

    def record(self, values: Sequence) -> dict:
        return {key: _cell(kind, v) for (key, kind), v in zip(self.fields, values)}

    def __iter__(self) -> Iterator[dict]:
        return map(self.record, chain.from_iterable(self.batches))

    def json_chunks(self) -> Iterator[str]:
        """The records as list_chunks(self) writes them, a piece a batch."""
        if self.texts is not None:
            first = True
            for texts in self.texts:
                if texts:
                    yield ("[\n  " if first else ",\n  ") + ",\n  ".join(texts)
                    first = False
            yield "[]" if first else "\n]"
            return
        first = True
        for batch in self.batches:
            if not batch:
                continue
            yield ("[\n  " if first else ",\n  ") + ",\n  ".join(self.texts_of(batch))
            first = False
        yield "[]" if first else "\n]"

    def texts_of(self, batch: Sequence[Sequence]) -> list[str]:
        """Each row's record of a batch as JSON text, as it stands in json_chunks' list."""
        columns = [_json_column(kind, col) for (_key, kind), col in zip(self.fields, zip(*batch))]
        return list(map(self._template.__mod__, zip(*columns)))


# ---------------------------------------------------------------- the same text, made by the database

def json_sql(fields: Sequence[tuple[str, object, str]], dialect: str):
    """The SQL expression giving each row's record as Rows.json_chunks writes it (a dict at depth 1), made by the
    database, for `fields` (key, column, kind): what `request list --json` reads instead of the values, so that
    Python only joins the texts (100,000 requests: the escaping and formatting of 2.2 million values done in C).

    SQLite's json_quote and PostgreSQL's to_json escape a text as json.dumps(ensure_ascii=False) does (",
    backslash, \\b \\f \\n \\r \\t, other control characters as lowercase \\u00xx, nothing else):
    tests/test_records.py compares the two on every character below 0x80 and on awkward texts. A date is ISO
    (SQLite holds it so; PostgreSQL's to_char); a list kind is its text quoted whole, its commas then made the
    list's separators (the codes hold no comma or character to escape). `dialect`: "sqlite" or "postgresql"."""
    from sqlalchemy import String, Text, case, cast, func, literal, type_coerce

    def quoted(c):
        if dialect == "sqlite":
            return func.json_quote(c)          # NULL gives null
        return func.coalesce(cast(func.to_json(c), Text), literal("null"))

    def value(c, kind: str):
        if kind == "int":
            return func.coalesce(cast(c, Text), literal("null"))
        if kind == "text":
            return quoted(c)
        if kind == "bool":
            return case((c.is_(None), literal("null")), (c, literal("true")), else_=literal("false"))
        if kind == "date":
            iso = type_coerce(c, String) if dialect == "sqlite" else func.to_char(c, "YYYY-MM-DD")
            return case((c.is_(None), literal("null")), else_=literal('"') + iso + literal('"'))
        listed = (literal("[" + _ITEM_INDENT) + func.replace(quoted(c), ",", '",' + _ITEM_INDENT + '"')
                  + literal(_KEY_INDENT + "]"))
        if kind == "split":
            return case((c.is_(None), literal("null")), else_=listed)
        return case((func.coalesce(c, "") == "", literal("[]")), else_=listed)   # codes

    # One format call a row (SQLite's printf, PostgreSQL's format): a chain of || copies the growing text at
    # every step (twice the time at 100,000 requests).
    template = "{" + ",".join(_KEY_INDENT + _text(key).replace("%", "%%") + ": %s" for key, _c, _k in fields) + "\n  }"
    return getattr(func, "printf" if dialect == "sqlite" else "format")(
        literal(template), *(value(c, kind) for _key, c, kind in fields), type_=String)
