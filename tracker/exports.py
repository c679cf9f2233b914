"""Exports for spreadsheets and surveys: requests, deadlines and decisions as rows of typed cells.

The records are built here, once, and written as CSV, XLSX or JSON; the command line (cli/export.py)
only chooses the file. A record is a dict {field key: value} whose values are str, int, bool, date or
None; `Field` says how a column is headed (in the interface language, through _()) and typed.
`imports.py` reads back what `export requests` writes (its headers in either language, as
`HEADER_JA` gives them), so that an export imported into an empty database gives the same requests.

Addresses, telephones and e-mail addresses are personal data: their fields are `contact=True` and
are written only when asked for (`--with-contacts`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import islice
from operator import itemgetter

from sqlalchemy import Date, String, and_, case, cast, func, literal, null, or_, select, type_coerce
from sqlalchemy.orm import Session, selectinload

from . import events, timeline
from .errors import BadInput
from .i18n import N_, _, language
from .models import Decision, Request
from .schema import METHODS, OPEN_STATUSES, WAITING_STATUSES
from .table import width


@dataclass(frozen=True)
class Field:
    key: str
    header: str                  # English, marked N_(): shown through _()
    ja: str                      # the Japanese header, as the catalog has it: imports.py reads it in any language
    type: str = "text"           # text | date | int | bool
    contact: bool = False        # personal data: only with --with-contacts


REQUEST_FIELDS = (
    Field("id", N_("id"), "番号", "int"),
    Field("reference", N_("reference number"), "整理番号"),
    Field("body_key", N_("body key"), "実施機関キー"),
    Field("body", N_("body"), "実施機関"),
    Field("subject", N_("subject"), "件名"),
    Field("requester", N_("requester"), "請求者"),
    Field("requester_address", N_("requester's address"), "請求者の住所", contact=True),
    Field("requester_phone", N_("requester's telephone"), "請求者の電話番号", contact=True),
    Field("requester_email", N_("requester's e-mail"), "請求者のメールアドレス", contact=True),
    Field("filed", N_("date filed"), "請求日", "date"),
    Field("received", N_("received"), "受付日", "date"),
    Field("method", N_("method"), "開示の方法"),
    Field("mail", N_("mail"), "送付希望", "bool"),
    Field("reason", N_("reason"), "理由"),
    Field("department", N_("department"), "担当部課"),
    Field("status", N_("status"), "状態"),
    Field("decision_due", N_("decision due"), "決定期限", "date"),
    Field("decided", N_("decided"), "決定日", "date"),
    Field("notified", N_("notified"), "通知日", "date"),
    Field("days_calendar", N_("days taken (calendar)"), "所要日数（暦日）", "int"),
    Field("days_counted", N_("days taken (counted by the rule)"), "所要日数（期限規定の数え方）", "int"),
    Field("late", N_("late"), "期限超過", "bool"),
    Field("decision_kind", N_("decision kind"), "決定の種類"),
    Field("withheld", N_("withheld parts (grounds)"), "開示しない部分（根拠規定）"),
    Field("fee_charged", N_("fee charged (yen)"), "費用請求額（円）", "int"),
    Field("fee_paid", N_("fee paid (yen)"), "費用納付額（円）", "int"),
    Field("appeal_filed", N_("appeal filed"), "審査請求日", "date"),
    Field("ruled", N_("ruled"), "裁決日", "date"),
    Field("ruling", N_("ruling"), "裁決"),
)

# The columns the other exports share with the requests': declared once, with their headers.
_SAME = {f.key: f for f in REQUEST_FIELDS}

DEADLINE_FIELDS = (
    _SAME["id"],
    _SAME["reference"],
    _SAME["body"],
    _SAME["subject"],
    _SAME["requester"],
    Field("kind", N_("deadline"), "期限の種類"),
    Field("date", N_("date"), "日付", "date"),
    Field("days_left", N_("days left"), "残り日数", "int"),
    Field("amount", N_("amount (yen)"), "金額（円）", "int"),
)

DECISION_FIELDS = (
    _SAME["id"],
    _SAME["reference"],
    _SAME["body"],
    _SAME["subject"],
    _SAME["requester"],
    _SAME["decision_kind"],
    _SAME["decided"],
    _SAME["notified"],
    Field("notice_number", N_("notice number"), "通知書番号"),
    Field("documents", N_("documents"), "対象文書"),
    _SAME["withheld"],
    Field("fee", N_("fee (yen)"), "費用（円）", "int"),
    Field("disclosure_on", N_("disclosure date"), "開示の実施日", "date"),
)

# A campaign's answers side by side (campaigns.compare): one row a body.
CAMPAIGN_FIELDS = (
    replace(_SAME["id"], key="request_id"),
    _SAME["body_key"],
    _SAME["body"],
    Field("jurisdiction", N_("jurisdiction"), "自治体等"),
    _SAME["status"],
    _SAME["received"],
    _SAME["decision_due"],
    _SAME["decided"],
    _SAME["days_calendar"],
    _SAME["days_counted"],
    _SAME["late"],
    Field("late_by", N_("days late"), "超過日数", "int"),
    Field("extensions", N_("extensions"), "延長", "int"),
    Field("extended_to", N_("extended to"), "延長後の期限", "date"),
    _SAME["decision_kind"],
    _SAME["withheld"],
    replace(_SAME["fee_charged"], key="fee"),
    _SAME["appeal_filed"],
    _SAME["ruled"],
    _SAME["ruling"],
)

KINDS = {"requests": REQUEST_FIELDS, "deadlines": DEADLINE_FIELDS, "decisions": DECISION_FIELDS,
         "campaign": CAMPAIGN_FIELDS}
SHEET_NAMES = {"requests": N_("requests"), "deadlines": N_("deadlines"), "decisions": N_("decisions"),
               "campaign": N_("campaign")}

# The deadlines export: a stored date of the request (timeline.refresh keeps them) and its name.
DEADLINE_KINDS = (("decision_due", N_("decision due")), ("rest_due", N_("decision on the remainder due")),
                  ("disclosure_on", N_("disclosure appointment")), ("appeal_due", N_("last day to appeal")),
                  ("lawsuit_due", N_("last day to sue")))

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_QUOTED = ',"\r\n'   # a CSV cell holding one of these is quoted (the csv module's QUOTE_MINIMAL)


def choose_fields(kind: str, keys: str | None, with_contacts: bool) -> list[Field]:
    """The fields of an export: all (contacts only with_contacts), or those `keys` names (comma-separated)."""
    fields = KINDS[kind]
    if not keys:
        return [f for f in fields if with_contacts or not f.contact]
    by_key = {f.key: f for f in fields}
    chosen = []
    for key in (k.strip() for k in keys.split(",") if k.strip()):
        if key not in by_key:
            raise BadInput(_("--fields: {key!r} is not a field of the {kind} export; the fields are {keys}.").format(
                key=key, kind=kind, keys=", ".join(by_key)), field="fields")
        if by_key[key].contact and not with_contacts:
            raise BadInput(_("--fields: {key} is personal data; add --with-contacts to export it.").format(key=key),
                           field="fields")
        chosen.append(by_key[key])
    if not chosen:
        raise BadInput(_("--fields names no field; give keys separated by commas, e.g. id,subject,received."),
                       field="fields")
    return chosen


def headers(fields: Iterable[Field]) -> list[str]:
    return [_(f.header) for f in fields]


def _words(ja: str, key: str) -> str:
    """A keyed value (a status, a decision kind, a method) as the reader calls it: Japanese in Japanese,
    the key in English (both read back by events.choice_key)."""
    return ja if language() == "ja" else key


def _yes_no(value: bool, key: str = "") -> str:
    """yes/no in the reader's words: 有/無 (as 送付希望 is written on the form), and for lateness 超過/期限内;
    imports.py reads them back."""
    if language() != "ja":
        return "yes" if value else "no"
    if key == "late":
        return "超過" if value else "期限内"
    return "有" if value else "無"


def _withheld(decisions: Iterable[Decision]) -> str | None:
    return _parts((w.part, w.ground) for d in decisions for w in d.withheld)


PART = N_("{part} ({ground})")  # a part withheld and its ground, in a cell that lists them


def _parts(withheld: Iterable[tuple[str, str]], form: str | None = None) -> str | None:
    """The parts withheld, (part, ground) each, as a cell: 氏名 (第5条第2号); 印影 (第5条第2号). `form`: _(PART),
    given by a caller writing many."""
    form = form or _(PART)
    return "; ".join([form.format(part=part, ground=ground) for part, ground in withheld]) or None


def _loaded(session: Session, requests: Iterable[Request], batch: int = 500) -> Iterator[Request]:
    """The requests with their events and decisions loaded a batch at a time (one query each, not one a request)."""
    chunk: list[Request] = []

    def load() -> list[Request]:
        ids = [r.id for r in chunk]
        session.scalars(select(Request).where(Request.id.in_(ids)).options(
            selectinload(Request.events), selectinload(Request.department),
            selectinload(Request.decisions).selectinload(Decision.withheld),
            selectinload(Request.decisions).selectinload(Decision.documents))).all()
        out = list(chunk)
        chunk.clear()
        return out

    for r in requests:
        chunk.append(r)
        if len(chunk) >= batch:
            yield from load()
    if chunk:
        yield from load()


def _common(r: Request) -> dict:
    return {"id": r.id, "reference": None, "body": r.body.name, "subject": r.subject,
            "requester": r.requester.name if r.requester else None}


def request_rows(session: Session, filters: dict, jurisdiction_of, as_of: date,
                 batch: int = 2000) -> Iterator[list[tuple]]:
    """The requests iter_requests(**filters) gives, a batch at a time: a list of tuples, each a request's values
    of every field of REQUEST_FIELDS in their order (`rows` keeps the fields chosen); a date as the database gives
    it, a date or (SQLite) its ISO text, as the CSV and JSON write it alike (as_date makes it a date).

    Read as plain rows of one select of the requests' stored columns, not mapped requests: timeline.refresh keeps
    on each request its status, reference, body, receipt, due and decision dates, and what the export reads of its
    events and decisions (timeline.statistics and timeline.exported: the decisions' kinds, the yen charged and
    paid, the appeal's and the ruling's days and outcome, the withheld parts). A request withdrawn after its
    decision has its due date cleared from the stored columns: its lateness is worked out by timeline.compute."""
    from . import service

    # The filters read now, so that a bad one is refused before anything is written.
    return _request_rows(session, service.request_where(session, **filters), jurisdiction_of, as_of, batch)


def request_records(session: Session, filters: dict, jurisdiction_of, as_of: date,
                    batch: int = 2000) -> Iterator[dict]:
    """request_rows as records: one a request, {field key: value} of every field of REQUEST_FIELDS, dates as dates."""
    keys = [f.key for f in REQUEST_FIELDS]
    dated = [f.key for f in REQUEST_FIELDS if f.type == "date"]
    for rows in request_rows(session, filters, jurisdiction_of, as_of, batch):
        for row in rows:
            record = dict(zip(keys, row))
            for key in dated:
                record[key] = as_date(record[key])
            yield record


def as_date(value: date | str | None) -> date | None:
    """A date cell as a date: request_rows gives some as the database holds them (SQLite: ISO text)."""
    return date.fromisoformat(value) if type(value) is str else value


def _part_pieces(form: str) -> tuple[str, str, str] | None:
    """`form` (_(PART)) as the texts before the part, between part and ground, and after the ground; None where
    it puts the ground first (or holds more than the two fields)."""
    i, j = form.find("{part}"), form.find("{ground}")
    if 0 <= i < j and form.count("{") == 2 and form.count("}") == 2:
        return form[:i], form[i + len("{part}"):j], form[j + len("{ground}"):]
    return None


def _withheld_cell(form: str):
    """A function writing a request's stored withheld parts (timeline.exported: part and ground joined by
    PART_GROUND, the parts by NEXT_PART) as the cell _parts writes in `form` (_(PART)): where the form puts the part
    before the ground, by two replaces of the separators."""
    from .timeline import NEXT_PART, PART_GROUND

    pieces = _part_pieces(form)
    if pieces is not None:
        pre, mid, post = pieces
        return lambda text: pre + text.replace(PART_GROUND, mid).replace(NEXT_PART, post + "; " + pre) + post
    return lambda text: _parts((p.split(PART_GROUND, 1) for p in text.split(NEXT_PART)), form)


def _request_rows(session: Session, where: list, jurisdiction_of, as_of: date,
                  batch: int) -> Iterator[list[tuple]]:
    from .models import Request as RequestModel
    from .schema import bodies, departments, requesters, requests
    from .timeline import DECISION_KINDS, STATUS_JA

    r, b, p, d = requests.c, bodies.c, requesters.c, departments.c
    # The dates only written are read as the database gives them (SQLite: ISO text, as written; PostgreSQL: dates):
    # not made into dates to be written back as text. The two the lateness compares are made dates.
    filed_on, received_on, notified_on, appeal_on, ruled_on = (
        type_coerce(c, String) for c in (r.filed_on, r.received_on, r.notified_on, r.appeal_on, r.ruled_on))
    q = (select(r.id, b.key, b.name, r.subject, p.name, p.address, p.phone, p.email, filed_on, received_on,
                r.methods, r.mail, r.reason, d.name, r.status, r.reference, r.decision_due, r.decided_on,
                notified_on, r.days_calendar, r.days_counted, r.decision_kinds, r.withheld, r.fee_total,
                r.fee_paid, appeal_on, ruled_on, r.appeal_outcome)
         .select_from(requests.join(bodies, r.body_id == b.id).outerjoin(requesters, r.requester_id == p.id)
                      .outerjoin(departments, r.department_id == d.id))
         .where(*where).order_by(r.id))
    # Keyed values in the reader's words, worked out once each.
    ja = language() == "ja"
    methods_words: dict[str, str] = {}
    status_words = {k: _words(ja_name, k) for k, ja_name in STATUS_JA.items()}
    kind_words = {k: _words(ja_name, k) for k, (ja_name, _appealable) in DECISION_KINDS.items()}
    outcome_words = {k: _(text) for (field, k), text in events.VALUES.items() if field == "outcome"}
    withheld_cell = _withheld_cell(_(PART))
    for part in session.connection().execute(q, execution_options={"yield_per": batch}).partitions():
        out = []
        for (rid, body_key, body_name, subject, requester, address, phone, email, filed_on, received_on, methods,
             mail, reason, department, status, reference, decision_due, decided, notified_on, days_calendar,
             days_counted, decision_kinds, withheld, fee_total, fee_paid, appeal_on, ruled_on, outcome) in part:
            if decided is None:
                late = as_of > decision_due if decision_due and status in WAITING_STATUSES else None
            elif status == "withdrawn":
                late = bool(timeline.compute(session.get(RequestModel, rid), jurisdiction_of).late_by)
            else:
                late = decision_due is not None and decided > decision_due
            if methods not in methods_words:
                methods_words[methods] = ("・" if ja else ";").join(_words(METHODS[m], m) for m in methods.split(","))
            out.append((   # REQUEST_FIELDS' order
                rid, reference, body_key, body_name, subject, requester, address, phone, email,
                filed_on, received_on, methods_words[methods], mail, reason, department,
                status_words.get(status, status), decision_due, decided, notified_on,
                days_calendar, days_counted,   # stored by the timeline (statistics), as the statistics count by them
                # Late: decided after its due date (timeline's late_by), or undecided with the due date passed.
                late,
                kind_words[decision_kinds.partition(",")[0]] if decision_kinds else None,
                withheld_cell(withheld) if withheld else None,
                fee_total, fee_paid, appeal_on, ruled_on,
                outcome_words[outcome] if ruled_on else None))
        yield out


def request_texts(session: Session, fields: list[Field], filters: dict, jurisdiction_of, as_of: date, form: str,
                  batch: int = 2000) -> Iterator[list[str]] | None:
    """The rows request_rows gives, each written by the database as the text of one line of the CSV (`form`
    "csv": csv_chunks' cells, without the line end) or one record of the JSON ("json": json_chunks' record),
    for `fields`, a batch (list) at a time: Python only joins them (100,000 requests: the words, quoting and
    escaping of 2.9 million cells done in the database's C). None where the database cannot (another database,
    a SQLite without its JSON functions for "json", a translation of PART whose ground comes first): the caller
    then writes request_rows' values (csv_chunks, json_chunks). tests/test_export.py compares the two, byte
    for byte, on every kind of cell and awkward texts, on SQLite and PostgreSQL.

    A request withdrawn after its decision has its lateness worked out by timeline.compute (request_rows):
    its line is written from request_rows' values."""
    from . import service
    from .records import json_sql

    where = service.request_where(session, **filters)   # a bad filter is refused now
    dialect = session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql") or form == "json" and dialect == "sqlite" \
            and not service._sqlite_json(session):
        return None
    values = _request_values(dialect, as_of, _(PART))
    if values is None:
        return None
    chosen = [(f, *values[f.key]) for f in fields]
    if form == "json":
        line = json_sql([(f.key, expr, kind) for f, expr, kind, _plain in chosen], dialect)
    else:
        cells = [_csv_cell(f, expr, kind, plain, dialect) for f, expr, kind, plain in chosen]
        if len(cells) == 1:   # the csv module quotes a row's only cell when empty, "" (else the line is blank)
            cell = cast(cells[0], String)   # a whole number too (PostgreSQL compares no number with text)
            cells = [case((func.coalesce(cell, "") == "", literal('""')), else_=cell)]
        line = getattr(func, "printf" if dialect == "sqlite" else "format")(
            literal(",".join(["%s"] * len(cells))), *cells, type_=String)
    return _request_texts(session, where, fields, jurisdiction_of, as_of, form, line, batch)


