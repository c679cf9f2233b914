"""What kaiji does, as functions of a session and plain values: the CLI and tests call these.

Each function checks everything before it writes; the caller's transaction commits the lot or
nothing. Errors are KaijiError subclasses whose message is one sentence for the user.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any, Iterable, Iterator, Sequence

from sqlalchemy import String, false, func, insert, select, text, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from . import deadlines as dl
from . import events, schema, timeline
from .dates import iso
from .errors import BadInput, NotFound, Refused, no_request, refuse_missing_requests
from .i18n import N_, _, language, show_date
from .models import (Body, ClosedDay, Decision, DecisionDocument, DeadlineRule, Department, Event, Ground,
                     Jurisdiction, Request, Requester, WithheldPart)
from .records import Rows, json_sql
from .schema import MAX_ID, METHODS, id_batches
from .timeline import DECISION_KINDS

# ---------------------------------------------------------------- input checks

DECISION_ALIASES = {k: k for k in DECISION_KINDS} | {v[0]: k for k, v in DECISION_KINDS.items()} | {
    "non-disclosure": "refusal", "nondisclosure": "refusal", "refuse-to-confirm": "neither",
    "glomar": "neither", "not-exist": "absent", "nonexistent": "absent", "no-document": "absent",
    "reject": "rejected", "全部": "full", "部分": "partial"}
METHOD_ALIASES = {k: k for k in METHODS} | {v: k for k, v in METHODS.items()} | {"写し": "copy", "copies": "copy"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # what a broken encoding leaves (surrogateescape)
# Invisible characters that change how text is shown, not what it says: bidirectional overrides and
# isolates (U+202E shows "txt.exe" as "exe.txt"), zero-width spaces and joiners, the byte-order mark.
# A name or subject holding one looks like another one, or like nothing. (Variation selectors, which
# pick a kanji's form, are kept.)
_INVISIBLE = re.compile("[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
MAX_TEXT = 20_000
MAX_LINE = 200
MAX_FEE = events.MAX_YEN    # yen; far above any copy fee, far below the INTEGER column's limit
MAX_PERIOD = 366            # days; ordinances set 14 to 60, and a typo must not count for ever
# Text kept in a column of limited length (String(n) in models.py): clean() gets the same limit.
PHONE, PHONE_EXT, NUMBER, SHORT, GROUND = 40, 20, 100, 40, 60


def clean(value: str | None, what: str, *, required: bool = False, multiline: bool = False,
          limit: int | None = None, field: str | None = None) -> str | None:
    """Check a piece of text the user gave: valid UTF-8, no control characters, not empty, not too long.

    `what` names it in the message; `field` is the input it came from, carried by the error (errors.py).
    """
    if value is None:
        if required:
            raise BadInput(_("{what} is missing; give it as text.").format(what=what), field=field)
        return None
    if _SURROGATE.search(value):
        raise BadInput(_("{what} is not valid UTF-8 text (a broken encoding?); save or type it as UTF-8 and try "
                         "again.").format(what=what), field=field)
    value = value.replace("\r\n", "\n").strip()
    bad = _CONTROL.search(value) or (None if multiline else re.search("[\n\t]", value))
    if bad:
        raise BadInput(_("{what} contains a control character ({char!r}); remove it and try again.").format(
            what=what, char=bad.group()), field=field)
    if bad := _INVISIBLE.search(value):
        c = bad.group()
        raise BadInput(_("{what} contains the invisible character U+{code} ({name}) at character {position}, which "
                         "changes how the text is shown; remove it and try again.").format(
            what=what, code=f"{ord(c):04X}", name=unicodedata.name(c, "format"), position=bad.start() + 1),
            field=field)
    if not value:
        if required:
            raise BadInput(_("{what} is empty; give it some text.").format(what=what), field=field)
        return None
    limit = limit or (MAX_TEXT if multiline else MAX_LINE)
    if len(value) > limit:
        raise BadInput(_("{what} is {length} characters long, more than the {limit} kaiji keeps; shorten it.").format(
            what=what, length=len(value), limit=limit), field=field)
    return value


def decision_kind(value: str) -> str:
    key = DECISION_ALIASES.get(unicodedata.normalize("NFKC", value).strip().lower())
    if key is None:
        raise BadInput(_("{value!r} is not a decision kind; use one of {keys} or {names}.").format(
            value=value, keys=", ".join(DECISION_KINDS), names=", ".join(v[0] for v in DECISION_KINDS.values())))
    return key


def status_key(value: str) -> str:
    """A request's status by its key (received) or its Japanese name (受付済)."""
    return events.choice_key(value, timeline.STATUS_JA, _("a status"))


def method_keys(values: Iterable[str], field: str | None = None) -> list[str]:
    keys = []
    for v in values:
        key = METHOD_ALIASES.get(unicodedata.normalize("NFKC", v).strip().lower())
        if key is None:
            raise BadInput(_("{value!r} is not a method; use inspect (閲覧), view (視聴) or copy (写しの交付).").format(
                value=v), field=field)
        if key not in keys:
            keys.append(key)
    return [k for k in METHODS if k in keys]


_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}


def _kanji_number(s: str) -> str:
    """二十三 -> 23, for article numbers written in kanji."""
    def conv(m: re.Match) -> str:
        t = m.group()
        if "十" in t:
            tens, _, ones = t.partition("十")
            return str((_KANJI_DIGITS.get(tens, 1) if tens else 1) * 10 + (_KANJI_DIGITS.get(ones, 0) if ones else 0))
        return "".join(str(_KANJI_DIGITS[c]) for c in t)
    return re.sub("[〇一二三四五六七八九十]+", conv, s)


_GROUND = re.compile(r"第?(\d+)条(?:の(\d+))?(?:第?(\d+)項)?第?(\d+)号(?:の(\d+))?(.*)")
_GROUND_SHORT = re.compile(r"(\d+)-(\d+)(?:-(\d+))?")


