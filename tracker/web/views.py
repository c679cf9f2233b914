"""The pages of `kaiji serve`: each reads the form, calls the library, renders what it returns.

A write is one transaction (db.transaction), entered as the page's user (users.entering_as); an error of
the library (errors.KaijiError) is shown beside the box its `field` names, or above the form, and nothing
is written. A successful write redirects (POST-redirect-GET).
"""

from __future__ import annotations


import hashlib
import threading
from collections import OrderedDict
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask import (Blueprint, Response, abort, current_app, flash, g, get_flashed_messages, make_response, redirect,
                   render_template, request, session, stream_with_context, url_for)
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import events as ev
from ..errors import KaijiError
from ..i18n import N_, _, show_date, use_language
from ..i18n import language as current_language
from . import as_of, engine

bp = Blueprint("web", __name__)

PAGE_SIZE = 50
# The list counts the requests it shows up to this many, and says "more than" past it: at a million requests an
# exact count read a whole index on every view (40 ms of a page, quiet), and no reader needs the 6th digit there.
COUNT_UP_TO = 10_000
DASHBOARD_LINES = 100
SORTS = {"id": N_("number"), "received_on": N_("received"), "decision_due": N_("decision due"),
         "status": N_("status")}


# ---------------------------------------------------------------- helpers

def reading():
    from ..db import reading as r

    return r(engine())


class Writing:
    """One transaction entered as the page's user."""

    def __enter__(self):
        from ..db import transaction
        from ..users import entering_as

        self._tx = transaction(engine())
        session = self._tx.__enter__()
        self._who = entering_as(g.user)
        self._who.__enter__()
        return session

    def __exit__(self, *exc):
        try:
            return self._tx.__exit__(*exc)
        finally:
            self._who.__exit__(None, None, None)


def parse_date(form, key: str, errors: dict[str, str], required: bool = False) -> date | None:
    """A date from the form as kaiji reads dates everywhere (ISO, 和暦, full-width…); the CLI's message if not."""
    from ..dates import DateError, read_date

    text = (form.get(key) or "").strip()
    if not text:
        if required:
            errors[key] = _("give the date, e.g. 2025-01-10 or 令和7年1月10日.")
        return None
    try:
        return read_date(text)
    except DateError as exc:
        errors[key] = str(exc)
        return None


def place_error(exc: KaijiError, errors: dict[str, str], fields: set[str]) -> None:
    """The library's error beside the box its field names, else above the form ("")."""
    key = exc.field if exc.field in fields else ""
    errors[key] = str(exc)


def status_label(status: str) -> str:
    from ..timeline import STATUS_JA

    return STATUS_JA.get(status, status) if g.lang == "ja" else status


def day(d: date | None, weekday: bool = False) -> str:
    return show_date(d, weekday=weekday) if d else ""


def request_url(request_id: int) -> str:
    """A request page's address: url_for's work done once a page, not for each of the dashboard's 600 links."""
    prefix = g.get("request_url_prefix")
    if prefix is None:
        prefix = g.request_url_prefix = url_for("web.request_page", request_id=0).removesuffix("0")
    return f"{prefix}{request_id}"


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"status_label": status_label, "day": day, "flashes": get_flashed_messages, "request_url": request_url,
            "can_write": lambda: g.get("role") in ("editor", "admin"), "as_of": as_of,
            "user_name": lambda: g.get("user"), "lang": lambda: g.get("lang", "ja"),
            "logged_in": lambda: "user" in session}


def _local_path(target: str | None, default: str) -> str:
    """A redirect target only within this site."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


# ---------------------------------------------------------------- login, language

@bp.route("/login", methods=["GET", "POST"])
def login():
    from .. import users
    from . import check_csrf

    errors: dict[str, str] = {}
    name = ""
    if request.method == "POST":
        check_csrf()
        name = (request.form.get("name") or "").strip()
        password = request.form.get("password") or ""
        per_account, per_address = current_app.extensions["kaiji.throttle"]
        addr = request.remote_addr or "?"
        wait = max(per_account.blocked(name.casefold()), per_address.blocked(addr))
        if wait:
            errors[""] = _("Too many failed logins; wait {minutes} minutes and try again.").format(
                minutes=(wait + 59) // 60)
        else:
            with reading() as s:
                who = users.authenticate(s, name, password)
            if who is None:
                per_account.fail(name.casefold())
                per_address.fail(addr)
                errors[""] = _("The name or the password is wrong (or the account is disabled).")
            else:
                per_account.clear(name.casefold())
                session.clear()
                session.permanent = True   # signed with its time: refused after PERMANENT_SESSION_LIFETIME
                session["user"] = who["name"]
                return redirect(_local_path(request.args.get("next"), url_for("web.dashboard")))
    return render_template("login.html", errors=errors, name=name), 200 if not errors else 401


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return redirect(url_for("web.login"))


@bp.route("/language/<lang>")
def language(lang: str):
    """Choose the pages' language (a cookie; nothing is written to the records)."""
    if lang not in ("ja", "en"):
        abort(404)
    resp = make_response(redirect(_local_path(request.args.get("next"), url_for("web.login"))))
    resp.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True, secure=request.is_secure)
    return resp