def _request_texts(session: Session, where: list, fields: list[Field], jurisdiction_of, as_of: date, form: str,
                   line, batch: int) -> Iterator[list[str]]:
    from .schema import bodies, departments, requesters, requests

    r, b, p, d = requests.c, bodies.c, requesters.c, departments.c
    by_python = and_(r.status == "withdrawn", r.decided_on.is_not(None))   # request_rows: timeline.compute
    q = (select(r.id, case((by_python, null()), else_=line))
         .select_from(requests.join(bodies, r.body_id == b.id).outerjoin(requesters, r.requester_id == p.id)
                      .outerjoin(departments, r.department_id == d.id))
         .where(*where).order_by(r.id))
    at = [REQUEST_FIELDS.index(f) for f in fields]
    for part in session.connection().execute(q, execution_options={"yield_per": batch}).partitions():
        texts = [text for _rid, text in part]
        missing = {rid: i for i, (rid, text) in enumerate(part) if text is None}
        if missing:
            for rows in _request_rows(session, [r.id.in_(list(missing))], jurisdiction_of, as_of, batch):
                picked = [tuple(row[i] for i in at) for row in rows]
                written = _csv_lines(picked, fields) if form == "csv" else _json_texts(picked, fields)
                for row, text in zip(rows, written):
                    texts[missing[row[0]]] = text
        yield texts


