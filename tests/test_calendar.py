"""`kaiji calendar`: the .ics file read back by a second reader (icalendar), its dates against dates counted by
hand, its UIDs and SEQUENCE as a calendar re-importing it needs them."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import icalendar
import pytest
from sqlalchemy import func, select

from tracker.db import reading
from tracker.models import Event

from .test_cli import REASON_5_2, SUBJECT, add_maizuru


TODAY = date(2025, 1, 6)   # the day the commands below run on: the calendar shows dates from 2024-12-07 on


@pytest.fixture(autouse=True)
def a_day_in_january_2025(monkeypatch):
    """`kaiji calendar` shows the dates from 30 days before today on: these tests' dates are of 2025."""
    import tracker.cli.calendar

    monkeypatch.setattr(tracker.cli.calendar, "today", lambda: TODAY)


def events(data: bytes) -> dict[str, icalendar.Event]:
    """The calendar's events by UID (each UID once)."""
    cal = icalendar.Calendar.from_ical(data)
    found = {}
    for ev in cal.walk("VEVENT"):
        assert str(ev["UID"]) not in found
        found[str(ev["UID"])] = ev
    return found


def export(kaiji, *args) -> bytes:
    result = kaiji.ok("calendar", *args)
    return result.stdout_bytes


def all_day(ev) -> tuple[date, date]:
    start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
    assert type(start) is date and type(end) is date  # VALUE=DATE, not a date-time
    return start, end


def decide_maizuru(kaiji, *more):
    kaiji.ok("request", "decide", "1", "--kind", "partial", "--on", "R7.1.10", "--notified", "R7.1.20",
             "--withheld", "店名の部分", "--ground", "第5条第2号", "--reason", REASON_5_2, *more)


def test_the_maizuru_case_dates_as_counted_by_hand(kaiji):
    add_maizuru(kaiji, received="R6.12.27")
    evs = events(export(kaiji))
    assert list(evs) == ["request-1-decision_due@kaiji"]
    ev = evs["request-1-decision_due@kaiji"]
    # 舞鶴市: 「請求があった日から起算して15日以内」: 12-27 is day 1, so day 15 is 2025-01-10 (a Friday).
    assert all_day(ev) == (date(2025, 1, 10), date(2025, 1, 11))
    assert str(ev["SUMMARY"]).startswith("Decision due: 舞鶴市長 — 舞鶴市が実施した")
    assert "request received 2024-12-27; the count starts on 2024-12-27" in str(ev["DESCRIPTION"])
    assert "kaiji explain 1" in str(ev["DESCRIPTION"])

    decide_maizuru(kaiji, "--fee", "190", "--disclosure-on", "R7.1.30", "--disclosure-place", "舞鶴市役所人事課")
    evs = events(export(kaiji))
    shown = json.loads(kaiji.ok("request", "show", "1", "--json").stdout)
    dates = {uid: all_day(ev)[0] for uid, ev in evs.items()}
    # Decided: the decision's date can no longer be missed. Learned of on 2025-01-20, so the 3 months start
    # on 01-21 and end on 04-20, a Sunday: the appeal moves to Monday 04-21 (地方自治法第4条の2第4項); the
    # 6 months for a lawsuit end on 07-20, a Sunday, and 07-21 is 海の日: Tuesday 07-22.
    assert dates == {"request-1-disclosure_on@kaiji": date(2025, 1, 30),
                     "request-1-fee_unpaid@kaiji": date(2025, 1, 30),
                     "request-1-appeal_due@kaiji": date(2025, 4, 21),
                     "request-1-lawsuit_due@kaiji": date(2025, 7, 22)}
    assert (shown["appeal_due"], shown["lawsuit_due"], shown["disclosure_on"]) == (
        "2025-04-21", "2025-07-22", "2025-01-30")
    appeal, lawsuit = evs["request-1-appeal_due@kaiji"], evs["request-1-lawsuit_due@kaiji"]
    assert str(appeal["SUMMARY"]).startswith("Last day to appeal: 舞鶴市長")
    assert "日曜日" in str(appeal["DESCRIPTION"]) and "行政不服審査法第18条第1項" in str(appeal["DESCRIPTION"])
    assert "海の日" in str(lawsuit["DESCRIPTION"]) and "行政事件訴訟法第14条第1項" in str(lawsuit["DESCRIPTION"])
    assert str(evs["request-1-disclosure_on@kaiji"]["LOCATION"]) == "舞鶴市役所人事課"
    assert "190 yen" in str(evs["request-1-fee_unpaid@kaiji"]["DESCRIPTION"])
    # Sorted by date; the one-line reason is one line.
    assert [all_day(e)[0] for e in evs.values()] == sorted(dates.values())
    assert "\n" not in str(appeal["DESCRIPTION"]).split("\nRequest 1:")[0]

    kaiji.ok("request", "paid", "1", "190", "--on", "R7.1.30")
    kaiji.ok("request", "disclosed", "1", "--on", "R7.1.30")
    assert set(events(export(kaiji))) == {"request-1-appeal_due@kaiji", "request-1-lawsuit_due@kaiji"}


