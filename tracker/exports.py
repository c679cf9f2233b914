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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import select
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


counted_days = timeline.counted_days   # moved to the timeline, which stores it (requests.days_counted)


def _withheld(decisions: Iterable[Decision]) -> str | None:
    parts = [_("{part} ({ground})").format(part=w.part, ground=w.ground) for d in decisions for w in d.withheld]
    return "; ".join(parts) or None


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


# What the requests export reads of a request's timeline besides its stored columns: the effect of these kinds
# of event (events.KINDS' own apply: corrections for the count of days, fees, appeals and rulings), and the
# retractions that take events and decisions back.
EXPORT_EVENT_KINDS = ("correction_asked", "correction_answered", "fee_charged", "fee_paid", "appeal_filed", "ruling",
                      "retraction")


@dataclass
class _Decided:
    """A live decision as the requests export reads it."""

    id: int
    kind: str
    decided_on: date
    fee: int | None
    withheld: list = field(default_factory=list)   # rows with .part and .ground, in their order


def _by_request(rows: Iterable) -> Iterator[tuple[int, list]]:
    """Rows ordered by their request_id, grouped: (request id, its rows)."""
    group: list = []
    current = None
    for row in rows:
        if row.request_id != current:
            if group:
                yield current, group
            current, group = row.request_id, []
        group.append(row)
    if group:
        yield current, group


def _merged(groups: Iterator[tuple[int, list]]):
    """A function giving the rows of a request id, for ids asked in increasing order (the groups' order)."""
    pending = [next(groups, None)]

    def of(request_id: int) -> list:
        head = pending[0]
        while head is not None and head[0] < request_id:
            head = pending[0] = next(groups, None)
        return head[1] if head is not None and head[0] == request_id else []
    return of


def request_records(session: Session, filters: dict, jurisdiction_of, as_of: date,
                    batch: int = 2000) -> Iterator[dict]:
    """One record a request iter_requests(**filters) gives, with every field of REQUEST_FIELDS (the caller
    leaves out what is not chosen).

    Read as plain rows, not mapped requests: the request's stored columns (timeline.refresh keeps its status,
    reference, body, receipt, due and decision dates), and, in three more selects ordered by request as the
    requests are, the events of EXPORT_EVENT_KINDS, the decisions and their withheld parts, merged as they
    are read (a batch at a time: 100,000 requests in a few seconds and little memory). The rest of the
    timeline (timeline.compute's deadlines) is not needed. A request withdrawn after its decision has its
    due date cleared from the stored columns: its lateness is worked out by timeline.compute."""
    from . import service

    # The filters read now, so that a bad one is refused before anything is written.
    return _request_records(session, service.request_where(session, **filters), jurisdiction_of, as_of, batch)