def normalize_ground(value: str) -> str:
    """第5条第2号, 5条2号, 5-2 and 第五条第二号 all become 第5条第2号."""
    s = _kanji_number(unicodedata.normalize("NFKC", value).replace(" ", ""))
    if m := _GROUND_SHORT.fullmatch(s):
        return f"第{m[1]}条第{m[2]}号" + (f"の{m[3]}" if m[3] else "")
    if m := _GROUND.fullmatch(s):
        return (f"第{m[1]}条" + (f"の{m[2]}" if m[2] else "") + (f"第{m[3]}項" if m[3] else "")
                + f"第{m[4]}号" + (f"の{m[5]}" if m[5] else "") + m[6])
    return s


def ground_code(value: str, what: str | None = None) -> str:
    """A ground as kaiji keeps it: checked, then written out in full (5-2 -> 第5条第2号), which must fit
    the column on every database (SQLite would keep a longer one, PostgreSQL refuse it)."""
    what = what or _("the ground (根拠規定)")
    code = normalize_ground(clean(value, what, required=True, limit=GROUND))
    if len(code) > GROUND:
        raise BadInput(_("{what} is {length} characters long written out in full ({start}…), more than the {limit} "
                         "kaiji keeps; shorten it.").format(what=what, length=len(code), start=code[:12], limit=GROUND))
    return code


def check_ground(jurisdiction: Jurisdiction, value: str) -> str:
    code = ground_code(value)
    codes = [g.code for g in jurisdiction.grounds]
    # 第5条第2号イ cites an item of 第5条第2号; 第5条第1号の2 is its own entry.
    if code in codes or any(code.startswith(c) and not code[len(c):].startswith("の") for c in codes):
        return code
    known = ", ".join(codes) or _("none yet")
    raise Refused(_("{code} is not in {jurisdiction}'s catalogue of grounds (known: {known}); add it with "
                    "`kaiji ground add {key} {code} --summary …` if the ordinance has it.").format(
        code=code, jurisdiction=jurisdiction.name, known=known, key=jurisdiction.key))


# ---------------------------------------------------------------- look-ups

def get_request(session: Session, request_id: int) -> Request:
    req = None
    if 0 < request_id <= MAX_ID:  # beyond an INTEGER column the driver would fail, not answer "none"
        req = session.get(Request, request_id, options=[selectinload(Request.events), selectinload(Request.decisions)])
    if req is None:
        raise no_request(request_id)
    return req


def get_requests(session: Session, request_ids: Sequence[int]) -> list[Request]:
    """The requests, in the order given, each with its body and requester (what request_dict shows):
    one query for many requests, not a few per request. The first id that does not exist is refused."""
    found: dict[int, Request] = {}
    for ids in id_batches(request_ids):
        q = (select(Request).where(Request.id.in_(ids))
             .options(joinedload(Request.requester), joinedload(Request.body)))
        found.update((r.id, r) for r in session.scalars(q))
    refuse_missing_requests(request_ids, found)
    return [found[i] for i in request_ids]


# A bulk import (imports.import_requests) keeps what add_request looks up by name (bodies, requesters,
# departments) in session.info[BULK] for its one transaction, instead of asking the database per row;
# a writing transaction holds the write lock (db.py), so nothing else can add or change them meanwhile.
BULK = "kaiji.bulk_lookups"


def _remembered(session: Session, kind: str, key, find):
    cache = session.info.get(BULK)
    if cache is None:
        return find()
    found = cache.get((kind, key))
    if found is None:
        found = cache[(kind, key)] = find()
    return found


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


MAX_MATCHES = 10  # the most candidates an error about an ambiguous or unknown name lists


def _choose(typed: str, rows: Sequence[tuple[Any, str, str]], what: str, by_parent=None):
    """The one row of (object, key, name) that typed names: by key, by name, by_parent(typed) (a body by
    its jurisdiction), or by a unique prefix of a key or a name; NotFound listing close matches otherwise."""
    t = _norm(typed)
    for found in ([r for r in rows if _norm(r[1]) == t], [r for r in rows if _norm(r[2]) == t]):
        if len(found) == 1:
            return found[0][0]
        if len(found) > 1:
            break
    else:
        if by_parent is not None and (obj := by_parent(t)) is not None:
            return obj
        found = [r for r in rows if _norm(r[1]).startswith(t) or _norm(r[2]).startswith(t)] if t else []
        if len(found) == 1:
            return found[0][0]
    if len(found) > 1:
        raise NotFound(_("{typed!r} names more than one {what}: {matches}; give one of these keys.").format(
            typed=typed, what=_(what), matches=_listed(found)))
    import difflib

    names = {_norm(r[1]): r for r in rows} | {_norm(r[2]): r for r in rows}
    close = difflib.get_close_matches(t, list(names), n=MAX_MATCHES, cutoff=0.6)
    close_rows = list({id(names[c][0]): names[c] for c in close}.values()) or [
        r for r in rows if t and t in _norm(r[1]) + "\n" + _norm(r[2])]
    if close_rows:
        raise NotFound(_("there is no {what} {typed!r}; did you mean {matches}?").format(
            what=_(what), typed=typed, matches=_listed(close_rows)))
    known = sorted(rows, key=lambda r: r[1])
    raise NotFound(_("there is no {what} {typed!r}; known {what_plural}: {matches}.").format(
        what=_(what), typed=typed, what_plural=_(N_("bodies")) if what == "body" else _(N_("jurisdictions")),
        matches=_listed(known) or _("none")))


def _listed(rows) -> str:
    shown = ", ".join(f"{key} ({name})" for _obj, key, name in rows[:MAX_MATCHES])
    return shown + (f", … ({len(rows)})" if len(rows) > MAX_MATCHES else "")


def get_body(session: Session, key: str, field: str | None = None) -> Body:
    """The body `key` names: its key, its name (舞鶴市長), its jurisdiction's key or name when that has one
    body or a default body (the one whose key is the jurisdiction's, as presets and `body add` make it),
    or a unique prefix of a key or name. NotFound (its `field` the one given), listing close matches, otherwise."""
    try:
        return _remembered(session, "body", key, lambda: session.scalar(select(Body).where(Body.key == key))
                           or _find_body(session, key))
    except NotFound as exc:
        exc.field = field
        raise


