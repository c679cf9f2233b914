"""The kinds of event on a request's timeline: one entry per kind, and everything that kind means.

Each `Kind` holds the event's Japanese and English names, the data it carries (typed `Field`s, parsed
and checked here whoever records it: the CLI, an import, a web page), the checks every kind of its
sort shares (the `needs_*` flags), its own check, and its effect on the request's state (`apply`,
run by timeline.compute in the order the events were recorded). service.record is the one writer:
it looks the kind up, parses the data, runs the checks, appends the event and recomputes.

Adding a kind that brings no new due date: a `Kind(...)` in KINDS below (with a check and an
`apply` if it needs them, and `says=` if it carries data), its Japanese in the catalog
(`python -m tracker.i18n_catalog`), a test, and a line in the README. See docs/architecture.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from . import deadlines as dl
from .errors import BadInput, Refused
from .i18n import N_, _, language, show_date

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .models import Decision, Event, Request
    from .timeline import State

MAX_YEN = 10_000_000   # far above any copy fee, far below the INTEGER column's limit
_YEN = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)\s*(?:円)?")


def parse_yen(value: Any, what: str = N_("the amount in yen"), minimum: int = 1, field: str | None = None) -> int:
    """An amount of yen as people write it: 1520, 1,520, 1520円, １，５２０円, 1,520 円 (BadInput otherwise)."""
    what = _(what)
    if isinstance(value, int) and not isinstance(value, bool):
        amount = value
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip() if isinstance(value, str) else ""
        m = _YEN.fullmatch(text)
        if m is None:
            raise BadInput(_("{what} must be a whole number of yen such as 1520, 1,520 or 1520円; got {value!r}.")
                           .format(what=what, value=value), field=field)
        amount = int(m[1].replace(",", ""))
    if not minimum <= amount <= MAX_YEN:
        raise BadInput(_("{what} must be a whole number of yen from {low} to {high:,}; got {value!r}.")
                       .format(what=what, low=minimum, high=MAX_YEN, value=value), field=field)
    return amount


def choice_key(value: Any, labels: dict[str, str], what: str, field: str | None = None) -> str:
    """The key of labels that value names, by the key (full) or by its Japanese label (全部開示); BadInput
    naming both otherwise."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    what = _(what)
    for key, label in labels.items():
        if text.lower() == key or text == unicodedata.normalize("NFKC", label):
            return key
    raise BadInput(_("{value!r} is not {what}; use one of {choices}.").format(
        value=value, what=what, choices=", ".join(f"{k} ({v})" for k, v in labels.items())), field=field)


# ---------------------------------------------------------------- the data an event carries

@dataclass(frozen=True)
class Field:
    """One item of an event's data, as stored in events.data (JSON: dates as ISO text)."""

    key: str
    type: str                  # "text", "date", "yen", "bool", "choice" or "body" (a body's key)
    what: str                  # how messages name it (marked N_()), e.g. "the new decision date (--until)"
    required: bool = False
    choices: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()  # choices: their Japanese names, in the same order (accepted as well)
    limit: int | None = None   # text: the most characters kept
    # How the command line asks for it: an option ("--until"; "--objects/--agrees" for a yes/no), or,
    # with argument=True, a positional argument named by the option without its dashes.
    option: str = ""
    argument: bool = False
    help: str = ""

    @property
    def choice_labels(self) -> dict[str, str]:
        """A choice's keys with their Japanese names (the key again where it has none)."""
        return dict(zip(self.choices, self.labels or self.choices))

    def parse(self, session: Session, value: Any) -> dict[str, Any]:
        """The stored form of value, as {key: …}; BadInput (its `field` this one's key) if it cannot be right."""
        from .service import clean, get_body

        what = _(self.what)
        if value is None or value == "":
            if self.required:
                raise BadInput(_("{what} is missing; give it.").format(what=what), field=self.key)
            return {}
        if self.type == "text":
            text = clean(str(value), what, limit=self.limit, field=self.key)
            return {self.key: text} if text else {}
        if self.type == "date":
            if isinstance(value, str):
                from .dates import read_date
                try:
                    value = read_date(value)
                except ValueError:
                    raise BadInput(_("{what} is not a date; write it 2025-01-10 or 令和7年1月10日.").format(what=what),
                                   field=self.key) from None
            if not isinstance(value, date):
                raise BadInput(_("{what} is not a date; write it 2025-01-10 or 令和7年1月10日.").format(what=what),
                               field=self.key)
            return {self.key: value.isoformat()}
        if self.type == "yen":
            return {self.key: parse_yen(value, what, field=self.key)}
        if self.type == "bool":
            if not isinstance(value, bool):
                raise BadInput(_("{what} must be yes or no; got {value!r}.").format(what=what, value=value),
                               field=self.key)
            return {self.key: value}
        if self.type == "choice":
            return {self.key: choice_key(value, self.choice_labels, what, field=self.key)}
        if self.type == "body":
            body = get_body(session, str(value), field=self.key)
            return {"to_body_id": body.id, "to": body.key}
        raise AssertionError(self.type)


