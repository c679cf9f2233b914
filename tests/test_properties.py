"""Properties of the date parser and the deadline arithmetic, over every day or random rules and dates.

- Parsing what the formatter prints gives the same date back, for every day kaiji keeps.
- A deadline never comes before the receipt date, and never lands on a closed day when the rule
  moves it off one (or counts only open days).
- A correction pause (補正) or an extension (延長) never makes a deadline earlier.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker import deadlines as dl
from tracker.dates import EARLIEST, ERAS, LATEST, DateError, format_wareki, format_wareki_short, parse_date, read_date

from .conftest import examples

ONE = timedelta(days=1)


def every_day():
    d = EARLIEST
    while d <= LATEST:
        yield d
        d += ONE


def test_parsing_what_is_printed_gives_the_same_day_back_for_every_day():
    """Every day kaiji keeps in the full run (CI, `pytest`); in the quick run a sixth of them, every sixth day
    from a first one drawn anew each run, and the first and last day of every era."""
    days = list(every_day())
    assert len(days) == (LATEST - EARLIEST).days + 1 == 63_560
    step = len(days) // examples(len(days))  # 1 in the full run
    edges = {d for era in ERAS for d in (era.start, era.start - ONE, era.end) if d and EARLIEST <= d <= LATEST}
    checked = 0
    for d in sorted(set(days[random.randrange(step)::step]) | edges):
        for text in (format_wareki(d), format_wareki_short(d), d.isoformat(), d.strftime("%Y/%m/%d")):
            assert parse_date(text) == d, text
        assert read_date(format_wareki(d)) == d
        checked += 1
    assert checked >= len(days) // 6


def test_the_first_year_of_each_era_is_printed_gannen_and_read_back():
    for d in (date(1926, 12, 25), date(1989, 1, 8), date(2019, 5, 1)):
        assert "元年" in format_wareki(d)
        assert parse_date(format_wareki(d)) == d
        assert parse_date(format_wareki(d).replace("元年", "1年")) == d


@pytest.mark.parametrize("d", [EARLIEST - ONE, LATEST + ONE, date(9999, 12, 31), date(1, 1, 1)])
def test_days_outside_the_range_are_refused(d):
    with pytest.raises(DateError, match="outside the dates kaiji keeps"):
        read_date(d.isoformat())


# ---------------------------------------------------------------- deadline arithmetic

days_kept = st.dates(min_value=EARLIEST, max_value=LATEST - timedelta(days=800))

rules = st.builds(
    dl.Rule,
    period_days=st.integers(1, 60),
    counts_request_day=st.booleans(),
    working_days=st.booleans(),
    move_off_closed=st.booleans(),
    extension_max_days=st.none() | st.integers(1, 90),
    extension_from=st.sampled_from(["period_end", "request"]),
    exclude_correction=st.booleans(),
    source=st.just("property test"),
)


@st.composite
def calendars(draw, near: date | None = None):
    """Weekends, national holidays, maybe 年末年始, and a few of a city's own closed days."""
    base = near or date(2025, 1, 1)
    extra = draw(st.lists(st.integers(0, 120), max_size=6))
    return dl.ClosedDays(year_end_closure=draw(st.booleans()),
                         extra={base + timedelta(days=i): "臨時休庁" for i in extra})


@st.composite
def cases(draw):
    rule = draw(rules)
    received = draw(days_kept)
    days = draw(calendars(received))
    return rule, days, received


@st.composite
def pauses_after(draw, received: date, answered: bool = True):
    """Corrections one after another, as a timeline records them: each asked after the last was answered."""
    out, at = [], received
    for _ in range(draw(st.integers(0, 3))):
        asked = at + timedelta(days=draw(st.integers(0, 20)))
        out.append(dl.Pause(asked, asked + timedelta(days=draw(st.integers(0, 30)))))
        at = out[-1].answered
    return out


SETTINGS = settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def moves_off_closed(rule: dl.Rule) -> bool:
    return rule.move_off_closed or rule.working_days


@SETTINGS
@given(cases(), st.data())
def test_the_decision_is_never_due_before_receipt_nor_on_a_closed_day_the_rule_moves_off(case, data):
    rule, days, received = case
    pauses = data.draw(pauses_after(received))
    due = dl.decision_due(rule, days, received, pauses).due
    assert due is not None and due >= received
    assert due >= dl.first_day(rule, received) + timedelta(days=rule.period_days - 1)
    if moves_off_closed(rule):
        assert days.reason(due) is None, (due, days.reason(due))


@SETTINGS
@given(cases(), st.data())
def test_a_correction_pause_never_makes_the_decision_earlier(case, data):
    rule, days, received = case
    pauses = data.draw(pauses_after(received))
    without = dl.decision_due(rule, days, received, pauses[:-1]).due
    with_it = dl.decision_due(rule, days, received, pauses).due
    assert with_it >= without
    if pauses:  # a pause that lasts longer moves it no earlier either
        last = pauses[-1]
        longer = pauses[:-1] + [dl.Pause(last.asked, last.answered + timedelta(days=data.draw(st.integers(1, 10))))]
        assert dl.decision_due(rule, days, received, longer).due >= with_it
        # and one still unanswered stops the clock: no date at all, rather than an early one
        open_ = pauses[:-1] + [dl.Pause(last.asked, None)]
        stopped = dl.decision_due(rule, days, received, open_).due
        assert stopped is None or not rule.exclude_correction or stopped >= without


@SETTINGS
@given(cases(), st.data())
def test_the_extension_limit_never_comes_before_the_first_deadline(case, data):
    rule, days, received = case
    pauses = data.draw(pauses_after(received))
    first = dl.decision_due(rule, days, received, pauses).due
    limit = dl.extension_limit(rule, days, received, first, pauses).due
    if rule.extension_max_days is None:
        assert limit is None
        return
    assert limit >= first
    if rule.move_off_closed:
        assert days.reason(limit) is None


@SETTINGS
@given(days_kept, st.integers(0, 60), calendars())
def test_the_appeal_and_lawsuit_periods_run_after_the_decision_and_end_on_open_days(decided, later, days):
    notified = decided + timedelta(days=later)
    appeal = dl.appeal_due(days, decided, notified).due
    assert appeal > notified and appeal > decided
    assert appeal <= dl.appeal_due(days, decided, None).due  # the 1-year limit caps it
    assert days.reason(appeal) is None
    suit = dl.lawsuit_due(decided, notified).due
    assert suit > notified and dl.COURT_DAYS.reason(suit) is None
    assert suit <= dl.lawsuit_due(decided, None).due  # the 1-year limit caps it too


@SETTINGS
@given(st.dates(min_value=EARLIEST, max_value=LATEST), st.integers(1, 24))
def test_a_period_of_months_ends_the_day_before_the_same_date(start, months):
    end = dl.add_months(start, months)
    nxt = end + ONE  # the next period starts on the same day number, or the month had no such day
    assert nxt.day == start.day or (nxt.day == 1 and start.day > end.day)
    # and it is `months` calendar months on: the month of the end's next day is start's month + months
    # (or, where that month is too short, the end is that month's last day)
    target = (start.year * 12 + start.month - 1 + months)
    assert nxt.year * 12 + nxt.month - 1 in (target, target + 1)
    if nxt.day == 1 and start.day != 1:
        assert end.year * 12 + end.month - 1 == target
