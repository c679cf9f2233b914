"""Campaigns (一斉請求): the same request filed with many bodies at once, and their answers side by side;
saved sets of bodies; bodies imported in bulk from a spreadsheet.

A campaign only groups requests (requests.campaign_id): each of its requests is made by
service.add_request, keeps its own timeline, and is due by its own body's rule; a receipt or a decision
is recorded on it by the same service functions as on any request. `compare` reads their states
(timeline.compute) and counts days with the rule's own engine (timeline.counted_days, deadlines.count_days).

Every function works in the caller's one transaction and checks everything before it writes: one
unknown body or one bad row and nothing is written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from . import deadlines as dl
from . import service, stats, timeline
from .errors import BadInput, KaijiError, NotFound, Refused
from .events import label
from .i18n import N_, _, show_date
from .models import Body, BodySet, BodySetMember, Campaign, Jurisdiction, Request
from .schema import WAITING_STATUSES

NAME_LIMIT = 40  # campaigns.name, body_sets.name


def _name(name: str, what: str, field_name: str) -> str:
    """A campaign's or a set's name: lower-case letters, digits and hyphens (it names files, e.g. the PDFs)."""
    name = service.clean(name, what, required=True, limit=NAME_LIMIT, field=field_name)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise BadInput(_("{what} {name!r} is not usable; use lower-case letters, digits and hyphens, e.g. "
                         "kosaihi-2025.").format(what=what, name=name), field=field_name)
    return name


# ---------------------------------------------------------------- body sets

def get_set(session: Session, name: str) -> BodySet:
    found = session.scalar(select(BodySet).where(BodySet.name == name.strip())
                           .options(selectinload(BodySet.members).selectinload(BodySetMember.body)))
    if found is None:
        raise NotFound(_("there is no body set {name!r}; `kaiji body set list` shows them.").format(name=name),
                       field="body_set")
    return found


def add_to_set(session: Session, name: str, bodies: Sequence[str]) -> BodySet:
    """Save a set of bodies under a name, or add bodies to the set of that name; a body in it already stays once."""
    # A set's name names no file: any text on one line (京都府北部, kyoto-north).
    name = service.clean(name, _("the set's name"), required=True, limit=NAME_LIMIT, field="body_set")
    chosen = resolve_bodies(session, bodies)
    found = session.scalar(select(BodySet).where(BodySet.name == name))
    if found is None:
        found = BodySet(name=name)
        session.add(found)
    have = {m.body_id for m in found.members}
    for b in chosen:
        if b.id not in have:
            found.members.append(BodySetMember(body_id=b.id, position=len(found.members) + 1))
    session.flush()
    return found


def list_sets(session: Session) -> list[BodySet]:
    return list(session.scalars(select(BodySet).order_by(BodySet.name)
                                .options(selectinload(BodySet.members).selectinload(BodySetMember.body))))


def remove_set(session: Session, name: str) -> None:
    """Forget a saved set (the bodies and the campaigns filed with it stay)."""
    session.delete(get_set(session, name))
    session.flush()


def resolve_bodies(session: Session, bodies: Sequence[str]) -> list[Body]:
    """The bodies named (by key, name or jurisdiction, as service.get_body reads them), each once, in the
    order given; the first that names none is refused, before anything is written."""
    if not bodies:
        raise BadInput(_("no body is named; give --body KEY (one or more), --bodies-from FILE or --set SET."),
                       field="body")
    out: dict[int, Body] = {}
    for typed in bodies:
        b = service.get_body(session, typed, field="body")
        out.setdefault(b.id, b)
    return list(out.values())


def body_keys_from_text(text: str) -> list[str]:
    """The bodies of a --bodies-from file: one a line; blank lines and lines starting with # left out."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


# ---------------------------------------------------------------- campaigns

def get_campaign(session: Session, name: str) -> Campaign:
    found = session.scalar(select(Campaign).where(Campaign.name == name.strip()))
    if found is None:
        raise NotFound(_("there is no campaign {name!r}; `kaiji campaign list` shows them.").format(name=name),
                       field="campaign")
    return found


