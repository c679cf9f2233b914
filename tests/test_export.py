"""`kaiji export` and `kaiji request import` of what Excel writes: each file read back by a second reader
(the csv module with utf-8-sig and cp932, openpyxl for .xlsx), dates counted by hand, and the round trip
export → import into an empty database giving the same requests."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date, datetime

import openpyxl
import pytest

from tracker import db as dbm
from tracker import schema
from tracker import service

from .conftest import PG_URL, Kaiji, reset_postgres


def _maizuru_case(kaiji: Kaiji) -> None:
    """Request 1: the Maizuru case (舞鶴市情報公開条例: 15 days counted from the request day itself).
    Request 2: a subject a spreadsheet would run as a formula. Request 3: a national agency (30 days from
    the day after the request). Recorded through the library in one transaction (fast); the commands that
    record them are tested elsewhere."""
    engine = dbm.open_database(kaiji.url)
    with dbm.transaction(engine) as s:
        service.add_requester(s, "市民オンブズマンまいづる", "group", address="舞鶴市北吸1044", phone="0773-00-0000")
        service.add_request(s, body="maizuru", subject="カスタマーハラスメントアンケートの調査結果",
                            filed=date(2024, 12, 25), received=date(2024, 12, 27), requester="市民オンブズマンまいづる",
                            methods=["copy"], mail=True, reason="市政の透明性のため", reference="R6-100",
                            department_name="人事課")
        service.decide(s, 1, kind="partial", on=date(2025, 1, 14), notified=date(2025, 1, 16),
                       withheld=[service.Withheld("職員の氏名", "第5条第2号", "個人の情報")],
                       documents=["アンケート集計表"], fee=1520)
        service.record(s, 1, "fee_paid", date(2025, 1, 20), {"amount": 1000})
        service.add_request(s, body="maizuru", subject='=HYPERLINK("http://x")', received=date(2025, 1, 6),
                            methods=["inspect"])
        service.add_request(s, body="national", subject="行政文書ファイル管理簿", received=date(2025, 1, 6))
        service.decide(s, 3, kind="full", on=date(2025, 2, 5))
    engine.dispose()


def _csv_rows(data: bytes, encoding: str = "utf-8-sig") -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode(encoding), newline="")))


def test_csv_is_utf8_with_a_bom_and_crlf_with_the_days_counted_by_hand(kaiji, tmp_path):
    _maizuru_case(kaiji)
    out = tmp_path / "requests.csv"
    assert kaiji.ok("export", "requests", "-o", str(out)).stdout == f"wrote {out} (3 rows)\n"
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == 4 and b"\n" not in data.replace(b"\r\n", b"")
    rows = _csv_rows(data)
    first, formula, national = rows
    assert (first["body"], first["received"], first["decision due"], first["decided"], first["notified"]) == (
        "舞鶴市長", "2024-12-27", "2025-01-10", "2025-01-14", "2025-01-16")
    # 2024-12-27 → 2025-01-14: 4 days left of December and 14 of January, 18 calendar days. The ordinance counts
    # the request day as day 1 (起算して) and closed days too: 12-27 is day 1, 01-10 day 15 (due), 01-14 day 19.
    assert (first["days taken (calendar)"], first["days taken (counted by the rule)"], first["late"]) == (
        "18", "19", "yes")
    # The national law: 30 days from the day after (民法第140条): 01-07 is day 1, 02-05 day 30, on time.
    assert (national["decision due"], national["days taken (calendar)"], national["days taken (counted by the rule)"],
            national["late"]) == ("2025-02-05", "30", "30", "no")
    assert (first["decision kind"], first["withheld parts (grounds)"], first["fee charged (yen)"],
            first["fee paid (yen)"]) == ("partial", "職員の氏名 (第5条第2号)", "1520", "1000")
    assert (first["reference number"], first["method"], first["mail"], first["department"]) == ("R6-100", "copy", "yes",
                                                                                          "人事課")
    assert formula["subject"] == "'=HYPERLINK(\"http://x\")"  # text, not a formula
    assert "requester's address" not in first and b"0773" not in data and "北吸".encode() not in data
    with_contacts = _csv_rows(kaiji.ok("export", "requests", "--with-contacts").stdout_bytes)
    assert (with_contacts[0]["requester's address"], with_contacts[0]["requester's telephone"]) == (
        "舞鶴市北吸1044", "0773-00-0000")


def test_cp932_is_read_back_and_a_character_it_cannot_hold_is_refused_naming_row_and_column(kaiji, tmp_path):
    _maizuru_case(kaiji)
    data = kaiji.ok("export", "requests", "--encoding", "cp932", "--fields", "id,subject,received").stdout_bytes
    assert not data.startswith(b"\xef\xbb\xbf")
    assert [list(r.values()) for r in _csv_rows(data, "cp932")][0] == [
        "1", "カスタマーハラスメントアンケートの調査結果", "2024-12-27"]
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "𠮷野家の領収書", "--received", "2025-01-07")
    out = tmp_path / "sjis.csv"
    result = kaiji("export", "requests", "--encoding", "cp932", "-o", str(out))
    assert result.exit_code == 2 and not out.exists()
    assert result.stderr.startswith("kaiji: error: row 5, column subject: the character 𠮷 (U+20BB7) has no place "
                                    "in cp932") and len(result.stderr.splitlines()) == 1


def test_xlsx_has_date_cells_fitted_columns_a_frozen_header_and_filters(kaiji, tmp_path, monkeypatch):
    _maizuru_case(kaiji)
    out = tmp_path / "r.xlsx"
    kaiji.ok("export", "requests", "--format", "xlsx", "-o", str(out))
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["requests"]
    ws = book["requests"]
    head = [c.value for c in ws[1]]
    received, subject = head.index("received") + 1, head.index("subject") + 1
    assert (ws.freeze_panes, ws.auto_filter.ref) == ("A2", f"A1:{ws.cell(1, len(head)).column_letter}4")
    cell = ws.cell(2, received)
    assert (cell.value, cell.number_format) == (datetime(2024, 12, 27), "yyyy-mm-dd")
    assert ws.cell(3, subject).value == "'=HYPERLINK(\"http://x\")" and ws.cell(3, subject).data_type == "s"
    # 21 full-width characters take 42 columns; the width is that and a margin, not 21.
    width = ws.column_dimensions[ws.cell(1, subject).column_letter].width
    assert 42 <= width <= 46
    assert ws.cell(2, head.index("days taken (counted by the rule)") + 1).value == 19
    monkeypatch.setenv("KAIJI_LANG", "ja")
    kaiji.ok("export", "decisions", "--format", "xlsx", "-o", str(tmp_path / "d.xlsx"))
    ws = openpyxl.load_workbook(tmp_path / "d.xlsx").worksheets[0]
    decided = next(c for c in ws[2] if isinstance(c.value, datetime))
    assert decided.value == datetime(2025, 1, 14) and "ggge" in decided.number_format  # 和暦: 令和7年1月14日


def test_xlsx_needs_a_file_and_fields_are_checked(kaiji):
    for args, words in ((["--format", "xlsx"], "an xlsx workbook cannot go to standard output"),
                        (["--fields", "id,colour"], "'colour' is not a field of the requests export"),
                        (["--fields", "requester_phone"], "requester_phone is personal data; add --with-contacts"),
                        (["--format", "json", "--encoding", "cp932"], "--encoding applies to CSV only")):
        result = kaiji("export", "requests", *args)
        assert result.exit_code == 2 and words in result.stderr and len(result.stderr.splitlines()) == 1, args


def test_deadlines_and_decisions_and_the_shared_filters(kaiji, monkeypatch):
    _maizuru_case(kaiji)
    monkeypatch.setattr("tracker.cli.export.today", lambda: date(2025, 1, 20))
    deadlines = json.loads(kaiji.ok("export", "deadlines", "--format", "json", "--body", "maizuru").stdout)
    # Request 1 is decided: its appeal is due 3 months after the day after it learned (01-16 → 04-16), a lawsuit
    # 6 months from learning (07-16); 520 yen of its fee unpaid. Request 2 is due 15 days from 01-06: 01-20.
    assert [(d["id"], d["kind"], d["date"], d["days_left"], d["amount"]) for d in deadlines] == [
        (1, "last day to appeal", "2025-04-16", 86, None), (1, "last day to sue", "2025-07-16", 177, None),
        (1, "fee unpaid", None, None, 520), (2, "decision due", "2025-01-20", 0, None)]
    kaiji.ok("request", "extend", "2", "--on", "2025-01-15", "--until", "2025-02-28", "--reason", "事務処理上の困難")
    deadlines = json.loads(kaiji.ok("export", "deadlines", "--format", "json", "--fields", "id,kind,date,days_left",
                                    "--status", "extended").stdout)
    assert deadlines == [{"id": 2, "kind": "extended decision due", "date": "2025-02-28", "days_left": 39}]  # 11 + 28
    decisions = json.loads(kaiji.ok("export", "decisions", "--format", "json").stdout)
    assert [(d["id"], d["decision_kind"], d["decided"], d["documents"], d["fee"]) for d in decisions] == [
        (1, "partial", "2025-01-14", "アンケート集計表", 1520), (3, "full", "2025-02-05", None, None)]
    chosen = json.loads(kaiji.ok("export", "requests", "--format", "json", "--fields", "id", "--from", "2025-01-01",
                                 "--to", "2025-01-06", "--requester", "市民オンブズマンまいづる").stdout)
    assert chosen == []
    chosen = json.loads(kaiji.ok("export", "requests", "--format", "json", "--fields", "id,late",
                                 "--from", "2025-01-01").stdout)
    assert chosen == [{"id": 2, "late": False}, {"id": 3, "late": False}]


def _empty_database(template: str, tmp_path) -> str:
    """Another fresh database (SQLite: a copy of the template; PostgreSQL: the test database emptied)."""
    if PG_URL:
        from sqlalchemy import text

        from tracker.models import Base
        from tracker.presets import seed

        engine = dbm.make_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(t.name for t in Base.metadata.sorted_tables)} RESTART IDENTITY "
                              "CASCADE"))
        with dbm.transaction(engine) as s:
            seed(s)
        engine.dispose()
        return PG_URL
    path = tmp_path / "empty.sqlite3"
    shutil.copy(template, path)
    return dbm.database_url(str(path))


SAME = ("body", "subject", "requester", "methods", "mail", "reason", "reference", "filed_on", "received_on",
        "decision_due")


def _requests(url: str) -> list[tuple]:
    engine = dbm.open_database(url)
    with dbm.transaction(engine) as s:
        out = [tuple(service.request_dict(r)[k] for k in SAME) + (r.department.name if r.department else None,)
               for r in service.iter_requests(s)]
    engine.dispose()
    return out


@pytest.mark.parametrize("fmt,lang", [("csv", "en"), ("xlsx", "ja"), ("csv", "ja")])
def test_an_export_imports_into_an_empty_database_as_the_same_requests(kaiji, template, tmp_path, monkeypatch, fmt,
                                                                       lang):
    _maizuru_case(kaiji)
    monkeypatch.setenv("KAIJI_LANG", lang)
    out = tmp_path / f"r.{fmt}"
    kaiji.ok("export", "requests", "--format", fmt, "-o", str(out))
    before = _requests(kaiji.url)
    assert len(before) == 3 and before[0][-1] == "人事課"
    other = Kaiji(_empty_database(template, tmp_path))
    monkeypatch.setenv("KAIJI_LANG", "en")  # the file in either language imports in English too
    result = other.ok("request", "import", str(out))
    assert result.stdout == "imported 3 requests (ids 1–3).\n"
    assert _requests(other.url) == before
    again = other.ok("request", "import", str(out))  # the same rows again: nothing added
    assert _requests(other.url) == before and "3 rows skipped as requests already recorded" in again.stderr


def test_shift_jis_with_japanese_headers_duplicates_dry_run_and_allow_duplicates(kaiji, tmp_path):
    text = ("実施機関,件名,請求日,受付日,請求者,開示の方法,送付希望,理由,整理番号\r\n"
            "舞鶴市長,公用車の運行記録,令和7年1月6日,R7.1.6,市民オンブズマンまいづる,写しの交付,有,,R7-1\r\n"
            "maizuru,交際費の支出記録,,2025/1/7,,閲覧,無,,\r\n"
            "maizuru,公用車の運行記録,,2025-01-06,,,,,\r\n")  # row 4 repeats row 2
    path = tmp_path / "sjis.csv"
    path.write_bytes(text.encode("cp932"))
    dry = kaiji.ok("request", "import", "--dry-run", str(path))
    assert dry.stdout == "would import 2 requests; nothing was written (--dry-run).\n"
    assert "1 row skipped as a request already recorded (row 4)" in dry.stderr
    assert json.loads(kaiji.ok("request", "list", "--json").stdout) == []
    result = kaiji.ok("request", "import", str(path))
    # (PostgreSQL's sequences do not roll back: after the dry run, the ids may start higher than 1.)
    assert result.stdout.startswith("imported 2 requests (ids ")
    first = json.loads(kaiji.ok("request", "list", "--json").stdout)[0]
    first = json.loads(kaiji.ok("request", "show", str(first["id"]), "--json").stdout)
    assert (first["received_on"], first["reference"], first["methods"], first["mail"]) == ("2025-01-06", "R7-1",
                                                                                          ["copy"], True)
    again = kaiji.ok("request", "import", str(path))
    assert again.stdout == "imported no requests: every row is a request already recorded.\n"
    assert "3 rows skipped" in again.stderr
    forced = kaiji.ok("request", "import", "--allow-duplicates", str(path))
    assert forced.stdout.startswith("imported 3 requests (ids ")
    assert len(json.loads(kaiji.ok("request", "list", "--json").stdout)) == 5


def test_utf8_without_a_bom_and_a_formula_cell_come_back_as_typed(kaiji, tmp_path):
    path = tmp_path / "plain.csv"
    path.write_bytes("件名,実施機関,受付日\n'=1+2,maizuru,2025-01-06\n'-5,maizuru,2025-01-06\n"
                     "''@x,maizuru,2025-01-06\n".encode())  # a subject that itself starts '@
    kaiji.ok("request", "import", str(path))
    subjects = ["=1+2", "-5", "'@x"]
    assert [r["subject"] for r in json.loads(kaiji.ok("request", "list", "--json").stdout)] == subjects
    exported = _csv_rows(kaiji.ok("export", "requests", "--fields", "subject").stdout_bytes)
    assert [r["subject"] for r in exported] == ["'=1+2", "'-5", "''@x"]  # each comes back as it was


def test_a_large_file_shows_a_progress_bar_only_on_a_terminal(kaiji, tmp_path, monkeypatch):
    import click

    from tracker import imports
    from tracker.cli import requests as cli_requests

    path = tmp_path / "many.csv"
    path.write_text("body,subject,received\n" + "".join(f"maizuru,文書{i},2025-01-06\n" for i in range(12)), "utf-8")
    drawn = []

    class Bar:
        def __init__(self, length, label, file):
            drawn.append(("bar", length, label))
            self.pos = 0

        def update(self, n):
            self.pos += n
            drawn.append(("update", self.pos))

        def render_finish(self):
            drawn.append(("finish",))

    monkeypatch.setattr(click, "progressbar", Bar)
    monkeypatch.setattr(imports, "PROGRESS_ABOVE", 10)
    monkeypatch.setattr(cli_requests, "_stderr_is_terminal", lambda: False)
    kaiji.ok("request", "import", str(path))
    assert drawn == []  # not a terminal (a log, a pipe): no bar
    monkeypatch.setattr(cli_requests, "_stderr_is_terminal", lambda: True)
    path.write_text(path.read_text("utf-8").replace("2025-01-06", "2025-01-07"), "utf-8")
    kaiji.ok("request", "import", str(path))
    assert drawn[0] == ("bar", 12, "checking rows") and drawn[-1] == ("finish",)
    assert [d[1] for d in drawn if d[0] == "update"] == list(range(1, 13))  # 12 rows, one at a time (len // 100 → 1)


def test_the_japanese_headers_are_the_catalogs_when_it_has_them():
    """imports.HEADERS reads exports.Field.ja and the catalog's translation alike; they should agree."""
    from tracker.exports import KINDS
    from tracker.i18n import _, use_language

    with use_language("ja"):
        translated = [(f.key, _(f.header), f.ja) for fields in KINDS.values() for f in fields
                      if _(f.header) != f.header]
    if not translated:
        pytest.skip("the catalog holds no Japanese headers yet (it is merged centrally)")
    assert [t for t in translated if t[1] != t[2]] == []


