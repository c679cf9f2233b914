"""Every date that can be missed, as an iCalendar file (RFC 5545) a phone or desktop calendar imports.

One all-day event per request and date: the decision (extended or not), the remainder after a special
extension (特例延長), the disclosure appointment, the last day to appeal (審査請求), the last day to sue
(取消訴訟), an unpaid fee. The dates are the timeline's (timeline.compute, the same that refresh
stores and `kaiji due` lists) and each event's description gives the reason `kaiji explain` gives,
in one line; nothing here counts a day.

What a calendar needs to update an event rather than add a second one, on every import:
- UID: the request and the stored date's name (request-12-decision_due@kaiji). An extension changes
  the decision's date and title but not its UID, so the calendar moves the event.
- SEQUENCE: RFC 5545 wants it to grow whenever the date moves. kaiji stores no revision numbers;
  the timeline is append-only (a mistake is retracted by a later event, never deleted), so the
  number of events that can move a date (SETS_DATE below), counting retracted ones and the
  retractions themselves, never falls, and grows with every event that moves the date. It is read
  from the records alone, so two exports of the same records are the same bytes. (Not counted: a
  rule or closed day added later, which moves dates without an event; the DTSTAMP does not move
  either then. Calendars that match by UID still take the new date; some keep the old one.)
- DTSTAMP: without a METHOD, RFC 5545 §3.8.7.2 makes it the time the event's information was last
  revised: the time the request's latest event was recorded, never the time of the export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from . import __version__
from .deadlines import Deadline
from .i18n import N_, _, language, show_date
from .models import Request
from .schema import OPEN_STATUSES, id_batches
from .timeline import State, compute, live_events

# What each kind of date is called, as reports.due names the kinds (DueItem.kind).
LABELS = {
    "decision": N_("Decision due"),
    "extended decision": N_("Extended decision due"),
    "remainder": N_("Decision on the remainder due"),
    "disclosure": N_("Disclosure appointment"),
    "disclosure missed": N_("Disclosure appointment passed"),
    "appeal": N_("Last day to appeal"),
    "lawsuit": N_("Last day to sue"),
    "fee": N_("Fee unpaid"),
}

# The stored date each event stands for (its UID names it), and the kinds of event that can move it.
SETS_DATE = {
    "decision_due": {"received", "correction_asked", "correction_answered", "extension", "special_extension",
                     "transfer", "withdrawn"},
    "rest_due": {"special_extension", "decision", "withdrawn"},
    "disclosure_on": {"decision", "disclosed", "withdrawn"},
    "appeal_due": {"decision", "appeal_filed", "withdrawn"},
    "lawsuit_due": {"decision", "appeal_filed", "ruling", "withdrawn"},
    "fee_unpaid": {"decision", "fee_charged", "fee_paid", "disclosed"},
}
SUBJECT_COLUMNS = 40   # the subject in an event's title, clipped (the description has it whole)


@dataclass
class Entry:
    """One date of one request, as the calendar shows it."""

    request_id: int
    column: str              # the stored date it is (SETS_DATE's keys): the UID's second part
    kind: str                # LABELS' keys
    on: date
    body_name: str
    subject: str
    reason: str              # one line: which rule, counted from which day
    sequence: int
    stamp: datetime          # UTC, naive, as recorded_at is stored
    details: list[str] = field(default_factory=list)  # more lines for the description
    location: str | None = None

    @property
    def uid(self) -> str:
        return f"request-{self.request_id}-{self.column}@kaiji"


def one_line(dl: Deadline) -> str:
    """A deadline's reason in one line: what it is counted under, the day the count starts, and, after the
    last counted day, what moved it. The day-by-day count is `kaiji explain`'s."""
    steps = dl.steps
    dated = [i for i, s in enumerate(steps) if s.day is not None]
    last_counted = max((i for i, s in enumerate(steps) if s.counted), default=-1)
    keep = [s.text for i, s in enumerate(steps)
            if i == 0 or (s.counted is None and s.day is not None and (i == dated[0] or i > last_counted))]
    return _("; ").join(keep)


def _has_dates(r: Request) -> bool:
    """Whether any date the calendar shows is stored on the request (those without are not worked out)."""
    return bool((r.status in OPEN_STATUSES and r.decision_due) or r.rest_due or r.disclosure_on or r.appeal_due
                or r.lawsuit_due or r.fee_unpaid)


def entries(session: Session, requests: Iterable[Request], jurisdiction_of) -> list[Entry]:
    """The calendar's dates for the requests (as service.iter_requests gives them), in date order."""
    out: list[Entry] = []
    chosen = [r for r in requests if _has_dates(r)]
    by_id = {r.id: r for r in chosen}
    for ids in id_batches(by_id):
        # The timelines of a batch in two queries (the requests themselves are loaded already).
        list(session.scalars(select(Request).where(Request.id.in_(ids))
                             .options(selectinload(Request.events), selectinload(Request.decisions))))
        for i in ids:
            r = by_id[i]
            out += _request_entries(r, compute(r, jurisdiction_of))
    out.sort(key=lambda e: (e.on, e.request_id, list(SETS_DATE).index(e.column)))
    return out