# ---------------------------------------------------------------- dashboard

@bp.route("/")
def dashboard():
    from .. import reports

    today = as_of()
    # A page a person reads: the first DASHBOARD_LINES of each list (the most urgent), with the count of all.
    with reading() as s:
        first = reports.first_lines(s, today, 14, DASHBOARD_LINES)
    lines = [{"item": i, "late": (today - i.since).days} for i in first.overdue]
    return render_template("dashboard.html", overdue=lines, coming=first.coming, fees=first.fees, today=today,
                           shown=DASHBOARD_LINES, totals=first.totals)


# ---------------------------------------------------------------- requests

@bp.route("/requests")
def request_list():
    from .. import search, service
    from ..models import Request
    from ..timeline import STATUS_JA

    args = request.args
    errors: dict[str, str] = {}
    filters = _list_filters(args, errors)
    sort = args.get("sort") if args.get("sort") in SORTS else "id"
    desc = args.get("order", "desc") != "asc"
    try:
        page = max(1, min(int(args.get("page", "1")), 1_000_000))
    except ValueError:
        page = 1
    q_text = (args.get("q") or "").strip()[:200]
    rows, total, at_least, more, bodies = [], 0, None, False, []
    with reading() as s:
        bodies = _bodies(s)
        if not errors:
            try:
                q = service.request_select(s, **filters)
            except KaijiError as exc:
                place_error(exc, errors, set(LIST_FILTERS))
            else:
                col = getattr(Request, sort)
                order = [col.desc(), Request.id.desc()] if desc else [col.asc(), Request.id.asc()]
                # The page's numbers first (read from an index of the listed requests, schema.LISTED, however
                # deep the page), then those 50 requests.
                ids_q = q.with_only_columns(Request.id).order_by(None).order_by(*order)
                if q_text:
                    # The words of subjects and notes, found in the search index (kaiji search's, search.py); not
                    # counted: a word many requests hold would have them all read to be counted.
                    ids_q = ids_q.where(search.matching_requests(s, q_text, ("subject", "notes"), Request.id))
                    total = None
                else:
                    found = s.scalar(select(func.count()).select_from(
                        ids_q.order_by(None).limit(COUNT_UP_TO + 1).subquery()))
                    total, at_least = (found, None) if found <= COUNT_UP_TO else (None, COUNT_UP_TO)
                # A page and one more (which says a next page exists).
                ids = list(s.scalars(ids_q.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)))
                more, ids = len(ids) > PAGE_SIZE, ids[:PAGE_SIZE]
                rows = [service.request_dict(r) for r in service.get_requests(s, ids)]
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE) if total is not None else page + more
    base = {k: v for k, v in args.items() if k != "page" and v}
    return render_template("requests.html", rows=rows, total=total, at_least=at_least, page=page, pages=pages,
                           errors=errors, args=args, bodies=bodies, statuses=STATUS_JA, sorts=SORTS, sort=sort, desc=desc,
                           base=base), 200 if not errors else 400


LIST_FILTERS = ("status", "body", "received_from", "received_to", "requester")


def _list_filters(args, errors: dict[str, str]) -> dict:
    """The request list's filters from a query string, as service.request_select takes them (the list page and
    its calendar download choose the same requests); a bad date goes to errors under its field's name."""
    return {"status": args.get("status") or None, "body": args.get("body") or None,
            "received_from": parse_date(args, "received_from", errors),
            "received_to": parse_date(args, "received_to", errors),
            "requester": (args.get("requester") or "").strip() or None}