def add_campaign(session: Session, *, name: str, subject: str, bodies: Sequence[str], filed: date,
                 reason: str | None = None, methods: Sequence[str] = ("copy",), requester: str | None = None,
                 warnings: list[str] | None = None) -> Campaign:
    """A campaign and one request per body, each made by service.add_request (every check of a single
    request holds for each), all in the caller's transaction: a body that is not known, or a request
    refused, and nothing is written."""
    name = _name(name, _("the campaign's name"), "name")
    if session.scalar(select(Campaign).where(Campaign.name == name)) is not None:
        raise Refused(_("a campaign {name!r} exists already; choose another name, or add bodies to it with "
                        "`kaiji campaign add-body {name} KEY`.").format(name=name), field="name")
    chosen = resolve_bodies(session, bodies)  # every body first: an unknown one names itself, nothing written
    campaign = Campaign(name=name, filed_on=filed,
                        subject=service.clean(subject, _("the subject (請求する行政文書の名称又は内容)"), required=True,
                                              multiline=True, field="subject"),
                        reason=service.clean(reason, _("the reason"), multiline=True, field="reason"),
                        methods=",".join(service.method_keys(methods, field="methods")) or "copy",
                        requester=service.requester_by_name(session, requester))
    session.add(campaign)
    session.flush()
    _file(session, campaign, chosen, warnings)
    return campaign


def _file(session: Session, campaign: Campaign, bodies: Sequence[Body], warnings: list[str] | None) -> list[Request]:
    made = []
    for b in bodies:
        said: list[str] = []
        try:
            req = service.add_request(session, body=b.key, subject=campaign.subject, filed=campaign.filed_on,
                                      requester=campaign.requester.name if campaign.requester else None,
                                      methods=campaign.methods.split(","), reason=campaign.reason, warnings=said)
        except KaijiError as exc:
            raise type(exc)(_("{body}: {message}").format(body=b.key, message=exc), field=exc.field) from None
        req.campaign_id = campaign.id
        made.append(req)
        if warnings is not None:
            warnings.extend(_("{body}: {warning}").format(body=b.key, warning=w) for w in said)
    session.flush()
    return made


def requests_of(session: Session, campaign: Campaign, include_void: bool = False) -> list[Request]:
    """The campaign's requests (not those removed from it, unless include_void), by their body's key."""
    q = (select(Request).where(Request.campaign_id == campaign.id)
         .options(selectinload(Request.body), selectinload(Request.filed_body), selectinload(Request.events),
                  selectinload(Request.decisions)))
    if not include_void:
        q = q.where(Request.voided.is_(False))
    return sorted(session.scalars(q), key=lambda r: (r.filed_body.key, r.id))


def request_for(session: Session, campaign: Campaign, body: str) -> Request:
    """The campaign's request to a body (the body it was filed with, or the one it is with after a transfer)."""
    b = service.get_body(session, body, field="body")
    for r in requests_of(session, campaign):
        if b.id in (r.filed_body_id, r.body_id):
            return r
    raise NotFound(_("campaign {name} has no request to {body}; `kaiji campaign show {name}` lists its bodies.").format(
        name=campaign.name, body=b.key), field="body")


def add_bodies(session: Session, name: str, bodies: Sequence[str], warnings: list[str] | None = None
               ) -> list[Request]:
    """File the campaign's request with more bodies, dated as the campaign; a body in it already is refused."""
    campaign = get_campaign(session, name)
    chosen = resolve_bodies(session, bodies)
    have = {r.filed_body_id: r for r in requests_of(session, campaign)}
    for b in chosen:
        if b.id in have:
            raise Refused(_("{body} is in campaign {name} already (request {id}).").format(
                body=b.key, name=campaign.name, id=have[b.id].id), field="body")
    return _file(session, campaign, chosen, warnings)