# ---------------------------------------------------------------- checking an event before it is written

@dataclass
class Check:
    """What a kind's check sees: the request, its state before the event, and the event to be."""

    session: Session
    request: Request
    state: State
    live: list[Event]          # the request's timeline less retracted entries
    kind: Kind
    on: date
    data: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def refuse_before(self, day: date | None, what: str) -> None:
        """Refused if the event would come before `day`; `what` names that day (translated)."""
        if day is not None and self.on < day:
            raise Refused(_("{kind} on {on} would come before {what} ({day}); check the date.").format(
                kind=label(self.kind.key), on=show_date(self.on), what=what, day=show_date(day)))

    def last(self, *kinds: str) -> Event | None:
        return next((e for e in reversed(self.live) if e.kind in kinds), None)


def _received(c: Check) -> None:
    s, req = c.state, c.request
    if s.received_on is not None:
        raise Refused(_("request {id} was received on {day} already; to correct that date, retract the receipt with "
                        "`kaiji request retract` and record it again.").format(id=req.id, day=show_date(s.received_on)))
    c.refuse_before(req.filed_on, _("the form's date"))
    later = [e for e in c.live if e.kind not in ("filed", "reference", "note") and e.on < c.on]
    if later:
        raise Refused(_("{kind} on {on} is recorded already, so the office cannot have received the request on "
                        "{day}; check the date.").format(kind=label(later[0].kind), on=show_date(later[0].on),
                                                         day=show_date(c.on)))


def _correction_asked(c: Check) -> None:
    if c.state.status == "correction":
        raise Refused(_("request {id} is already waiting for a correction; record its answer first.").format(
            id=c.request.id))


def _correction_answered(c: Check) -> None:
    asked = c.last("correction_asked", "correction_answered")
    if asked is None or asked.kind != "correction_asked":
        raise Refused(_("request {id} has no correction (補正) waiting for an answer; record the request for one "
                        "with `kaiji request correction` first.").format(id=c.request.id))
    c.refuse_before(asked.on, _("the correction was asked"))


def _extension(c: Check) -> None:
    s, special = c.state, c.kind.key == "special_extension"
    new_due = date.fromisoformat(c.data["part_due" if special else "new_due"])
    current = s.decision_due  # the date in force: the ordinance's, or an earlier extension's
    if current is None:
        raise Refused(_("request {id}'s decision date is not running (a correction is pending); record the "
                        "correction's answer first.").format(id=c.request.id))
    if special and date.fromisoformat(c.data["rest_due"]) <= new_due:
        raise Refused(_("the date for the remainder must come after the date for the substantial part; check "
                        "--rest-by."), field="rest_due")
    # A special extension may keep the date in force for the substantial part: it moves the remainder.
    later = date.fromisoformat(c.data["rest_due"]) if special else new_due
    if later <= current:
        raise Refused(_("the extended date {day} is not later than the date already due ({due}); check {option}.")
                      .format(day=show_date(later), due=show_date(current),
                              option="--rest-by" if special else "--until"),
                      field="rest_due" if special else "new_due")