def _bodies(s) -> list[dict[str, str]]:
    from ..models import Body

    # Two columns, not mapped objects: a large group has hundreds of bodies, on every list page and form.
    return [{"key": key, "name": name} for key, name in s.execute(select(Body.key, Body.name).order_by(Body.key))]


@bp.route("/requests/<int:request_id>")
def request_page(request_id: int):
    from .. import documents, explain, service
    from ..dates import iso

    with reading() as s:
        try:
            req = service.get_request(s, request_id)
        except KaijiError:
            abort(404)
        st = service.state(s, req)
        out = service.request_dict(req)
        out["department"] = req.department.name if req.department else None
        decisions = [service.decision_dict(d) for d in req.decisions]
        retracted_by = {e.retracts_id: (e.id, e.note) for e in req.events if e.retracts_id}
        timeline = [{"id": e.id, "on": e.on, "kind": e.kind, "entered_by": e.entered_by,
                     "retracted": e.id in retracted_by,
                     "text": ev.describe(e.kind, e.data, e.note if e.kind != "retraction" else None,
                                         e.retracts_id, retracted_by.get(e.id))}
                    for e in req.events]
        lines = explain.explain(req, st, service.jurisdiction_lookup(s))
        has_extension = any(e.kind in ("extension", "special_extension") for e in req.events
                            if e.id not in retracted_by)
        docs = [documents.document_dict(d) | {"kind_label": documents.kind_label(d.kind)}
                for d in documents.of_request(s, request_id)]
        late = {"by": (as_of() - st.decision_due).days, "appeal_from": st.inaction_from} if (
            not st.decisions and st.decision_due and st.decision_due < as_of() and st.voided is None) else None
    sections = _sections(lines)
    kinds = [k for k in ev.KINDS.values() if k.command]
    return render_template("request.html", r=out, decisions=decisions, timeline=timeline, sections=sections,
                           has_decision=bool(st.decisions), has_extension=has_extension, kinds=kinds, late=late,
                           flags=out["flags"], iso=iso, appealable=bool(st.decisions) or late is not None,
                           voided=st.voided is not None, documents=docs)


def files_folder():
    from ..documents import files_folder as folder

    return folder(engine().url.render_as_string(hide_password=False))


def _sections(lines: list[str]) -> list[dict[str, Any]]:
    """explain's lines as sections (each starts on a line beginning with a blank line): a heading and its steps."""
    sections: list[dict[str, Any]] = []
    for line in lines:
        if line.startswith("\n") or not sections:
            text = line.strip("\n")
            sections.append({"head": text, "steps": []})
        else:
            sections[-1]["steps"].append(line)
    return sections[1:] if len(sections) > 1 else sections


FIELDS_ADD = ("body", "subject", "filed", "received", "requester", "methods", "mail", "reason", "reference",
              "department_name", "department_phone", "phone_ext", "notes")


@bp.route("/requests/new", methods=["GET", "POST"])
def request_new():
    from .. import service

    errors: dict[str, str] = {}
    form = request.form
    if request.method == "POST":
        filed = parse_date(form, "filed", errors)
        received = parse_date(form, "received", errors)
        if not errors:
            warnings: list[str] = []
            try:
                with Writing() as s:
                    req = service.add_request(
                        s, body=form.get("body", ""), subject=form.get("subject", ""), filed=filed, received=received,
                        requester=form.get("requester") or None, methods=form.getlist("methods") or ["copy"],
                        mail="mail" in form, reason=form.get("reason") or None,
                        reference=form.get("reference") or None, department_name=form.get("department_name") or None,
                        department_phone=form.get("department_phone") or None,
                        phone_ext=form.get("phone_ext") or None, notes=form.get("notes") or None,
                        warnings=warnings, force="force" in form)
                    s.flush()
                    new_id = req.id
            except KaijiError as exc:
                place_error(exc, errors, set(FIELDS_ADD))
            else:
                flash(_("Request {id} was logged.").format(id=new_id))
                for w in warnings:
                    flash(w, "warning")
                return redirect(url_for("web.request_page", request_id=new_id))
    with reading() as s:
        bodies = _bodies(s)
    from ..schema import METHODS

    return render_template("request_new.html", errors=errors, form=form, bodies=bodies, methods=METHODS), (
        400 if errors else 200)


def _kind_for(command: str) -> ev.Kind:
    kind = next((k for k in ev.KINDS.values() if k.command == command), None)
    if kind is None:
        abort(404)
    return kind