def remove_body(session: Session, name: str, body: str, on: date, reason: str | None = None) -> Request:
    """Take a body out of the campaign while its request has not reached it: no receipt date, nothing
    recorded but the form itself (its reference number, notes). The request is voided (誤登録, with the
    reason), as a request entered by mistake is: it stays in the records, out of every list. Once the
    office has it, it is a request like any other, and is withdrawn (取下げ) instead."""
    campaign = get_campaign(session, name)
    req = request_for(session, campaign, body)
    live = [e for e in timeline.live_events(req) if e.kind not in ("filed", "reference", "note")]
    if live:
        raise Refused(_("the request to {body} (request {id}) has {kind} recorded on {on}, so it has reached the "
                        "office and stays in the campaign; withdraw it with `kaiji request withdraw {id} --on DATE` "
                        "if the campaign no longer wants it.").format(
            body=req.filed_body.key, id=req.id, kind=label(live[0].kind), on=show_date(live[0].on)),
            field="body")
    reason = service.clean(reason, _("the reason"), field="reason") or _("taken out of campaign {name}").format(
        name=campaign.name)
    service.record(session, req.id, "voided", on, {"reason": reason})
    return req


def receive(session: Session, name: str, body: str, on: date) -> service.Recorded:
    """The receipt date (受付年月日) of the campaign's request to a body: `kaiji request receive`'s own function."""
    req = request_for(session, get_campaign(session, name), body)
    return service.record(session, req.id, "received", on)


# ---------------------------------------------------------------- side by side

@dataclass
class Compared:
    """One body's answer to a campaign, for a table, a chart or a spreadsheet. Days are None where they cannot be
    known yet (not received, not decided) or at all (no rule known for the body: `rule_known` False)."""

    request_id: int
    body_key: str
    body: str
    jurisdiction: str
    status: str
    received: date | None
    decision_due: date | None
    rule_known: bool
    decided: date | None
    days_calendar: int | None        # from the receipt to the decision, on the calendar
    days_counted: int | None         # the decision date's day in the rule's own count (deadlines.count_days)
    late: bool | None                # decided after it was due, or undecided with the date passed; None: unknown
    late_by: int | None              # days after the date due (as of `as_of` while undecided)
    extensions: int                  # extension notices (延長, 特例延長) recorded
    extended_to: date | None         # the date the one in force gives
    decision_kind: str | None        # the first decision's kind (timeline.DECISION_KINDS)
    withheld: list[tuple[str, str]] = field(default_factory=list)  # (part, ground) of every decision
    fee: int | None = None           # yen charged (the decisions' fees and fee notices)
    appeal_filed: date | None = None
    ruled: date | None = None
    ruling: str | None = None        # the ruling's outcome: upheld, partly-granted, granted, dismissed


@dataclass
class Summary:
    """How the campaign stands: `on_time` counts decisions made by their date; `late` counts decisions made
    after it and requests still undecided past it (as of the comparison's day)."""

    bodies: int
    received: int
    decided: int
    on_time: int
    late: int
    full: int
    partial: int
    # Medians as `kaiji stats` takes them (stats.percentile, nearest rank: always one of the values).
    median_days: int | None          # calendar days, over the decided
    median_counted: int | None       # days counted by each body's rule, over the decided with a rule known


@dataclass
class Comparison:
    campaign: Campaign
    rows: list[Compared]
    summary: Summary


SORTS = ("body", "days", "due", "kind")