def _extension_warnings(s: State, e: Event) -> list[str]:
    """What a notice just recorded did not do, as timeline.compute found it (one place decides it)."""
    why = next((w for x, w in s.late_extensions if x is e), None)
    if why == "late":
        return [_("the extension notice is dated {on}, after the decision was due on {due}: an extension must be "
                  "notified within the period, so it is recorded but does not move the date; the request stays "
                  "overdue, and an appeal against inaction is open from {appeal_from}.").format(
                      on=show_date(e.on), due=show_date(s.decision_due),
                      appeal_from=show_date(dl.inaction_appeal_from(s.decision_due)))]
    if why == "special_late":
        return [_("a special extension (特例延長) must be notified within the original period, which ended on {end} "
                  "(行政機関情報公開法第11条 and the ordinances' equivalents); this notice of {on} is recorded and "
                  "flagged, but the decision stays due on {due}.").format(
                      end=show_date(s.first_due.due), on=show_date(e.on), due=show_date(s.decision_due))]
    if s.extension is e and s.extension_over_limit:
        limit = s.extension_limit.due
        return [_("the extended date {day} goes past the limit the rule allows ({limit}); recorded as the notice says "
                  "and flagged, but the notice has no effect beyond {limit}: the decision is taken as due then, and "
                  "an appeal against inaction is open from {appeal_from}.").format(
                      day=show_date(s.extended_to), limit=show_date(limit),
                      appeal_from=show_date(dl.inaction_appeal_from(limit)))]
    return []


def receipt_warning(s: State) -> str:
    """What kaiji assumed of a receipt date that falls on a day the office is closed."""
    return _("the receipt date {day} is a closed day ({why}); kaiji counts from it as recorded. A request handed in "
             "at the counter or by mail is stamped on the next open day; one sent online may arrive on a closed day. "
             "If the office's stamp shows another date, retract the receipt and record that date.").format(
                 day=show_date(s.received_on), why=s.received_closed)


def _received_warnings(s: State, e: Event) -> list[str]:
    return [receipt_warning(s)] if s.received_closed else []


def _transfer(c: Check) -> None:
    from .models import Body
    from .service import check_transfer

    if c.data["to_body_id"] == c.state.body_id:
        raise Refused(_("the request is already with that body; name the body it was transferred to."))
    check_transfer(c.session.get(Body, c.state.body_id), c.session.get(Body, c.data["to_body_id"]))


def _objection(c: Check) -> None:
    """An objection recorded after a decision that set or carried out the disclosure within two weeks."""
    from .timeline import early_disclosures

    if not c.data.get("objects"):
        return
    early = early_disclosures([d for d in c.state.decisions if d.kind in ("full", "partial")], c.live)
    if early:
        c.warnings.append(two_week_warning(c.on, *min(early)))


def _disclosed(c: Check) -> None:
    s = c.state
    if not s.decisions:
        raise Refused(_("request {id} has no decision yet; record it with `kaiji request decide` first.").format(
            id=c.request.id))
    c.refuse_before(s.decided_on, _("the decision"))
    if s.earliest_disclosure is not None and c.on < s.earliest_disclosure and s.objection is not None:
        c.warnings.append(two_week_warning(s.objection.on, c.on, s.earliest_disclosure))


def two_week_warning(objected_on: date, disclosure_on: date, earliest: date) -> str:
    return _("a third party objected ({objected_on}), but the disclosure on {disclosure_on} is less than two weeks "
             "after the decision: the national law (第13条第3項) and the ordinances require at least two weeks between "
             "them, so {earliest} at the earliest. It is the body's breach, recorded and flagged.").format(
                 objected_on=show_date(objected_on), disclosure_on=show_date(disclosure_on),
                 earliest=show_date(earliest))


def _fee_paid(c: Check) -> None:
    if c.state.fee_unpaid is None:
        raise Refused(_("request {id} has no unpaid fee; record the charge with `kaiji request fee` first.").format(
            id=c.request.id))


def _appeal(c: Check) -> None:
    s = c.state
    against = "decision" if s.decisions else "inaction"
    if (s.decision_appeal if against == "decision" else s.inaction_appeal) is not None:
        said = (_("an appeal against the decision on request {id} is recorded already.") if against == "decision"
                else _("an appeal against inaction on request {id} is recorded already."))
        raise Refused(said.format(id=c.request.id))
    c.warnings.extend(check_appeal(s, c.request.id, c.on))
    c.data["against"] = against