def test_two_exports_of_the_same_records_are_the_same_bytes(kaiji, tmp_path, db_url):
    add_maizuru(kaiji)
    first = export(kaiji, "-o", "-")
    (tmp_path / "a.ics").write_bytes(first)
    kaiji.ok("calendar", "-o", str(tmp_path / "b.ics"))
    assert (tmp_path / "b.ics").read_bytes() == first
    assert first.count(b"\r\n") > 10 and b"\n" not in first.replace(b"\r\n", b"")  # CRLF lines (RFC 5545 §3.1)
    # DTSTAMP is the time the request's events were last recorded, not the time of the export.
    with reading(__import__("tracker.db", fromlist=["open_database"]).open_database(db_url)) as s:
        last = s.scalar(select(func.max(Event.recorded_at)))
    stamp = events(first)["request-1-decision_due@kaiji"].decoded("DTSTAMP")
    assert stamp.replace(tzinfo=None) == last.replace(microsecond=0)


def test_an_extension_moves_the_event_under_its_uid_with_a_higher_sequence(kaiji):
    add_maizuru(kaiji, received="2025-02-03")  # Monday; counting 02-03 as day 1, day 15 is Monday 02-17
    before = events(export(kaiji))["request-1-decision_due@kaiji"]
    assert all_day(before)[0] == date(2025, 2, 17)
    kaiji.ok("request", "note", "1", "電話で確認", "--on", "2025-02-04")  # moves no date
    assert events(export(kaiji))["request-1-decision_due@kaiji"]["SEQUENCE"] == before["SEQUENCE"]

    kaiji.ok("request", "extend", "1", "--on", "2025-02-10", "--until", "2025-03-14", "--reason", "事務処理上の困難")
    after = events(export(kaiji))["request-1-decision_due@kaiji"]
    assert all_day(after)[0] == date(2025, 3, 14)
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert str(after["SUMMARY"]).startswith("Extended decision due: 舞鶴市長")
    assert "Extension (延長) notified 2025-02-10: decision now due 2025-03-14" in str(after["DESCRIPTION"])

    # A retraction moves the date back: the SEQUENCE still grows (the timeline is append-only).
    extension = kaiji.ok("request", "show", "1", "--json").stdout
    ext_id = [e["id"] for e in json.loads(extension)["timeline"] if e["kind"] == "extension"][0]
    kaiji.ok("request", "retract", "1", str(ext_id), "--reason", "誤入力")
    again = events(export(kaiji))["request-1-decision_due@kaiji"]
    assert all_day(again)[0] == date(2025, 2, 17)
    assert again["SEQUENCE"] > after["SEQUENCE"]