def compare(session: Session, name: str, as_of: date, sort: str = "body") -> Comparison:
    """The campaign's requests side by side, sorted by body (key), days (calendar days taken, undecided last),
    due (decision date, unknown last) or kind (decision kind, as timeline.DECISION_KINDS orders them)."""
    if sort not in SORTS:
        raise BadInput(_("--sort takes body, days, due or kind."), field="sort")
    campaign = get_campaign(session, name)
    of = service.jurisdiction_lookup(session)
    rows = []
    for r in requests_of(session, campaign):
        st = timeline.compute(r, of)
        jur = of(st.body_id)
        decided = st.decided_on
        live = timeline.live_events(r)
        appeal = st.decision_appeal or st.inaction_appeal
        ruling = timeline.ruling_on(live, appeal)
        late = late_by = None  # unknown: not received, no rule known, or withdrawn
        if decided is not None and st.decision_due is not None:
            late, late_by = bool(st.late_by), st.late_by or None
        elif decided is None and st.decision_due is not None and st.status in WAITING_STATUSES:
            late = as_of > st.decision_due
            late_by = (as_of - st.decision_due).days if late else None
        rows.append(Compared(
            request_id=r.id, body_key=r.filed_body.key, body=r.filed_body.name, jurisdiction=jur.name,
            status=st.status, received=st.received_on, decision_due=st.decision_due, rule_known=bool(jur.rules),
            decided=decided,
            days_calendar=(decided - st.received_on).days if decided and st.received_on else None,
            days_counted=st.days_counted,   # compute's count (timeline.counted_days), by the rule of st.body_id
            late=late, late_by=late_by,
            extensions=sum(e.kind in ("extension", "special_extension") for e in live),
            extended_to=st.extended_to if st.extension is not None else None,
            decision_kind=st.decisions[0].kind if st.decisions else None,
            withheld=[(w.part, w.ground) for d in st.decisions for w in d.withheld],
            fee=st.fee_total or None,   # the fee events' and the live decisions' (compute)
            appeal_filed=appeal.on if appeal else None, ruled=ruling.on if ruling else None,
            ruling=ruling.data.get("outcome") if ruling else None))
    kinds = list(timeline.DECISION_KINDS)
    key = {"body": lambda c: (c.body_key,),
           "days": lambda c: (c.days_calendar is None, c.days_calendar or 0, c.body_key),
           "due": lambda c: (c.decision_due is None, c.decision_due or date.min, c.body_key),
           "kind": lambda c: (kinds.index(c.decision_kind) if c.decision_kind else len(kinds), c.body_key)}[sort]
    rows.sort(key=key)
    return Comparison(campaign, rows, summarize(rows))


def summarize(rows: Sequence[Compared]) -> Summary:
    decided = [c for c in rows if c.decided is not None]
    days = [c.days_calendar for c in decided if c.days_calendar is not None]
    counted = [c.days_counted for c in decided if c.days_counted is not None]
    return Summary(bodies=len(rows), received=sum(c.received is not None for c in rows), decided=len(decided),
                   on_time=sum(c.late is False for c in decided), late=sum(bool(c.late) for c in rows),
                   full=sum(c.decision_kind == "full" for c in rows),
                   partial=sum(c.decision_kind == "partial" for c in rows),
                   median_days=stats.percentile(days, 50), median_counted=stats.percentile(counted, 50))


def compared_dict(c: Compared) -> dict[str, Any]:
    """A row as JSON and CSV give it (dates ISO, withheld parts as a list of {part, ground})."""
    out = {}
    for f in fields(c):
        v = getattr(c, f.name)
        out[f.name] = (v.isoformat() if isinstance(v, date) else
                       [{"part": p, "ground": g} for p, g in v] if f.name == "withheld" else v)
    return out


def summary_line(s: Summary) -> str:
    """The summary in one line of the reader's language."""
    def num(x: float | None) -> str:
        return "—" if x is None else (f"{x:g}")
    return _("{bodies} bodies: {received} received, {decided} decided ({on_time} on time), {late} late; {full} fully "
             "and {partial} partly disclosed; median days {days} (counted by the rule: {counted}).").format(
        bodies=s.bodies, received=s.received, decided=s.decided, on_time=s.on_time, late=s.late, full=s.full,
        partial=s.partial, days=num(s.median_days), counted=num(s.median_counted))


# Columns the table shows only when a row has something in them, so that a young campaign fits the terminal.
_WHEN_ANY = ("extensions", "withheld", "fee", "appeal_filed", "ruling")