def _by_timeline(session, r, jurisdiction_of, as_of: date) -> dict:
    """A request's record of the requests export as the export made it before it read rows (main's code): from
    the whole timeline, timeline.compute, of the mapped request."""
    from tracker import events, timeline
    from tracker.i18n import _
    from tracker.schema import METHODS, WAITING_STATUSES
    from tracker.timeline import DECISION_KINDS, STATUS_JA

    st = timeline.compute(r, jurisdiction_of)
    decided, first = st.decided_on, (st.decisions[0] if st.decisions else None)
    appeal = st.decision_appeal or st.inaction_appeal
    ruling = timeline.ruling_on(timeline.live_events(r), appeal)
    who = r.requester
    return {
        "id": r.id, "reference": st.reference, "body_key": r.body.key, "body": r.body.name, "subject": r.subject,
        "requester": who.name if who else None, "requester_address": who.address if who else None,
        "requester_phone": who.phone if who else None, "requester_email": who.email if who else None,
        "filed": r.filed_on, "received": r.received_on, "method": ";".join(m for m in r.methods.split(",")
                                                                          if m in METHODS),
        "mail": r.mail, "reason": r.reason, "department": r.department.name if r.department else None,
        "status": r.status if STATUS_JA.get(r.status) else r.status, "decision_due": st.decision_due,
        "decided": decided, "notified": st.notified_on,
        "days_calendar": (decided - st.received_on).days if decided and st.received_on else None,
        "days_counted": timeline.counted_days(st, jurisdiction_of(st.body_id), decided) if decided else None,
        "late": (bool(st.late_by) if decided else
                 (as_of > st.decision_due if st.decision_due and r.status in WAITING_STATUSES else None)),
        "decision_kind": first.kind if first and first.kind in DECISION_KINDS else None,
        "withheld": "; ".join(f"{w.part} ({w.ground})" for d in st.decisions for w in d.withheld) or None,
        "fee_charged": (st.fee_charged + sum(d.fee or 0 for d in st.decisions)) or None,
        "fee_paid": st.fee_paid or None, "appeal_filed": appeal.on if appeal else None,
        "ruled": ruling.on if ruling else None,
        "ruling": _(events.VALUES[("outcome", ruling.data["outcome"])]) if ruling else None,
    }