def _request_entries(r: Request, s: State) -> list[Entry]:
    stamp = max(e.recorded_at for e in r.events)
    kinds = {e.id: e.kind for e in r.events}

    def sequence(column: str) -> int:
        moves = SETS_DATE[column]
        return sum(1 for e in r.events
                   if e.kind in moves or (e.kind == "retraction" and kinds.get(e.retracts_id) in moves))

    def entry(column: str, kind: str, on: date, reason: str, **more) -> Entry:
        return Entry(r.id, column, kind, on, r.body.name, r.subject, reason, sequence(column), stamp, **more)

    out = []
    if s.status in OPEN_STATUSES and s.decision_due is not None:
        if s.extension is not None and s.status == "extended":
            reason = _extension_reason(s)
            if s.extension_over_limit and s.extension_limit is not None:
                reason += _("; ") + one_line(s.extension_limit)
            out.append(entry("decision_due", "extended decision", s.decision_due, reason))
        else:
            out.append(entry("decision_due", "decision", s.decision_due, one_line(s.first_due)))
    if s.rest_due is not None and s.extension is not None:
        out.append(entry("rest_due", "remainder", s.rest_due, _extension_reason(s)))
    decision = s.decisions[-1] if s.decisions else None
    if s.disclosure_on is not None and decision is not None:
        details = [_("Time: {time}").format(time=decision.disclosure_time)] if decision.disclosure_time else []
        out.append(entry("disclosure_on", "disclosure", s.disclosure_on,
                         _("the decision dated {on} sets the disclosure (開示の実施) for this day.").format(
                             on=show_date(decision.decided_on)),
                         details=details, location=decision.disclosure_place))
    if s.appeal_due is not None and s.appeal is not None:
        out.append(entry("appeal_due", "appeal", s.appeal_due, one_line(s.appeal)))
    if s.lawsuit_due is not None and s.lawsuit is not None:
        out.append(entry("lawsuit_due", "lawsuit", s.lawsuit_due, one_line(s.lawsuit)))
    if s.fee_unpaid:
        on, reason = _fee_day(r, s)
        out.append(entry("fee_unpaid", "fee", on, reason))
    return out


def _extension_reason(s: State) -> str:
    """The extension in force, worded as `kaiji explain` words it."""
    e = s.extension
    if e.kind == "special_extension":
        return _("Special extension (特例延長) notified {on}: a substantial part by {part}, the remainder by {rest}").format(
            on=show_date(e.on), part=show_date(date.fromisoformat(e.data["part_due"])),
            rest=show_date(date.fromisoformat(e.data["rest_due"])))
    return _("Extension (延長) notified {on}: decision now due {new}").format(
        on=show_date(e.on), new=show_date(date.fromisoformat(e.data["new_due"])))


def _fee_day(r: Request, s: State) -> tuple[date, str]:
    """An unpaid fee has no last day of its own: it is shown on the disclosure appointment, when copies are
    handed over against payment, or else on the day it was last charged."""
    if s.disclosure_on is not None:
        return s.disclosure_on, _("{yen} yen charged and not paid; copies are usually handed over against payment at "
                                  "the disclosure.").format(yen=s.fee_unpaid)
    charged = [e.on for e in live_events(r) if e.kind == "fee_charged"] + [
        d.decided_on for d in s.decisions if d.fee]
    return max(charged), _("{yen} yen charged on this day and not paid; record a payment with `kaiji request paid "
                           "{id} YEN`.").format(yen=s.fee_unpaid, id=r.id)


def summary(e: Entry) -> str:
    """The event's title: what is due, the body, the subject clipped (「決定期限: 舞鶴市長 — …」)."""
    from .table import clip

    return _("{what}: {body} — {subject}").format(what=_(LABELS[e.kind]), body=e.body_name,
                                                   subject=clip(e.subject, SUBJECT_COLUMNS))


def calendar(items: Sequence[Entry], remind: int = 0):
    """The icalendar Calendar of the entries; remind > 0 adds an alarm that many days before each."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", f"-//kaiji//kaiji {__version__}//{language().upper()}")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("kaiji: disclosure request deadlines"))
    for e in items:
        ev = icalendar.Event()
        ev.add("uid", e.uid)
        ev.add("dtstamp", e.stamp.replace(tzinfo=timezone.utc, microsecond=0))
        ev.add("sequence", e.sequence)
        ev.add("dtstart", e.on)                        # a date: VALUE=DATE, an all-day event
        ev.add("dtend", e.on + timedelta(days=1))      # DTEND is exclusive: the next day
        ev.add("summary", summary(e))
        lines = [e.reason, _("Request {id}: {subject}").format(id=e.request_id, subject=e.subject), *e.details,
                 _("Every day of the count: kaiji explain {id}").format(id=e.request_id)]
        ev.add("description", "\n".join(lines))
        if e.location:
            ev.add("location", e.location)
        ev.add("transp", "TRANSPARENT")                # a deadline does not make anyone busy
        if remind > 0:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", summary(e))
            alarm.add("trigger", timedelta(days=-remind))
            ev.add_component(alarm)
        cal.add_component(ev)
    return cal


def ics(items: Sequence[Entry], remind: int = 0) -> bytes:
    """The calendar as the bytes of an .ics file."""
    return calendar(items, remind).to_ical()
