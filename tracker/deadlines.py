"""Deadline arithmetic: pure functions over dates that return the date and how it was reached.

Every rule that differs between jurisdictions arrives as a `Rule` (read from data, with its
source); this module holds only the counting itself, which is the Civil Code's (民法 第140条〜
第143条) and the Local Autonomy Act's (地方自治法 第4条の2). The CLI, reports and PDFs call these
functions and nothing else for dates.
"""

from __future__ import annotations

import calendar
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Iterable, Mapping

from .i18n import N_, _, show_date

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    """A decision-period rule as one ordinance (or the national law) words it.

    Its fields are the one list of what a rule holds: the table deadline_rules has a column for
    each (tests/test_schema.py checks it), and the presets and the stored rows are read through it.
    """

    period_days: int
    counts_request_day: bool      # 「…の日から起算して」: the request day is day 1 (民法第140条ただし書)
    working_days: bool            # count only days the office is open
    move_off_closed: bool         # a last day on a closed day moves to the next open day
    extension_max_days: int | None  # the most an extension (延長) may add; None: not found in the source
    extension_from: str           # "period_end": counted from the day after the first period ends;
                                  # "request": counted like the period itself, from the request
    exclude_correction: bool      # days spent on a correction (補正) do not count
    source: str
    effective_from: date | None = None
    note: str = ""
    # Points no source settles, settings of the rule (see presets.toml):
    correction_days: str = "after_asked"  # "after_asked": the day after asking through the day answered; "both"
    correction_extends_limit: bool = True  # correction days push back the extension limit too

    def period(self) -> str:
        """The period in words: how many days, and from which day they are counted."""
        if self.working_days:
            text = (_("{n} working days, counting from the request day itself (起算して)") if self.counts_request_day
                    else _("{n} working days, from the day after the request (民法第140条)"))
        else:
            text = (_("{n} days, counting from the request day itself (起算して)") if self.counts_request_day
                    else _("{n} days, from the day after the request (民法第140条)"))
        return text.format(n=self.period_days)

    def summary(self) -> str:
        """The rule on one line, as `body list` and `rule list` show it: the period, each setting in short,
        and the extension limit."""
        parts = [self.period()]
        if self.exclude_correction:
            parts.append((_("correction days excluded ({how}, limit pushed back too)") if self.correction_extends_limit
                          else _("correction days excluded ({how}, limit not pushed back)")).format(
                              how=self.correction_days.replace("_", "-")))
        if self.move_off_closed:
            parts.append(_("moves off closed days"))
        if self.extension_max_days:
            parts.append((_("extension up to {n} days from the request") if self.extension_from == "request" else
                          _("extension up to {n} days from the end of the period")).format(n=self.extension_max_days))
        else:
            parts.append(_("no extension limit known"))
        return _("; ").join(parts)

    def describe(self) -> str:
        """The rule in words, with every setting a count depends on: the first line of each explanation."""
        parts = [self.period()]
        if self.exclude_correction:
            parts.append(_("correction (補正) days excluded: {how}").format(how=_(CORRECTION_DAYS[self.correction_days])))
        if not self.working_days:
            parts.append(_("a last day on a closed day moves to the next open day (setting move_off_closed=true; no "
                           "source settles whether an office's own last day moves)") if self.move_off_closed else
                         _("a last day on a closed day stays where it falls (setting move_off_closed=false; no "
                           "source settles whether an office's own last day moves)"))
        return _("{parts} — source: {source}").format(parts=_("; ").join(parts), source=self.source)


# The fields a rule's stored row or preset gives (effective_from is the version's key, read apart), and
# the defaults for those a preset may leave out.
RULE_FIELDS = tuple(f.name for f in fields(Rule) if f.name != "effective_from")
RULE_DEFAULTS = {"extension_max_days": None, "extension_from": "period_end"} | {
    f.name: f.default for f in fields(Rule) if f.default is not MISSING and f.name != "effective_from"}


# The readings of which correction days are not counted (Rule.correction_days), in words.
CORRECTION_DAYS = {
    "after_asked": N_("from the day after the correction was asked through the day the corrected request arrived "
                      "(setting correction_days=after_asked; no source settles it)"),
    "both": N_("the day the correction was asked and the day the corrected request arrived, and the days between "
               "(setting correction_days=both; no source settles it)"),
}