def test_an_alarm_days_before_or_none(kaiji):
    add_maizuru(kaiji)
    ev = events(export(kaiji, "--remind", "3"))["request-1-decision_due@kaiji"]
    (alarm,) = ev.walk("VALARM")
    assert alarm.decoded("TRIGGER") == timedelta(days=-3) and str(alarm["ACTION"]) == "DISPLAY"
    assert b"TRIGGER:-P3D" in export(kaiji, "--remind", "3")
    ev = events(export(kaiji, "--remind", "0"))["request-1-decision_due@kaiji"]
    assert ev.walk("VALARM") == []


def test_filters_choose_the_requests_as_request_list_does(kaiji):
    add_maizuru(kaiji, received="2024-12-27")                      # 1: 市民オンブズマンまいづる
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "議事録", "--received", "2025-02-03",
             "--requester", "山田花子")                               # 2
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "未受付", "--filed", "2025-02-03")  # 3: no receipt

    def ids(*args):
        return sorted({uid.split("-")[1] for uid in events(export(kaiji, *args))})

    assert ids() == ["1", "2"]            # 3 has no date yet
    assert ids("--from", "2025-01-01") == ["2"]
    assert ids("--to", "R6.12.31") == ["1"]
    assert ids("--requester", "山田花子") == ["2"]
    assert ids("--body", "maizuru", "--status", "received") == ["1", "2"]
    result = kaiji("calendar", "--requester", "誰か")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip() == ("kaiji: error: there is no requester '誰か'; `kaiji requester list` shows "
                                     "them.")
    result = kaiji("calendar", "--from", "2025-02-01", "--to", "2025-01-01")
    assert result.exit_code == 2 and "--from 2025-02-01 comes after --to 2025-01-01" in result.stderr


def test_the_dates_from_30_days_before_today_unless_since_or_all(kaiji, monkeypatch):
    """By default what is still outstanding however old (a decision not made, a fee not paid), and the other dates
    from 30 days before today on (a date just passed still shown); --since DATE (ISO or 和暦) for another first
    day, --all for every date; both at once refused, nothing written."""
    import tracker.cli.calendar

    add_maizuru(kaiji, received="R6.12.27")        # 1: decision due 2025-01-10 (day 15 counting 12-27 as day 1)
    decide_maizuru(kaiji, "--fee", "190")          # decided R7.1.10, learned of R7.1.20: appeal by 2025-04-21
    add_maizuru(kaiji, received="2025-02-03")      # 2: decision due 2025-02-17, never made

    def uids(*args):
        return sorted(events(export(kaiji, *args)))

    appeal, lawsuit, fee = "request-1-appeal_due@kaiji", "request-1-lawsuit_due@kaiji", "request-1-fee_unpaid@kaiji"
    second = "request-2-decision_due@kaiji"
    everything = [appeal, fee, lawsuit, second]
    assert uids() == everything
    # 2025-05-21 is 30 days after the appeal's last day 04-21: still shown; a day later it is not. Request 2's
    # decision (due 02-17) and the fee charged on 01-10 are still outstanding: shown however old.
    monkeypatch.setattr(tracker.cli.calendar, "today", lambda: date(2025, 5, 21))
    assert uids() == everything
    monkeypatch.setattr(tracker.cli.calendar, "today", lambda: date(2025, 5, 22))
    assert uids() == [fee, lawsuit, second]
    assert uids("--all") == everything
    assert uids("--since", "R7.4.21") == everything and uids("--since", "2025-04-22") == [fee, lawsuit, second]
    assert uids("--since", "2099-01-01") == [fee, second]
    result = kaiji("calendar", "--since", "2025-01-01", "--all")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip() == "kaiji: error: --since and --all ask for different first days; give one of them."