def _request_values(dialect: str, as_of: date, part_form: str) -> dict[str, tuple] | None:
    """Each field of REQUEST_FIELDS as an SQL expression over the select of _request_rows giving the value
    _request_rows gives (the words in the reader's language), its kind, and whether it is plain (_csv_cell: True,
    False, or a column whose text tells); None if `part_form` (_(PART)) puts the ground before the part."""
    from .schema import bodies, departments, requesters, requests
    from .timeline import DECISION_KINDS, NEXT_PART, PART_GROUND, STATUS_JA

    pieces = _part_pieces(part_form)
    if pieces is None:
        return None
    pre, mid, post = pieces
    r, b, p, d = requests.c, bodies.c, requesters.c, departments.c
    ja = language() == "ja"

    def words(column, mapping: dict[str, str]):
        """CASE column WHEN key THEN word …: the column worked out once (a searched CASE would for each key)."""
        changed = {key: word for key, word in mapping.items() if word != key}
        return case(changed, value=column, else_=column) if changed else column

    # The methods: each set as service.method_keys stores it (in METHODS' order) looked up, any other text by
    # replacing each key (ASCII; the words are not, so a key's replace cannot touch a word put before).
    separator = "・" if ja else ";"
    methods = r.methods
    for key in sorted(METHODS, key=len, reverse=True):
        methods = func.replace(methods, key, _words(METHODS[key], key))
    methods = case({",".join(keys): separator.join(_words(METHODS[k], k) for k in keys) for keys in (
        [k for i, k in enumerate(METHODS) if n >> i & 1] for n in range(1, 2 ** len(METHODS)))},
        value=r.methods, else_=func.replace(methods, ",", separator))
    first_kind = (func.substr(r.decision_kinds, 1, func.instr(r.decision_kinds + ",", ",") - 1)
                  if dialect == "sqlite" else func.split_part(r.decision_kinds, ",", 1))
    late = case((r.decided_on.is_(None),
                 case((and_(r.decision_due.is_not(None), r.status.in_(WAITING_STATUSES)),
                       literal(as_of, Date) > r.decision_due), else_=null())),
                else_=and_(r.decision_due.is_not(None), r.decided_on > r.decision_due))
    withheld = case((func.coalesce(r.withheld, "") == "", null()),
                    else_=literal(pre, String) + func.replace(func.replace(r.withheld, PART_GROUND, mid), NEXT_PART,
                                                              post + "; " + pre) + literal(post, String))
    outcomes = {k: _(text) for (field, k), text in events.VALUES.items() if field == "outcome"}
    value = {
        "id": r.id, "reference": r.reference, "body_key": b.key, "body": b.name, "subject": r.subject,
        "requester": p.name, "requester_address": p.address, "requester_phone": p.phone,
        "requester_email": p.email, "filed": r.filed_on, "received": r.received_on, "method": methods,
        "mail": r.mail, "reason": r.reason, "department": d.name,
        "status": words(r.status, {k: _words(name, k) for k, name in STATUS_JA.items()}),
        "decision_due": r.decision_due, "decided": r.decided_on, "notified": r.notified_on,
        "days_calendar": r.days_calendar, "days_counted": r.days_counted, "late": late,
        "decision_kind": words(first_kind, {k: _words(name, k) for k, (name, _a) in DECISION_KINDS.items()}),
        "withheld": withheld, "fee_charged": r.fee_total, "fee_paid": r.fee_paid, "appeal_filed": r.appeal_on,
        "ruled": r.ruled_on, "ruling": case((r.ruled_on.is_not(None), words(r.appeal_outcome, outcomes)),
                                            else_=null()),
    }
    # Texts that are kaiji's own words (or keys, check_key's letters, digits and hyphens): never quoted or neutral.
    plain = {"body_key"} | {key for key, texts in (
        ("method", [*METHODS.values(), "・"] if ja else [*METHODS, ";"]),
        ("status", [*STATUS_JA, *STATUS_JA.values()]), ("decision_kind", [*DECISION_KINDS, *(
            name for name, _a in DECISION_KINDS.values())]), ("ruling", [*outcomes, *outcomes.values()]))
        if all(t[:1] not in _PLAIN_FIRST and not any(c in t for c in CSV_QUOTED) for t in texts)}
    # The withheld cell's characters are those of the stored parts and grounds, and of the form's own, which
    # starts with the first part: the stored text tells whether the cell needs quoting or making neutral.
    checked = {"withheld": r.withheld} if pre == "" and not any(c in mid + post for c in CSV_QUOTED) else {}
    return {f.key: (value[f.key], f.type, f.key in plain or checked.get(f.key, False)) for f in REQUEST_FIELDS}