def _find_body(session: Session, typed: str) -> Body:
    bodies = list(session.scalars(select(Body).options(selectinload(Body.jurisdiction)).order_by(Body.key)))

    def by_jurisdiction(t: str) -> Body | None:
        jurs = {b.jurisdiction.id: b.jurisdiction for b in bodies
                if t in (_norm(b.jurisdiction.key), _norm(b.jurisdiction.name))}
        if len(jurs) != 1:
            return None
        jur = next(iter(jurs.values()))
        under = [b for b in bodies if b.jurisdiction_id == jur.id]
        return under[0] if len(under) == 1 else next((b for b in under if b.key == jur.key), None)

    return _choose(str(typed), [(b, b.key, b.name) for b in bodies], "body", by_jurisdiction)


def get_jurisdiction(session: Session, key: str) -> Jurisdiction:
    """The jurisdiction `key` names: its key, its name (舞鶴市), the key or name of one of its bodies
    (舞鶴市教育委員会), or a unique prefix; NotFound otherwise."""
    jur = session.scalar(select(Jurisdiction).where(Jurisdiction.key == key))
    if jur is None:
        jurs = list(session.scalars(select(Jurisdiction).options(selectinload(Jurisdiction.bodies))
                                    .order_by(Jurisdiction.key)))

        def by_body(t: str) -> Jurisdiction | None:
            found = {j.id: j for j in jurs for b in j.bodies if t in (_norm(b.key), _norm(b.name))}
            return next(iter(found.values())) if len(found) == 1 else None

        jur = _choose(str(key), [(j, j.key, j.name) for j in jurs], "jurisdiction", by_body)
    return jur


def jurisdiction_lookup(session: Session):
    cache: dict[int, Jurisdiction] = {}

    def of(body_id: int) -> Jurisdiction:
        if body_id not in cache:
            cache[body_id] = session.get(Body, body_id).jurisdiction
        return cache[body_id]
    return of


def state(session: Session, req: Request) -> timeline.State:
    return timeline.compute(req, jurisdiction_lookup(session))


def _refresh(session: Session, req: Request) -> timeline.State:
    """After a write to a request: its stored dates worked out again, and its words indexed again (search.py)."""
    from . import search

    session.flush()
    session.expire(req, ["events", "decisions"])
    st = timeline.refresh(req, jurisdiction_lookup(session))
    search.index_request(session, req)
    return st


def department(session: Session, body: Body, name: str | None, phone: str | None = None,
               phone_ext: str | None = None) -> Department | None:
    """The body's department of that name (added if new), its telephone and extension (内線) updated;
    errors carry the field of add_request and decide: department_name, department_phone, phone_ext."""
    name = clean(name, _("the department (担当部課)"), field="department_name")
    if name is None:
        if phone or phone_ext:  # else they would be dropped without a word
            raise BadInput(_("a telephone or extension (内線) needs the department it belongs to; add --department."),
                           field="department_name")
        return None
    phone = clean(phone, _("the department's telephone"), limit=PHONE, field="department_phone")
    phone_ext = clean(phone_ext, _("the extension (内線)"), limit=PHONE_EXT, field="phone_ext")
    def find() -> Department:
        query = select(Department).where(Department.body_id == body.id, Department.name == name)
        return session.scalar(query) or _insert_or_find(session, Department(body_id=body.id, name=name), query)
    dept = _remembered(session, "department", (body.id, name), find)
    if phone:
        dept.phone = phone
    if phone_ext:
        dept.extension = phone_ext  # the column keeps its name; in Python it is phone_ext
    return dept


def _insert_or_find(session: Session, row, again):
    """Insert a row with a unique name, or, if another writer inserted it meanwhile, use theirs.

    On PostgreSQL two transactions can both find no row and both insert; the second insert then
    fails on the unique constraint, inside a savepoint so the rest of the transaction goes on.
    """
    try:
        with session.begin_nested():
            session.add(row)
        return row
    except IntegrityError:
        found = session.scalar(again)
        if found is None:
            raise
        return found


# ---------------------------------------------------------------- requesters

REQUESTER_FIELDS = ("address", "phone", "email", "representative", "contact_name", "contact_phone")
# How a message names each of them (translated where shown).
REQUESTER_FIELD_NAMES = {"address": N_("the address"), "phone": N_("the telephone"), "email": N_("the email"),
                         "representative": N_("the representative"), "contact_name": N_("the contact name"),
                         "contact_phone": N_("the contact phone")}


def add_requester(session: Session, name: str, kind: str = "person", **fields: str | None) -> Requester:
    name = clean(name, _("the requester's name"), required=True)
    if kind not in ("person", "group"):
        raise BadInput(_("{kind!r} is not a kind of requester; use person or group.").format(kind=kind))
    if session.scalar(select(Requester).where(Requester.name == name)) is not None:
        raise Refused(_("a requester named {name!r} exists already; use `kaiji requester edit` to change it.").format(
            name=name))
    req = Requester(name=name, kind=kind, **{k: _requester_field(k, fields.get(k)) for k in REQUESTER_FIELDS})
    return _insert_or_find(session, req, select(Requester).where(Requester.name == name))


def _requester_field(key: str, value: str | None) -> str | None:
    # Personal data: the messages name the field, never its value.
    return clean(value, _(REQUESTER_FIELD_NAMES[key]), multiline=key == "address",
                 limit=PHONE if key.endswith("phone") else None)


def edit_requester(session: Session, name: str, kind: str | None = None, **fields: str | None) -> Requester:
    r = session.scalar(select(Requester).where(Requester.name == name))
    if r is None:
        raise NotFound(_("there is no requester {name!r}; `kaiji requester list` shows them.").format(name=name))
    if kind is not None:
        if kind not in ("person", "group"):
            raise BadInput(_("{kind!r} is not a kind of requester; use person or group.").format(kind=kind))
        r.kind = kind
    for k in REQUESTER_FIELDS:
        if fields.get(k) is not None:
            setattr(r, k, _requester_field(k, fields[k]))
    return r


def find_requester(session: Session, name: str) -> Requester | None:
    return session.scalar(select(Requester).where(Requester.name == name.strip()))


