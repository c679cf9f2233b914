"""Reading and printing dates: ISO and 和暦."""

from datetime import date

import pytest

from tracker.dates import DateError, format_wareki, format_wareki_short, parse_date


@pytest.mark.parametrize("text,expected", [
    ("2024-12-27", date(2024, 12, 27)),
    ("2024/12/27", date(2024, 12, 27)),
    ("令和6年12月27日", date(2024, 12, 27)),
    ("令和元年5月1日", date(2019, 5, 1)),
    ("令和1年5月1日", date(2019, 5, 1)),
    ("R6.12.27", date(2024, 12, 27)),
    ("R6/12/27", date(2024, 12, 27)),
    ("r6.12.27", date(2024, 12, 27)),
    ("H31.4.30", date(2019, 4, 30)),
    ("平成元年1月8日", date(1989, 1, 8)),
    ("昭和64年1月7日", date(1989, 1, 7)),
    ("S1.12.25", date(1926, 12, 25)),
    ("令和７年１月２０日", date(2025, 1, 20)),   # full-width digits, as typed with an IME
    (" 令和 7 年 1 月 20 日 ", date(2025, 1, 20)),
    ("2025年1月6日", date(2025, 1, 6)),
    ("２０２５－０１－０６", date(2025, 1, 6)),                 # full-width digits and hyphen
    ("２０２５年１月６日", date(2025, 1, 6)),
    ("令和七年一月六日", date(2025, 1, 6)),                     # kanji numerals
    ("令和元年五月一日", date(2019, 5, 1)),
    ("令和六年十二月二十七日", date(2024, 12, 27)),
    ("平成三十一年四月三十日", date(2019, 4, 30)),
    ("二〇二五年一月六日", date(2025, 1, 6)),
    ("二千二十五年十月三十一日", date(2025, 10, 31)),
    # With the weekday in brackets: 2025-01-06 was a Monday, 2024-12-27 a Friday, 2019-05-01 a Wednesday.
    ("令和7年1月6日（月）", date(2025, 1, 6)),
    ("令和7年1月6日(月)", date(2025, 1, 6)),
    ("令和7年1月6日 （月曜日）", date(2025, 1, 6)),
    ("令和6年12月27日（金曜）", date(2024, 12, 27)),
    ("2024-12-27（金）", date(2024, 12, 27)),
    ("令和元年5月1日（水）", date(2019, 5, 1)),
    ("令和七年一月六日（月）", date(2025, 1, 6)),
])
def test_parse(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text,fragment", [
    ("2025-02-30", "has 28 days"),
    ("2024-13-01", "no month 13"),
    ("令和0年1月1日", "there is no 令和0年"),
    ("平成32年1月1日", "平成 ended on 2019-04-30"),
    ("H31.5.1", "did you mean 令和元年5月1日"),
    ("R1.4.30", "令和 began on 2019-05-01"),
    ("昭和1年12月24日", "昭和 began on 1926-12-25"),
    ("2025-1", "is not a date kaiji can read"),
    ("tomorrow", "令和6年12月27日"),
    ("", "no date given"),
    ("令和元年4月30日", "令和 began on 2019-05-01"),
    ("平成31年5月1日", "did you mean 令和元年5月1日"),
    ("令和七年二月二十九日", "has 28 days"),               # 2025 is not a leap year
    ("令和7年1月6日（月）です", "is not a date kaiji can read"),
    ("令和7年1月6日（火）", "2025-01-06 is a Monday (月曜日), not 火曜日"),
    ("2024-12-27(木)", "2024-12-27 is a Friday (金曜日), not 木曜日"),
])
def test_refused(text, fragment):
    with pytest.raises(DateError) as exc:
        parse_date(text)
    assert fragment in str(exc.value)


@pytest.mark.parametrize("d,long,short", [
    (date(2024, 12, 27), "令和6年12月27日", "R6.12.27"),
    (date(2019, 5, 1), "令和元年5月1日", "R1.5.1"),
    (date(2019, 4, 30), "平成31年4月30日", "H31.4.30"),
    (date(1989, 1, 8), "平成元年1月8日", "H1.1.8"),
    (date(1989, 1, 7), "昭和64年1月7日", "S64.1.7"),
])
def test_format(d, long, short):
    assert format_wareki(d) == long
    assert format_wareki_short(d) == short


def test_kanji_numbers():
    from tracker.dates import kanji_number

    assert [kanji_number(t) for t in ("一", "九", "十", "十二", "二十", "二十七", "三十一", "二〇二五", "二千二十五",
                                      "千九百八十九")] == [1, 9, 10, 12, 20, 27, 31, 2025, 2025, 1989]