def _csv_cell(field: Field, value, kind: str, plain: bool, dialect: str):
    """A cell's text in a CSV line as csv_chunks writes it (the csv module, QUOTE_MINIMAL): a text made neutral,
    then quoted if it holds a comma, a quotation mark or a line end (`plain` True: it cannot, being one of kaiji's
    own words); yes/no in the reader's words; a date ISO; None nothing."""
    if kind == "bool":
        return case((value.is_(None), null()), (value, literal(_yes_no(True, field.key))),
                    else_=literal(_yes_no(False, field.key)))
    if kind == "date":
        return type_coerce(value, String) if dialect == "sqlite" else func.to_char(value, "YYYY-MM-DD")
    if kind == "int":
        return value
    if plain is True:
        return value
    # Most cells need nothing: a first character and four scans tell them (SQLite's LIKE '%,%' is a fast scan);
    # only the others are worked on. `plain` may be a column whose text tells it for the value (_request_values).
    # The first character compared as text (PostgreSQL's ascii() refuses a multibyte one in a database not in UTF-8).
    told = value if plain is False else plain
    first = func.substr(told, 1, 1)
    if dialect == "sqlite":
        special = or_(*(told.like(literal("%" + c + "%")) for c in CSV_QUOTED))
    else:
        special = told.op("~")(literal("[" + CSV_QUOTED + "]"))
    neutral_ = case((func.substr(func.ltrim(value, "'"), 1, 1).in_(FORMULA_START), literal("'") + value),
                    else_=value)
    quoted = case((special, literal('"') + func.replace(neutral_, '"', '""') + literal('"')), else_=neutral_)
    return case((or_(first.in_(sorted(_PLAIN_FIRST)), special), quoted), else_=value)