def requester_by_name(session: Session, name: str | None) -> Requester | None:
    name = clean(name, _("the requester's name"), field="requester")
    if name is None:
        return None
    # Found, or added as a person; another writer may add the same name at the same moment.
    return _remembered(session, "requester", name, lambda: find_requester(session, name) or _insert_or_find(
        session, Requester(name=name, kind="person"), select(Requester).where(Requester.name == name)))


# ---------------------------------------------------------------- requests

@dataclass
class NewRequest:
    """A request add_request has checked, as the rows it writes (write_requests): the request's columns, its
    stored dates among them; its first events (kind, on, data); and its state (timeline.compute's)."""
    row: dict[str, Any]
    events: list[dict[str, Any]]
    state: timeline.State


def add_request(session: Session, *, warnings: list[str] | None = None, **fields: Any) -> Request:
    """Add a request with its first events and its stored dates: `fields` are check_request's (body, subject,
    filed, received, requester, methods, mail, reason, reference, department_name, department_phone, phone_ext,
    notes, force), checked there; written by write_requests. What deserves a word but is not wrong (a receipt
    on a closed day) goes to `warnings`. An error's `field` is the keyword it is about."""
    new = check_request(session, **fields)
    (request_id,) = write_requests(session, [new])
    if warnings is not None:
        warnings.extend(new_request_warnings(new))
    return get_request(session, request_id)


def check_request(session: Session, *, body: str, subject: str, filed: date | None = None,
                  received: date | None = None, requester: str | None = None, methods: Sequence[str] = ("copy",),
                  mail: bool = False, reason: str | None = None, reference: str | None = None,
                  department_name: str | None = None, department_phone: str | None = None,
                  phone_ext: str | None = None, notes: str | None = None, force: bool = False,
                  jurisdiction_of=None, counted: dict | None = None) -> NewRequest:
    """Every check of a new request, and the rows add_request writes for it (write_requests): nothing is written
    here but a requester or department it names that is not in the records yet. An error's `field` is the
    keyword it is about.

    A request to the same body with the same subject and receipt date (the form's date, with no receipt
    date) that is not voided is refused as entered twice, unless force. A bulk import checks all its rows
    here, with one `jurisdiction_of` (jurisdiction_lookup) and one `counted` (timeline.compute) for them all,
    then writes them a batch at a time."""
    b = get_body(session, body, field="body")
    subject = clean(subject, _("the subject (請求する行政文書の名称又は内容)"), required=True, multiline=True, field="subject")
    if filed is None and received is None:
        raise BadInput(_("give the date on the form with --filed, or the receipt date with --received."),
                       field="filed")
    if received is not None and filed is not None and received < filed:
        raise Refused(_("the office cannot have received the request on {received} before the form's date {filed}; "
                        "check --filed and --received.").format(received=show_date(received), filed=show_date(filed)),
                      field="received")
    filed = filed or received
    if not force:
        refuse_twice(session, b, subject, filed, received)
    keys = ",".join(method_keys(methods, field="methods"))
    reason = clean(reason, _("the reason"), multiline=True, field="reason")
    notes = clean(notes, _("the notes"), multiline=True, field="notes")
    who = requester_by_name(session, requester)
    dept = department(session, b, department_name, department_phone, phone_ext)
    if "copy" not in keys and mail:
        raise BadInput(_("--mail (送付希望) applies to copies; add --method copy or leave out --mail."), field="mail")
    firsts = [{"kind": "filed", "on": filed, "data": {"body_id": b.id}}]
    if received is not None:
        firsts.append({"kind": "received", "on": received, "data": {}})
    ref = clean(reference, _("the reference number"), limit=NUMBER, field="reference")
    if ref:
        firsts.append({"kind": "reference", "on": received or filed, "data": {"number": ref}})
    # A new request's timeline is its first events, with no decisions: worked out on plain objects, before
    # anything is written, as timeline.refresh works it out for a request in the records.
    plain = SimpleNamespace(filed_body_id=b.id, decisions=[], events=[
        SimpleNamespace(id=None, retracts_id=None, note=None, **e) for e in firsts])
    st = timeline.compute(plain, jurisdiction_of or jurisdiction_lookup(session), counted)
    row = {"filed_body_id": b.id, "subject": subject, "methods": keys, "mail": mail, "reason": reason,
           "filed_on": filed, "notes": notes, "requester_id": who.id if who is not None else None,
           "department_id": dept.id if dept is not None else None} | timeline.stored(st)
    return NewRequest(row, firsts, st)


def new_request_warnings(new: NewRequest) -> list[str]:
    """What deserves a word about a request checked by check_request but is not wrong: a receipt on a closed day."""
    return [events.receipt_warning(new.state)] if new.state.received_closed else []


def write_requests(session: Session, news: Sequence[NewRequest]) -> list[int]:
    """Insert requests checked by check_request, with their events and their words in the search index, in
    the caller's transaction, an executemany per table; return their ids, in order."""
    from . import search, users
    from .db import SAVED

    if not news:
        return []
    session.flush()  # a requester or department they name, changed since (a telephone), goes first
    conn = session.connection()
    ids = next_ids(conn, schema.requests, len(news))
    conn.execute(insert(schema.requests), [dict(n.row, id=i) for n, i in zip(news, ids)])
    who = users.entered_by()  # the column's default, asked once rather than for every row
    rows = [dict(ev, request_id=i, entered_by=who) for n, i in zip(news, ids) for ev in n.events]
    event_ids = next_ids(conn, schema.events, len(rows))
    conn.execute(insert(schema.events), [dict(row, id=i) for row, i in zip(rows, event_ids)])
    saved = session.info.get(SAVED)
    if saved is not None:  # for the face that says what was saved (the flushes see none of these)
        saved.extend([("new", "requests", i) for i in ids] + [("new", "events", i) for i in event_ids])
    search.index_requests(session, [SimpleNamespace(id=i, subject=n.row["subject"], reason=n.row["reason"],
                                                    notes=n.row["notes"], events=[], decisions=[])
                                    for n, i in zip(news, ids)], new=True)
    return ids


