"""Dates as Japanese offices write them: parse ISO and 和暦 (Japanese era) dates, print 和暦."""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date


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
_KANJI = re.compile(r"(令和|平成|昭和)\s*(元|\d{1,2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
_SHORT = re.compile(r"([RHS])\s*(元|\d{1,2})[./\-](\d{1,2})[./\-](\d{1,2})", re.IGNORECASE)

FORMATS_HELP = "2024-12-27, 令和6年12月27日, 令和元年5月1日, R6.12.27 or R6/12/27"


def _make(y: int, m: int, d: int, typed: str) -> date:
    if not 1 <= y <= 9999:  # year 0000: no such year in the calendar Python (and kaiji) counts with
        raise DateError(f"{typed!r} is not a date: there is no year {y}; check the year.")
    if not 1 <= m <= 12:
        raise DateError(f"{typed!r} is not a date: there is no month {m}.")
    last = calendar.monthrange(y, m)[1]
    if not 1 <= d <= last:
        raise DateError(f"{typed!r} is not a date: {y}年{m}月 has {last} days.")
    return date(y, m, d)


def _from_era(era: Era, year_text: str, m: int, d: int, typed: str) -> date:
    year = 1 if year_text == "元" else int(year_text)
    if year < 1:
        raise DateError(f"{typed!r} is not a date: era years start at 1 ({era.name}元年), there is no {era.name}{year}年.")
    result = _make(era.start.year + year - 1, m, d, typed)
    if result < era.start:
        raise DateError(f"{typed!r} is not a date: {era.name} began on {era.start.isoformat()} ({format_wareki(era.start)}).")
    if era.end and result > era.end:
        raise DateError(f"{typed!r} is not a date: {era.name} ended on {era.end.isoformat()} "
                        f"({format_wareki(era.end)}); did you mean {format_wareki(result)}?")
    return result


def parse_date(text: str) -> date:
    """Read a date written as ISO (2024-12-27) or 和暦 (令和6年12月27日, R6.12.27, H31.4.30).

    Full-width digits and letters are accepted. Raises DateError with a sentence saying what is wrong.
    """
    raw = text
    s = unicodedata.normalize("NFKC", text or "").strip()
    if not s:
        raise DateError(f"no date given; write it as {FORMATS_HELP}.")
    if m := _ISO.fullmatch(s):
        return _make(int(m[1]), int(m[2]), int(m[3]), raw)
    if m := _KANJI.fullmatch(s):
        return _from_era(_BY_NAME[m[1]], m[2], int(m[3]), int(m[4]), raw)
    if m := _SHORT.fullmatch(s):
        return _from_era(_BY_NAME[m[1].upper()], m[2], int(m[3]), int(m[4]), raw)
    raise DateError(f"{raw!r} is not a date kaiji can read; write it as {FORMATS_HELP}.")


# The days kaiji keeps records for: from the first day of 昭和 (the earliest era it prints) to the end
# of 2100. A date outside is a typing mistake (2204 for 2024), and would break 和暦 printing.
EARLIEST = date(1926, 12, 25)
LATEST = date(2100, 12, 31)


def read_date(text: str) -> date:
    """parse_date, limited to the days kaiji keeps records for (EARLIEST to LATEST)."""
    d = parse_date(text)
    if not EARLIEST <= d <= LATEST:
        raise DateError(f"{text!r} is outside the dates kaiji keeps, {EARLIEST.isoformat()} (昭和元年12月25日) to "
                        f"{LATEST.isoformat()}; check the year.")
    return d


def era_of(d: date) -> Era:
    for era in ERAS:
        if d >= era.start:
            return era
    raise DateError(f"{d.isoformat()} is before 昭和 (1926-12-25); kaiji does not print earlier eras.")


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