def check_appeal(s: State, request_id: int, on: date, decision: Decision | None = None,
                 period: dl.Deadline | None = None) -> list[str]:
    """When an appeal (審査請求) dated `on` may be made, for whatever writes one (the timeline's entry, the
    form in pdf/): against a decision (`decision`, else the latest) not before it, and, once its appeal
    period (`period`, else the state's) has ended, with a warning; with no decision, against inaction
    only once the decision is overdue. Refused where it may not; returns the warnings."""
    if not s.decisions:
        if s.decision_due is None:
            raise Refused(_("request {id} has no decision and no decision date running (no receipt, or a correction "
                            "pending), so there is nothing to appeal yet.").format(id=request_id))
        if on <= s.decision_due:
            raise Refused(_("request {id} has no decision to appeal and is not overdue on {on}; the decision is due on "
                            "{due}.").format(id=request_id, on=show_date(on), due=show_date(s.decision_due)))
        return []
    decided = (decision or s.decisions[-1]).decided_on
    if on < decided:
        raise Refused(_("an appeal dated {on} would come before the decision ({decided}); check the date.").format(
            on=show_date(on), decided=show_date(decided)))
    period = period or s.appeal
    if period is not None and period.due is not None and on > period.due:
        return [_("the appeal period ended on {day}; the board may dismiss a late appeal.").format(
            day=show_date(period.due))]
    return []


def _ruling(c: Check) -> None:
    learned = c.data.get("notified")
    if learned is not None and date.fromisoformat(learned) < c.on:
        raise Refused(_("the ruling cannot have been learned of on {learned}, before its date {on}; check --notified.")
                      .format(learned=show_date(date.fromisoformat(learned)), on=show_date(c.on)), field="notified")


# ---------------------------------------------------------------- an event's effect on the state

def _apply_received(s: State, e: Event) -> None:
    s.received_on = e.on


def _apply_reference(s: State, e: Event) -> None:
    s.reference = e.data.get("number")


def _apply_transfer(s: State, e: Event) -> None:
    s.body_id = e.data["to_body_id"]


def _apply_correction_asked(s: State, e: Event) -> None:
    s.pauses.append(dl.Pause(e.on, None))


def _apply_correction_answered(s: State, e: Event) -> None:
    if s.pauses and s.pauses[-1].answered is None:
        s.pauses[-1] = dl.Pause(s.pauses[-1].asked, e.on)


def _apply_objection(s: State, e: Event) -> None:
    if e.data.get("objects"):
        s.objection = e


def _apply_appeal(s: State, e: Event) -> None:
    if e.data.get("against") == "inaction":
        s.inaction_appeal = s.inaction_appeal or e
    else:
        s.decision_appeal = s.decision_appeal or e


def _apply_voided(s: State, e: Event) -> None:
    s.voided = e


def _apply_fee_charged(s: State, e: Event) -> None:
    s.fee_charged += int(e.data.get("amount", 0))


def _apply_fee_paid(s: State, e: Event) -> None:
    s.fee_paid += int(e.data.get("amount", 0))


# ---------------------------------------------------------------- the registry

@dataclass(frozen=True)
class Kind:
    key: str
    ja: str                                   # the statutes' term, as the timeline shows it
    en: str
    fields: tuple[Field, ...] = ()
    needs_receipt: bool = False               # refused until the receipt date is recorded
    before_decision: bool = False             # refused once a decision is recorded
    after: str | None = None                  # a kind that must be on record first (and not after this one)
    once: bool = False                        # at most one live event of this kind
    dated_from_receipt: bool = True           # refused if dated before the receipt (or the form's date)
    recorded_by_decide: bool = False          # written with its Decision by service.decide, not by record()
    command: str = ""                         # `kaiji request COMMAND` that records it (cli/requests.py)
    help: str = ""                            # that command's help
    example: str = ""                         # what follows `kaiji request COMMAND 1` in its help's example
    check: Callable[[Check], None] | None = None
    apply: Callable[[State, Event], None] | None = None
    warn: Callable[[State, Event], list[str]] | None = None  # what to say once recorded, from the new state
    # What its data says, after the kind's name, as `request show` tells the timeline (events.describe):
    # N_("decision due {new_due}"), the placeholders its data's keys (dates and yen shown as the reader
    # writes them). Needed by every kind carrying data other than a reason (tests/test_event_words.py).
    says: str = ""

    def parse(self, session: Session, data: dict[str, Any] | None) -> dict[str, Any]:
        data = dict(data or {})
        unknown = set(data) - {f.key for f in self.fields}
        if unknown:
            raise BadInput(_("{kind} carries no {keys}.").format(kind=label(self.key), keys=", ".join(sorted(unknown))),
                           field=min(unknown))
        out: dict[str, Any] = {}
        for f in self.fields:
            out |= f.parse(session, data.get(f.key))
        return out