def next_ids(conn, table, n: int) -> list[int]:
    """The ids the database gives the next n rows of `table` (id, an integer key) in this writing transaction,
    for an insert that writes them with their ids and so need not read them back row by row: on SQLite the
    largest id plus one, plus two … (as SQLite numbers a table without AUTOINCREMENT; the write lock keeps
    others out), on PostgreSQL the next n values of the column's sequence."""
    if conn.dialect.name == "postgresql":
        return list(conn.scalars(text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM "
                                      "generate_series(1, :n) ORDER BY 1"), {"table": table.name, "n": n}))
    last = conn.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    return list(range(last + 1, last + n + 1))


def refuse_twice(session: Session, body: Body, subject: str, filed: date, received: date | None) -> None:
    """Refuse a request that is in the records already: same body, subject and receipt date, not voided."""
    def same_day() -> dict[str, int]:
        q = select(Request.subject, Request.id).where(Request.body_id == body.id, Request.voided.is_(False))
        q = q.where(Request.received_on == received) if received else q.where(
            Request.received_on.is_(None), Request.filed_on == filed)
        with session.no_autoflush:
            return {s: i for s, i in session.execute(q.order_by(Request.id.desc()))}
    existing = _remembered(session, "same day", (body.id, received, filed if received is None else None), same_day)
    if subject in existing:
        raise Refused(_("request {id} has the same body, subject and receipt date ({day}) already; if this is "
                        "another request, add it with `kaiji request add … --force`, or void the first with `kaiji request void {id} --reason …`.")
                      .format(id=existing[subject], day=show_date(received or filed)))


@dataclass
class Recorded:
    event: Event
    state: timeline.State
    warnings: list[str]


def record(session: Session, request_id: int, kind: str, on: date, data: dict[str, Any] | None = None,
           note: str | None = None) -> Recorded:
    """Append one follow-up event to a request's timeline after checking it fits what is already there.

    `kind` is a key of events.KINDS; `data` holds its fields (events.Field), checked here.
    """
    k = events.get(kind)
    if k.recorded_by_decide:
        raise BadInput(_("a decision is recorded with everything its notice says: use `kaiji request decide`."))
    return _append(session, request_id, k, on, data, note)


def _append(session: Session, request_id: int, kind: events.Kind, on: date, data: dict[str, Any] | None,
            note: str | None) -> Recorded:
    if not isinstance(on, date):
        raise BadInput(_("the date of {kind} is not a date; write it 2025-01-10 or 令和7年1月10日.").format(
            kind=events.label(kind.key)))
    req = get_request(session, request_id)
    c = events.Check(session, req, state(session, req), timeline.live_events(req), kind, on,
                     kind.parse(session, data))
    note = clean(note, _("the note"), multiline=True)
    events.run_checks(c)
    event = Event(request=req, kind=kind.key, on=on, data=c.data, note=note)
    session.add(event)
    new_state = _refresh(session, req)
    if kind.warn is not None:
        c.warnings.extend(kind.warn(new_state, event))
    return Recorded(event, new_state, c.warnings)


def check_transfer(source: Body, target: Body) -> None:
    """A transfer (移送) runs between one jurisdiction's own bodies (an ordinance's 他の実施機関; the national
    law's 行政機関の長, 第12条), or to the jurisdictions its law names (jurisdictions.transfer_to, e.g. the
    national law's 独立行政法人等, 第12条の2)."""
    src, dst = source.jurisdiction, target.jurisdiction
    allowed = [k for k in src.transfer_to.split(",") if k]
    if dst.id == src.id or dst.key in allowed:
        return
    text = (_("a request to {source} cannot be transferred to {target}: under {ordinance} a transfer (移送) goes "
              "only to another body of {jurisdiction} or to {allowed}.") if allowed else
            _("a request to {source} cannot be transferred to {target}: under {ordinance} a transfer (移送) goes "
              "only to another body of {jurisdiction}."))
    raise Refused(text.format(source=source.name, target=target.name, ordinance=src.ordinance, jurisdiction=src.name,
                              allowed=", ".join(allowed)))


def retract(session: Session, request_id: int, event_id: int, reason: str, on: date) -> Recorded:
    """Take back an event recorded by mistake; the event stays in the timeline, marked retracted."""
    req = get_request(session, request_id)
    reason = clean(reason, _("the reason for the retraction"), required=True)
    target = next((e for e in req.events if e.id == event_id), None)
    if target is None:
        raise NotFound(_("request {id} has no event {event}; `kaiji request show {id}` lists them.").format(
            id=req.id, event=event_id))
    if target.kind in ("retraction", "filed"):
        raise Refused(_("event {event} is a {kind} and cannot be retracted.").format(
            event=event_id, kind=target.kind if language() != "ja" else events.label(target.kind)))
    if any(e.retracts_id == event_id for e in req.events):
        raise Refused(_("event {event} was retracted already.").format(event=event_id))
    event = Event(request=req, kind="retraction", on=on, retracts_id=event_id, note=reason, data={})
    session.add(event)
    return Recorded(event, _refresh(session, req), [])


@dataclass
class Withheld:
    part: str
    ground: str
    reason: str