def _request_title(request_id: int) -> dict[str, Any]:
    from .. import service

    with reading() as s:
        try:
            req = service.get_request(s, request_id)
        except KaijiError:
            abort(404)
        return {"id": req.id, "subject": req.subject, "body_name": req.body.name}


@bp.route("/requests/<int:request_id>/record/<command>", methods=["GET", "POST"])
def record(request_id: int, command: str):
    from .. import service

    kind = _kind_for(command)
    errors: dict[str, str] = {}
    form = request.form
    if request.method == "POST":
        on = parse_date(form, "on", errors, required=True)
        data: dict[str, Any] = {}
        for f in kind.fields:
            if f.type == "bool":
                data[f.key] = f.key in form
            else:
                data[f.key] = (form.get(f.key) or "").strip() or None
        if not errors:
            try:
                with Writing() as s:
                    rec = service.record(s, request_id, kind.key, on, data, form.get("note") or None)
            except KaijiError as exc:
                place_error(exc, errors, {f.key for f in kind.fields} | {"on", "note"})
            else:
                flash(_("{what} was recorded.").format(what=ev.label(kind.key)))
                for w in rec.warnings:
                    flash(w, "warning")
                return redirect(url_for("web.request_page", request_id=request_id))
    # The request's title only for the form (a missing request: 404), not before an answer that redirects.
    return render_template("record.html", r=_request_title(request_id), kind=kind, label=ev.label(kind.key), errors=errors, form=form,
                           field_label=field_label), (
        400 if errors else 200)


# How messages name the fields that have no help of their own (events.KINDS), marked here for the catalog.
UNHELPED = (N_("the reference number"),)


def field_label(f: ev.Field) -> str:
    """A box's label: the field's help as the command line shows it, else how messages name it."""
    return _(f.help) if f.help else _(f.what)


DECIDE_FIELDS = {"kind", "on", "notified", "withheld", "reason", "documents", "fee", "notice_number", "disclosure_on",
                 "disclosure_time", "disclosure_place", "disclosure_methods", "later_on", "department_name",
                 "department_phone", "phone_ext", "remarks", "note"}
WITHHELD_ROWS = 3


@bp.route("/requests/<int:request_id>/decide", methods=["GET", "POST"])
def decide(request_id: int):
    from .. import service
    from ..schema import METHODS
    from ..timeline import DECISION_KINDS

    errors: dict[str, str] = {}
    form = request.form
    if request.method == "POST":
        on = parse_date(form, "on", errors, required=True)
        dates = {k: parse_date(form, k, errors) for k in ("notified", "disclosure_on", "later_on")}
        withheld = []
        for i in range(1, WITHHELD_ROWS + 1):
            part, ground, why = (form.get(f"{k}_{i}", "").strip() for k in ("withheld", "ground", "withheld_reason"))
            if part or ground or why:
                withheld.append(service.Withheld(part, ground, why))
        fee = (form.get("fee") or "").strip()
        if not errors:
            try:
                if fee:
                    fee_value: int | None = ev.parse_yen(fee, _("the fee"), minimum=0, field="fee")
                else:
                    fee_value = None
                with Writing() as s:
                    rec = service.decide(
                        s, request_id, kind=form.get("kind", ""), on=on, notified=dates["notified"],
                        withheld=withheld,
                        documents=[t for t in (form.get("documents") or "").splitlines() if t.strip()],
                        fee=fee_value, notice_number=form.get("notice_number") or None,
                        disclosure_on=dates["disclosure_on"], disclosure_time=form.get("disclosure_time") or None,
                        disclosure_place=form.get("disclosure_place") or None,
                        disclosure_methods=form.getlist("disclosure_methods"), later_on=dates["later_on"],
                        department_name=form.get("department_name") or None,
                        department_phone=form.get("department_phone") or None,
                        phone_ext=form.get("phone_ext") or None, remarks=form.get("remarks") or None,
                        reason=form.get("reason") or None, note=form.get("note") or None)
            except KaijiError as exc:
                place_error(exc, errors, DECIDE_FIELDS)
            else:
                flash(_("The decision was recorded."))
                for w in rec.warnings:
                    flash(w, "warning")
                return redirect(url_for("web.request_page", request_id=request_id))
    return render_template("decide.html", r=_request_title(request_id), errors=errors, form=form, kinds=DECISION_KINDS, methods=METHODS,
                           rows=range(1, WITHHELD_ROWS + 1)), 400 if errors else 200