@pytest.mark.slow   # builds 1,200 requests through the timeline (some 15 s)
def test_the_requests_export_read_as_rows_is_what_each_timeline_gives(db_url):
    """exports.request_records reads stored columns and a few kinds of event: on a synthetic database (every
    kind of event, corrections, retractions, appeals, fees) each record is what the request's whole timeline
    (timeline.compute) gives, also for a request withdrawn after its decision and for a filter."""
    import sys

    from sqlalchemy.orm import selectinload

    from tracker import exports, timeline
    from tracker.models import Decision, Request

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent / "bench"))
    import synth

    as_of = date(2025, 6, 30)
    synth.build(db_url, 1200, as_of)
    engine = dbm.open_database(db_url)
    try:
        with dbm.transaction(engine) as s:
            decided = s.scalars(service.request_select(s, status="decided")).first()
            service.record(s, decided.id, "withdrawn", as_of)
            service.record(s, 7, "voided", as_of, {"reason": "二重登録"})
        with dbm.reading(engine) as s:
            of = service.jurisdiction_lookup(s)
            for filters in ({}, {"body": "maizuru"}, {"status": "withdrawn", "include_void": True}):
                got = list(exports.request_records(s, filters, of, as_of, batch=100))
                want = [_by_timeline(s, r, of, as_of) for r in s.scalars(
                    service.request_select(s, **filters).options(
                        selectinload(Request.events), selectinload(Request.decisions).selectinload(Decision.withheld)))]
                assert [g["id"] for g in got] == [w["id"] for w in want]
                for g, w in zip(got, want):
                    assert g == w, g["id"]
            everything = list(exports.request_records(s, {}, of, as_of))
            # Not trivially equal: the data has each case the rows must work out as the timeline does.
            assert any(r["id"] == decided.id and r["decided"] and r["status"] == "withdrawn" for r in everything)
            for key in ("late", "withheld", "fee_charged", "fee_paid", "appeal_filed", "ruling", "reference"):
                assert any(r[key] for r in everything), key
            assert len({r["days_counted"] - r["days_calendar"] for r in everything if r["days_counted"]}) > 5
            assert any(timeline.compute(r, of).pauses and r.decided_on for r in s.scalars(
                service.request_select(s).options(selectinload(Request.events), selectinload(Request.decisions))))
            # The lines the database writes (request_texts) are those Python writes of these rows.
            from tracker.i18n import use_language

            for lang in ("ja", "en"):
                with use_language(lang):
                    for file_format in ("csv", "json"):
                        for filters in ({}, {"status": "withdrawn", "include_void": True}):
                            made, written = _both_ways(s, exports.choose_fields("requests", None, True), filters,
                                                       as_of, file_format)
                            assert made == written, (lang, file_format, filters)
    finally:
        engine.dispose()