def _yen(help: str) -> Field:
    return Field("amount", "yen", N_("the amount in yen"), required=True, option="--amount", argument=True, help=help)


def _text(key: str, option: str, help: str, required: bool = False, limit: int | None = None) -> Field:
    return Field(key, "text", option, required, limit=limit, option=option, help=help)


def _date(key: str, option: str, what: str, help: str, required: bool = True) -> Field:
    """A date; `what` names it with its option, e.g. N_("the new decision date (--until)")."""
    return Field(key, "date", what, required, option=option, help=help)


_REASON = _text("reason", "--reason", N_("The reason the notice gives."))
KINDS: dict[str, Kind] = {k.key: k for k in (
    Kind("filed", "請求書作成", "request written", dated_from_receipt=False),
    Kind("received", "受付", "received by the office", dated_from_receipt=False, check=_received,
         apply=_apply_received, warn=_received_warnings, command="receive", example="--on 2024-12-27",
         help=N_("Record the date the office received the request (受付年月日).")),
    Kind("reference", "受付番号", "reference number",
         (Field("number", "text", N_("the reference number"), True, limit=100, option="--number", argument=True),),
         apply=_apply_reference, command="reference", example="R6情第123号 --on 2025-01-06", help=N_("Record the body's (new) reference number for a request."),
         says=N_("number {number}")),
    Kind("correction_asked", "補正の求め", "correction asked", (_text("what", "--what", N_("What the office asked to correct.")),),
         needs_receipt=True, before_decision=True, check=_correction_asked, apply=_apply_correction_asked,
         command="correction", example='--on 2025-01-08 --what "請求する文書の特定"', help=N_("Record that the office asked for a correction (補正を求めた)."),
         says=N_("to correct: {what}")),
    Kind("correction_answered", "補正", "correction made", needs_receipt=True, before_decision=True,
         check=_correction_answered, apply=_apply_correction_answered, command="corrected", example="--on 2025-01-15",
         help=N_("Record that the correction reached the office (補正).")),
    Kind("extension", "延長通知", "extension notice",
         (_date("new_due", "--until", N_("the new decision date (--until)"), N_("The new decision date the notice gives.")), _REASON),
         needs_receipt=True, before_decision=True, check=_extension, warn=_extension_warnings, command="extend", example='--on 2025-01-09 --until 2025-03-11 --reason "事務処理上の困難"',
         help=N_("Record an extension notice (延長通知, 様式第7号). Past the rule's limit: warned and recorded."),
         says=N_("decision due {new_due}")),
    Kind("special_extension", "特例延長通知", "special extension notice",
         (_date("part_due", "--part-by", N_("the date for a substantial part (--part-by)"),
                N_("Date by which a substantial part is decided.")),
          _date("rest_due", "--rest-by", N_("the date for the remainder (--rest-by)"),
                N_("Date by which the remainder is decided.")),
          _REASON),
         needs_receipt=True, before_decision=True, check=_extension, warn=_extension_warnings, command="special-extend", example="--on 2025-01-09 --part-by 2025-03-11 --rest-by 2025-06-30",
         help=N_("Record a special extension notice (特例延長, 様式第7号の2)."),
         says=N_("a substantial part by {part_due}, the remainder by {rest_due}")),
    Kind("third_party_asked", "第三者意見照会", "third party consulted",
         (_text("party", "--party", N_("The third party consulted (第三者).")),),
         needs_receipt=True, before_decision=True, command="consult", example='--on 2025-01-08 --party "株式会社A"',
         help=N_("Record that the body asked a third party for its opinion (第三者意見照会)."),
         says=N_("asked: {party}")),
    Kind("third_party_answered", "第三者意見", "third party's answer",
         (_text("party", "--party", N_("The third party.")),
          Field("objects", "bool", "--objects", option="--objects/--agrees",
                help=N_("The party objects to disclosure (then at least 2 weeks must pass before disclosure)."))),
         needs_receipt=True, check=_objection, apply=_apply_objection, command="consulted", example='--on 2025-01-14 --party "株式会社A" --objects',
         help=N_("Record the third party's answer (第三者の意見)."),
         says=N_("{party}: {objects}")),
    Kind("transfer", "事案の移送", "transfer",
         (Field("to", "body", N_("the body transferred to (--to)"), True, option="--to",
                help=N_("The body the case was transferred to (移送): its key, name or jurisdiction.")),),
         needs_receipt=True, before_decision=True, check=_transfer, apply=_apply_transfer, command="transfer", example="--on 2025-01-08 --to maizuru-edu",
         help=N_("Record a transfer to another body (事案移送, 様式第8号); its rule then applies from the original "
              "receipt."),
         says=N_("to {to}")),
    Kind("decision", "開示決定等", "decision",
         (Field("kind", "choice", N_("a decision kind"), True, ("full", "partial", "refusal", "neither", "absent",
                                                             "rejected")),),
         recorded_by_decide=True,
         says=N_("{kind}")),
    Kind("disclosed", "開示の実施", "disclosure carried out", check=_disclosed, command="disclosed", example="--on 2025-02-03",
         help=N_("Record that the disclosure was carried out (開示の実施).")),
    Kind("fee_charged", "費用請求", "fee charged", (_yen(N_("The yen charged.")),), apply=_apply_fee_charged,
         command="fee", example="190 --on 2025-01-20", help=N_("Record a fee charged (yen), beyond one given with the decision."),
         says=N_("{amount} yen")),
    Kind("fee_paid", "費用納付", "fee paid", (_yen(N_("The yen paid.")),), check=_fee_paid, apply=_apply_fee_paid,
         command="paid", example="190 --on 2025-01-27", help=N_("Record a fee paid (yen)."),
         says=N_("{amount} yen")),
    Kind("appeal_filed", "審査請求", "appeal", check=_appeal, apply=_apply_appeal, command="appeal", example="--on 2025-04-01",
         help=N_("Record an appeal filed (審査請求), against the decision or, with none made in time, against "
              "inaction.")),
    Kind("appeal_referred", "諮問", "referred to the review board", after="appeal_filed", once=True,
         command="appeal-referred", example="--on 2025-04-20", help=N_("Record that the body referred the appeal to its review board (諮問).")),
    Kind("board_report", "答申", "review board's report",
         (_text("outcome", "--outcome", N_("What the board found (答申の結論).")),),
         after="appeal_referred", once=True, command="board-report", example='--on 2025-09-01 --outcome "原処分は妥当"', help=N_("Record the review board's report (答申)."),
         says=N_("conclusion: {outcome}")),
    Kind("ruling", "裁決", "ruling",
         (Field("outcome", "choice", N_("a ruling's outcome"), True, ("upheld", "partly-granted", "granted", "dismissed"),
                labels=("棄却", "一部認容", "認容", "却下"), option="--outcome", help=N_("upheld (棄却), partly-granted (一部認容), granted (認容) or dismissed (却下).")),
          _date("notified", "--notified", N_("the day the ruling was learned of (--notified)"),
                N_("The day the appellant learned of the ruling (the 6 months to sue run from the next day)."),
                required=False)),
         after="appeal_filed", once=True, check=_ruling, command="ruling", example="--on 2025-10-01 --outcome upheld --notified 2025-10-03", help=N_("Record the ruling on the appeal (裁決)."),
         says=N_("{outcome}; learned of on {notified}")),
    Kind("withdrawn", "取下げ", "withdrawn", command="withdraw", example="--on 2025-01-09", help=N_("Record that the request was withdrawn (取下げ).")),
    Kind("voided", "誤登録", "entered by mistake",
         (_text("reason", "--reason", N_("Why the request was entered by mistake, e.g. 二重登録."), required=True),),
         dated_from_receipt=False, once=True, apply=_apply_voided, command="void",
         example='--reason "二重登録（請求2と同じ）"',
         help=N_("Mark a request as entered by mistake (誤登録): it stays in the records with the reason, and leaves "
              "every list, report and deadline. Retract this event to restore it.")),
    Kind("note", "メモ", "note", dated_from_receipt=False),
    Kind("retraction", "取消し", "retraction", dated_from_receipt=False),
)}