@bp.route("/requests/<int:request_id>/retract", methods=["GET", "POST"])
def retract(request_id: int):
    """Take back an event entered by mistake (it stays on the timeline, struck through)."""
    from .. import service

    r = _request_title(request_id)
    errors: dict[str, str] = {}
    form = request.form
    if request.method == "POST":
        on = parse_date(form, "on", errors, required=True)
        try:
            event_id = int(form.get("event", ""))
        except ValueError:
            errors["event"] = _("choose the entry to take back.")
        if not errors:
            try:
                with Writing() as s:
                    service.retract(s, request_id, event_id, form.get("reason", ""), on)
            except KaijiError as exc:
                place_error(exc, errors, {"event", "reason", "on"})
            else:
                flash(_("Event {event} was taken back.").format(event=event_id))
                return redirect(url_for("web.request_page", request_id=request_id))
    with reading() as s:
        req = service.get_request(s, request_id)
        taken = {e.retracts_id for e in req.events if e.retracts_id}
        choices = [{"id": e.id, "text": f"{show_date(e.on)} {ev.describe(e.kind, e.data, e.note)}"}
                   for e in req.events if e.kind not in ("filed", "retraction") and e.id not in taken]
    return render_template("retract.html", r=r, errors=errors, form=form, choices=choices), 400 if errors else 200


@bp.route("/calendar.ics")
def calendar_file():
    """The dates of the requests the list's filters choose, as `kaiji calendar` writes them by default (what is
    outstanding, and the other dates from 30 days ago on), or every date with all=1 (`kaiji calendar --all`)."""
    errors: dict[str, str] = {}
    filters = _list_filters(request.args, errors)
    if errors:
        return render_template("error.html", message=next(iter(errors.values())), code=400), 400
    try:
        data = _ics_stream(filters, every=request.args.get("all") == "1")
    except KaijiError as exc:
        return render_template("error.html", message=str(exc), code=400), 400
    return _ics_response(data)


def _ics_stream(filters: dict, every: bool = False):
    """The calendar's pieces as they are made, in a reading session of their own that ends with them; a bad
    filter is refused (KaijiError) here, before the response starts. As `kaiji calendar` gives them by default
    (what is outstanding, the other dates from PAST_DAYS before today on: what a subscribed phone needs), or
    `every` date."""
    from .. import service
    from ..calendar_ics import entries, ics_chunks, since_default

    since = None if every else since_default(as_of())

    def pieces():
        with reading() as s:
            items = entries(s, filters, service.jurisdiction_lookup(s), since)
            yield b""   # the filters were read: what follows is the file
            yield from ics_chunks(items, 3)

    made = pieces()
    next(made)
    return stream_with_context(made)


def _ics_response(data) -> Response:
    resp = Response(data, mimetype="text/calendar")
    resp.headers["Content-Type"] = "text/calendar; charset=utf-8"
    resp.headers["Content-Disposition"] = 'attachment; filename="kaiji.ics"'
    return resp


@bp.route("/calendar/<token>.ics")
def calendar_feed(token: str):
    """An account's calendar subscription: every request's dates as `kaiji calendar` gives them by default, for a
    phone's calendar to fetch; the token in the URL is the key (revoked or renewed on the account's page)."""
    from .. import users

    with reading() as s:
        if users.by_calendar_token(s, token) is None:
            abort(401)
    return _ics_response(_ics_stream({}))


@bp.route("/account", methods=["GET", "POST"])
def account():
    """The logged-in account: its calendar subscription URL (made anew, shown once, or revoked)."""
    from .. import users

    if "user" not in session:   # on this machine with no accounts there is no account to hold a URL
        return render_template("error.html", message=_("Calendar subscriptions belong to accounts; add one with "
                                                       "`kaiji user add`."), code=404), 404
    url = None
    if request.method == "POST":
        with Writing() as s:
            if request.form.get("action") == "revoke":
                users.revoke_calendar_token(s, g.user)
                flash(_("The calendar subscription URL was revoked: calendars using it get nothing more."))
            else:
                url = url_for("web.calendar_feed", token=users.new_calendar_token(s, g.user), _external=True)
        if url is None:
            return redirect(url_for("web.account"))
    with reading() as s:
        has = users.has_calendar_token(s, g.user)
    return render_template("account.html", url=url, has=has)


