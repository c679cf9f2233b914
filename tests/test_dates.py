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