def get(key: str) -> Kind:
    """The kind a follow-up command records; the request's first entry and retractions have their own functions."""
    kind = KINDS.get(key)
    if kind is None or kind.key in ("filed", "retraction"):
        raise BadInput(_("{key!r} is not a kind of follow-up event; use one of {kinds}.").format(
            key=key, kinds=", ".join(k for k in KINDS if k not in ("filed", "retraction"))))
    return kind


def run_checks(c: Check) -> None:
    """The checks an event must pass before it is written: those its kind's flags name, then its own."""
    s, kind, req = c.state, c.kind, c.request
    if s.voided is not None and kind.key != "note":
        raise Refused(_("request {id} was voided as entered by mistake (event {event}); only notes can be added to "
                        "it, or retract that event with `kaiji request retract {id} {event}`.")
                      .format(id=req.id, event=s.voided.id))
    if s.status == "withdrawn" and kind.key not in ("note", "voided"):
        raise Refused(_("request {id} was withdrawn; only notes can be added to it now.").format(id=req.id))
    if kind.dated_from_receipt:
        c.refuse_before(s.received_on or req.filed_on,
                        _("the request was received") if s.received_on else _("the form's date"))
    if kind.needs_receipt and s.received_on is None:
        raise Refused(_("request {id} has no receipt date yet; record it with `kaiji request receive {id}`.").format(
            id=req.id))
    if kind.before_decision and s.decisions:
        raise Refused(_("request {id} was decided on {day} already; \"{kind}\" belongs before the decision.").format(
            id=req.id, day=show_date(s.decided_on), kind=label(kind.key)))
    prior = None
    if kind.after is not None:
        prior = c.last(kind.after)
        if prior is None:
            raise Refused(_("request {id} has no \"{kind}\" event yet; record that first.").format(
                id=req.id, kind=label(kind.after)))
        c.refuse_before(prior.on, label(kind.after))
    # Once per request, or once after the event it follows (a ruling per appeal).
    since = c.live[c.live.index(prior) + 1:] if prior is not None else c.live
    if kind.once and any(e.kind == kind.key for e in since):
        raise Refused(_("\"{kind}\" is recorded for request {id} already.").format(kind=label(kind.key), id=req.id))
    if kind.check is not None:
        kind.check(c)