def decide(session: Session, request_id: int, *, kind: str, on: date, notified: date | None = None,
           withheld: Sequence[Withheld] = (), documents: Sequence[str] = (), fee: int | None = None,
           notice_number: str | None = None, disclosure_on: date | None = None, disclosure_time: str | None = None,
           disclosure_place: str | None = None, disclosure_methods: Sequence[str] = (),
           later_on: date | None = None, department_name: str | None = None, department_phone: str | None = None,
           phone_ext: str | None = None, remarks: str | None = None, reason: str | None = None,
           note: str | None = None) -> Recorded:
    """Record a decision (開示決定等) with everything its notice says.

    `reason` is the decision's own reason (不存在, 存否応答拒否, 却下); a withheld part carries its own.
    """
    kind = decision_kind(kind)
    req = get_request(session, request_id)
    s = state(session, req)
    if s.received_on is None:
        raise Refused(_("request {id} has no receipt date; record it with `kaiji request receive {id}` first.").format(
            id=req.id))
    if notified is not None and notified < on:
        raise Refused(_("the requester cannot have learned of the decision on {notified}, before its date {on}; "
                        "check --on and --notified.").format(notified=show_date(notified), on=show_date(on)),
                      field="notified")
    if fee is not None:
        fee = events.parse_yen(fee, _("the fee (--fee)"), minimum=0, field="fee")
    jur = session.get(Body, s.body_id).jurisdiction
    parts = []
    for i, w in enumerate(withheld, 1):
        if not w.ground:
            raise BadInput(_("withheld part {n} ({part!r}) has no ground; give the provision relied on with "
                             "--ground.").format(n=i, part=w.part), field="withheld")
        parts.append(WithheldPart(position=i,
                                  part=clean(w.part, _("withheld part {n}").format(n=i), required=True, multiline=True),
                                  ground=check_ground(jur, w.ground),
                                  reason=clean(w.reason, _("the reason for withheld part {n}").format(n=i),
                                               required=True, multiline=True)))
    if kind in ("partial", "refusal") and not parts:
        raise BadInput(_("a {kind} decision withholds something; give --withheld, --ground and --withheld-reason "
                         "for each part.").format(kind=timeline.decision_label(kind)), field="withheld")
    if kind == "full" and parts:
        raise BadInput(_("a full disclosure (全部開示) withholds nothing; use --kind partial, or leave out --withheld."),
                       field="withheld")
    reason = clean(reason, _("the decision's reason"), multiline=True, field="reason")
    if kind == "full" and reason:
        raise BadInput(_("a full disclosure (全部開示) gives no reason; leave out --decision-reason, or use --remarks."),
                       field="reason")
    if disclosure_on is not None and disclosure_on < on:
        raise Refused(_("the disclosure date {day} comes before the decision ({on}); check --disclosure-on.").format(
            day=show_date(disclosure_on), on=show_date(on)), field="disclosure_on")
    if later_on is not None and later_on < on:
        raise Refused(_("the 第10条後段 date {day} comes before the decision ({on}); check --later-on.").format(
            day=show_date(later_on), on=show_date(on)), field="later_on")
    docs = [clean(t, _("document title {n}").format(n=i), required=True, multiline=True)
            for i, t in enumerate(documents, 1)]
    rec = _append(session, request_id, events.KINDS["decision"], on, {"kind": kind}, note)
    body = session.get(Body, s.body_id)
    decision = Decision(
        request=req, event=rec.event, kind=kind, decided_on=on, notified_on=notified,
        notice_number=clean(notice_number, _("the notice number"), limit=NUMBER), disclosure_on=disclosure_on,
        disclosure_time=clean(disclosure_time, _("the disclosure time"), limit=SHORT),
        disclosure_place=clean(disclosure_place, _("the disclosure place")),
        disclosure_methods=",".join(method_keys(disclosure_methods)) or None, later_on=later_on,
        department=department(session, body, department_name, department_phone, phone_ext),
        remarks=clean(remarks, _("the remarks"), multiline=True), fee=fee, reason=reason)
    decision.documents = [DecisionDocument(position=i, title=t) for i, t in enumerate(docs, 1)]
    decision.withheld = parts
    session.add(decision)
    st = _refresh(session, req)
    warnings = rec.warnings
    if st.late_by:
        warnings.append(_("the decision came {days} days after it was due ({due}).").format(
            days=st.late_by, due=show_date(st.decision_due)))
    if st.earliest_disclosure is not None and disclosure_on is not None and disclosure_on < st.earliest_disclosure:
        warnings.append(events.two_week_warning(st.objection.on, disclosure_on, st.earliest_disclosure))
    return Recorded(rec.event, st, warnings)


# ---------------------------------------------------------------- lists

def list_requests(session: Session, *, status: str | None = None, body: str | None = None,
                  include_void: bool = False) -> list[Request]:
    return list(iter_requests(session, status=status, body=body, include_void=include_void))


def iter_requests(session: Session, *, status: str | None = None, body: str | None = None,
                  include_void: bool = False, received_from: date | None = None, received_to: date | None = None,
                  requester: str | None = None, batch: int = 1000) -> Iterator[Request]:
    """list_requests loaded `batch` rows at a time, so that listing every request does not hold them all.
    Requests entered by mistake (voided) are left out unless include_void.

    received_from/received_to bound the receipt date (both days included; a request not yet received has
    none and is left out); requester is a requester's name. The query runs (and a bad status, body or
    requester is refused) when this is called, before any row is read.
    """
    q = request_select(session, status=status, body=body, include_void=include_void, received_from=received_from,
                       received_to=received_to, requester=requester)
    return iter(session.scalars(q.execution_options(yield_per=batch)))


def request_select(session: Session, *, status: str | None = None, body: str | None = None,
                   include_void: bool = False, received_from: date | None = None, received_to: date | None = None,
                   requester: str | None = None):
    """The query iter_requests runs, for a face that pages it (the web list adds search, order and LIMIT);
    errors name the filter they are about in `field`."""
    return select(Request).options(selectinload(Request.body), selectinload(Request.requester)).order_by(
        Request.id).where(*request_where(session, status=status, body=body, include_void=include_void,
                                         received_from=received_from, received_to=received_to, requester=requester))


def request_where(session: Session, *, status: str | None = None, body: str | None = None,
                  include_void: bool = False, received_from: date | None = None, received_to: date | None = None,
                  requester: str | None = None) -> list:
    """The conditions on the requests table that iter_requests' filters make (stats.py selects its own
    columns under them); a bad status, body or requester is refused here."""
    where: list = []
    status = status_key(status) if status else None
    if status:
        where.append(Request.status == status)
    if body:
        where.append(Request.body_id == get_body(session, body, field="body").id)
    if not include_void:
        where.append(Request.voided == false())  # as the listed-request indexes say (schema.LISTED)
    if received_from and received_to and received_from > received_to:
        raise BadInput(_("--from {start} comes after --to {end}; give the earlier date with --from.").format(
            start=iso(received_from), end=iso(received_to)), field="received_to")
    if received_from:
        where.append(Request.received_on >= received_from)
    if received_to:
        where.append(Request.received_on <= received_to)
    if requester:
        who = find_requester(session, requester)
        if who is None:
            raise NotFound(_("there is no requester {name!r}; `kaiji requester list` shows them.").format(
                name=requester.strip()), field="requester")
        where.append(Request.requester_id == who.id)
    return where