# ---------------------------------------------------------------- PDFs

def _pdf(rendered, name: str) -> Response:
    resp = make_response(rendered.pdf)
    resp.headers["Content-Type"] = "application/pdf"
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@bp.route("/requests/<int:request_id>/pdf/<which>")
def pdf(request_id: int, which: str):
    from .. import pdf as pdfs

    if which not in ("request", "notice", "extension", "appeal"):
        abort(404)
    with reading() as s:
        try:
            if which == "request":
                out = pdfs.request_pdf(s, [request_id])
            elif which == "appeal":
                out = pdfs.appeal_pdf(s, request_id, pdfs.Appeal(on=as_of()))
            else:
                out = pdfs.notice_pdf(s, request_id, extension=which == "extension")
        except KaijiError as exc:
            return render_template("error.html", message=str(exc), code=409), 409
    return _pdf(out, f"kaiji-{request_id}-{which}.pdf")


# ---------------------------------------------------------------- documents and search

@bp.route("/documents/<int:doc_id>")
def document_file(doc_id: int):
    """A document's file, as it was added (its name, its media type)."""
    from flask import send_file

    from .. import documents

    with reading() as s:
        try:
            doc = documents.get(s, doc_id)
            path = documents.file_of(doc, files_folder())
        except KaijiError as exc:
            if exc.field == "document":
                abort(404)
            return render_template("error.html", message=str(exc), code=409), 409
        name, kind = doc.filename, doc.media_type
    return send_file(path, mimetype=kind, as_attachment=True, download_name=name)


@bp.route("/search")
def search_page():
    """kaiji search as a page: the same library call (search.search), the passage with its match marked."""
    from .. import search

    args = request.args
    q_text = (args.get("query") or "").strip()[:200]   # "query": the request list's own box is "q"
    places = [p for p in search.GROUPS if args.get("in_" + p)]
    errors: dict[str, str] = {}
    hits: list[dict[str, Any]] = []
    with reading() as s:
        bodies = _bodies(s)
        if q_text:
            try:
                # One more than is shown, which says that there are more (counting them all would read them all).
                hits = [h.as_dict() | {"before": h.before, "match": h.match, "after": h.after}
                        for h in search.search(s, q_text, where=places or None, body=args.get("body") or None,
                                               limit=SEARCH_SHOWN + 1)]
            except KaijiError as exc:
                place_error(exc, errors, {"query", "body", "where"})
    return render_template("search.html", q=q_text, hits=hits[:SEARCH_SHOWN], more=len(hits) > SEARCH_SHOWN,
                           shown=SEARCH_SHOWN, errors=errors, args=args, bodies=bodies, groups=SEARCH_GROUPS,
                           places=places), 200 if not errors else 400


SEARCH_SHOWN = 50   # the hits the search page shows, as many as `kaiji search` prints
SEARCH_GROUPS = {"requests": N_("Requests"), "notes": N_("Notes"), "decisions": N_("Decisions"),
                 "documents": N_("Documents")}


# ---------------------------------------------------------------- bodies

@bp.route("/bodies")
def bodies():
    from ..models import Body, Jurisdiction
    from ..timeline import rule_row, to_rule

    today = as_of()
    rows = []
    with reading() as s:
        found = s.scalars(select(Body).options(selectinload(Body.jurisdiction).selectinload(Jurisdiction.rules))
                          .order_by(Body.key))
        for b in found:
            rule = to_rule(rule_row(b.jurisdiction, today)) if b.jurisdiction.rules else None
            rows.append({"key": b.key, "name": b.name, "jurisdiction": b.jurisdiction.name,
                         "ordinance": b.jurisdiction.ordinance, "summary": rule.summary() if rule else "",
                         "source": rule.source if rule else "",
                         "since": rule.effective_from if rule else None})
    return render_template("bodies.html", rows=rows)


STATS_KEPT = 16   # the 統計 figures kept (with the charts drawn of them), the oldest forgotten first
STATS_LOCK = threading.Lock()   # a WSGI server's threads share the kept figures and charts
CHARTS_KEPT = 64  # the campaign charts kept (tens of kilobytes each)