def columns(rows: list[dict] | None = None) -> list[tuple[str, str, Callable[[dict], Any] | None]]:
    """The side-by-side table's columns, for `kaiji campaign show`, the report and the web: (key, header marked
    with N_() and shown through _(), what a cell shows of a compared_dict row; None: the row's value). Given
    the rows, the columns that have nothing in any of them are left out."""
    from .events import VALUES

    def days(r):
        if r["days_calendar"] is None:
            return ""
        return f"{r['days_calendar']}/{r['days_counted']}" if r["days_counted"] is not None else str(r["days_calendar"])

    def due(r):
        return r["decision_due"] or ("" if r["rule_known"] else _("unknown (no rule)"))

    def late(r):
        said = "" if r["late"] is None else (_("late") if r["late"] else _("on time"))
        return said + (_(" +{days}d").format(days=r["late_by"]) if r["late_by"] else "")

    out = [("body_key", N_("body"), None), ("status", N_("status"), lambda r: timeline.status_label(r["status"])),
           ("received", N_("received"), None), ("decision_due", N_("decision due"), due),
           ("decided", N_("decided"), None), ("days_calendar", N_("days (cal./rule)"), days),
           ("late", N_("late"), late), ("extensions", N_("ext."), lambda r: r["extensions"] or ""),
           ("decision_kind", N_("kind"), lambda r: timeline.decision_label(r["decision_kind"]) if r["decision_kind"]
            else ""),
           ("withheld", N_("withheld (grounds)"), lambda r: "; ".join(f"{w['part']} ({w['ground']})"
                                                                       for w in r["withheld"])),
           ("fee", N_("fee"), None), ("appeal_filed", N_("appeal"), lambda r: r["appeal_filed"] or ""),
           ("ruling", N_("outcome"), lambda r: _(VALUES[("outcome", r["ruling"])]) if r["ruling"] else "")]
    if rows is None:
        return out
    return [c for c in out if c[0] not in _WHEN_ANY or any(r[c[0]] for r in rows)]


def list_campaigns(session: Session) -> list[dict[str, Any]]:
    """Each campaign with how far its requests have come."""
    out = []
    for c in session.scalars(select(Campaign).order_by(Campaign.filed_on, Campaign.name)):
        reqs = requests_of(session, c)
        out.append({"name": c.name, "subject": c.subject, "filed_on": c.filed_on.isoformat(), "bodies": len(reqs),
                    "received": sum(r.received_on is not None for r in reqs),
                    "decided": sum(r.decided_on is not None for r in reqs)})
    return out


# ---------------------------------------------------------------- bodies in bulk

# The columns of a body import: the body, its jurisdiction (new ones with their ordinance), and the deadline
# rule's own fields (deadlines.RULE_FIELDS, declared once by deadlines.Rule) with the day it took effect.
BODY_COLUMNS = ("key", "name", "head", "head_name", "jurisdiction", "jurisdiction_name", "ordinance", "rule") + \
    dl.RULE_FIELDS + ("effective_from",)
BODY_REQUIRED = ("key", "name", "jurisdiction")
BODY_HEADERS: dict[str, str | None] = {c: c for c in BODY_COLUMNS} | {
    "キー": "key", "実施機関": "name", "宛先": "head", "氏名": "head_name", "団体キー": "jurisdiction",
    "団体": "jurisdiction_name", "団体名": "jurisdiction_name", "条例": "ordinance", "期限規則": "rule",
    "期間": "period_days", "請求日から起算": "counts_request_day", "開庁日で数える": "working_days",
    "閉庁日は翌開庁日": "move_off_closed", "補正期間を除く": "exclude_correction", "延長の上限": "extension_max_days",
    "延長の起算": "extension_from", "出典": "source", "注記": "note", "施行日": "effective_from"}
RULE_TYPES = {f.name: f.type for f in fields(dl.Rule)}  # "int", "bool", "int | None", "str"
UNKNOWN = {"unknown", "不明"}


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _rule_value(row, column: str) -> Any:
    from .imports import FALSE, TRUE, row_error

    text = _norm(row.values.get(column, ""))
    kind = RULE_TYPES[column]
    if not text:
        return dl.RULE_DEFAULTS[column] if column in dl.RULE_DEFAULTS else _missing(row, column)
    if kind == "bool":
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        raise row_error(None, row.number, column, _("{text!r} is not yes or no (true/false, 有/無)").format(text=text))
    if kind.startswith("int"):
        if not text.isdigit() or not 0 < int(text) <= service.MAX_PERIOD:
            raise row_error(None, row.number, column, _("{text!r} is not a number of days from 1 to {max}").format(
                text=text, max=service.MAX_PERIOD))
        return int(text)
    if column in ("extension_from", "correction_days"):
        value = text.replace("-", "_")
        allowed = ("period_end", "request") if column == "extension_from" else tuple(dl.CORRECTION_DAYS)
        if value not in allowed:
            raise row_error(None, row.number, column, _("{text!r} is not one of {allowed}").format(
                text=text, allowed=", ".join(allowed)))
        return value
    try:
        return service.clean(row.values.get(column), column, field=column) or ""
    except KaijiError as exc:
        raise row_error(exc, row.number, column, str(exc)) from None


