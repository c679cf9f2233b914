"""Dates as Japanese offices write them: parse ISO and 和暦 (Japanese era) dates, print 和暦."""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from .i18n import N_, _


class DateError(ValueError):
    """A date the user typed that is not a real date; the message says why."""


@dataclass(frozen=True)
class Era:
    name: str        # 令和
    letter: str      # R
    start: date      # first day of the era
    end: date | None  # last day, None for the current era


# Source: 元号を改める政令 (昭和・平成・令和). Dates before 昭和 are not used by kaiji.
ERAS: tuple[Era, ...] = (
    Era("令和", "R", date(2019, 5, 1), None),
    Era("平成", "H", date(1989, 1, 8), date(2019, 4, 30)),
    Era("昭和", "S", date(1926, 12, 25), date(1989, 1, 7)),
)
_BY_NAME = {e.name: e for e in ERAS} | {e.letter: e for e in ERAS}
WEEKDAYS_JA = "月火水木金土日"

_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_YMD = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
_KANJI = re.compile(r"(令和|平成|昭和)\s*(元|\d{1,2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
_SHORT = re.compile(r"([RHS])\s*(元|\d{1,2})[./\-](\d{1,2})[./\-](\d{1,2})", re.IGNORECASE)

FORMATS_HELP = N_("2024-12-27, 2024年12月27日, 令和6年12月27日, 令和元年5月1日, R6.12.27 or R6/12/27")
# A weekday written after the date, as offices do: 令和7年1月6日（月）, (月曜), （月曜日）.
_WEEKDAY = re.compile(r"\s*\(\s*([月火水木金土日])(?:曜日?)?\s*\)")
WEEKDAY_NAMES_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Dashes NFKC leaves as they are, typed for the hyphen of an ISO date.
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2212\u30fc"})
_KANJI_NUMBER = re.compile("[〇一二三四五六七八九十百千]+")
_KANJI_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")}


def kanji_number(text: str) -> int:
    """一 → 1, 十二 → 12, 二十七 → 27, 三十一 → 31, 二〇二五 → 2025, 二千二十五 → 2025."""
    if not any(c in "十百千" for c in text):  # digit by digit: 二〇二五
        return int("".join(str(_KANJI_DIGIT[c]) for c in text))
    total, digit = 0, None
    for c in text:
        if c in _KANJI_DIGIT:
            digit = _KANJI_DIGIT[c]
        else:
            total += (1 if digit is None else digit) * {"十": 10, "百": 100, "千": 1000}[c]
            digit = None
    return total + (digit or 0)


def _digits(s: str) -> str:
    """Kanji numerals as digits: 令和七年一月六日 → 令和7年1月6日."""
    return _KANJI_NUMBER.sub(lambda m: str(kanji_number(m.group())), s)


def _make(y: int, m: int, d: int, typed: str) -> date:
    if not 1 <= y <= 9999:  # year 0000: no such year in the calendar Python (and kaiji) counts with
        raise DateError(_("{typed!r} is not a date: there is no year {year}; check the year.").format(
            typed=typed, year=y))
    if not 1 <= m <= 12:
        raise DateError(_("{typed!r} is not a date: there is no month {month}.").format(typed=typed, month=m))
    last = calendar.monthrange(y, m)[1]
    if not 1 <= d <= last:
        raise DateError(_("{typed!r} is not a date: {year}年{month}月 has {days} days.").format(
            typed=typed, year=y, month=m, days=last))
    return date(y, m, d)


def _from_era(era: Era, year_text: str, m: int, d: int, typed: str) -> date:
    year = 1 if year_text == "元" else int(year_text)
    if year < 1:
        raise DateError(_("{typed!r} is not a date: era years start at 1 ({era}元年), there is no {era}{year}年.").format(
            typed=typed, era=era.name, year=year))
    result = _make(era.start.year + year - 1, m, d, typed)
    if result < era.start:
        raise DateError(_("{typed!r} is not a date: {era} began on {day} ({wareki}).").format(
            typed=typed, era=era.name, day=era.start.isoformat(), wareki=format_wareki(era.start)))
    if era.end and result > era.end:
        raise DateError(_("{typed!r} is not a date: {era} ended on {day} ({wareki}); did you mean {meant}?").format(
            typed=typed, era=era.name, day=era.end.isoformat(), wareki=format_wareki(era.end),
            meant=format_wareki(result)))
    return result


def parse_date(text: str) -> date:
    """Read a date written as ISO (2024-12-27), 2024年12月27日 or 和暦 (令和6年12月27日, R6.12.27, H31.4.30).

    Full-width digits and letters, kanji numerals (令和七年一月六日, 十二月二十七日) and a weekday in
    brackets after the date (令和7年1月6日（月）, checked against the date) are accepted. Raises DateError
    with a sentence saying what is wrong.
    """
    raw = text
    s = unicodedata.normalize("NFKC", text or "").strip().translate(_DASHES)
    if not s:
        raise DateError(_("no date given; write it as {formats}.").format(formats=_(FORMATS_HELP)))
    weekday = None
    if (w := _WEEKDAY.search(s)) and w.end() == len(s):
        weekday, s = w[1], s[:w.start()].rstrip()
    d = _read(_digits(s), raw)
    if weekday is not None and weekday != weekday_ja(d):
        raise DateError(_("{typed!r}: {date} is a {weekday} ({weekday_ja}曜日), not {given}曜日; check the date "
                          "or the weekday.").format(typed=raw, date=d.isoformat(),
                                                    weekday=WEEKDAY_NAMES_EN[d.weekday()], weekday_ja=weekday_ja(d),
                                                    given=weekday))
    return d


def _read(s: str, raw: str) -> date:
    if m := _ISO.fullmatch(s):
        return _make(int(m[1]), int(m[2]), int(m[3]), raw)
    if m := _YMD.fullmatch(s):
        return _make(int(m[1]), int(m[2]), int(m[3]), raw)
    if m := _KANJI.fullmatch(s):
        return _from_era(_BY_NAME[m[1]], m[2], int(m[3]), int(m[4]), raw)
    if m := _SHORT.fullmatch(s):
        return _from_era(_BY_NAME[m[1].upper()], m[2], int(m[3]), int(m[4]), raw)
    raise DateError(_("{typed!r} is not a date kaiji can read; write it as {formats}.").format(
        typed=raw, formats=_(FORMATS_HELP)))


# The days kaiji keeps records for: from the first day of 昭和 (the earliest era it prints) to the end
# of 2100. A date outside is a typing mistake (2204 for 2024), and would break 和暦 printing.
EARLIEST = date(1926, 12, 25)
LATEST = date(2100, 12, 31)


def read_date(text: str) -> date:
    """parse_date, limited to the days kaiji keeps records for (EARLIEST to LATEST)."""
    d = parse_date(text)
    if not EARLIEST <= d <= LATEST:
        raise DateError(_("{typed!r} is outside the dates kaiji keeps, {first} (昭和元年12月25日) to {last}; "
                          "check the year.").format(typed=text, first=EARLIEST.isoformat(), last=LATEST.isoformat()))
    return d


def era_of(d: date) -> Era:
    for era in ERAS:
        if d >= era.start:
            return era
    raise DateError(_("{day} is before 昭和 (1926-12-25); kaiji does not print earlier eras.").format(day=d.isoformat()))


def format_wareki(d: date) -> str:
    """令和6年12月27日; the first year of an era is written 元年."""
    era = era_of(d)
    year = d.year - era.start.year + 1
    return f"{era.name}{'元' if year == 1 else year}年{d.month}月{d.day}日"


def format_wareki_short(d: date) -> str:
    """R6.12.27 — compact, for tables."""
    era = era_of(d)
    return f"{era.letter}{d.year - era.start.year + 1}.{d.month}.{d.day}"


def weekday_ja(d: date) -> str:
    return WEEKDAYS_JA[d.weekday()]


def iso(d: date | None) -> str | None:
    return d.isoformat() if d else None