def deadline_records(session: Session, filters: dict, as_of: date, batch: int = 2000) -> Iterator[dict]:
    """One record for each date stored on a request that can still be missed, and one for an unpaid fee: read
    as plain rows of the stored columns (timeline.refresh keeps the dates, the fee unpaid and the reference
    number, the latest live one), a batch at a time."""
    from . import service

    return _deadline_records(session, service.request_where(session, **filters), as_of, batch)  # refused now


def _deadline_records(session: Session, where: list, as_of: date, batch: int) -> Iterator[dict]:
    from .schema import bodies, requesters, requests

    r, b, p = requests.c, bodies.c, requesters.c
    q = (select(r.id, b.name.label("body_name"), r.subject, p.name.label("requester"), r.reference, r.status,
                r.fee_unpaid, *(r[column] for column, _name in DEADLINE_KINDS))
         .select_from(requests.join(bodies, r.body_id == b.id).outerjoin(requesters, r.requester_id == p.id))
         .where(*where).order_by(r.id))
    for row in session.connection().execute(q, execution_options={"yield_per": batch}):
        common = {"id": row.id, "reference": row.reference, "body": row.body_name, "subject": row.subject,
                  "requester": row.requester}
        for column, name in DEADLINE_KINDS:
            on = row._mapping[column]
            if column == "decision_due" and row.status not in OPEN_STATUSES:
                continue  # decided (or withdrawn): the date can no longer be missed
            if column == "decision_due" and row.status == "extended":
                name = N_("extended decision due")
            if on is not None:
                yield {**common, "kind": _(name), "date": on, "days_left": (on - as_of).days, "amount": None}
        if row.fee_unpaid:
            yield {**common, "kind": _("fee unpaid"), "date": None, "days_left": None, "amount": row.fee_unpaid}