# What a request is in a list (request_dict, `request list --json`): each key of the record, the column it is
# read from and its kind (records.KINDS); request_rows reads them in one select, request_dict off a request.
_rq, _bd, _rr = schema.requests.c, schema.bodies.c, schema.requesters.c
LISTED = (("id", _rq.id, "int"), ("body", _bd.key, "text"), ("body_name", _bd.name, "text"),
          ("subject", _rq.subject, "text"), ("status", _rq.status, "text"), ("requester", _rr.name, "text"),
          ("methods", _rq.methods, "split"), ("mail", _rq.mail, "bool"), ("reason", _rq.reason, "text"),
          ("reference", _rq.reference, "text"), ("filed_on", _rq.filed_on, "date"),
          ("received_on", _rq.received_on, "date"), ("decision_due", _rq.decision_due, "date"),
          ("decided_on", _rq.decided_on, "date"), ("notified_on", _rq.notified_on, "date"),
          ("appeal_due", _rq.appeal_due, "date"), ("disclosure_on", _rq.disclosure_on, "date"),
          ("rest_due", _rq.rest_due, "date"), ("fee_unpaid", _rq.fee_unpaid, "int"),
          ("lawsuit_due", _rq.lawsuit_due, "date"), ("flags", _rq.flags, "codes"), ("voided", _rq.voided, "bool"))


def _listed_rows(rows=()) -> Rows:
    return Rows([(key, kind) for key, _c, kind in LISTED], rows)


def request_dict(r: Request) -> dict[str, Any]:
    """A request as JSON: no addresses or telephone numbers."""
    of = {schema.requests: r, schema.bodies: r.body, schema.requesters: r.requester}
    return _listed_rows().record([getattr(of[c.table], c.key) if of[c.table] is not None else None
                             for _k, c, _kind in LISTED])


def request_rows(session: Session, *, batch: int = 2000, **filters) -> Rows:
    """request_dict of each request iter_requests(**filters) gives, in the same order, read as plain rows of
    one select (no mapped objects), `batch` at a time (PostgreSQL: a server-side cursor), so that listing
    100,000 requests takes a second and little memory; its json_chunks() writes them as JSON without making
    the dicts. A bad filter is refused when this is called."""
    where = request_where(session, **filters)

    def read(*columns):
        q = (select(*columns).select_from(schema.requests.join(schema.bodies, _rq.body_id == _bd.id)
                                          .outerjoin(schema.requesters, _rq.requester_id == _rr.id))
             .where(*where).order_by(_rq.id))
        yield from session.connection().execute(q, execution_options={"yield_per": batch}).partitions()

    # Dates as SQLite stores them, ISO text, rather than made dates and written back (PostgreSQL gives dates).
    values = read(*(type_coerce(c, String) if kind == "date" else c for _k, c, kind in LISTED))
    # The JSON: each record's text made by the database (records.json_sql), read only when written.
    dialect = session.get_bind().dialect.name
    texts = None
    if dialect == "postgresql" or dialect == "sqlite" and _sqlite_json(session):
        texts = ([text for (text,) in part] for part in read(json_sql(LISTED, dialect)))
    return Rows(_listed_rows().fields, values, texts)


def _sqlite_json(session: Session) -> bool:
    """Whether this SQLite has its JSON functions (built in since 3.38; an older one may lack them)."""
    from sqlalchemy.exc import OperationalError

    try:
        return session.connection().exec_driver_sql("SELECT json_quote('')").scalar() == '""'
    except OperationalError:
        return False


def decision_dict(d: Decision) -> dict[str, Any]:
    return {
        "id": d.id, "kind": d.kind, "kind_ja": DECISION_KINDS[d.kind][0], "decided_on": iso(d.decided_on),
        "notified_on": iso(d.notified_on), "notice_number": d.notice_number,
        "documents": [x.title for x in d.documents],
        "withheld": [{"part": w.part, "ground": w.ground, "reason": w.reason} for w in d.withheld],
        "disclosure_on": iso(d.disclosure_on), "disclosure_time": d.disclosure_time,
        "disclosure_place": d.disclosure_place,
        "disclosure_methods": d.disclosure_methods.split(",") if d.disclosure_methods else [],
        "later_on": iso(d.later_on), "department": d.department.name if d.department else None,
        "reason": d.reason, "remarks": d.remarks, "fee": d.fee,
    }


def event_dict(e: Event, retracted: set[int]) -> dict[str, Any]:
    return {"id": e.id, "kind": e.kind, "kind_ja": events.KINDS[e.kind].ja, "on": iso(e.on),
            "data": e.data, "note": e.note, "retracts": e.retracts_id, "retracted": e.id in retracted,
            "recorded_at": e.recorded_at.isoformat(timespec="seconds") if e.recorded_at else None}


# ---------------------------------------------------------------- bodies, rules, grounds

def add_jurisdiction(session: Session, *, key: str, name: str, ordinance: str, year_end_closure: bool = True
                     ) -> Jurisdiction:
    key = check_key(key)
    if session.scalar(select(Jurisdiction).where(Jurisdiction.key == key)) is not None:
        raise Refused(_("a jurisdiction {key!r} exists already.").format(key=key))
    jur = Jurisdiction(key=key, name=clean(name, _("the jurisdiction's name"), required=True),
                       ordinance=clean(ordinance, _("the ordinance's name"), required=True),
                       year_end_closure=year_end_closure)
    session.add(jur)
    session.flush()
    return jur