# ---------------------------------------------------------------- an event told in words

# Choices and yes/no values in words.
VALUES: dict[tuple[str, object], str] = {
    ("objects", True): N_("objects to disclosure"), ("objects", False): N_("does not object"),
    ("outcome", "upheld"): N_("upheld (棄却)"), ("outcome", "partly-granted"): N_("partly granted (一部認容)"),
    ("outcome", "granted"): N_("granted (認容)"), ("outcome", "dismissed"): N_("dismissed (却下)"),
}


def label(kind: str) -> str:
    """The kind's name in the reader's language: the statutes' term in Japanese."""
    k = KINDS.get(kind)
    return kind if k is None else k.ja if language() == "ja" else k.en


def describe(kind: str, data: dict[str, Any] | None, note: str | None = None,
             retracts: int | None = None, retracted_by: tuple[int, str | None] | None = None) -> str:
    """One event as a sentence: 「延長通知: 令和7年3月12日（水）（理由: …）」, never its raw keys."""
    from .timeline import DECISION_KINDS, decision_label

    data = dict(data or {})
    values: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:
                value = show_date(date.fromisoformat(value))
            except ValueError:
                pass
        elif isinstance(value, bool) or (key, value) in VALUES:
            value = _(VALUES.get((key, value), str(value)))
        elif key == "amount" and isinstance(value, int):
            value = f"{value:,}"
        values[key] = str(value)
    if kind == "decision" and data.get("kind") in DECISION_KINDS:
        values["kind"] = decision_label(data["kind"])
    text = label(kind)
    phrase = KINDS[kind].says if kind in KINDS else ""
    if phrase:
        if kind == "ruling" and "notified" not in values:
            phrase = N_("{outcome}")
        try:
            text = _("{kind}: {details}").format(kind=text, details=_(phrase).format(**values))
        except KeyError:   # data of an older shape: say what there is
            pass
    if retracts is not None:
        text = _("{kind}: takes back event {event}").format(kind=text, event=retracts)
    if data.get("reason"):
        text += _(" (reason: {reason})").format(reason=data["reason"])
    if note:
        text += _(" — {note}").format(note=note)
    if retracted_by is not None:
        event, why = retracted_by
        text += (_(" [taken back by event {event}: {why}]") if why else _(" [taken back by event {event}]")).format(
            event=event, why=why)
    return text
