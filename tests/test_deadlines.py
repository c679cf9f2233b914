"""Deadlines for every preset, each expected date worked out by hand from the rule's text.

The comment beside each case is the hand count; a calendar of the months involved is enough to
check it. Holidays used: 2024-05-03〜06 (憲法記念日, みどりの日, こどもの日, 振替休日), 2025-01-01 元日,
2025-01-13 成人の日, 2025-04-29 昭和の日, 2025-05-03〜06 (… 5/6 振替休日), 2025-07-21 海の日,
and 12月29日〜1月3日 (年末年始).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tracker import deadlines as dl
from tracker.presets import load, rule_values

D = date.fromisoformat
CLOSED = dl.ClosedDays()


def preset(key: str) -> dl.Rule:
    """The rule as shipped in tracker/data/presets.toml, so these tests check the data too."""
    j = next(j for j in load() if j["key"] == key)
    return dl.Rule(**rule_values(j["rule"][0]))


# (preset, received, expected due, how it was counted by hand)
DECISION_CASES = [
    # 舞鶴市: 15 days counting the request day itself (起算して), calendar days.
    ("maizuru", "2024-12-27", "2025-01-10", "12/27 is day 1; day 15 is 1/10 (Fri), open: the case of the papers"),
    ("maizuru", "2025-04-21", "2025-05-07", "4/21 day 1 → day 15 is 5/5 こどもの日; 5/6 振替休日; moves to 5/7"),
    ("maizuru", "2025-12-15", "2026-01-05", "day 15 is 12/29 年末年始; closed to 1/3, 1/4 Sun; moves to 1/5"),
    # 綾部市: the same wording.
    ("ayabe", "2024-12-20", "2025-01-06", "day 15 is 1/3 年末年始; 1/4 Sat, 1/5 Sun; moves to 1/6"),
    ("ayabe", "2024-04-19", "2024-05-07", "day 15 is 5/3 憲法記念日; 5/4, 5/5, 5/6 振替休日; moves to 5/7"),
    ("ayabe", "2025-03-03", "2025-03-17", "day 15 is 3/17 (Mon), open"),
    # 京都市: 14 days from the day after receipt.
    ("kyoto-city", "2024-12-16", "2025-01-06", "12/17 day 1 → day 14 is 12/30 年末年始; moves to 1/6"),
    ("kyoto-city", "2025-04-22", "2025-05-07", "4/23 day 1 → day 14 is 5/6 振替休日; moves to 5/7"),
    ("kyoto-city", "2025-06-01", "2025-06-16", "6/2 day 1 → day 14 is 6/15 (Sun); moves to 6/16"),
    # 東京都: 14 days from the request (the day after counts first).
    ("tokyo", "2024-12-20", "2025-01-06", "12/21 day 1 → day 14 is 1/3 年末年始; moves to 1/6"),
    ("tokyo", "2025-04-21", "2025-05-07", "4/22 day 1 → day 14 is 5/5; 5/6 振替休日; moves to 5/7"),
    ("tokyo", "2025-06-02", "2025-06-16", "6/3 day 1 → day 14 is 6/16 (Mon)"),
    # 安曇野市: 14 days excluding Saturdays, Sundays and holidays, from the day after.
    ("azumino", "2025-04-25", "2025-05-20", "4/28=1, 4/29 昭和の日 skipped, 4/30–5/2=2–4, 5/3–5/6 skipped, "
                                            "5/7–5/9=5–7, 5/12–16=8–12, 5/19=13, 5/20=14"),
    ("azumino", "2024-12-20", "2025-01-17", "12/23–27=1–5, 12/28–1/5 skipped, 1/6–10=6–10, 1/13 成人の日 skipped, "
                                            "1/14–17=11–14"),
    ("azumino", "2025-06-02", "2025-06-20", "6/3–6/6=1–4, 6/9–13=5–9, 6/16–20=10–14"),
    # 国: 30 days from the day after.
    ("national", "2024-12-02", "2025-01-06", "12/3 day 1 → day 30 is 1/1 元日; 1/2, 1/3, 1/4, 1/5; moves to 1/6"),
    ("national", "2025-04-04", "2025-05-07", "4/5 day 1 → day 30 is 5/4 みどりの日; 5/5, 5/6; moves to 5/7"),
    ("national", "2025-06-02", "2025-07-02", "6/3 day 1 → day 30 is 7/2 (Wed)"),
    # 独立行政法人等: the same wording as the national law (独立行政法人等情報公開法第10条第1項).
    ("dokuritsu", "2024-12-02", "2025-01-06", "12/3 day 1 → day 30 is 1/1 元日; 1/2–1/5 closed; moves to 1/6"),
    ("dokuritsu", "2025-09-12", "2025-10-14", "9/13 day 1 → day 30 is 10/12 (Sun); 10/13 スポーツの日; moves to 10/14"),
    ("dokuritsu", "2025-06-02", "2025-07-02", "6/3 day 1 → day 30 is 7/2 (Wed)"),
]


@pytest.mark.parametrize("key,received,expected,why", DECISION_CASES)
def test_decision_due(key, received, expected, why):
    result = dl.decision_due(preset(key), CLOSED, D(received))
    assert result.due == D(expected), why


def test_every_preset_has_three_hand_counted_cases():
    keys = [k for k, *_ in DECISION_CASES]
    assert {j["key"] for j in load()} == set(keys)
    assert all(keys.count(k) >= 3 for k in set(keys))


# Corrections (補正): the days after the correction is asked, up to and including the day it
# arrives, do not count where the rule says so (東京都, 国); elsewhere the clock runs on.
CORRECTION_CASES = [
    ("tokyo", "2025-06-02", "2025-06-05", "2025-06-09", "2025-06-20",
     "6/3–6/5 = days 1–3; 6/6–6/9 are the correction; 6/10 = day 4 … 6/20 = day 14 (Fri)"),
    ("national", "2025-06-02", "2025-06-10", "2025-06-20", "2025-07-14",
     "7/2 plus the 10 correction days 6/11–6/20 is 7/12 (Sat); 7/13 Sun; moves to 7/14"),
    ("maizuru", "2025-06-02", "2025-06-05", "2025-06-10", "2025-06-16",
     "the Maizuru source does not exclude correction days: 6/2 day 1 → day 15 is 6/16"),
    ("ayabe", "2025-03-03", "2025-03-05", "2025-03-12", "2025-03-17", "not excluded: unchanged 3/17"),
    ("kyoto-city", "2025-06-01", "2025-06-03", "2025-06-05", "2025-06-16", "not excluded: unchanged 6/16"),
    ("azumino", "2025-06-02", "2025-06-03", "2025-06-05", "2025-06-20", "not excluded: unchanged 6/20"),
]


@pytest.mark.parametrize("key,received,asked,answered,expected,why", CORRECTION_CASES)
def test_correction(key, received, asked, answered, expected, why):
    result = dl.decision_due(preset(key), CLOSED, D(received), [dl.Pause(D(asked), D(answered))])
    assert result.due == D(expected), why


def test_unanswered_correction_stops_the_clock_where_excluded():
    result = dl.decision_due(preset("tokyo"), CLOSED, D("2025-06-02"), [dl.Pause(D("2025-06-05"), None)])
    assert result.due is None
    assert "not yet answered" in result.steps[-1].text
    # Where correction days count, an open correction changes nothing.
    assert dl.decision_due(preset("maizuru"), CLOSED, D("2025-06-02"),
                           [dl.Pause(D("2025-06-05"), None)]).due == D("2025-06-16")


# The latest date an extension (延長) may set.
EXTENSION_CASES = [
    ("maizuru", "2024-12-27", "2025-03-11", "60 days from 1/11 (the day after 1/10): 1/11–1/31 = 21, Feb 28 → 49, "
                                             "3/11 = 60 (Tue)"),
    ("ayabe", "2025-03-03", "2025-05-16", "first due 3/17; 3/18–3/31 = 14, April 30 → 44, 5/16 = 60 (Fri)"),
    ("tokyo", "2025-06-02", "2025-08-01", "60 days from the request: 6/3–6/30 = 28, July 31 → 59, 8/1 = 60 (Fri)"),
    ("azumino", "2025-04-25", "2025-06-19", "first due 5/20; 5/21–5/31 = 11, 6/19 = 30 (Thu)"),
    ("national", "2025-06-02", "2025-08-01", "first due 7/2; 7/3 + 29 days = 8/1 (Fri)"),
    # Issue 9, item 1: the extra days are added to the period itself (第10条第2項 「同項に規定する期間」;
    # 第11条 「開示請求があった日から六十日以内」), not to its last day after a move off a closed day.
    ("national", "2025-01-10", "2025-03-11", "1/11 day 1; day 30 is 2/9 (Sun; the decision moves to 2/10, the cap "
                                             "does not): 2/10–2/28 = 19, 3/11 = 30 (Tue), i.e. day 60 from 1/11"),
    ("national", "2025-09-12", "2025-11-11", "9/13 day 1; day 30 is 10/12 (Sun); day 60: 9/13–9/30 = 18, "
                                             "October → 49, 11/11 = 60 (Tue)"),
    ("national", "2025-11-28", "2026-01-27", "11/29 day 1; day 30 is 12/28 (Sun); day 60: 11/29–30 = 2, "
                                             "December → 33, 1/27 = 60 (Tue), across 年末年始 counted once"),
    ("maizuru", "2026-12-28", "2027-03-12", "12/28 day 1; day 15 is 1/11 成人の日 (the decision moves to 1/12); "
                                            "1/12–1/31 = 20, February → 48, 3/12 = 60 (Fri)"),
    # Issue 9, item 9: 京都市条例第11条 (secondary source): 「期間満了日の翌日から起算して30日を限度」.
    ("kyoto-city", "2025-06-01", "2025-07-15", "6/2 day 1; day 14 is 6/15 (Sun; the decision moves to 6/16); "
                                               "6/16–6/30 = 15, 7/15 = 30 (Tue)"),
    ("dokuritsu", "2025-01-10", "2025-03-11", "as the national law: day 60 from 1/11 is 3/11 (Tue)"),
]


@pytest.mark.parametrize("key,received,expected,why", EXTENSION_CASES)
def test_extension_limit(key, received, expected, why):
    rule = preset(key)
    first = dl.decision_due(rule, CLOSED, D(received)).due
    assert dl.extension_limit(rule, CLOSED, D(received), first).due == D(expected), why


def test_kyoto_city_extension_limit_says_its_source_is_secondary():
    rule = preset("kyoto-city")
    limit = dl.extension_limit(rule, CLOSED, D("2025-06-01"), D("2025-06-16"))
    assert "secondary source" in limit.steps[0].text and "第11条" in limit.steps[0].text


def test_a_rule_without_an_extension_limit_says_so():
    rule = replace(preset("kyoto-city"), extension_max_days=None)
    limit = dl.extension_limit(rule, CLOSED, D("2025-06-01"), D("2025-06-16"))
    assert limit.due is None and "no extension limit" in limit.steps[0].text


def test_a_users_rule_counts_its_limit_on_the_unmoved_period():
    # 10 days from the day after, up to 20 more, last days moved: received 6/4 (Wed), 6/5 day 1,
    # day 10 is 6/14 (Sat): the decision moves to 6/16 (Mon). The limit: 6/15 is day 1 of the 20,
    # day 20 is 7/4 (Fri). Counted from the moved day it would be 7/6 (Sun) → 7/7.
    rule = dl.Rule(10, False, False, True, 20, "period_end", False, "a group's own rule")
    first = dl.decision_due(rule, CLOSED, D("2025-06-04")).due
    assert first == D("2025-06-16")
    assert dl.extension_limit(rule, CLOSED, D("2025-06-04"), first).due == D("2025-07-04")


def test_the_limit_moves_only_when_its_own_last_day_is_closed():
    # 国, received 2025-02-06: 2/7 day 1, day 30 is 3/8 (Sat) → decision 3/10; day 60 is 4/7 (Mon), open.
    # Received 2025-02-04: day 60 is 4/5 (Sat): moves once, to 4/7 (Mon).
    rule = preset("national")
    for received, expected in (("2025-02-06", "2025-04-07"), ("2025-02-04", "2025-04-07")):
        first = dl.decision_due(rule, CLOSED, D(received)).due
        assert dl.extension_limit(rule, CLOSED, D(received), first).due == D(expected), received


def test_tokyo_extension_limit_is_not_pushed_back_by_corrections():
    # 東京都条例第12条第2項: 60 days from the request, with no clause excluding correction days
    # (setting correction_extends_limit=false): 6/3 day 1 … 8/1 = day 60 (Fri), the correction
    # 6/6–6/9 notwithstanding. With the setting on, the 4 days push it to 8/5 (Tue).
    rule = preset("tokyo")
    pauses = [dl.Pause(D("2025-06-05"), D("2025-06-09"))]
    first = dl.decision_due(rule, CLOSED, D("2025-06-02"), pauses).due
    limit = dl.extension_limit(rule, CLOSED, D("2025-06-02"), first, pauses)
    assert limit.due == D("2025-08-01")
    assert any("correction_extends_limit=false" in s.text for s in limit.steps)
    pushed = replace(rule, correction_extends_limit=True)
    assert dl.extension_limit(pushed, CLOSED, D("2025-06-02"), first, pauses).due == D("2025-08-05")


def test_national_extension_limit_is_pushed_back_by_corrections():
    # 第10条第2項 extends the period of 第1項, whose correction days are excluded: received 6/2,
    # correction asked 6/10, answered 6/20 (10 days 6/11–6/20 not counted): day 60 from 6/3
    # is 8/1, plus 10 = 8/11 (Mon, 山の日 is 8/11! closed) → 8/12 (Tue).
    rule = preset("national")
    pauses = [dl.Pause(D("2025-06-10"), D("2025-06-20"))]
    first = dl.decision_due(rule, CLOSED, D("2025-06-02"), pauses).due
    assert dl.extension_limit(rule, CLOSED, D("2025-06-02"), first, pauses).due == D("2025-08-12")


def test_correction_days_setting_both_excludes_the_day_asked_too():
    # 東京都, received 6/2, correction asked 6/5, answered 6/9. after_asked (the preset): 6/3–6/5 are
    # days 1–3, 6/6–6/9 not counted, 6/10 day 4 … 6/20 day 14 (Fri). both: 6/5 is not counted
    # either: 6/3–6/4 days 1–2, 6/10 day 3 … 6/21 day 14 (Sat) → 6/22 Sun → 6/23 (Mon).
    pauses = [dl.Pause(D("2025-06-05"), D("2025-06-09"))]
    after = dl.decision_due(preset("tokyo"), CLOSED, D("2025-06-02"), pauses)
    both = dl.decision_due(replace(preset("tokyo"), correction_days="both"), CLOSED, D("2025-06-02"), pauses)
    assert (after.due, both.due) == (D("2025-06-20"), D("2025-06-23"))
    assert "correction_days=after_asked" in after.steps[0].text and "correction_days=both" in both.steps[0].text


def test_the_rule_line_names_every_setting():
    text = dl.decision_due(preset("national"), CLOSED, D("2025-06-02")).steps[0].text
    assert "correction_days=after_asked" in text and "move_off_closed=true" in text
    assert "correction_days" not in dl.decision_due(preset("maizuru"), CLOSED, D("2025-06-02")).steps[0].text


APPEAL_CASES = [
    # (decided, learned, expected, hand count)
    ("2025-01-10", "2025-01-20", "2025-04-21", "from 1/21: 3 months end 4/20 (Sun); moves to 4/21 (the case)"),
    ("2025-01-28", "2025-01-30", "2025-04-30", "from 1/31: April has no 31st, so the period ends 4/30 (民法第143条第2項)"),
    ("2024-11-25", "2024-11-29", "2025-02-28", "from 11/30: February has no 30th; ends 2/28 (Fri)"),
    ("2025-09-20", "2025-09-28", "2026-01-05", "from 9/29: ends 12/28 (Sun); 12/29–1/3 closed, 1/4 Sun; 1/5"),
    ("2024-01-10", "2024-12-20", "2025-01-10", "3 months would end 3/20, but 1 year from 1/11/2024 ends 1/10/2025"),
]


@pytest.mark.parametrize("decided,learned,expected,why", APPEAL_CASES)
def test_appeal_due(decided, learned, expected, why):
    assert dl.appeal_due(CLOSED, D(decided), D(learned)).due == D(expected), why


def test_appeal_due_without_the_date_learned_gives_the_one_year_limit():
    result = dl.appeal_due(CLOSED, D("2025-01-10"), None)
    assert result.due == D("2026-01-13")  # 1/10/2026 is a Saturday; 1/11 Sun, 1/12 成人の日 → 1/13
    assert "not recorded" in result.steps[0].text


LAWSUIT_CASES = [
    # (decided or ruled, learned, after a ruling, expected, hand count)
    ("2025-01-10", "2025-01-20", False, "2025-07-22", "from 1/21: 6 months end 7/20 (Sun); 7/21 海の日; so 7/22"),
    ("2024-01-10", "2024-12-20", False, "2025-01-10", "6 months would end 6/20, but 1 year from 1/11/2024 ends 1/10"),
    ("2024-02-28", "2025-02-27", False, "2025-02-28", "1 year from 2/29/2024: Feb 2025 has no 29th, ends 2/28"),
    ("2025-09-01", "2025-09-03", True, "2026-03-03", "ruling learned 9/3: from 9/4, 6 months end 3/3 (Tue)"),
]


@pytest.mark.parametrize("decided,learned,after_ruling,expected,why", LAWSUIT_CASES)
def test_lawsuit_due(decided, learned, after_ruling, expected, why):
    result = dl.lawsuit_due(D(decided), D(learned), after_ruling)
    assert result.due == D(expected), why
    assert any("第14条第3項" in step.text for step in result.steps) == after_ruling


def test_add_months_follows_civil_code_143():
    assert dl.add_months(D("2025-01-21"), 3) == D("2025-04-20")
    assert dl.add_months(D("2025-01-31"), 1) == D("2025-02-28")
    assert dl.add_months(D("2024-01-31"), 1) == D("2024-02-29")
    assert dl.add_months(D("2025-11-01"), 3) == D("2026-01-31")
    assert dl.add_months(D("2025-12-15"), 12) == D("2026-12-14")


def test_explanation_lists_every_day_and_the_move():
    result = dl.decision_due(preset("maizuru"), CLOSED, D("2025-04-21"))
    counted = [s for s in result.steps if s.counted]
    assert [s.counted for s in counted] == list(range(1, 16))
    assert counted[0].day == D("2025-04-21") and counted[-1].day == D("2025-05-05")
    texts = [s.text for s in result.steps]
    assert any("こどもの日" in t and "moves on" in t for t in texts)
    assert any("振替休日" in t for t in texts)
    assert "2025-05-07" in texts[-1]
    assert "city.maizuru.kyoto.jp" in texts[0]


def test_extra_closed_day_of_a_jurisdiction_moves_a_deadline():
    days = dl.ClosedDays(extra={D("2025-03-17"): "庁舎停電"})
    assert dl.decision_due(preset("ayabe"), days, D("2025-03-03")).due == D("2025-03-18")


def test_a_rule_that_does_not_move_keeps_a_sunday():
    rule = dl.Rule(**{**preset("kyoto-city").__dict__, "move_off_closed": False})
    assert dl.decision_due(rule, CLOSED, D("2025-06-01")).due == D("2025-06-15")


@pytest.mark.parametrize("working_days", [True, False])
def test_a_shared_count_gives_each_spans_own_count(working_days):
    """deadlines.SharedCount (the requests export's days counted by the rule) against a count of each span on its
    own, for spans asked in no order, reaching before and after what was counted, across year ends and holidays."""
    import random

    rule = dl.Rule(period_days=14, counts_request_day=False, working_days=working_days, move_off_closed=True,
                   extension_max_days=30, extension_from="period_end", exclude_correction=True, source="test")
    days = dl.ClosedDays(True, {D("2024-08-13"): "夏季休業", D("2025-05-07"): "庁舎点検"})
    shared = dl.SharedCount(rule, days)
    pick = random.Random(5)
    spans = [(D("2024-12-20"), D("2025-01-10")), (D("2024-12-20"), D("2024-12-20")), (D("2025-01-02"), D("2025-01-03"))]
    for _ in range(300):
        first = D("2023-06-01") + dl.timedelta(days=pick.randrange(800))
        spans.append((first, first + dl.timedelta(days=pick.randrange(90))))
    for first, last in spans:
        assert shared.days(first, last) == dl.day_numbers(rule, days, first, last)[-1], (first, last)
    assert shared.days(D("2025-01-10"), D("2025-01-09")) == 0
    # Not trivially the calendar: the closed days are left out of a working-days count.
    assert (shared.days(D("2024-12-27"), D("2025-01-06")) == 2) is working_days


def test_the_national_holidays_are_kept_in_the_cache_folder_and_read_back_without_jpholiday(tmp_path):
    # A year jpholiday has worked out is kept in a file of the user's cache folder; the next command reads it
    # from there and does not import jpholiday (60 ms) nor work the year out again (tens of ms). 2025's holidays
    # by hand: 元日 01-01, 成人の日 01-13, 建国記念の日 02-11, 天皇誕生日 02-23 and 振替休日 02-24, 春分の日
    # 03-20, 昭和の日 04-29, 憲法記念日 05-03, みどりの日 05-04, こどもの日 05-05, 振替休日 05-06, 海の日
    # 07-21, 山の日 08-11, 敬老の日 09-15, 秋分の日 09-23, スポーツの日 10-13, 文化の日 11-03, 勤労感謝の日
    # 11-23 and 振替休日 11-24: nineteen. Each "command" is a process of its own, as kaiji's are.
    import json
    import os
    import subprocess
    import sys

    program = ("import json, sys; from tracker import deadlines as dl; days = dl._holidays(2025); "
               "print(json.dumps([[d.strftime('%m-%d'), n] for d, n in days] + ['jpholiday' in sys.modules]))")

    def command() -> tuple[list, bool]:
        out = subprocess.run([sys.executable, "-c", program], env=os.environ | {"XDG_CACHE_HOME": str(tmp_path)},
                             capture_output=True, text=True, check=True).stdout
        *days, imported = json.loads(out)
        return days, imported

    first, imported = command()
    assert [d for d, _n in first] == ["01-01", "01-13", "02-11", "02-23", "02-24", "03-20", "04-29", "05-03",
                                      "05-04", "05-05", "05-06", "07-21", "08-11", "09-15", "09-23", "10-13",
                                      "11-03", "11-23", "11-24"] and imported
    assert dict(first)["02-24"].endswith("振替休日") and dict(first)["01-01"] == "元日"
    (kept,) = (tmp_path / "kaiji" / "holidays").iterdir()
    assert json.loads(kept.read_text(encoding="utf-8"))["2025"][0] == ["2025-01-01", "元日"]
    assert command() == (first, False)           # read back: jpholiday not even imported
    # A damaged file is not believed: the year is worked out again and the file written whole.
    kept.write_text('{"2025": [["2025-01-0', encoding="utf-8")
    assert command() == (first, True)
    assert json.loads(kept.read_text(encoding="utf-8"))["2025"][0] == ["2025-01-01", "元日"]