def _stats_kept(s, args, errors: dict) -> tuple[Any, dict | None, bool]:
    """The 統計 figures for the filters in `args` (report.build), what was made of them so far (each chart drawn,
    by name: SVG; the page's part, "html"), and whether records were written since they were counted. Kept for the
    choices and the language they are shown in; stats.fingerprint, read in this same reading session, says
    whether they were counted under the database as it is (see there why they cannot otherwise be stale).

    Written to since: the figures kept are shown at once, said to be from before the latest records, while what
    the writes touched is counted again in a thread of its own (_recount: stats.Counted, 0.2–0.5 s at 100,000
    requests); the next view shows the new figures. Only a choice never shown before is counted while the reader
    waits."""
    from .. import report, stats

    received_from = parse_date(args, "received_from", errors)
    received_to = parse_date(args, "received_to", errors)
    if errors:
        return None, None, False
    filters = {"body": args.get("body") or None, "received_from": received_from, "received_to": received_to}
    key = (filters["body"], received_from, received_to, current_language())
    cache = current_app.extensions.setdefault("kaiji.stats", OrderedDict())
    with STATS_LOCK:
        made, svgs = cache.get(key, (None, None))
    mark = stats.fingerprint(s)
    if made is not None and made.counted.mark != mark:
        _recount(key, made, filters, _chart_urls(args))
        return made, svgs, True
    if made is None:
        try:
            made = report.build(s, mark=mark, **filters)
        except KaijiError as exc:
            place_error(exc, errors, {"body", "received_from", "received_to"})
            return None, None, False
        made, svgs = _keep(cache, key, made)
    return made, svgs, False


def _keep(cache: OrderedDict, key: tuple, made, made_of: dict | None = None) -> tuple[Any, dict]:
    """Keep figures just counted under key, with what was made of them if given (unless others counted under the
    same fingerprint are kept already), the oldest kept forgotten past STATS_KEPT; the figures kept, with what was
    made of them."""
    with STATS_LOCK:
        was = cache.get(key)
        if was is None or was[0].counted.mark != made.counted.mark:
            cache[key] = (made, made_of or {})
        cache.move_to_end(key)
        while len(cache) > STATS_KEPT:
            cache.popitem(last=False)
        return cache[key]


def _recount(key: tuple, made, filters: dict, chart_urls: dict[str, str]) -> None:
    """Count the figures of key again in a thread of its own (one at a time for each key), from those kept: only
    the bodies written to since (report.build's since=); the page's part is made of them there too. Kept when
    done; a failure is logged (its kind only: no record's data) and the next view tries again.
    app.extensions["kaiji.stats_recount"] is the latest thread."""
    from .. import report
    from ..db import reading as reading_in

    app = current_app._get_current_object()
    recounting = app.extensions.setdefault("kaiji.stats_recounting", set())
    with STATS_LOCK:
        if key in recounting:
            return
        recounting.add(key)

    def work() -> None:
        try:
            with app.app_context(), use_language(key[-1]):
                with reading_in(app.extensions["kaiji.engine"]) as s:
                    new = report.build(s, since=made.counted, **filters)
                with app.test_request_context():   # what the templates' helpers expect; nothing of it is read
                    html = _figures(new, chart_urls)
                # The charts are drawn when asked for, as before: drawn here (matplotlib, 0.6 s) they held the
                # interpreter from the pages answered meanwhile.
                _keep(app.extensions["kaiji.stats"], key, new, {"html": html})
        except Exception as exc:  # noqa: BLE001 - the figures kept stay shown; the next view counts again
            app.logger.error("counting the statistics again failed: %s", type(exc).__name__)
        finally:
            with STATS_LOCK:
                recounting.discard(key)

    thread = threading.Thread(target=work, name="kaiji-statistics", daemon=True)
    app.extensions["kaiji.stats_recount"] = thread
    thread.start()


def _chart_urls(args) -> dict[str, str]:
    """Where each chart of the 統計 page is, for the choices in args."""
    from urllib.parse import urlencode

    from .. import report

    chosen = urlencode({k: args[k] for k in ("body", "received_from", "received_to") if args.get(k)})
    return {name: url_for("web.stats_chart", name=name) + (f"?{chosen}" if chosen else "")
            for name in report.CHART_TITLES}


def _figures(made, chart_urls: dict[str, str]):
    """The figures' part of the 統計 page (stats_figures.html), its charts at chart_urls."""
    from markupsafe import Markup

    from .. import report

    charts = [(name, chart_urls[name], _(report.CHART_TITLES[name]))
              for name in (report.chart_names(made) if made.total else [])]
    return Markup(render_template("stats_figures.html", made=made, charts=charts,
                                  summary=report.summary_rows(made.total), columns=report.body_columns(),
                                  definitions=report.definitions()))