def decision_records(session: Session, requests: Iterable[Request], jurisdiction_of) -> Iterator[dict]:
    """One record a live decision."""
    from .timeline import DECISION_KINDS

    for r in _loaded(session, requests):
        st = timeline.compute(r, jurisdiction_of)
        for d in st.decisions:
            yield {**_common(r), "reference": st.reference,
                   "decision_kind": _words(DECISION_KINDS[d.kind][0], d.kind), "decided": d.decided_on,
                   "notified": d.notified_on, "notice_number": d.notice_number,
                   "documents": "; ".join(x.title for x in d.documents) or None, "withheld": _withheld([d]),
                   "fee": d.fee, "disclosure_on": d.disclosure_on}


def campaign_records(comparison) -> Iterator[dict]:
    """A campaign's comparison (campaigns.compare) as export records: keyed values in the reader's words."""
    from .timeline import DECISION_KINDS, STATUS_JA

    for c in comparison.rows:
        yield {"request_id": c.request_id, "body_key": c.body_key, "body": c.body, "jurisdiction": c.jurisdiction,
               "status": _words(STATUS_JA.get(c.status, c.status), c.status), "received": c.received,
               "decision_due": c.decision_due, "decided": c.decided, "days_calendar": c.days_calendar,
               "days_counted": c.days_counted, "late": c.late, "late_by": c.late_by,
               "extensions": c.extensions or None, "extended_to": c.extended_to,
               "decision_kind": _words(DECISION_KINDS[c.decision_kind][0], c.decision_kind) if c.decision_kind
               else None,
               "withheld": _parts(c.withheld),
               "fee": c.fee, "appeal_filed": c.appeal_filed, "ruled": c.ruled,
               "ruling": _(events.VALUES[("outcome", c.ruling)]) if c.ruling else None}


def records(session: Session, kind: str, filters: dict, jurisdiction_of, as_of: date) -> Iterator[dict]:
    """The records of an export of the requests iter_requests(**filters) gives (a bad filter is refused here)."""
    from .service import iter_requests

    if kind == "requests":
        return request_records(session, filters, jurisdiction_of, as_of)
    if kind == "deadlines":
        return deadline_records(session, filters, as_of)
    return decision_records(session, iter_requests(session, **filters), jurisdiction_of)


def rows(session: Session, kind: str, fields: list[Field], filters: dict, jurisdiction_of,
         as_of: date) -> Iterator[list[tuple]]:
    """An export's rows as the writers take them (`table`): the requests' straight from request_rows, the
    others' from their records (a bad filter is refused here)."""
    if kind != "requests":
        return table(records(session, kind, filters, jurisdiction_of, as_of), fields)
    batches = request_rows(session, filters, jurisdiction_of, as_of)
    at = [REQUEST_FIELDS.index(f) for f in fields]
    if at == list(range(len(REQUEST_FIELDS))):
        return batches
    pick = itemgetter(*at) if len(at) > 1 else lambda row: (row[at[0]],)
    return (list(map(pick, batch)) for batch in batches)


def chunks(session: Session, kind: str, fields: list[Field], filters: dict, jurisdiction_of, as_of: date,
           file_format: str, encoding: str = "utf-8", count=iter) -> Iterator[bytes]:
    """An export's file (csv, json or xlsx), a piece at a time, as it is read (a bad filter is refused here). The
    requests' CSV and JSON from the lines the database writes (request_texts), where it can; `count` is given the
    batches as they are read, and gives them back (the command counts the rows)."""
    if kind == "requests" and file_format != "xlsx":
        texts = request_texts(session, fields, filters, jurisdiction_of, as_of, file_format)
        if texts is not None:
            if file_format == "csv":
                return csv_text_chunks(count(texts), fields, encoding)
            return json_text_chunks(count(texts), fields)
    return write(count(rows(session, kind, fields, filters, jurisdiction_of, as_of)), fields, file_format, encoding,
                 kind)