def _both_ways(session, fields: list, filters: dict, as_of: date, file_format: str) -> tuple[bytes, bytes]:
    """The requests export as the database writes its lines (exports.chunks: request_texts) and as Python writes
    request_rows' values (exports.write), whole."""
    from tracker import exports

    of = service.jurisdiction_lookup(session)
    assert exports.request_texts(session, fields, filters, of, as_of, file_format) is not None   # not the fallback
    made = b"".join(exports.chunks(session, "requests", fields, filters, of, as_of, file_format))
    written = b"".join(exports.write(exports.rows(session, "requests", fields, filters, of, as_of), fields,
                                     file_format, "utf-8", "requests"))
    return made, written


AWKWARD = ["=1+2", "'=x", "''@y", "'plain", "-3", "+4", "@5", "a,b", 'say "hi"', '"', ",", "x'", "全角，カンマ"]


def test_the_lines_the_database_writes_are_the_csv_and_json_python_writes(db_url, monkeypatch):
    """exports.request_texts (each CSV line and JSON record written by the database: the words in the reader's
    language, a formula cell made text, quoting) against csv/json writing of request_rows' values, byte for byte:
    texts a spreadsheet would run, commas, quotation marks and line ends in every kind of text cell, withheld
    parts, empty cells alone in a row, a request withdrawn after its decision (its lateness from the timeline),
    both languages, on SQLite and PostgreSQL."""
    from tracker import exports
    from tracker.i18n import use_language

    engine = dbm.open_database(db_url)
    try:
        with dbm.transaction(engine) as s:
            for i, text in enumerate(AWKWARD):
                name = f"{text} 請求者{i}"
                service.add_requester(s, name, "person", address=f"{text}市", phone=text, email=f"{i}@example.jp")
                service.add_request(s, body="maizuru" if i % 2 else "national", subject=text,
                                    filed=date(2024, 12, 20), received=date(2024, 12, 23 + i % 5), requester=name,
                                    methods=[["copy"], ["inspect", "copy"], ["view", "inspect"]][i % 3],
                                    mail=i % 3 < 2 and bool(i % 2), reason=f"{text}\n二行目 {text}\n三行目" if i % 4 else None,
                                    reference=text if i % 3 else None, department_name=f"{text}課")
                rid = i + 1
                if i % 3 != 1:
                    withheld = [service.Withheld(f"{text}氏名", "第5条第2号" if i % 2 else "第5条第1号", "個人"),
                                service.Withheld(f"印影{text}", "第5条第2号", "個人")] if i % 3 == 0 else []
                    service.decide(s, rid, kind=["partial", "refusal", "full"][i % 3], on=date(2025, 1, 14 + i),
                                   withheld=withheld, fee=100 * i or None)
                if i == 3:
                    service.record(s, rid, "withdrawn", date(2025, 1, 30))   # after its decision
                if i == 6:
                    service.record(s, rid, "appeal_filed", date(2025, 2, 1))
                    service.record(s, rid, "ruling", date(2025, 6, 1), {"outcome": "partly-granted"})
            service.add_request(s, body="maizuru", subject="受付前", filed=date(2025, 1, 6), methods=["view"])
            # Methods stored out of METHODS' order (an older kaiji, a hand-made row): not one of the sets looked up.
            s.execute(schema.requests.update().where(schema.requests.c.id == 2).values(methods="copy,view,inspect"))
        with dbm.reading(engine) as s:
            as_of = date(2025, 1, 31)
            for lang in ("ja", "en"):
                with use_language(lang):
                    for keys in (None, "reference", "late", "days_counted", "id", "decided", "withheld,subject",
                                 "mail,status,ruling,method,decision_kind"):
                        fields = exports.choose_fields("requests", keys, with_contacts=True)
                        for file_format in ("csv", "json"):
                            made, written = _both_ways(s, fields, {}, as_of, file_format)
                            assert made == written, (lang, keys, file_format)
                    made, written = _both_ways(s, exports.choose_fields("requests", None, False), {"body": "maizuru"},
                                               as_of, "csv")
                    assert made == written
            # Not trivially equal: the cells it must work on are there, as a reader takes them back.
            with use_language("ja"):
                text = b"".join(exports.chunks(s, "requests", exports.choose_fields("requests", None, True), {},
                                               service.jurisdiction_lookup(s), as_of, "csv")).decode("utf-8-sig")
            rows = {r["件名"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
            assert {"'=1+2", "''=x", "'''@y", "'plain", "'-3", "'+4", "'@5", "a,b", 'say "hi"', '"', ","} <= set(rows)
            assert rows["'+4"]["理由"] == "'+4\n二行目 +4\n三行目"   # neutral, then quoted
            assert rows["'=1+2"]["開示しない部分（根拠規定）"] == "'=1+2氏名（第5条第1号）; 印影=1+2（第5条第2号）"
            assert rows["'plain"]["期限超過"] == "超過" and rows["'plain"]["状態"] == "取下げ"   # withdrawn, decided late
            assert rows["'=1+2"]["開示の方法"] == "写しの交付" and rows["''=x"]["開示の方法"] == "写しの交付・視聴・閲覧"
            assert rows["a,b"]["開示の方法"] == "閲覧・写しの交付" and rows["'''@y"]["開示の方法"] == "閲覧・視聴"
            assert rows['say "hi"']["請求者"] == 'say "hi" 請求者8' and rows[","]["実施機関"]
            assert rows["受付前"]["期限超過"] == "" and any(r["裁決"] for r in rows.values())
            one = b"".join(exports.chunks(s, "requests", exports.choose_fields("requests", "reference", False), {},
                                          service.jurisdiction_lookup(s), as_of, "csv"))
            assert b'\r\n""\r\n' in one   # an empty cell alone in its row is "" (a blank line would end the file)
            if s.get_bind().dialect.name == "sqlite":   # a SQLite without its JSON functions: Python writes the JSON
                fields = exports.choose_fields("requests", None, False)
                of = service.jurisdiction_lookup(s)
                by_sqlite = b"".join(exports.chunks(s, "requests", fields, {}, of, as_of, "json"))
                monkeypatch.setattr(service, "_sqlite_json", lambda session: False)
                assert exports.request_texts(s, fields, {}, of, as_of, "json") is None
                assert exports.request_texts(s, fields, {}, of, as_of, "csv") is not None
                assert b"".join(exports.chunks(s, "requests", fields, {}, of, as_of, "json")) == by_sqlite
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", ["requests", "deadlines", "decisions"])
@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_a_bad_filter_writes_nothing_even_to_standard_output(kaiji, kind, file_format):
    """The exports are written as they are read: a bad filter is refused before the first byte (a CSV's BOM)."""
    _maizuru_case(kaiji)
    result = kaiji("export", kind, "--format", file_format, "--body", "nowhere")
    assert result.exit_code == 2 and result.stdout_bytes == b"" and "nowhere" in result.stderr
    assert kaiji.ok("export", kind, "--format", file_format, "--body", "maizuru").stdout_bytes