def _request_records(session: Session, where: list, jurisdiction_of, as_of: date, batch: int) -> Iterator[dict]:
    from .models import Request as RequestModel
    from .schema import bodies, decisions, departments, events as events_t, requesters, requests, withheld_parts
    from .timeline import DECISION_KINDS, STATUS_JA

    chosen = select(requests.c.id).where(*where)
    r, b, p, d = requests.c, bodies.c, requesters.c, departments.c
    q = (select(r.id, r.body_id, b.key.label("body_key"), b.name.label("body_name"), r.subject,
                p.name.label("requester"), p.address, p.phone, p.email, r.filed_on, r.received_on, r.methods,
                r.mail, r.reason, d.name.label("department"), r.status, r.reference, r.decision_due,
                r.decided_on, r.notified_on)
         .select_from(requests.join(bodies, r.body_id == b.id).outerjoin(requesters, r.requester_id == p.id)
                      .outerjoin(departments, r.department_id == d.id))
         .where(*where).order_by(r.id))
    conn = session.connection()
    opts = {"yield_per": batch}
    e, dc, w = events_t.c, decisions.c, withheld_parts.c
    events_of = _merged(_by_request(conn.execute(
        select(e.id, e.request_id, e.kind, e.on, e.data, e.retracts_id)
        .where(e.request_id.in_(chosen), e.kind.in_(EXPORT_EVENT_KINDS)).order_by(e.request_id, e.id),
        execution_options=opts)))
    decisions_of = _merged(_by_request(conn.execute(
        select(dc.id, dc.request_id, dc.event_id, dc.kind, dc.decided_on, dc.fee)
        .where(dc.request_id.in_(chosen)).order_by(dc.request_id, dc.id), execution_options=opts)))
    withheld_of = _merged(_by_request(conn.execute(
        select(dc.request_id, w.decision_id, w.part, w.ground)
        .select_from(withheld_parts.join(decisions, w.decision_id == dc.id))
        .where(dc.request_id.in_(chosen)).order_by(dc.request_id, w.decision_id, w.position, w.id),
        execution_options=opts)))
    ja = language() == "ja"
    counts: dict = {}   # counted_days' shared counts
    for row in conn.execute(q, execution_options=opts):
        evs = events_of(row.id)
        retracted = {x.retracts_id for x in evs if x.kind == "retraction"}
        lived = [x for x in evs if x.kind != "retraction" and x.id not in retracted]
        made = {x.id: _Decided(x.id, x.kind, x.decided_on, x.fee) for x in decisions_of(row.id)
                if x.event_id not in retracted}
        for part in withheld_of(row.id):
            if part.decision_id in made:
                made[part.decision_id].withheld.append(part)
        st = timeline.State(received_on=row.received_on, body_id=row.body_id, reference=row.reference,
                            decisions=sorted(made.values(), key=lambda x: (x.decided_on, x.id)))
        for x in lived:
            kind = events.KINDS[x.kind]
            if kind.apply is not None:
                kind.apply(st, x)
        decided, first = row.decided_on, (st.decisions[0] if st.decisions else None)
        if decided is None:
            late = as_of > row.decision_due if row.decision_due and row.status in WAITING_STATUSES else None
        elif row.status == "withdrawn":
            late = bool(timeline.compute(session.get(RequestModel, row.id), jurisdiction_of).late_by)
        else:
            late = row.decision_due is not None and decided > row.decision_due
        appeal = st.decision_appeal or st.inaction_appeal
        ruling = timeline.ruling_on(lived, appeal)
        yield {
            "id": row.id, "reference": row.reference, "body_key": row.body_key, "body": row.body_name,
            "subject": row.subject, "requester": row.requester,
            "requester_address": row.address, "requester_phone": row.phone, "requester_email": row.email,
            "filed": row.filed_on, "received": row.received_on,
            "method": ("・" if ja else ";").join(_words(METHODS[m], m) for m in row.methods.split(",")),
            "mail": row.mail, "reason": row.reason, "department": row.department,
            "status": _words(STATUS_JA.get(row.status, row.status), row.status), "decision_due": row.decision_due,
            "decided": decided, "notified": row.notified_on,
            "days_calendar": (decided - row.received_on).days if decided and row.received_on else None,
            "days_counted": counted_days(st, jurisdiction_of(row.body_id), decided, counts) if decided else None,
            # Late: decided after its due date (timeline's late_by), or undecided with the due date passed.
            "late": late,
            "decision_kind": _words(DECISION_KINDS[first.kind][0], first.kind) if first else None,
            "withheld": _withheld(st.decisions),
            "fee_charged": (st.fee_charged + sum(x.fee or 0 for x in st.decisions)) or None,
            "fee_paid": st.fee_paid or None,
            "appeal_filed": appeal.on if appeal else None,
            "ruled": ruling.on if ruling else None,
            "ruling": _(events.VALUES[("outcome", ruling.data["outcome"])]) if ruling else None,
        }


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
               "withheld": "; ".join(_("{part} ({ground})").format(part=p, ground=g) for p, g in c.withheld) or None,
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


# ---------------------------------------------------------------- writing

def neutral(text: str) -> str:
    """A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) made plain text with a
    leading apostrophe (OWASP's CSV injection advice); imports.py takes the apostrophe off again. A text that
    itself starts with apostrophes before such a character gets one more, so that it too comes back as it was."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_START) else text  # '=x itself becomes ''=x


def cell_text(field: Field, value) -> str:
    """A cell as CSV writes it: dates ISO, yes/no in the reader's words, numbers as digits."""
    return "" if value is None else _texts(field)(value)


def _texts(field: Field):
    """What cell_text does to a value of the field that is not None, as one function (chosen once a file)."""
    if field.type == "date":
        return date.isoformat
    if field.type == "bool":
        words = {True: _yes_no(True, field.key), False: _yes_no(False, field.key)}
        return lambda value: words[bool(value)]
    if field.type == "int":
        return str
    return lambda value: neutral(str(value))