def write(batches: Iterable[list[tuple]], fields: list[Field], file_format: str, encoding: str,
          kind: str) -> Iterator[bytes]:
    """A table's rows (`table`) as the file of `file_format`, a piece at a time; an XLSX's sheet named for `kind`."""
    if file_format == "csv":
        return csv_chunks(batches, fields, encoding)
    if file_format == "json":
        return json_chunks(batches, fields)
    return xlsx_chunks(batches, fields, _(SHEET_NAMES[kind]))


def table(records: Iterable[dict], fields: list[Field], size: int = 1000) -> Iterator[list[tuple]]:
    """Records as the writers take them: batches (lists) of rows, each a tuple of the fields' values in order."""
    keys = [f.key for f in fields]
    it = iter(records)
    while batch := [tuple(rec.get(key) for key in keys) for rec in islice(it, size)]:
        yield batch


# ---------------------------------------------------------------- writing

def neutral(text: str) -> str:
    """A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) made plain text with a
    leading apostrophe (OWASP's CSV injection advice); imports.py takes the apostrophe off again. A text that
    itself starts with apostrophes before such a character gets one more, so that it too comes back as it was."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_START) else text  # '=x itself becomes ''=x


_PLAIN_FIRST = frozenset(FORMULA_START + ("'",))   # a text starting with none of these is left as it is


def _texts(field: Field, column: Sequence) -> Sequence:
    """A column of cells as CSV writes them: text made neutral, yes/no in the reader's words; None, whole
    numbers and dates as they are (the csv module writes None as nothing, a number as its digits, a date
    as str() does: ISO)."""
    if field.type == "text":
        return [v if v is None or (type(v) is str and v[:1] not in _PLAIN_FIRST) else neutral(str(v))
                for v in column]
    if field.type == "bool":
        words = {True: _yes_no(True, field.key), False: _yes_no(False, field.key)}
        return [None if v is None else words[bool(v)] for v in column]
    return column


def csv_chunks(batches: Iterable[list[tuple]], fields: list[Field], encoding: str = "utf-8") -> Iterator[bytes]:
    """The CSV file of a table's rows (`table`), a piece a batch: UTF-8 with a byte-order mark (or cp932), CRLF
    line ends, as Japanese Excel opens it.

    With cp932, a character it cannot hold is refused with its row (as a spreadsheet numbers it, the
    header row 1) and column, before that row is written (a caller writing a file names it only when whole)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    head = headers(fields)
    writer.writerow(head)

    def taken() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    if encoding != "cp932":
        yield b"\xef\xbb\xbf"
    number = 1   # the spreadsheet's number of the last row written
    for batch in batches:
        batch = _csv_ready(batch, fields)
        writer.writerows(batch)
        if encoding == "cp932":
            text = taken()
            try:
                yield text.encode("cp932")
            except UnicodeEncodeError:
                _refuse_cp932(batch, fields, head, number)
                raise
        else:
            yield taken().encode("utf-8")
        number += len(batch)
    yield taken().encode(encoding)


def _csv_ready(batch: list[tuple], fields: list[Field]) -> list[tuple]:
    """A batch of rows with their cells as the csv module is given them (_texts)."""
    changed = [i for i, f in enumerate(fields) if f.type in ("text", "bool")]
    if not changed or not batch:
        return batch
    columns = list(zip(*batch))
    for i in changed:
        columns[i] = _texts(fields[i], columns[i])
    return list(zip(*columns))


def _csv_lines(batch: list[tuple], fields: list[Field]) -> list[str]:
    """Each row of a batch as csv_chunks writes its line, without the line end."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    lines = []
    for row in _csv_ready(batch, fields):
        writer.writerow(row)
        lines.append(out.getvalue()[:-2])
        out.seek(0)
        out.truncate()
    return lines


def _json_texts(batch: list[tuple], fields: list[Field]) -> list[str]:
    """Each row of a batch as json_chunks writes its record."""
    from .records import Rows

    return Rows([(f.key, f.type) for f in fields]).texts_of(batch)


def csv_text_chunks(texts: Iterable[list[str]], fields: list[Field], encoding: str = "utf-8") -> Iterator[bytes]:
    """The file csv_chunks writes, of lines already written (request_texts), a piece a batch; with cp932, a
    character it cannot hold is refused as csv_chunks refuses it."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow(headers(fields))
    pieces = [] if encoding == "cp932" else [b"\xef\xbb\xbf"]
    pieces.append(out.getvalue().encode(encoding))
    number = 1   # the spreadsheet's number of the last row written
    for lines in texts:
        if not lines:
            continue
        text = "\r\n".join(lines) + "\r\n"
        try:
            pieces.append(text.encode(encoding))
        except UnicodeEncodeError:
            _refuse_cp932([tuple(next(csv.reader([line]))) for line in lines], fields, headers(fields), number)
            raise
        yield b"".join(pieces)
        pieces.clear()
        number += len(lines)
    if pieces:
        yield b"".join(pieces)