def _missing(row, column: str):
    from .imports import row_error

    raise row_error(None, row.number, column, _("the rule's {column} is empty; give it, or write unknown in the rule "
                                            "column if no rule is known").format(column=column))


def import_bodies(session: Session, rows: list, rule_unknown: bool = False) -> list[Body]:
    """Add a body a row (imports.read_table with BODY_HEADERS), under an existing jurisdiction (its key) or a new
    one (its name and ordinance, and its deadline rule's fields with their source), all in the caller's
    transaction: the first bad row is refused naming its row and column, and nothing is written.

    A new jurisdiction with no rule is allowed only when said: `rule_unknown` for the whole file, or unknown
    (不明) in the row's rule column; its requests' dates are then unknown (timeline's rule_unknown), never guessed."""
    from .imports import row_error

    added = []
    for row in rows:
        v = {k: (val if val.strip() else None) for k, val in row.values.items()}

        def cleaned(column: str, what: str, required: bool = False) -> str | None:
            try:
                return service.clean(v.get(column), what, required=required, field=column)
            except KaijiError as exc:
                raise row_error(exc, row.number, column, str(exc)) from None

        def checked(column: str, call):
            try:
                return call()
            except KaijiError as exc:
                raise row_error(exc, row.number, column, str(exc)) from None

        key = checked("key", lambda: service.check_key(v.get("key") or ""))
        if session.scalar(select(Body).where(Body.key == key)) is not None:
            raise row_error(Refused(), row.number, "key", _("a body {key!r} exists already; choose another key").format(
                key=key))
        name = cleaned("name", _("the body's name"), required=True)
        head = cleaned("head", _("the head's title"))
        head_name = cleaned("head_name", _("the head's name"))
        jur_key = checked("jurisdiction", lambda: service.check_key(v.get("jurisdiction") or ""))
        rule_cell = _norm(v.get("rule") or "").lower()
        if rule_cell and rule_cell not in UNKNOWN:
            raise row_error(None, row.number, "rule", _("{text!r} is not a rule; leave it empty and give the rule's "
                                                    "fields, or write unknown").format(text=v["rule"]))
        no_rule = rule_unknown or rule_cell in UNKNOWN
        given = [c for c in dl.RULE_FIELDS + ("effective_from",) if v.get(c)]
        jur = session.scalar(select(Jurisdiction).where(Jurisdiction.key == jur_key))
        if jur is not None:
            if given:
                raise row_error(Refused(), row.number, given[0], _(
                    "jurisdiction {jurisdiction} has its rules already; leave the rule's columns empty, or add a new "
                    "version with `kaiji rule add {jurisdiction}`").format(jurisdiction=jur_key))
        else:
            jur_name = cleaned("jurisdiction_name", _("the jurisdiction's name"))
            ordinance = cleaned("ordinance", _("the ordinance's name"))
            if jur_name is None or ordinance is None:
                column = "jurisdiction_name" if jur_name is None else "ordinance"
                raise row_error(None, row.number, column, _(
                    "jurisdiction {jurisdiction} is not known yet; give its name (jurisdiction_name) and its "
                    "ordinance (ordinance) to add it, or the key of a known one").format(jurisdiction=jur_key))
            if no_rule and given:
                raise row_error(None, row.number, given[0], _("the row gives a rule and says it is unknown; leave the "
                                                          "rule's columns empty, or take unknown out"))
            values = None if no_rule else {c: _rule_value(row, c) for c in dl.RULE_FIELDS}
            effective = None
            if not no_rule and v.get("effective_from"):
                from .dates import DateError, read_date
                try:
                    effective = read_date(v["effective_from"])
                except DateError as exc:
                    raise row_error(None, row.number, "effective_from", str(exc)) from None
            jur = service.add_jurisdiction(session, key=jur_key, name=jur_name, ordinance=ordinance)
            if values is not None:
                checked("source", lambda: service.add_rule(session, jur, effective_from=effective, **values))
        added.append(service.add_body(session, key=key, name=name, head=head, head_name=head_name, jurisdiction=jur))
    return added