def csv_chunks(rows: Iterable[dict], fields: list[Field], encoding: str = "utf-8", batch: int = 1000) -> Iterator[bytes]:
    """The CSV file, a piece of `batch` rows at a time: UTF-8 with a byte-order mark (or cp932), CRLF line
    ends, as Japanese Excel opens it.

    With cp932, a character it cannot hold is refused with its row (as a spreadsheet numbers it, the
    header row 1) and column, before that row is written (a caller writing a file names it only when whole)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    head = headers(fields)
    writer.writerow(head)

    def taken() -> bytes:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text.encode("cp932") if encoding == "cp932" else text.encode("utf-8")

    if encoding != "cp932":
        yield b"\xef\xbb\xbf"
    texts = [(f.key, _texts(f)) for f in fields]
    for number, rec in enumerate(rows, start=2):
        cells = ["" if (v := rec.get(key)) is None else text(v) for key, text in texts]
        if encoding == "cp932":
            for f, h, text in zip(fields, head, cells):
                try:
                    text.encode("cp932")
                except UnicodeEncodeError as exc:
                    char = text[exc.start]
                    raise BadInput(_("row {row}, column {column}: the character {char} (U+{code}) has no place in "
                                     "cp932; export in UTF-8 (leave out --encoding) or change the record (nothing "
                                     "was written).").format(row=number, column=h, char=char,
                                                             code=f"{ord(char):04X}"), field=f.key) from None
        writer.writerow(cells)
        if number % batch == 0:
            yield taken()
    yield taken()


def write_csv(rows: Iterable[dict], fields: list[Field], encoding: str = "utf-8") -> bytes:
    """The CSV file whole (csv_chunks)."""
    return b"".join(csv_chunks(rows, fields, encoding))


def json_value(field: Field, value):
    return value.isoformat() if field.type == "date" and value is not None else value


def json_chunks(rows: Iterable[dict], fields: list[Field]) -> Iterator[bytes]:
    """The JSON file (a list of the records, indented by two), a piece at a time (records.list_chunks)."""
    from .records import list_chunks

    for text in list_chunks({f.key: json_value(f, rec.get(f.key)) for f in fields} for rec in rows):
        yield text.encode("utf-8")
    yield b"\n"


# 和暦 in Japanese (Excel's era format: 令和7年1月10日, 元年 for the first year), ISO in English.
DATE_FORMAT = {"ja": '[$-ja-JP-x-gannen]ggge"年"m"月"d"日"', "en": "yyyy-mm-dd"}
DATE_WIDTH = {"ja": 16, "en": 10}  # 令和10年12月31日 takes 16 columns; 2025-01-10 takes 10
MAX_WIDTH = 60  # a long subject wraps rather than make the column wider than this


def write_xlsx(rows: Iterable[dict], fields: list[Field], sheet: str) -> bytes:
    """An Excel workbook: one sheet named for the export, real date cells, the header frozen with filters, and
    columns as wide as their widest cell (measured in display columns: full-width characters take two)."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    book.set_properties({"created": datetime(2000, 1, 1)})  # the same records give the same file
    lang = "ja" if language() == "ja" else "en"
    bold = book.add_format({"bold": True})
    dated = book.add_format({"num_format": DATE_FORMAT[lang]})
    ws = book.add_worksheet(sheet[:31])
    head = headers(fields)
    widths = [width(h) for h in head]
    for col, h in enumerate(head):
        ws.write_string(0, col, h, bold)
    n = 0
    for n, rec in enumerate(rows, start=1):
        for col, f in enumerate(fields):
            value = rec.get(f.key)
            if value is None:
                continue
            if f.type == "date":
                ws.write_datetime(n, col, value, dated)
                w = DATE_WIDTH[lang]
            elif f.type == "int":
                ws.write_number(n, col, value)
                w = len(str(value))
            else:
                text = _yes_no(value, f.key) if f.type == "bool" else neutral(str(value))
                ws.write_string(n, col, text)
                w = max(width(line) for line in text.split("\n"))
            widths[col] = max(widths[col], w)
    for col, w in enumerate(widths):
        ws.set_column(col, col, min(w, MAX_WIDTH) + 2)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(n, 1), len(fields) - 1)
    book.close()
    return out.getvalue()