def test_a_file_is_written_whole_and_replaced_only_with_force(kaiji, tmp_path, db_url):
    add_maizuru(kaiji)
    target = tmp_path / "kaiji.ics"
    result = kaiji.ok("calendar", "-o", str(target))
    assert result.stdout.strip() == f"wrote {target} (1 date)"
    assert "request-1-decision_due@kaiji" in events(target.read_bytes())
    target.write_bytes(b"old")
    result = kaiji("calendar", "-o", str(target))
    assert result.exit_code == 1 and "exists already; give --force" in result.stderr
    assert target.read_bytes() == b"old"
    kaiji.ok("calendar", "-o", str(target), "--force")
    assert "request-1-decision_due@kaiji" in events(target.read_bytes())
    if db_url.startswith("sqlite"):
        database = db_url.split("///", 1)[1]
        result = kaiji("calendar", "-o", database, "--force")
        assert result.exit_code != 0 and "database" in result.stderr


def test_titles_and_reasons_in_japanese(kaiji, monkeypatch):
    add_maizuru(kaiji, received="R6.12.27")
    monkeypatch.setenv("KAIJI_LANG", "ja")
    data = export(kaiji)
    ev = events(data)["request-1-decision_due@kaiji"]
    # The subject (39 full-width characters, 78 columns) clipped to 40 columns in the title: 19 characters
    # (38 columns) and the mark; whole in the description.
    assert str(ev["SUMMARY"]) == "決定期限: 舞鶴市長 — 舞鶴市が実施した「カスタマーハラスメン…"
    assert "令和6年12月27日" in str(ev["DESCRIPTION"]) and SUBJECT in str(ev["DESCRIPTION"])
    assert str(icalendar.Calendar.from_ical(data)["X-WR-CALNAME"]) == "kaiji: 開示請求の期限"


# ---------------------------------------------------------------- the text kaiji writes, against icalendar's

TRICKY = [
    "舞鶴市が実施した「カスタマーハラスメント」アンケートの調査結果を請求します。",
    "店名、住所；電話\\番号\n二行目\r\n三行目\r四行目",
    "a\\Nb \\n c; d, e^f ^^ \\\\",                                 # icalendar reads a written-out \N as a line end
    "絵文字😀と𠮷野家、半角ｶﾅ、全角　空白、結合文字が̈ある",
    "x" * 73 + "\\" + "y" * 10,                                      # a backslash where a fold falls
    "x" * 73 + "^" + "y" * 10,
    "x" * 72 + "\\;" + "、" * 40,
    "",
]


def reference_line(name: str, value: str) -> bytes:
    from icalendar.parser import Contentline, Parameters

    return Contentline.from_parts(name, Parameters(), icalendar.vText(value)).to_ical() + b"\r\n"


def test_escaping_and_folding_as_icalendar_writes_them():
    from tracker.calendar_ics import content_line, text

    for value in TRICKY:
        # Every shift of the text against the 75 octets, so that a fold lands on each byte of every character
        # (in a 3-byte or 4-byte character, on an escape's backslash, …).
        for shift in range(0, 80):
            shifted = "あ" * (shift % 3) + "b" * shift + value
            for name in ("DESCRIPTION", "SUMMARY", "LOCATION"):
                assert content_line(f"{name}:{text(shifted)}") == reference_line(name, shifted), (name, shifted)
    folded = content_line("DESCRIPTION:" + text("日本語" * 60))
    assert all(len(line) <= 75 for line in folded.split(b"\r\n"))
    assert "".join(line.decode().removeprefix(" ") for line in folded.split(b"\r\n")) == (
        "DESCRIPTION:" + "日本語" * 60)                                  # no line cuts a character


def icalendar_file(items, remind: int) -> bytes:
    """The calendar as icalendar writes it (what kaiji wrote before it wrote the text itself)."""
    from tracker import __version__
    from tracker.calendar_ics import description, summary
    from tracker.i18n import _, language

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
        ev.add("dtstart", e.on)
        ev.add("dtend", e.on + timedelta(days=1))
        ev.add("summary", summary(e))
        ev.add("description", description(e))
        if e.location:
            ev.add("location", e.location)
        ev.add("transp", "TRANSPARENT")
        if remind > 0:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", summary(e))
            alarm.add("trigger", timedelta(days=-remind))
            ev.add_component(alarm)
        cal.add_component(ev)
    return cal.to_ical()