@bp.route("/stats")
def stats_page():
    """統計: the tables and charts of `kaiji report`, for the requests received in the dates chosen. The charts
    are images of their own (stats_chart), drawn when first asked for: the page is the figures alone."""
    from markupsafe import Markup

    args = request.args
    errors: dict[str, str] = {}
    with reading() as s:
        bodies = _bodies(s)
        made, kept, stale = _stats_kept(s, args, errors)
    figures = Markup("")
    if made is not None:
        # The figures' part of the page is rendered once for the figures kept (a table of every body).
        with STATS_LOCK:
            figures = kept.get("html")
        if figures is None:
            figures = _figures(made, _chart_urls(args))
            with STATS_LOCK:
                kept["html"] = figures
    return render_template("stats.html", figures=figures, errors=errors, args=args, bodies=bodies, stale=stale), (
        200 if not errors else 400)


@bp.route("/stats/<name>.svg")
def stats_chart(name: str):
    """One chart of the 統計 page as an SVG image, drawn once for the figures kept (matplotlib's SVG: glyphs as
    paths, no text of ours but in comments, which report.chart_svg leaves out)."""
    from .. import report

    if name not in report.CHART_TITLES:
        abort(404)
    errors: dict[str, str] = {}
    with reading() as s:
        made, svgs, _stale = _stats_kept(s, request.args, errors)
    if made is None or name not in report.chart_names(made):
        abort(404)
    with STATS_LOCK:
        svg = svgs.get(name)
    if svg is None:
        svg = report.chart_svg(made, name)
        with STATS_LOCK:
            svgs[name] = svg
    resp = make_response(svg)
    resp.mimetype = "image/svg+xml"
    # The browser may keep it, asking again each time (no-cache) and told 304 while it is the same drawing.
    resp.headers["Cache-Control"] = "private, no-cache"
    resp.set_etag(hashlib.sha256(svg.encode("utf-8")).hexdigest()[:32])
    return resp.make_conditional(request)


@bp.route("/campaigns")
def campaigns_page():
    """一斉請求: each campaign's report as `kaiji report --campaign` makes it: the chart and the side-by-side table."""
    from markupsafe import Markup

    from .. import campaigns, report

    with reading() as s:
        made = [report.build_campaign(s, c["name"], as_of()) for c in campaigns.list_campaigns(s)]
    # matplotlib's SVG: glyphs drawn as paths, no text of ours but in comments, which _svg leaves out.
    shown = [(m, Markup(_campaign_svg(m)) if m.comparison.rows else None, *report.campaign_table(m))
             for m in made]
    return render_template("campaigns.html", campaigns=shown)


def _campaign_svg(made) -> str:
    """report.campaign_svg, kept: drawing takes most of the page's time. The key is everything the chart is
    drawn from (the comparison's rows, the day they are as of, the language), so a kept one is the same drawing."""
    from .. import report

    key = repr((current_language(), made.as_of, made.comparison.rows))
    kept = current_app.extensions.setdefault("kaiji.campaign_svgs", OrderedDict())
    with STATS_LOCK:
        svg = kept.get(key)
    if svg is None:
        svg = report.campaign_svg(made)
        with STATS_LOCK:
            kept[key] = svg
            while len(kept) > CHARTS_KEPT:
                kept.popitem(last=False)
    return svg


# ---------------------------------------------------------------- accounts

@bp.route("/users", methods=["GET", "POST"])
def users_page():
    from .. import users

    if g.role != "admin":
        abort(403)
    errors: dict[str, str] = {}
    form = request.form
    if request.method == "POST":
        try:
            with Writing() as s:
                if form.get("action") == "disable":
                    users.disable_user(s, form.get("name", ""))
                    done = _("User {name} can no longer log in.").format(name=form.get("name", "").strip())
                else:
                    users.add_user(s, form.get("name", ""), form.get("role", ""), form.get("password", ""))
                    done = _("User {name} was added.").format(name=form.get("name", "").strip())
        except KaijiError as exc:
            place_error(exc, errors, {"name", "role", "password"})
        else:
            flash(done)
            return redirect(url_for("web.users_page"))
    with reading() as s:
        rows = users.list_users(s)
    return render_template("users.html", rows=rows, errors=errors, form=form, roles=users.ROLES), (
        400 if errors else 200)