def json_text_chunks(texts: Iterable[list[str]], fields: list[Field]) -> Iterator[bytes]:
    """The file json_chunks writes, of records already written (request_texts), a piece a batch."""
    from .records import Rows

    for text in Rows([(f.key, f.type) for f in fields], texts=texts).json_chunks():
        yield text.encode("utf-8")
    yield b"\n"


def _refuse_cp932(batch: list[tuple], fields: list[Field], head: list[str], number: int) -> None:
    """The first cell of the batch (rows after spreadsheet row `number`) cp932 cannot hold, refused."""
    for n, cells in enumerate(batch, start=number + 1):
        for f, h, text in zip(fields, head, cells):
            try:
                str(text or "").encode("cp932")
            except UnicodeEncodeError as exc:
                char = str(text)[exc.start]
                raise BadInput(_("row {row}, column {column}: the character {char} (U+{code}) has no place in "
                                 "cp932; export in UTF-8 (leave out --encoding) or change the record (nothing "
                                 "was written).").format(row=n, column=h, char=char,
                                                         code=f"{ord(char):04X}"), field=f.key) from None


def write_csv(records: Iterable[dict], fields: list[Field], encoding: str = "utf-8") -> bytes:
    """The CSV file of the records whole (csv_chunks)."""
    return b"".join(csv_chunks(table(records, fields), fields, encoding))


def json_chunks(batches: Iterable[list[tuple]], fields: list[Field]) -> Iterator[bytes]:
    """The JSON file of a table's rows (a list of records, {field key: value}, indented by two), a piece a batch
    (records.Rows: a date as ISO text)."""
    from .records import Rows

    for text in Rows([(f.key, f.type) for f in fields], batches).json_chunks():
        yield text.encode("utf-8")
    yield b"\n"


# 和暦 in Japanese (Excel's era format: 令和7年1月10日, 元年 for the first year), ISO in English.
DATE_FORMAT = {"ja": '[$-ja-JP-x-gannen]ggge"年"m"月"d"日"', "en": "yyyy-mm-dd"}
DATE_WIDTH = {"ja": 16, "en": 10}  # 令和10年12月31日 takes 16 columns; 2025-01-10 takes 10
MAX_WIDTH = 60  # a long subject wraps rather than make the column wider than this


def xlsx_chunks(batches: Iterable[list[tuple]], fields: list[Field], sheet: str) -> Iterator[bytes]:
    """An Excel workbook of a table's rows, a piece at a time (tracker/xlsx.py): one sheet named for the export,
    real date cells (和暦 in Japanese), the header bold and frozen with filters, and columns as wide as their
    widest cell (measured in display columns: full-width characters take two). The rows are written as they are
    read, to a temporary file: memory stays flat."""
    from .xlsx import HEADER, MAX_ROWS, MAX_TEXT, Sheet, TooBig

    lang = "ja" if language() == "ja" else "en"
    ws = Sheet(sheet[:31])
    head = headers(fields)
    ws.row(head, HEADER)
    widths = [width(h) for h in head]
    yes_no = [{True: _yes_no(True, f.key), False: _yes_no(False, f.key)} for f in fields]
    kinds = [f.type for f in fields]
    try:
        _xlsx_rows(ws, batches, kinds, widths, yes_no, lang)
    except TooBig as too_big:
        if too_big.column is None:
            raise BadInput(_("an Excel sheet holds at most {n} rows; export fewer requests (--body, --status, --from, "
                             "--to) or as CSV or JSON (nothing was written).").format(n=f"{MAX_ROWS - 1:,}"),
                           field="format") from None
        raise BadInput(_("row {row}, column {column}: the text is longer than the {n} characters an Excel cell holds; "
                         "export as CSV or JSON, or leave the column out with --fields (nothing was written).").format(
            row=too_big.row, column=head[too_big.column - 1], n=f"{MAX_TEXT:,}"), field="format") from None
    ws.widths = {col: min(w, MAX_WIDTH) + 2 for col, w in enumerate(widths)}
    return ws.workbook(DATE_FORMAT[lang])


def _xlsx_rows(ws, batches: Iterable[list[tuple]], kinds: list[str], widths: list[int], yes_no: list[dict],
               lang: str) -> None:
    """xlsx_chunks' rows, each cell as the sheet takes it, the columns' widths measured."""
    for batch in batches:
        for row in batch:
            cells = []
            for col, (kind, value) in enumerate(zip(kinds, row)):
                if value is not None:
                    if kind == "date":
                        value = as_date(value)
                        w = DATE_WIDTH[lang]
                    elif kind == "int":
                        w = len(str(value))
                    else:
                        value = yes_no[col][bool(value)] if kind == "bool" else neutral(str(value))
                        # A text no wider than the column can be (two columns a character) is not measured.
                        w = max(width(line) for line in value.split("\n")) if 2 * len(value) > widths[col] else 0
                    if w > widths[col]:
                        widths[col] = w
                cells.append(value)
            ws.row(cells)


def write_xlsx(batches: Iterable[list[tuple]], fields: list[Field], sheet: str) -> bytes:
    """The workbook of xlsx_chunks whole."""
    return b"".join(xlsx_chunks(batches, fields, sheet))