def test_the_file_is_the_one_icalendar_makes_of_the_same_dates(kaiji, db_url, monkeypatch):
    """The .ics text against icalendar's of the same dates, byte for byte: every kind of date (an extension, a
    special extension's remainder, an appointment with a place that needs escaping, a fee with no appointment,
    a lawsuit counted from a ruling), in date order, in both languages, with and without alarms."""
    from tracker import service
    from tracker.calendar_ics import COLUMNS, entries, ics_chunks
    from tracker.db import open_database

    first = add_maizuru(kaiji, received="2025-02-03")
    kaiji.ok("request", "extend", str(first), "--on", "2025-02-10", "--until", "2025-03-14", "--reason", "事務処理上の困難")
    second = add_maizuru(kaiji, received="2025-02-03")
    kaiji.ok("request", "special-extend", str(second), "--on", "2025-02-10", "--part-by", "2025-03-14",
             "--rest-by", "2025-06-30")
    third = add_maizuru(kaiji, received="2024-12-27")
    kaiji.ok("request", "decide", str(third), "--kind", "partial", "--on", "R7.1.10", "--notified", "R7.1.20",
             "--withheld", "店名の部分", "--ground", "第5条第2号", "--reason", REASON_5_2, "--fee", "190",
             "--disclosure-on", "R7.1.30", "--disclosure-time", "午後2時",
             "--disclosure-place", "舞鶴市役所, 3階; 人事課\\窓口")
    fourth = add_maizuru(kaiji, received="2024-12-27")
    kaiji.ok("request", "decide", str(fourth), "--kind", "partial", "--on", "R7.1.10", "--notified", "R7.1.20",
             "--withheld", "店名の部分", "--ground", "第5条第2号", "--reason", REASON_5_2)
    kaiji.ok("request", "fee", str(fourth), "300", "--on", "2025-01-22")
    kaiji.ok("request", "appeal", str(fourth), "--on", "2025-02-01")
    kaiji.ok("request", "ruling", str(fourth), "--on", "2025-10-01", "--outcome", "upheld", "--notified", "2025-10-03")
    for lang in ("en", "ja"):
        monkeypatch.setenv("KAIJI_LANG", lang)
        for remind in (0, 3):
            with reading(open_database(db_url)) as s:
                items = list(entries(s, {}, service.jurisdiction_lookup(s)))
                ours = b"".join(ics_chunks(items, remind, batch=2))
            assert ours == icalendar_file(items, remind)
            assert ours == export(kaiji, "--remind", str(remind))
            keys = [(e.on, e.request_id, COLUMNS.index(e.column)) for e in items]
            assert keys == sorted(keys)
            assert {f"request-{first}-decision_due@kaiji", f"request-{second}-rest_due@kaiji",
                    f"request-{third}-disclosure_on@kaiji", f"request-{fourth}-fee_unpaid@kaiji",
                    f"request-{fourth}-lawsuit_due@kaiji"} <= {e.uid for e in items}
    fee = next(e for e in items if e.uid == f"request-{fourth}-fee_unpaid@kaiji")
    assert fee.on == date(2025, 1, 22)                     # no appointment: the day it was charged
    lawsuit = next(e for e in items if e.uid == f"request-{fourth}-lawsuit_due@kaiji")
    assert lawsuit.on == date(2026, 4, 3)                  # 6 months from the day after 2025-10-03


def test_an_alarm_as_icalendar_writes_it_for_any_number_of_days():
    for days in range(1, 367):
        assert f"TRIGGER:-P{days}D".encode() == icalendar.vDuration(timedelta(days=-days)).to_ical().join(
            [b"TRIGGER:", b""])