HOLIDAYS_FORMAT = 1   # what a kept holidays file holds; a new one is written when this changes


@lru_cache(maxsize=None)
def _holidays(year: int) -> tuple[tuple[date, str], ...]:
    """The national holidays of a year, as jpholiday gives them, once whatever the closure. jpholiday takes 60 ms
    to import and 40–130 ms to work a year out, most of a command that shows one request: what it gave is kept in
    a file of the user's cache folder (_kept_holidays), read in well under a millisecond by later commands."""
    kept = _kept_holidays()
    found = kept.get(str(year))
    if found is None:
        import jpholiday  # lazy: only a year not kept yet needs the holiday tables

        found = kept[str(year)] = [[d.isoformat(), name] for d, name in jpholiday.year_holidays(year)]
        _keep_holidays(kept)
    return tuple((date.fromisoformat(d), name) for d, name in found)


@lru_cache(maxsize=None)
def _holidays_file() -> Path | None:
    """The file that keeps jpholiday's years, named for the jpholiday installed (its folder, and when its
    files were written: another version installed is another file) and this format; None without jpholiday."""
    import hashlib
    from importlib.util import find_spec

    from platformdirs import user_cache_dir

    spec = find_spec("jpholiday")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent
    stamp = "|".join(f"{f.name}:{f.stat().st_mtime_ns}:{f.stat().st_size}" for f in sorted(folder.glob("*.py")))
    digest = hashlib.sha1(f"{folder}|{stamp}|{HOLIDAYS_FORMAT}".encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return Path(user_cache_dir("kaiji", appauthor=False)) / "holidays" / f"jpholiday-{digest}.json"


@lru_cache(maxsize=None)
def _kept_holidays() -> dict[str, list]:
    """The years kept in _holidays_file (year: [[ISO date, name], …]); empty when none is kept or it cannot be read."""
    import json

    path = _holidays_file()
    try:
        kept = json.loads(path.read_text(encoding="utf-8")) if path is not None else {}
        return kept if isinstance(kept, dict) else {}
    except (OSError, ValueError):
        return {}


def _keep_holidays(kept: dict[str, list]) -> None:
    """Write the years worked out to _holidays_file, whole or not at all; a read-only home or a full disk only
    means jpholiday is asked again next time. Two commands writing at once: the last one's years are kept."""
    import json

    from .files import make_folder, write_bytes

    path = _holidays_file()
    if path is None:
        return
    try:
        make_folder(path.parent)
        write_bytes(path, json.dumps(kept, ensure_ascii=False, sort_keys=True).encode("utf-8"), force=True)
    except Exception:  # noqa: BLE001 - the count does not need the file
        pass


@lru_cache(maxsize=None)
def _closed_in(year: int, year_end_closure: bool) -> dict[date, str]:
    """Every day of a year that every office is closed, with why: a national holiday by its name (jpholiday:
    振替休日 and 国民の休日 included), else 年末年始 (12月29日〜1月3日, when the closure applies), else 土曜日 or
    日曜日. Worked out once a year rather than once a day counted; a body's own closed days come first."""
    closed = dict(_holidays(year))
    d = date(year, 1, 1)
    while d.year == year:
        if d not in closed:
            if year_end_closure and ((d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3)):
                closed[d] = "年末年始"
            elif d.weekday() >= 5:
                closed[d] = "土曜日" if d.weekday() == 5 else "日曜日"
        d += ONE_DAY
    return closed


@dataclass(frozen=True)
class ClosedDays:
    """The days a body's office is closed: weekends, national holidays, 年末年始 and its own extra days."""

    year_end_closure: bool = True  # 12月29日〜1月3日 (地方自治法第4条の2第1項第3号, 行政機関の休日に関する法律第1条)
    extra: Mapping[date, str] = field(default_factory=dict)

    def reason(self, d: date) -> str | None:
        """Why the office is closed on d (土曜日, 元日, 年末年始 …), or None if it is open."""
        return self.extra.get(d) or _closed_in(d.year, self.year_end_closure).get(d)

    def next_open(self, d: date) -> tuple[date, list[tuple[date, str]]]:
        """The first open day on or after d, and the closed days passed over on the way."""
        skipped = []
        while (why := self.reason(d)) is not None:
            skipped.append((d, why))
            d += ONE_DAY
        return d, skipped


@dataclass(slots=True)
class Step:
    """One line of an explanation; `day` is None for a line about the rule as a whole.

    A line of the count itself (one per day: thousands for a year of requests) keeps its message and
    values and is put into words only when read (`text`), in the reader's language: counting a
    deadline must not cost a translation per day. Other lines arrive as text.
    """

    message: str
    day: date | None = None
    counted: int | None = None  # the day's number in the count, when it was counted
    values: tuple[tuple[str, object], ...] | None = None  # set: `message` is a msgid to translate and fill

    @property
    def text(self) -> str:
        if self.values is None:
            return self.message
        return _(self.message).format(**{k: _label(v) if isinstance(v, date) else v for k, v in self.values})


@dataclass
class Deadline:
    what: str
    due: date | None
    steps: list[Step] = field(default_factory=list)

    def say(self, text: str, day: date | None = None, counted: int | None = None) -> None:
        self.steps.append(Step(text, day, counted))

    def count(self, message: str, day: date, counted: int | None = None, **values: object) -> None:
        """A line of the count: `message` (an N_() msgid) is translated, and its dates shown, when read."""
        self.steps.append(Step(message, day, counted, tuple(values.items())))


@dataclass(frozen=True)
class Pause:
    """A correction (補正): asked on one day, answered on another (None: not yet answered)."""

    asked: date
    answered: date | None

    def covers(self, d: date, reading: str = "after_asked") -> bool:
        # The days "spent on the correction" (Rule.correction_days): up to and including the day the
        # corrected request arrives, and from the day after it was asked or from that day itself.
        after = self.asked <= d if reading == "both" else self.asked < d
        return after and (self.answered is None or d <= self.answered)


def _label(d: date) -> str:
    return show_date(d)


def _move_off_closed(dl: Deadline, days: ClosedDays, why: str) -> None:
    assert dl.due is not None
    moved, skipped = days.next_open(dl.due)
    if not skipped:
        return
    for d, reason in skipped:
        dl.count(N_("closed ({reason}): the deadline moves on"), d, reason=reason)
    dl.say(_("deadline moved to the next open day, {day} — {why}").format(day=_label(moved), why=_(why)), moved)
    dl.due = moved


def count_days(what: str, rule: Rule, days: ClosedDays, first_day: date, n: int,
               pauses: Iterable[Pause] = ()) -> Deadline:
    """Count n days from first_day under the rule (working or calendar days, correction pauses).

    The nth counted day is the period's last day; it is then moved off a closed day if the rule
    says so. If a correction is still unanswered the clock stands still and `due` is None.
    """
    pauses = tuple(pauses) if rule.exclude_correction else ()
    dl = Deadline(what, None)
    count, d = 0, first_day
    while count < n:
        pause = next((p for p in pauses if p.covers(d, rule.correction_days)), None) if pauses else None
        closed = days.reason(d)
        if pause is not None:
            if pause.answered is None:
                dl.count(N_("correction (補正) asked on {asked} and not yet answered: the clock stopped after day "
                            "{count}"), d, asked=pause.asked, count=count)
                return dl
            dl.count(N_("not counted: correction (補正) asked {asked}, answered {answered}"), d,
                     asked=pause.asked, answered=pause.answered)
        elif rule.working_days and closed:
            dl.count(N_("not counted: closed ({reason})"), d, reason=closed)
        else:
            count += 1
            if closed:
                dl.count(N_("day {count} (closed: {reason}; calendar days count it)"), d, count, count=count,
                         reason=closed)
            else:
                dl.count(N_("day {count}"), d, count, count=count)
        d += ONE_DAY
    dl.due = d - ONE_DAY
    if rule.move_off_closed and not rule.working_days:
        _move_off_closed(dl, days, N_("the rule moves a last day that falls on a closed day"))
    return dl


def day_numbers(rule: Rule, days: ClosedDays, first: date, last: date, pauses: Iterable[Pause] = ()) -> list[int]:
    """The number each day from `first` through `last` has in count_days' count from `first` (a day not
    counted has the number of the last counted day before it, 0 before the first): the steps of one
    count, read back. So `day_numbers(...)[-1]` is how many days the rule counts from `first` to `last`."""
    if last < first:
        return []
    span = (last - first).days + 1
    numbers = [0] * span
    for step in count_days("", rule, days, first, span, pauses).steps:
        if step.counted and step.day is not None and step.day <= last:
            numbers[(step.day - first).days] = step.counted
    for i in range(1, span):
        numbers[i] = max(numbers[i], numbers[i - 1])
    return numbers


def counted_each_day(rule: Rule, days: ClosedDays, year: int) -> tuple[int, ...]:
    """For each day of `year`, 1 if count_days counts it under the rule when no correction pauses the count,
    else 0: day_numbers over the year, read back. Without a correction whether a day counts depends only on
    the day (any day under a calendar-days rule, an open day under a working-days one), not on where the count
    starts, so the days counted from one day to another are a sum of these (SharedCount). Kept per year,
    working-days setting and closed days of that year: the count is made once, not once a request."""
    if not rule.working_days:
        # Under a calendar-days rule count_days counts every day, closed or not (the holidays need not be known).
        return (1,) * (date(year + 1, 1, 1) - date(year, 1, 1)).days
    extra = tuple(sorted((d, why) for d, why in days.extra.items() if d.year == year))
    return _counted_each_day(days.year_end_closure, extra, year)


@lru_cache(maxsize=4096)
def _counted_each_day(year_end_closure: bool, extra: tuple, year: int) -> tuple[int, ...]:
    # Only working_days decides which days count without a correction; the other settings are the defaults.
    rule = Rule(period_days=1, counts_request_day=True, working_days=True, move_off_closed=False,
                extension_max_days=None, extension_from="period_end", exclude_correction=False, source="")
    numbers = day_numbers(rule, ClosedDays(year_end_closure, dict(extra)), date(year, 1, 1), date(year, 12, 31))
    return tuple(b - a for a, b in zip([0] + numbers, numbers))


class SharedCount:
    """`day_numbers(rule, days, first, last)[-1]` for many spans of one rule and calendar, with no correction
    pausing them: a difference of one running count of counted_each_day's flags over whole years, made anew
    over more years when a span reaches outside it. timeline.counted_days reads it (a bulk refresh, the upgrade
    to 0011)."""

    def __init__(self, rule: Rule, days: ClosedDays):
        self.rule, self.closed = rule, days
        self.first = 0                    # the ordinal of the running count's first day
        self.running: list[int] = []      # running[i]: the days counted from `first` before day first + i

    def between(self, start: int, last: int) -> int:
        """The days counted from ordinal `start` through `last` (0 if last is before start)."""
        if last < start:
            return 0
        covered = [self.first, self.first + len(self.running) - 2] if self.running else []
        if not self.running or start < self.first or last > covered[1]:
            lo = date.fromordinal(min([start, *covered])).year
            hi = date.fromordinal(max([last, *covered])).year
            each = [n for year in range(lo, hi + 1) for n in counted_each_day(self.rule, self.closed, year)]
            self.first, self.running = date(lo, 1, 1).toordinal(), list(accumulate(each, initial=0))
        return self.running[last - self.first + 1] - self.running[start - self.first]

    def days(self, first: date, last: date) -> int:
        return self.between(first.toordinal(), last.toordinal())


def first_day(rule: Rule, received: date) -> date:
    """民法第140条: the request day itself counts only when the text says 起算して."""
    return received if rule.counts_request_day else received + ONE_DAY


def decision_due(rule: Rule, days: ClosedDays, received: date, pauses: Iterable[Pause] = ()) -> Deadline:
    start = first_day(rule, received)
    dl = count_days(_("decision due"), rule, days, start, rule.period_days, pauses)
    dl.steps[:0] = [
        Step(_("rule: {rule}").format(rule=rule.describe())),
        Step(_("request received {received}; the count starts on {start}").format(
            received=_label(received), start=_label(start)), received),
    ]
    if rule.note:
        dl.steps.insert(1, Step(_("note on the rule: {note}").format(note=_(rule.note))))
    return dl


def unknown_rule(jurisdiction: str) -> Deadline:
    """The decision date of a body whose jurisdiction has no rule kaiji knows: unknown, never guessed."""
    return Deadline(_("decision due"), None, [Step(_(
        "no deadline rule is known for {jurisdiction}, so the decision date is unknown (not guessed); add the "
        "rule with its source with `kaiji rule add`").format(jurisdiction=jurisdiction))])


def extension_limit(rule: Rule, days: ClosedDays, received: date, first_due: date,
                    pauses: Iterable[Pause] = ()) -> Deadline:
    """The latest date an extension (延長) may set under the rule, or due None if the source gives none.

    The extra days are added to the period itself, not to its last day after that was moved off a
    closed day: 行政機関情報公開法第10条第2項 extends 「同項に規定する期間」, and 第11条 restates the
    cap as 「開示請求があった日から六十日以内」. So the cap is the period's own last day plus the extra
    (calendar) days, and it moves only if that day is itself closed.
    """
    if rule.extension_max_days is None:
        return Deadline(_("extension limit"), None,
                        [Step(_("the rule's source sets no extension limit that kaiji knows of"))])
    n = rule.extension_max_days
    unmoved = replace(rule, move_off_closed=False)
    cal = replace(unmoved, working_days=False)  # extension days are calendar days
    pauses = tuple(pauses) if rule.correction_extends_limit else ()
    why_pauses = (_("correction days push the limit back as they push back the period (setting "
                    "correction_extends_limit=true)") if rule.correction_extends_limit else
                  _("correction days do not push the limit back (setting correction_extends_limit=false: the "
                    "source's extension clause does not exclude them)"))
    if rule.extension_from == "request":
        start = first_day(rule, received)
        dl = count_days(_("extension limit"), cal, days, start, n, pauses)
        head = _("an extension may reach {n} days counted from the request ({start} is day 1)").format(
            n=n, start=_label(start))
    else:
        period = count_days(_("period"), unmoved, days, first_day(rule, received), rule.period_days, pauses)
        if period.due is None:
            return Deadline(_("extension limit"), None, [Step(_("a correction is pending: the limit is not known yet"))])
        start = period.due + ONE_DAY
        dl = count_days(_("extension limit"), cal, days, start, n, pauses)
        head = _("an extension may add {n} days to the period itself, whose own last day is {last} before any move "
                 "off a closed day, so {start} is day 1").format(n=n, last=_label(period.due), start=_label(start))
    counted = [s for s in dl.steps if s.counted]
    dl.steps = [Step(_("{parts} — source: {source}").format(parts=head, source=rule.source))] + [
        s for s in dl.steps if not s.counted]
    if counted:
        dl.steps.insert(1, Step(_("days 1–{last} run {first_day} to {last_day}").format(
            last=counted[-1].counted, first_day=_label(counted[0].day), last_day=_label(counted[-1].day))))
    if rule.exclude_correction:
        dl.steps.insert(1, Step(why_pauses))
    if dl.due is not None and rule.move_off_closed:
        _move_off_closed(dl, days, N_("the rule moves a last day that falls on a closed day; only the limit's own "
                                      "last day is moved, once"))
    if dl.due is not None and dl.due < first_due:
        # e.g. working days for the period but calendar days from the request for the extension
        dl.say(_("counted so, the limit would fall on {limit}, before the decision is first due ({due}); an "
                 "extension cannot bring a deadline forward, so it allows no later date").format(
                     limit=_label(dl.due), due=_label(first_due)))
        dl.due = first_due
    return dl


def add_months(start: date, months: int) -> date:
    """The last day of a period of `months` months whose first day is `start` (民法第143条).

    The period ends on the day before the day with start's number in the last month; if the last
    month has no such day, it ends on that month's last day.
    """
    y, m = divmod(start.month - 1 + months, 12)
    y, m = start.year + y, m + 1
    last = calendar.monthrange(y, m)[1]
    if start.day > last:
        return date(y, m, last)
    return date(y, m, start.day) - ONE_DAY


OFFICE_MOVE = N_("an act toward the office whose last day is a closed day may be done on the next open day "
                 "(地方自治法第4条の2第4項, 行政機関の休日に関する法律第2条)")
# Courts are closed on weekends, national holidays and 12月29日〜1月3日 (裁判所の休日に関する法律第1条).
COURT_DAYS = ClosedDays(year_end_closure=True)
COURT_MOVE = N_("a period ending on a court holiday ends on the next day (民事訴訟法第95条第3項, 行政事件訴訟法第7条)")


def months_after(what: str, days: ClosedDays, known: date, months: int, basis: str, law: str,
                 why: str = OFFICE_MOVE) -> Deadline:
    """A period of months counted from the day after `known` (民法第140条, 第143条), moved off closed days."""
    start = known + ONE_DAY
    dl = Deadline(what, add_months(start, months))
    dl.say(basis.format(day=_label(known)) + _("; the period starts the next day, {start} ({law})").format(
        start=_label(start), law=law), known)
    dl.say(_("{months} months on the calendar end on {end} (民法第143条)").format(months=months, end=_label(dl.due)),
           dl.due)
    _move_off_closed(dl, days, why)
    return dl


# What a period of months is counted from, by the act it runs against (limited_period).
ACTS = {
    "decision": {"dated": N_("decision dated {day}"), "learned": N_("requester learned of the decision on {day}"),
                 "unknown": N_("the date the requester learned of the decision is not recorded: only the 1-year "
                               "limit is known; record it with --notified"),
                 "first": N_("the {months}-month period would end {end}, but the 1-year limit from the decision "
                             "comes first")},
    "ruling": {"dated": N_("ruling dated {day}"), "learned": N_("requester learned of the ruling on {day}"),
               "unknown": N_("the date the requester learned of the ruling is not recorded: only the 1-year "
                             "limit is known; record it with --notified"),
               "first": N_("the {months}-month period would end {end}, but the 1-year limit from the ruling "
                           "comes first")},
}


def limited_period(what: str, days: ClosedDays, act_on: date, learned: date | None, months: int, law: str,
                   year_law: str, act: str = "decision", why: str = OFFICE_MOVE) -> Deadline:
    """`months` from the day after learning of an act, and in any case no later than 1 year after the act."""
    words = ACTS[act]
    year = months_after(what, days, act_on, 12, _(words["dated"]), year_law, why)
    if learned is None:
        year.steps.insert(0, Step(_(words["unknown"])))
        return year
    short = months_after(what, days, learned, months, _(words["learned"]), law, why)
    if year.due < short.due:
        year.steps.insert(0, Step(_(words["first"]).format(months=months, end=_label(short.due))))
        return year
    return short


def appeal_due(days: ClosedDays, decided: date, notified: date | None) -> Deadline:
    """審査請求: 3 months from the day after learning of the decision, at most 1 year after it (行政不服審査法第18条)."""
    return limited_period(_("appeal (審査請求) due"), days, decided, notified, 3, "行政不服審査法第18条第1項",
                          "行政不服審査法第18条第2項")


def lawsuit_due(decided: date, notified: date | None, after_ruling: bool = False) -> Deadline:
    """取消訴訟: 6 months from learning of the decision, at most 1 year after it (行政事件訴訟法第14条第1項・第2項);
    after an appeal, the same counted from the ruling (同条第3項). Court holidays move the last day."""
    if after_ruling:
        return limited_period(_("lawsuit (取消訴訟) due"), COURT_DAYS, decided, notified, 6, "行政事件訴訟法第14条第3項",
                              "行政事件訴訟法第14条第3項", act="ruling", why=COURT_MOVE)
    return limited_period(_("lawsuit (取消訴訟) due"), COURT_DAYS, decided, notified, 6, "行政事件訴訟法第14条第1項",
                          "行政事件訴訟法第14条第2項", why=COURT_MOVE)


def inaction_appeal_from(due: date) -> date:
    """The first day an appeal against inaction (不作為についての審査請求, 行政不服審査法第3条) can be filed:
    the day after the decision was due."""
    return due + ONE_DAY


def earliest_disclosure_after_objection(decided: date) -> date:
    """When a third party objected, at least two weeks must lie between the decision and the disclosure
    (行政機関情報公開法第13条第3項, and most ordinances): the first possible day."""
    return decided + timedelta(days=15)
