"""Every schema change keeps the data: a database filled at each earlier revision, upgraded to the
latest, still holds every record; and `kaiji db upgrade` / `downgrade` on SQLite first copy the file.

FILLERS holds, for each revision, raw SQL that is valid at that revision and writes real-looking
records (a jurisdiction with its rule, a body, a group with its contacts, a department, a request
waiting for its decision and a decided one with its events, decision, document and withheld part).
A new migration makes the previous head an earlier revision: the test below then demands a filler
for the new one too, written against its schema. (One head, upgrade from empty, up/down/up per
revision and the models-match-migrations check are in test_migrations.py.)
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from tracker import db as dbm
from tracker import service
from tracker.cli import cli

from .conftest import PG_URL, reset_postgres

QUIET = open(os.devnull, "w")

# ---------------------------------------------------------------- fillers, one per revision

ADDRESS = "京都府福知山市内記13番地の1"
PHONE = "0773-22-6111"

FILL_0001 = [
    "INSERT INTO jurisdictions (id, key, name, ordinance, year_end_closure) "
    "VALUES (1001, 'fukuchiyama', '福知山市', '福知山市情報公開条例', true)",
    "INSERT INTO deadline_rules (id, jurisdiction_id, effective_from, period_days, counts_request_day, working_days, "
    "move_off_closed, extension_max_days, extension_from, exclude_correction, source, note) VALUES (1001, 1001, NULL, "
    "15, false, false, true, 30, 'period_end', false, '福知山市情報公開条例第11条', '翌日から起算して15日以内')",
    "INSERT INTO grounds (id, jurisdiction_id, code, summary) VALUES (1001, 1001, '第7条第2号', '法人等に関する情報')",
    "INSERT INTO closed_days (id, jurisdiction_id, day, reason) VALUES (1001, 1001, '2025-02-03', '庁舎停電')",
    "INSERT INTO bodies (id, key, name, head, head_name, jurisdiction_id) "
    "VALUES (1001, 'fukuchiyama', '福知山市長', '福知山市長', '大橋 一夫', 1001)",
    f"INSERT INTO requesters (id, kind, name, address, phone, email, representative, contact_name, contact_phone) "
    f"VALUES (1001, 'group', '市民オンブズマン福知山', '{ADDRESS}', '{PHONE}', 'ombuds@example.jp', '代表 太郎', "
    f"'連絡 花子', '{PHONE}')",
    "INSERT INTO departments (id, body_id, name, phone, extension) VALUES (1001, 1001, '秘書広報課', '0773-24-7000', '123')",
    # 1001: received on Monday 2025-01-06; 15 days from the next day: due Tuesday 2025-01-21.
    "INSERT INTO requests (id, body_id, requester_id, department_id, subject, methods, mail, reason, filed_on, "
    "received_on, reference, notes, created_at, status, decision_due, decided_on, notified_on, appeal_due, "
    "disclosure_on, rest_due, fee_unpaid) VALUES (1001, 1001, 1001, 1001, '令和6年度市長交際費の支出に関する文書', "
    "'inspect,copy', true, '公金の使途を確かめるため', '2025-01-06', '2025-01-06', '福秘第45号', NULL, "
    "'2025-01-06 09:30:00', 'received', '2025-01-21', NULL, NULL, NULL, NULL, NULL, NULL)",
    # 1002: received 2024-12-02, decided 2025-01-20 (partial), learned of 01-22: appeal due 2025-04-22; fee 300 unpaid.
    "INSERT INTO requests (id, body_id, requester_id, department_id, subject, methods, mail, reason, filed_on, "
    "received_on, reference, notes, created_at, status, decision_due, decided_on, notified_on, appeal_due, "
    "disclosure_on, rest_due, fee_unpaid) VALUES (1002, 1001, 1001, NULL, '公用車の運行記録（令和6年10月分）', 'copy', "
    "false, NULL, '2024-12-02', '2024-12-02', NULL, 'メモ', '2024-12-02 10:00:00', 'decided', '2024-12-17', "
    "'2025-01-20', '2025-01-22', '2025-04-22', '2025-02-10', NULL, 300)",
    "INSERT INTO events (id, request_id, kind, \"on\", data, note, retracts_id, recorded_at) VALUES "
    "(1001, 1001, 'filed', '2025-01-06', '{\"body_id\": 1001}', NULL, NULL, '2025-01-06 09:30:00'), "
    "(1002, 1001, 'received', '2025-01-06', '{}', NULL, NULL, '2025-01-06 09:30:00'), "
    "(1003, 1001, 'reference', '2025-01-06', '{\"number\": \"福秘第45号\"}', NULL, NULL, '2025-01-06 09:30:00'), "
    "(1004, 1002, 'filed', '2024-12-02', '{\"body_id\": 1001}', NULL, NULL, '2024-12-02 10:00:00'), "
    "(1005, 1002, 'received', '2024-12-02', '{}', NULL, NULL, '2024-12-02 10:00:00'), "
    "(1006, 1002, 'decision', '2025-01-20', '{\"kind\": \"partial\"}', '遅れて届いた', NULL, '2025-01-22 18:00:00')",
    "INSERT INTO decisions (id, request_id, event_id, kind, decided_on, notified_on, notice_number, disclosure_on, "
    "disclosure_time, disclosure_place, disclosure_methods, later_on, department_id, remarks, fee) VALUES (1001, 1002, "
    "1006, 'partial', '2025-01-20', '2025-01-22', '福管第12号', '2025-02-10', '午後2時', '福知山市役所管財課', 'copy', "
    "NULL, NULL, NULL, 300)",
    "INSERT INTO decision_documents (id, decision_id, position, title) VALUES (1001, 1001, 1, '公用車運行日誌')",
    "INSERT INTO withheld_parts (id, decision_id, position, part, ground, reason) VALUES (1001, 1001, 1, "
    "'運転者の氏名', '第7条第2号', '個人を識別できる情報であるため')",
]

# 0002 added decisions.reason: the same records, the decision with a reason of its own.
FILL_0002 = [s if not s.startswith("INSERT INTO decisions ") else
             "INSERT INTO decisions (id, request_id, event_id, kind, decided_on, notified_on, notice_number, "
             "disclosure_on, disclosure_time, disclosure_place, disclosure_methods, later_on, department_id, remarks, "
             "fee, reason) VALUES (1001, 1002, 1006, 'partial', '2025-01-20', '2025-01-22', '福管第12号', '2025-02-10', "
             "'午後2時', '福知山市役所管財課', 'copy', NULL, NULL, NULL, 300, '一部に個人情報を含むため')"
             for s in FILL_0001]


def _at_0003(statement: str) -> str:
    """A statement of FILL_0002 as 0003 takes it: requests name the body they were filed with (filed_body_id),
    and keep the last day to sue and their flags; rules say how corrections count; bodies their 審査庁."""
    if statement.startswith("INSERT INTO requests "):
        # 1002's decision was learned of on 2025-01-22: six months to sue, to 2025-07-22 (行政事件訴訟法第14条).
        lawsuit = "'2025-07-22'" if "(1002, " in statement else "NULL"
        return (statement.replace("fee_unpaid) VALUES", "fee_unpaid, filed_body_id, lawsuit_due, flags) VALUES")
                [:-1] + f", 1001, {lawsuit}, NULL)")
    if statement.startswith("INSERT INTO deadline_rules "):
        return (statement.replace("source, note) VALUES", "source, note, correction_days, correction_extends_limit) "
                                  "VALUES")[:-1] + ", 'both', false)")
    if statement.startswith("INSERT INTO bodies "):
        return (statement.replace("jurisdiction_id) VALUES", "jurisdiction_id, appeal_authority) VALUES")[:-1]
                + ", '福知山市長')")
    return statement


# 0003 added requests.filed_body_id, .lawsuit_due and .flags, the rules' correction settings, bodies.appeal_authority.
FILL_0003 = [_at_0003(s) for s in FILL_0002]

# 0004 added requests.voided: the same records, neither request entered by mistake.
FILL_0004 = [s.replace("flags) VALUES", "flags, voided) VALUES")[:-1] + ", false)" if s.startswith("INSERT INTO requests ")
             else s for s in FILL_0003]

# 0005 added users and events.entered_by: the same records, the decision entered by an account.
FILL_0005 = [s.replace("retracts_id, recorded_at) VALUES", "retracts_id, recorded_at, entered_by) VALUES")
             .replace("'2025-01-06 09:30:00')", "'2025-01-06 09:30:00', NULL)")
             .replace("'2024-12-02 10:00:00')", "'2024-12-02 10:00:00', NULL)")
             .replace("'2025-01-22 18:00:00')", "'2025-01-22 18:00:00', 'hanako')")
             if s.startswith("INSERT INTO events ") else s for s in FILL_0004] + [
    "INSERT INTO users (id, name, role, password_hash, disabled, created_at) VALUES (1001, 'hanako', 'editor', "
    "'$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g', false, '2025-01-06 09:00:00')"]

# 0006 added documents and the search index: the same records, a document received with the decision,
# and the index rows kaiji writes for them (search_entries; on SQLite its triggers fill search_fts).
FILL_0006 = FILL_0005 + [
    "INSERT INTO documents (id, request_id, decision_id, kind, title, filename, sha256, size, pages, media_type, "
    "received_on, text_status, added_at) VALUES (1001, 1002, 1001, 'notice', '部分開示決定通知書', 'kettei.pdf', "
    "'5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef', 1024, 1, 'application/pdf', '2025-01-22', "
    "'read', '2025-01-22 18:05:00')",
    "INSERT INTO search_entries (id, request_id, field, source_id, content, folded) VALUES "
    "(1001, 1001, 'subject', NULL, '令和6年度市長交際費の支出に関する文書', '令和6年度市長交際費の支出に関する文書'), "
    "(1002, 1002, 'document', 1001, '部分開示決定通知書\n運転者の氏名を除く', '部分開示決定通知書\n運転者の氏名を除く')",
]

# 0007 added campaigns (一斉請求) and body sets: the same records, the waiting request one of a campaign,
# and a saved set of bodies.
FILL_0007 = FILL_0006 + [
    "INSERT INTO campaigns (id, name, subject, reason, methods, requester_id, filed_on, created_at) VALUES (1001, "
    "'koushouhi-2025', '令和6年度市長交際費の支出に関する文書', NULL, 'inspect,copy', 1001, '2025-01-06', "
    "'2025-01-06 09:00:00')",
    "UPDATE requests SET campaign_id = 1001 WHERE id = 1001",
    "INSERT INTO body_sets (id, name) VALUES (1001, '京都府北部')",
    "INSERT INTO body_set_members (id, body_set_id, body_id, position) SELECT 1001, 1001, min(id), 1 FROM bodies",
]

# 0008 added indexes only (the listed requests, in each order the web's list sorts by): the same records.
FILL_0008 = FILL_0007

# 0009 added the index of short words (search_fts_grams, kept by triggers on SQLite): the same records.
FILL_0009 = FILL_0008

# 0010 added indexes only (the dashboard's lists, counted from an index): the same records.
FILL_0010 = FILL_0009

# 0011 added what the statistics count by (timeline.statistics): the same records, with them. 1002 was received on
# 2024-12-02 and decided on 2025-01-20 under a rule of 15 calendar days from the next day: days 2024-12-03 to
# 12-31 (29) and 2025-01-01 to 01-20 (20), 49 counted; a partial decision withholding under 第7条第2号, fee 300.
STATISTICS_0011 = {1001: "NULL, false, NULL, NULL, NULL, NULL",
                   1002: "49, false, 300, NULL, 'partial', '第7条第2号'"}
FILL_0011 = [s.replace("voided) VALUES", "voided, days_counted, extended, fee_total, appeal_outcome, decision_kinds, "
                       "grounds) VALUES")[:-1] + ", " + STATISTICS_0011[1001 if "(1001, " in s else 1002] + ")"
             if s.startswith("INSERT INTO requests ") else s for s in FILL_0010]

# 0012 added days_calendar, the calendar days from receipt to first decision (1002: 2024-12-02 to 2025-01-20, 29
# days to 12-31 and 20 in January, 49), and indexes: the same records, with it.
FILL_0012 = [s.replace("grounds) VALUES", "grounds, days_calendar) VALUES")[:-1] + ", "
             + ("49" if "(1002, " in s else "NULL") + ")" if s.startswith("INSERT INTO requests ") else s
             for s in FILL_0011]

# 0013 added what the requests export reads of the events and decisions (timeline.exported): 1002 paid nothing and
# has no appeal; its one withheld part, 運転者の氏名 under 第7条第2号, kept as part and ground joined by U+001F.
FILL_0013 = [s.replace("days_calendar) VALUES", "days_calendar, fee_paid, appeal_on, ruled_on, withheld) VALUES")[:-1]
             + ", NULL, NULL, NULL, " + ("'運転者の氏名\x1f第7条第2号'" if "(1002, " in s else "NULL") + ")"
             if s.startswith("INSERT INTO requests ") else s for s in FILL_0012]

FILLERS: dict[str, list[str]] = {"0001": FILL_0001, "0002": FILL_0002, "0003": FILL_0003, "0004": FILL_0004,
                                 "0005": FILL_0005, "0006": FILL_0006, "0007": FILL_0007, "0008": FILL_0008,
                                 "0009": FILL_0009, "0010": FILL_0010, "0011": FILL_0011, "0012": FILL_0012,
                                 "0013": FILL_0013}

# What kaiji must show of the filled records after any upgrade (request show --json).
EXPECTED = {
    1001: {"body": "fukuchiyama", "subject": "令和6年度市長交際費の支出に関する文書", "status": "received",
           "requester": "市民オンブズマン福知山", "methods": ["inspect", "copy"], "mail": True,
           "reference": "福秘第45号", "received_on": "2025-01-06", "decision_due": "2025-01-21",
           "department": "秘書広報課"},
    1002: {"status": "decided", "decided_on": "2025-01-20", "notified_on": "2025-01-22", "appeal_due": "2025-04-22",
           "disclosure_on": "2025-02-10", "fee_unpaid": 300, "decision_due": "2024-12-17"},
}
TABLES = ("jurisdictions", "deadline_rules", "grounds", "closed_days", "bodies", "requesters", "departments",
          "requests", "events", "decisions", "decision_documents", "withheld_parts")


def test_every_earlier_revision_has_a_filler():
    missing = [rev for rev in dbm.REVISIONS[:-1] if rev not in FILLERS]
    assert not missing, f"write a filler for revision(s) {missing} (raw SQL valid at that revision)"
    assert set(FILLERS) <= set(dbm.REVISIONS)


def test_a_filler_written_ahead_for_the_head_is_valid_there(empty_url):
    """A filler for the head revision waits for the next migration: its statements run at the head now."""
    if dbm.HEAD not in FILLERS:
        pytest.skip("no filler for the head yet")
    engine = dbm.make_engine(empty_url)
    dbm.upgrade(engine, dbm.HEAD, stdout=QUIET)
    with engine.begin() as conn:
        for statement in FILLERS[dbm.HEAD]:
            conn.execute(text(statement))
    assert all(rows(engine)[t] for t in TABLES)
    engine.dispose()


def rows(engine) -> dict[str, dict[int, dict]]:
    """The filled rows (ids from 1001 on) of every table, by id, as plain values."""
    out = {}
    with engine.connect() as conn:
        for table in TABLES:
            found = conn.execute(text(f"SELECT * FROM {table} WHERE id >= 1001 ORDER BY id")).mappings().all()
            out[table] = {r["id"]: {k: _plain(v) for k, v in r.items()} for r in found}
    return out


def _plain(v):
    if isinstance(v, str) and v[:1] in "{[":
        try:
            return json.loads(v)  # SQLite returns JSON as text, PostgreSQL as a dict
        except ValueError:
            return v
    if isinstance(v, int) and not isinstance(v, bool) and v in (0, 1):
        return v  # booleans: SQLite 0/1 against PostgreSQL false/true compare equal
    return str(v) if isinstance(v, date) else v


@pytest.fixture
def empty_url(tmp_path):
    if PG_URL:
        reset_postgres(PG_URL)
        return PG_URL
    return dbm.database_url(str(tmp_path / "old.sqlite3"))


@pytest.mark.slow  # an upgrade through every later migration from each revision: run by CI (`pytest`)
@pytest.mark.parametrize("rev", sorted(r for r in FILLERS if r != dbm.HEAD))  # the head's: for the next migration
def test_records_written_at_each_revision_survive_the_upgrade(rev, empty_url, tmp_path):
    engine = dbm.make_engine(empty_url)
    dbm.upgrade(engine, rev, stdout=QUIET)
    with engine.begin() as conn:
        for statement in FILLERS[rev]:
            conn.execute(text(statement))
    before = rows(engine)
    assert all(before[t] for t in TABLES), "the filler must write a row into every table"
    engine.dispose()

    result = CliRunner().invoke(cli, ["--db", empty_url, "db", "upgrade"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].endswith(f"schema {rev} -> {dbm.HEAD}.")
    if not PG_URL:
        # The copy made first is beside the file, named in the output, and holds the records as they were.
        line = result.stdout.splitlines()[0]
        assert line.startswith("backup of the database before the upgrade: ")
        saved = Path(line.split(": ", 1)[1])
        assert saved.parent == tmp_path and saved.name.startswith(f"old.before-upgrade-from-{rev}-")
        assert saved.suffix == ".sqlite3" and saved.stat().st_mode & 0o777 == 0o600
        copy = dbm.make_engine(dbm.database_url(str(saved)))
        assert dbm.current_revision(copy) == rev and rows(copy) == before
        copy.dispose()

    engine = dbm.open_database(empty_url)  # at the latest schema now
    after = rows(engine)
    for table, by_id in before.items():
        # Nothing lost; rows beyond (the presets the upgrade seeds into a database that lacked them) may be added.
        assert set(by_id) <= set(after[table]), table
        for id_, row in by_id.items():
            kept = {k: v for k, v in after[table][id_].items() if k in row}
            assert kept == row, (table, id_)
    with dbm.reading(engine) as s:
        for id_ in EXPECTED:  # the stored dates are the ones the rules give
            req = service.get_request(s, id_)
            st = service.state(s, req)
            assert (st.status, st.decision_due, st.appeal_due) == (req.status, req.decision_due, req.appeal_due)
    engine.dispose()

    for id_, expected in EXPECTED.items():
        shown = CliRunner().invoke(cli, ["--db", empty_url, "request", "show", str(id_), "--json"],
                                   catch_exceptions=False)
        assert shown.exit_code == 0, shown.output
        got = json.loads(shown.stdout)
        assert {k: got[k] for k in expected} == expected
    # and the records take new events as before
    done = CliRunner().invoke(cli, ["--db", empty_url, "request", "decide", "1001", "--kind", "full", "--on",
                                    "2025-01-20", "--notified", "2025-01-21"], catch_exceptions=False)
    assert done.exit_code == 0, done.output


@pytest.mark.skipif(bool(PG_URL), reason="SQLite files only")
def test_upgrade_of_a_new_file_has_nothing_to_back_up(tmp_path):
    path = tmp_path / "new.sqlite3"
    result = CliRunner().invoke(cli, ["--db", str(path), "db", "upgrade"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(f"schema empty -> {dbm.HEAD}.")
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))) == ["new.sqlite3"]


@pytest.mark.skipif(bool(PG_URL), reason="SQLite files only")
def test_downgrade_first_keeps_a_copy_of_what_it_removes(tmp_path):
    """`kaiji db downgrade base` drops every table; on SQLite the records stay in the copy it names."""
    url = dbm.database_url(str(tmp_path / "kaiji.sqlite3"))
    engine = dbm.open_database(url)
    with dbm.transaction(engine) as s:
        service.add_request(s, body="maizuru", subject="議会の会議録", received=date(2025, 1, 6))
    engine.dispose()
    result = CliRunner().invoke(cli, ["--db", url, "db", "downgrade", "base"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    saved = Path(result.stdout.splitlines()[0].split("downgrade: ", 1)[1])
    con = sqlite3.connect(saved)
    assert con.execute("SELECT subject FROM requests").fetchall() == [("議会の会議録",)]
    con.close()
    assert dbm.current_revision(dbm.make_engine(url)) is None


def test_an_upgrade_says_whose_dates_it_works_out_differently(empty_url):
    """A request stored at 0002 with an extension past the limit as kaiji then counted it (3/12); the
    limit is 3/11 (day 60 from 1/11, 行政機関情報公開法第10条第2項): the upgrade stores 3/11 and says so."""
    engine = dbm.make_engine(empty_url)
    dbm.upgrade(engine, "0002", stdout=QUIET)
    with engine.begin() as conn:
        for statement in FILL_0002:
            conn.execute(text(statement))
        conn.execute(text(
            "INSERT INTO jurisdictions (id, key, name, ordinance, year_end_closure) VALUES (1002, 'national', '国', "
            "'行政機関の保有する情報の公開に関する法律', true)"))
        conn.execute(text(
            "INSERT INTO deadline_rules (id, jurisdiction_id, effective_from, period_days, counts_request_day, "
            "working_days, move_off_closed, extension_max_days, extension_from, exclude_correction, source, note) "
            "VALUES (1002, 1002, NULL, 30, false, false, true, 30, 'period_end', true, '第10条', '')"))
        conn.execute(text("INSERT INTO bodies (id, key, name, head, head_name, jurisdiction_id) VALUES "
                          "(1002, 'national', '国の行政機関', '行政機関の長', NULL, 1002)"))
        conn.execute(text(
            "INSERT INTO requests (id, body_id, requester_id, department_id, subject, methods, mail, reason, filed_on, "
            "received_on, reference, notes, created_at, status, decision_due) VALUES (1003, 1002, NULL, NULL, '文書', "
            "'copy', false, NULL, '2025-01-10', '2025-01-10', NULL, NULL, '2025-01-10 09:00:00', 'extended', "
            "'2025-03-12')"))
        conn.execute(text(
            "INSERT INTO events (id, request_id, kind, \"on\", data, note, retracts_id, recorded_at) VALUES "
            "(1010, 1003, 'filed', '2025-01-10', '{\"body_id\": 1002}', NULL, NULL, '2025-01-10 09:00:00'), "
            "(1011, 1003, 'received', '2025-01-10', '{}', NULL, NULL, '2025-01-10 09:00:00'), "
            "(1012, 1003, 'extension', '2025-02-05', '{\"new_due\": \"2025-03-12\"}', NULL, NULL, "
            "'2025-02-05 09:00:00')"))
    engine.dispose()
    result = CliRunner().invoke(cli, ["--db", empty_url, "db", "upgrade"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "works out 1 request(s)' dates or flags differently; updated: 1003" in result.stdout
    shown = CliRunner().invoke(cli, ["--db", empty_url, "request", "show", "1003", "--json"], catch_exceptions=False)
    got = json.loads(shown.stdout)
    assert (got["decision_due"], got["flags"]) == ("2025-03-11", ["extension_past_limit"])


def test_the_filed_body_is_taken_from_the_first_event_of_a_transferred_request(empty_url):
    """0003 added requests.filed_body_id: for a request transferred (移送) before the upgrade, the
    body it was filed with is the one its "filed" event names, not the one it is with now."""
    engine = dbm.make_engine(empty_url)
    dbm.upgrade(engine, "0002", stdout=QUIET)
    with engine.begin() as conn:
        for statement in FILL_0002:
            conn.execute(text(statement))
        conn.execute(text("INSERT INTO bodies (id, key, name, head, head_name, jurisdiction_id) VALUES "
                          "(1002, 'fukuchiyama-kyoiku', '福知山市教育委員会', '福知山市教育委員会', NULL, 1001)"))
        conn.execute(text("UPDATE requests SET body_id = 1002 WHERE id = 1001"))
        conn.execute(text(
            "INSERT INTO events (id, request_id, kind, \"on\", data, note, retracts_id, recorded_at) VALUES "
            "(1020, 1001, 'transfer', '2025-01-08', '{\"to_body_id\": 1002, \"to\": \"fukuchiyama-kyoiku\"}', "
            "NULL, NULL, '2025-01-08 09:00:00')"))
    engine.dispose()
    assert CliRunner().invoke(cli, ["--db", empty_url, "db", "upgrade"], catch_exceptions=False).exit_code == 0
    engine = dbm.open_database(empty_url)
    with engine.connect() as conn:
        got = dict(conn.execute(text("SELECT id, filed_body_id FROM requests WHERE id IN (1001, 1002)")).all())
    engine.dispose()
    assert got == {1001: 1001, 1002: 1001}


def filled_and_upgraded(url: str, rev: str):
    """A database made at rev, filled by FILLERS[rev], upgraded by `kaiji db upgrade`: opened at the head."""
    engine = dbm.make_engine(url)
    dbm.upgrade(engine, rev, stdout=QUIET)
    with engine.begin() as conn:
        for statement in FILLERS[rev]:
            conn.execute(text(statement))
    engine.dispose()
    result = CliRunner().invoke(cli, ["--db", url, "db", "upgrade"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return dbm.open_database(url)


def test_the_upgrade_to_0006_indexes_the_records_for_search(empty_url):
    """0006 made the search index: the words of requests, notes, decisions and withheld parts written at 0005
    are found after the upgrade, each where FILL_0005 put it."""
    from tracker import search

    engine = filled_and_upgraded(empty_url, "0005")
    with dbm.reading(engine) as s:
        def found(query):
            return [(h.request, h.field, h.source_id) for h in search.search(s, query)]
        assert found("市長交際費") == [(1001, "subject", None)]
        assert found("公金の使途") == [(1001, "reason", None)]
        assert found("メモ") == [(1002, "notes", None)]
        assert found("遅れて届いた") == [(1002, "note", 1006)]
        assert found("一部に個人情報") == [(1002, "decision", 1001)]
        assert found("運転者") == [(1002, "withheld", 1001)]
        assert found("個人を識別") == [(1002, "ground", 1001)]
        assert found("公用車") == [(1002, "subject", None)]
    engine.dispose()


def test_the_upgrade_to_0009_indexes_the_short_words_already_indexed(empty_url):
    """0009 made the index of words of one or two characters: it holds the rows search_entries had at 0008
    (the subject and the document FILL_0006 wrote), and search finds them through it."""
    from tracker import search

    engine = filled_and_upgraded(empty_url, "0008")
    with dbm.reading(engine) as s:
        texts = dict(s.execute(text("SELECT id, content FROM search_entries")).all())
        assert set(texts) == {1001, 1002} and search.has_grams(s)
        for word in ("交際", "運", "文書", "の", "6", "ゑ", "書"):
            holding = {i for i, t in texts.items() if word in t}
            if engine.dialect.name == "sqlite":
                rows = s.execute(text("SELECT rowid FROM search_fts_grams WHERE search_fts_grams MATCH :q"),
                                 {"q": search._gram_query(word)})
            else:
                rows = s.execute(text("SELECT id FROM search_entries WHERE kaiji_grams(folded) @> ARRAY[:w]"),
                                 {"w": word})
            assert set(rows.scalars()) == holding, word
            where = {1001: (1001, "subject"), 1002: (1002, "document")}   # FILL_0006's rows
            assert {(h.request, h.field) for h in search.search(s, word)} == {where[i] for i in holding}, word
    engine.dispose()


def test_the_upgrade_to_0011_works_out_what_the_statistics_count(empty_url):
    """Migration 0011 fills the statistics' columns of the requests already recorded, as timeline.refresh
    stores them (FILL_0011 says what they are, worked out by hand), on its own: not by `kaiji db upgrade`'s
    recomputation after it."""
    engine = dbm.make_engine(empty_url)
    dbm.upgrade(engine, "0010", stdout=QUIET)
    with engine.begin() as conn:
        for statement in FILL_0010:
            conn.execute(text(statement))
    from alembic import command

    with dbm.migrating(engine) as conn:   # the migration alone (dbm.upgrade to the head also recomputes)
        command.upgrade(dbm.alembic_config(conn, QUIET), "0011")
    columns = ("days_counted", "extended", "fee_total", "appeal_outcome", "decision_kinds", "grounds")
    after = rows(engine)["requests"]
    engine.dispose()
    assert {i: tuple(after[i][c] for c in columns) for i in (1001, 1002)} == {
        1001: (None, 0, None, None, None, None), 1002: (49, 0, 300, None, "partial", "第7条第2号")}


def test_the_upgrade_to_0013_works_out_what_the_export_reads(empty_url):
    """Migration 0013 fills the export's columns of the requests already recorded, as timeline.refresh stores them,
    on its own. Added to 1002 at 0012: a fee of 500 paid on 2025-02-09 and taken back (retracted), 300 paid on
    02-10, an appeal against the decision filed on 03-01 and ruled on (dismissed) on 09-01, and a second withheld
    part (印影, 第7条第3号) after the first: by hand, 300 paid, appealed 2025-03-01, ruled 2025-09-01, the parts in
    their positions' order."""
    engine = dbm.make_engine(empty_url)
    dbm.upgrade(engine, "0012", stdout=QUIET)
    with engine.begin() as conn:
        for statement in FILL_0012 + [
            "INSERT INTO events (id, request_id, kind, \"on\", data, note, retracts_id, recorded_at) VALUES "
            "(1010, 1002, 'fee_paid', '2025-02-09', '{\"amount\": 500}', NULL, NULL, '2025-02-09 10:00:00'), "
            "(1011, 1002, 'retraction', '2025-02-10', '{}', '誤入力', 1010, '2025-02-10 10:00:00'), "
            "(1012, 1002, 'fee_paid', '2025-02-10', '{\"amount\": 300}', NULL, NULL, '2025-02-10 10:00:00'), "
            "(1013, 1002, 'appeal_filed', '2025-03-01', '{\"against\": \"decision\"}', NULL, NULL, "
            "'2025-03-01 10:00:00'), "
            "(1014, 1002, 'ruling', '2025-09-01', '{\"outcome\": \"dismissed\"}', NULL, NULL, '2025-09-01 10:00:00')",
            "INSERT INTO withheld_parts (id, decision_id, position, part, ground, reason) VALUES (1002, 1001, 2, "
            "'印影', '第7条第3号', '法人の印影であるため')"]:
            conn.execute(text(statement))
    from alembic import command

    with dbm.migrating(engine) as conn:   # the migration alone (dbm.upgrade to the head also recomputes)
        command.upgrade(dbm.alembic_config(conn, QUIET), "0013")
    columns = ("fee_paid", "appeal_on", "ruled_on", "withheld")
    after = rows(engine)["requests"]
    engine.dispose()
    assert {i: tuple(after[i][c] for c in columns) for i in (1001, 1002)} == {
        1001: (None, None, None, None),
        1002: (300, "2025-03-01", "2025-09-01", "運転者の氏名\x1f第7条第2号\x1e印影\x1f第7条第3号")}