def add_rule(session: Session, jurisdiction: Jurisdiction, *, period_days: int, counts_request_day: bool,
             working_days: bool, move_off_closed: bool, extension_max_days: int | None, extension_from: str,
             exclude_correction: bool, source: str, effective_from: date | None, note: str = "",
             correction_days: str = "after_asked", correction_extends_limit: bool = True) -> DeadlineRule:
    if not 0 < period_days <= MAX_PERIOD:
        raise BadInput(_("the decision period must be 1 to {max} days; check --period.").format(max=MAX_PERIOD))
    if extension_max_days is not None and not 0 < extension_max_days <= MAX_PERIOD:
        raise BadInput(_("an extension limit must be 1 to {max} days; leave out --extension-max if there is "
                         "none.").format(max=MAX_PERIOD))
    if extension_from not in ("period_end", "request"):
        raise BadInput(_("--extension-from takes period-end or request."))
    if correction_days not in dl.CORRECTION_DAYS:
        raise BadInput(_("--correction-days takes after-asked or both."))
    if any(r.effective_from == effective_from for r in jurisdiction.rules):
        text = (_("{jurisdiction} already has a rule in force from {day}; give another --effective-from.")
                if effective_from else
                _("{jurisdiction} already has a rule in force from the start; give another --effective-from."))
        raise Refused(text.format(jurisdiction=jurisdiction.name, day=show_date(effective_from)))
    rule = DeadlineRule(period_days=period_days, counts_request_day=counts_request_day, working_days=working_days,
                        move_off_closed=move_off_closed, extension_max_days=extension_max_days,
                        extension_from=extension_from, exclude_correction=exclude_correction,
                        correction_days=correction_days, correction_extends_limit=correction_extends_limit,
                        source=clean(source, _("the rule's source (--source)"), required=True),
                        effective_from=effective_from, note=clean(note, _("the note")) or "")
    jurisdiction.rules.append(rule)
    session.flush()
    recompute(session, jurisdiction)
    return rule


def check_key(key: str) -> str:
    """A key as kaiji stores it (a body's or a jurisdiction's): lower-case letters, digits and hyphens."""
    key = clean(key, _("the key"), required=True)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", key):
        raise BadInput(_("{key!r} is not a usable key; use lower-case letters, digits and hyphens, e.g. "
                         "fukuchiyama.").format(key=key))
    return key


def add_body(session: Session, *, key: str, name: str, head: str | None, jurisdiction: Jurisdiction,
             head_name: str | None = None, appeal_authority: str | None = None) -> Body:
    key = check_key(key)
    if session.scalar(select(Body).where(Body.key == key)) is not None:
        raise Refused(_("a body {key!r} exists already; choose another key.").format(key=key))
    name = clean(name, _("the body's name"), required=True)
    body = Body(key=key, name=name, head=clean(head, _("the head's title")) or name,
                head_name=clean(head_name, _("the head's name")), jurisdiction=jurisdiction,
                appeal_authority=clean(appeal_authority, _("the appeal authority (審査庁)")))
    session.add(body)
    session.flush()
    return body


def edit_body(session: Session, key: str, *, name: str | None = None, head: str | None = None,
              head_name: str | None = None, appeal_authority: str | None = None) -> Body:
    """Change a body's name, the title forms are addressed to, the head's name printed on notices, or
    the appeal authority (審査庁; empty text: derived from the body again, see Body.appeal_to)."""
    body = get_body(session, key)
    if name is not None:
        body.name = clean(name, _("the body's name"), required=True)
    if head is not None:
        body.head = clean(head, _("the head's title"), required=True)
    if head_name is not None:
        body.head_name = clean(head_name, _("the head's name"))  # empty text clears it
    if appeal_authority is not None:
        body.appeal_authority = clean(appeal_authority, _("the appeal authority (審査庁)"))
    return body


def add_closed_day(session: Session, jurisdiction: Jurisdiction, day: date, reason: str) -> ClosedDay:
    if any(c.day == day for c in jurisdiction.closed_days):
        raise Refused(_("{day} is already a closed day of {jurisdiction}.").format(
            day=show_date(day), jurisdiction=jurisdiction.name))
    c = ClosedDay(day=day, reason=clean(reason, _("the reason"), required=True))
    jurisdiction.closed_days.append(c)
    session.flush()
    recompute(session, jurisdiction)
    return c


def add_ground(session: Session, jurisdiction: Jurisdiction, code: str, summary: str | None) -> Ground:
    code = ground_code(code, _("the ground"))
    if any(g.code == code for g in jurisdiction.grounds):
        raise Refused(_("{code} is already in {jurisdiction}'s catalogue.").format(code=code,
                                                                                    jurisdiction=jurisdiction.name))
    g = Ground(code=code, summary=clean(summary, _("the summary")) or "")
    jurisdiction.grounds.append(g)
    session.flush()
    return g


def recompute(session: Session, jurisdiction: Jurisdiction) -> int:
    """After a rule or calendar change, recompute the stored dates of the jurisdiction's requests."""
    body_ids = [b.id for b in jurisdiction.bodies]
    n = 0
    lookup = jurisdiction_lookup(session)
    for req in session.scalars(select(Request).where(Request.body_id.in_(body_ids))
                               .options(selectinload(Request.events),
                                        selectinload(Request.decisions).selectinload(Decision.withheld))):
        timeline.refresh(req, lookup)
        n += 1
    return n


def recompute_all(session: Session, batch: int = 1000) -> list[int]:
    """Work out every request's stored dates and flags again (after an upgrade of kaiji's rules);
    return the ids of the requests whose stored values changed."""
    lookup = jurisdiction_lookup(session)
    given = {"id", "body_id", "filed_body_id", "requester_id", "department_id", "subject", "methods", "mail", "reason",
             "filed_on", "notes", "created_at"}  # what the user gave; the rest is worked out
    cols = [c.key for c in schema.requests.c if c.key not in given]
    changed, last = [], 0
    while True:
        reqs = list(session.scalars(select(Request).where(Request.id > last).order_by(Request.id).limit(batch)
                                    .options(selectinload(Request.events),
                                             selectinload(Request.decisions).selectinload(Decision.withheld))))
        if not reqs:
            return changed
        for req in reqs:
            before = [getattr(req, c) for c in cols]
            timeline.refresh(req, lookup)
            # A value that was stored and is now another, or a new flag; a column the upgrade has just
            # added (stored as nothing until now) is new information, not a change.
            if any(b is not None and b != getattr(req, c) or c == "flags" and b != req.flags
                   for c, b in zip(cols, before)):
                changed.append(req.id)
        session.flush()
        last = reqs[-1].id
