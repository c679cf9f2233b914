"""The command line as a user drives it: the Maizuru case first, then every follow-up event."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from wcwidth import wcswidth

from tracker.cli import cli
from tracker.models import Event, Request

SUBJECT = "舞鶴市が実施した「カスタマーハラスメント」アンケートの調査結果を請求します。"
REASON_5_2 = ("法人その他の団体に関する情報又は事業を営む個人の当該事業に関する情報であって、当該法人等又は当該個人の"
              "権利、競争上の地位その他正当な利益を害するおそれがあるため")


def add_maizuru(kaiji, received="2024-12-27"):
    # --force: some tests add the same request more than once, each then followed its own way.
    result = kaiji.ok("request", "add", "--body", "maizuru", "--subject", SUBJECT, "--received", received,
                      "--requester", "市民オンブズマンまいづる", "--method", "copy", "--mail",
                      "--reason", "行政ハラスメントの調査のため", "--force")
    return int(result.stdout.strip())


def show(kaiji, request_id):
    return json.loads(kaiji.ok("request", "show", request_id, "--json").stdout)


def test_the_maizuru_case_end_to_end(kaiji):
    assert add_maizuru(kaiji) == 1

    overdue = json.loads(kaiji.ok("overdue", "--as-of", "2025-01-11", "--json").stdout)
    assert [(r["id"], r["decision_due"], r["decided_on"]) for r in overdue] == [(1, "2025-01-10", None)]
    assert overdue[0]["inaction_appeal_from"] == "2025-01-11"
    table = kaiji.ok("overdue", "--as-of", "2025-01-11").stdout
    assert "2025-01-10" in table and "舞鶴市長" in table
    assert "nothing overdue" in kaiji.ok("overdue", "--as-of", "2025-01-10").stdout

    kaiji.ok("request", "decide", "1", "--kind", "partial", "--on", "2025-01-10", "--notified", "2025-01-20",
             "--withheld", "店名の部分", "--ground", "第5条第2号", "--reason", REASON_5_2, "--fee", "190")
    r = show(kaiji, 1)
    assert {k: r[k] for k in ("id", "body", "status", "filed_on", "received_on", "decision_due", "decided_on",
                              "notified_on", "appeal_due")} == {
        "id": 1, "body": "maizuru", "status": "decided", "filed_on": "2024-12-27", "received_on": "2024-12-27",
        "decision_due": "2025-01-10", "decided_on": "2025-01-10", "notified_on": "2025-01-20",
        "appeal_due": "2025-04-21"}
    assert r["subject"] == SUBJECT
    assert r["decisions"][0]["withheld"] == [{"part": "店名の部分", "ground": "第5条第2号", "reason": REASON_5_2}]
    assert r["decisions"][0]["fee"] == 190
    assert "nothing overdue" in kaiji.ok("overdue", "--as-of", "2025-01-11").stdout

    due = json.loads(kaiji.ok("due", "--as-of", "2025-02-01", "--json").stdout)
    assert ("2025-04-21", "appeal", 1) in [(i["on"], i["kind"], i["request"]) for i in due]
    assert ("fee", 1) in [(i["kind"], i["request"]) for i in due]
    assert "2025-04-21" in kaiji.ok("due", "--as-of", "2025-02-01").stdout

    text = kaiji.ok("explain", "1").stdout
    for fragment in ("2024-12-27 (Fri)  day 1", "2024-12-29 (Sun)  day 3 (closed: 年末年始",
                     "2025-01-01 (Wed)  day 6 (closed: 元日", "2025-01-10 (Fri)  day 15",
                     "decision due: 2025-01-10 (Fri)", "on time",
                     "2025-04-20 (Sun)  closed (日曜日)", "appeal (審査請求) due: 2025-04-21 (Mon)",
                     "city.maizuru.kyoto.jp"):
        assert fragment in text


def test_a_long_list_shows_its_first_lines_and_says_how_many_more(kaiji):
    """overdue and due: the table shows at most --limit lines (100 unless asked), the most urgent first, and
    a last line saying how many more there are; --all shows every one; CSV and JSON have every line unless
    --limit is given (then the word goes to standard error); --limit with --all is refused."""
    for day in ("2024-12-02", "2024-12-03", "2024-12-04"):          # due 12-16, 17, 18: late on 2025-01-11
        kaiji.ok("request", "add", "--body", "maizuru", "--subject", f"議事録 {day}", "--received", day)
    table = kaiji.ok("overdue", "--as-of", "2025-01-11", "--limit", "2").stdout
    assert "議事録 2024-12-02" in table and "議事録 2024-12-03" in table and "議事録 2024-12-04" not in table
    assert table.rstrip().endswith("… 1 more not shown (3 in all): --all shows every one, --format csv writes them "
                                   "all for a spreadsheet, --limit N shows N.")
    every = kaiji.ok("overdue", "--as-of", "2025-01-11", "--all").stdout
    assert "議事録 2024-12-04" in every and "more not shown" not in every
    assert "more not shown" not in kaiji.ok("overdue", "--as-of", "2025-01-11").stdout   # 3 of at most 100
    assert len(json.loads(kaiji.ok("overdue", "--as-of", "2025-01-11", "--json").stdout)) == 3
    cut = kaiji.ok("due", "--as-of", "2024-12-10", "--limit", "1", "--json")
    assert [r["request"] for r in json.loads(cut.stdout)] == [1]
    assert cut.stderr.strip() == ("kaiji: warning: 2 more not written (3 in all): leave out --limit, or give --all, to "
                                  "have them all.")
    due = kaiji.ok("due", "--as-of", "2024-12-10", "--limit", "2").stdout
    assert due.count("議事録") == 2 and "… 1 more not shown (3 in all)" in due
    result = kaiji("due", "--limit", "5", "--all")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip() == ("kaiji: error: --limit and --all ask for different numbers of lines; give one "
                                     "of them.")


def test_a_late_decision_is_flagged(kaiji):
    add_maizuru(kaiji)
    result = kaiji.ok("request", "decide", "1", "--kind", "partial", "--on", "2025-01-17", "--notified",
                      "2025-01-20", "--withheld", "店名の部分", "--ground", "第5条第2号", "--reason", "x")
    assert "7 days after it was due (2025-01-10)" in result.stderr
    assert "it was late" in kaiji.ok("explain", "1").stdout


def test_dates_in_wareki_give_the_same_result(kaiji):
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "x", "--received", "令和6年12月27日")
    again = kaiji("request", "add", "--body", "maizuru", "--subject", "x", "--received", "R6.12.27")
    assert again.exit_code == 1 and "request 1 has the same body, subject and receipt date (2024-12-27)" in again.output
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "x", "--received", "R6.12.27", "--force")
    assert {show(kaiji, i)["decision_due"] for i in (1, 2)} == {"2025-01-10"}


def test_bad_date_is_refused_with_a_reason_and_nothing_written(kaiji, engine):
    result = kaiji("request", "add", "--body", "maizuru", "--subject", "x", "--received", "平成32年1月1日")
    assert result.exit_code == 2
    assert "平成 ended on 2019-04-30" in result.output and "Traceback" not in result.output
    with engine.connect() as c:
        assert c.scalar(select(func.count()).select_from(Request)) == 0


def test_request_add_json_and_list(kaiji):
    out = json.loads(kaiji.ok("request", "add", "--body", "kyoto-city", "--subject", "議事録", "--received",
                              "2025-06-01", "--json").stdout)
    for key in ("id", "body", "subject", "status", "filed_on", "received_on", "decision_due", "decided_on",
                "notified_on", "appeal_due"):
        assert key in out
    assert out["decision_due"] == "2025-06-16" and out["appeal_due"] is None
    listed = json.loads(kaiji.ok("request", "list", "--json").stdout)
    assert [r["id"] for r in listed] == [out["id"]]


def test_terminal_tables_line_up_with_full_width_text(kaiji):
    add_maizuru(kaiji)
    kaiji.ok("request", "add", "--body", "kyoto-city", "--subject", "abc", "--received", "2025-06-01")
    lines = kaiji.ok("request", "list").stdout.splitlines()
    header, rows = lines[0], lines[2:]
    assert len(rows) == 2
    # Each row's receipt date starts at the same display column as the header's 'received',
    # although one row's subject is full-width text cut to fit and the other's is ASCII.
    want = wcswidth(header[:header.index("received")])
    for line, received in zip(rows, ("2024-12-27", "2025-06-01")):
        assert wcswidth(line[:line.index(received)]) == want, line


def test_a_request_filed_but_not_yet_received(kaiji):
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "x", "--filed", "2025-04-18")
    r = show(kaiji, 1)
    assert r["status"] == "filed" and r["decision_due"] is None
    assert "no receipt date" in kaiji.ok("explain", "1").stdout
    kaiji.ok("request", "receive", "1", "--on", "2025-04-21")
    assert show(kaiji, 1)["decision_due"] == "2025-05-07"


def test_extension_within_and_past_the_limit(kaiji):
    add_maizuru(kaiji)
    result = kaiji.ok("request", "extend", "1", "--until", "2025-03-11", "--on", "2025-01-09", "--reason", "事務処理")
    assert result.stderr == ""
    r = show(kaiji, 1)
    assert (r["status"], r["decision_due"]) == ("extended", "2025-03-11")
    assert "nothing overdue" in kaiji.ok("overdue", "--as-of", "2025-02-01").stdout
    due = json.loads(kaiji.ok("due", "--as-of", "2025-02-01", "--json").stdout)
    assert [(i["on"], i["kind"]) for i in due] == [("2025-03-11", "extended decision")]
    assert "decision due: 2025-01-10" in kaiji.ok("explain", "1").stdout

    add_maizuru(kaiji)
    result = kaiji.ok("request", "extend", "2", "--until", "2025-03-12", "--on", "2025-01-09")
    assert "goes past the limit the rule allows (2025-03-11)" in result.stderr
    # The notice is recorded as it says, but has no effect beyond the limit (issue 9, item 3).
    r = show(kaiji, 2)
    assert (r["decision_due"], r["flags"]) == ("2025-03-11", ["extension_past_limit"])
    assert "past the limit" in kaiji.ok("explain", "2").stdout


def test_extension_must_move_the_date_later(kaiji):
    add_maizuru(kaiji)
    result = kaiji("request", "extend", "1", "--until", "2025-01-05", "--on", "2025-01-04")
    assert result.exit_code == 1 and "not later than the date already due (2025-01-10)" in result.output


def test_correction_where_the_rule_excludes_it(kaiji):
    kaiji.ok("request", "add", "--body", "tokyo", "--subject", "x", "--received", "2025-06-02")
    kaiji.ok("request", "correction", "1", "--on", "2025-06-05", "--what", "文書の特定")
    r = show(kaiji, 1)
    assert (r["status"], r["decision_due"]) == ("correction", None)
    assert "nothing overdue" in kaiji.ok("overdue", "--as-of", "2025-07-01").stdout
    kaiji.ok("request", "corrected", "1", "--on", "2025-06-09")
    r = show(kaiji, 1)
    assert (r["status"], r["decision_due"]) == ("received", "2025-06-20")
    assert "not counted: correction" in kaiji.ok("explain", "1").stdout


def test_corrected_without_a_correction_is_refused(kaiji):
    add_maizuru(kaiji)
    result = kaiji("request", "corrected", "1", "--on", "2025-01-05")
    assert result.exit_code == 1 and "no correction" in result.output


def test_special_extension_and_the_remainder(kaiji):
    kaiji.ok("request", "add", "--body", "national", "--subject", "x", "--received", "2025-06-02")
    kaiji.ok("request", "special-extend", "1", "--part-by", "2025-08-01", "--rest-by", "2025-12-26",
             "--on", "2025-06-20")
    r = show(kaiji, 1)
    assert (r["decision_due"], r["rest_due"]) == ("2025-08-01", "2025-12-26")
    kaiji.ok("request", "decide", "1", "--kind", "full", "--on", "2025-07-30")
    assert show(kaiji, 1)["rest_due"] == "2025-12-26"
    overdue = json.loads(kaiji.ok("overdue", "--as-of", "2026-01-05", "--json").stdout)
    assert [(o["id"], o["what"], o["overdue_since"]) for o in overdue] == [(1, "remainder", "2025-12-26")]
    kaiji.ok("request", "decide", "1", "--kind", "absent", "--on", "2025-12-20", "--notified", "2025-12-22")
    assert show(kaiji, 1)["rest_due"] is None


def test_appeal_against_inaction(kaiji):
    add_maizuru(kaiji)
    early = kaiji("request", "appeal", "1", "--on", "2025-01-10")
    assert early.exit_code == 1 and "not overdue" in early.output
    assert "appeal against inaction" in kaiji.ok("explain", "1").stdout
    kaiji.ok("request", "appeal", "1", "--on", "2025-01-15")
    r = show(kaiji, 1)
    assert r["status"] == "appealed"
    assert r["timeline"][-1]["data"]["against"] == "inaction"


def test_appeal_before_the_decision_is_refused(kaiji):
    add_maizuru(kaiji)
    kaiji.ok("request", "decide", "1", "--kind", "refusal", "--on", "2025-01-10", "--withheld", "全部",
             "--ground", "5-2", "--reason", "x")
    result = kaiji("request", "appeal", "1", "--on", "2025-01-09")
    assert result.exit_code == 1 and "before the decision (2025-01-10)" in result.output
    kaiji.ok("request", "appeal", "1", "--on", "2025-02-01")
    assert show(kaiji, 1)["appeal_due"] is None  # filed: the window no longer runs
    kaiji.ok("request", "appeal-referred", "1", "--on", "2025-02-20")
    kaiji.ok("request", "board-report", "1", "--on", "2025-08-01", "--outcome", "一部開示すべき")
    kaiji.ok("request", "ruling", "1", "--on", "2025-09-01", "--outcome", "partly-granted")
    assert show(kaiji, 1)["status"] == "ruled"


def test_decision_before_receipt_is_refused_and_nothing_written(kaiji, engine):
    add_maizuru(kaiji)
    result = kaiji("request", "decide", "1", "--kind", "full", "--on", "2024-12-26")
    assert result.exit_code == 1
    assert "before the request was received (2024-12-27)" in result.output
    with engine.connect() as c:
        assert c.scalar(select(func.count()).select_from(Event)) == 2


def test_withheld_part_needs_a_ground_from_the_catalogue(kaiji):
    add_maizuru(kaiji)
    no_ground = kaiji("request", "decide", "1", "--kind", "partial", "--on", "2025-01-10", "--withheld", "氏名")
    assert no_ground.exit_code == 2 and "needs the provision relied on" in no_ground.output
    unknown = kaiji("request", "decide", "1", "--kind", "partial", "--on", "2025-01-10", "--withheld", "氏名",
                    "--ground", "第五条第一号", "--reason", "個人情報")
    assert unknown.exit_code == 1
    assert "第5条第1号 is not in 舞鶴市's catalogue" in unknown.output and "kaiji ground add maizuru" in unknown.output
    kaiji.ok("ground", "add", "maizuru", "5条1号", "--summary", "個人に関する情報")
    kaiji.ok("request", "decide", "1", "--kind", "部分開示", "--on", "2025-01-10",
             "--withheld", "氏名", "--ground", "第五条第一号", "--reason", "個人情報",
             "--withheld", "店名の部分", "--ground", "第5条第2号", "--reason", REASON_5_2)
    parts = show(kaiji, 1)["decisions"][0]["withheld"]
    assert [(p["part"], p["ground"]) for p in parts] == [("氏名", "第5条第1号"), ("店名の部分", "第5条第2号")]


def test_decision_kinds_in_english_and_japanese(kaiji):
    for kind, key in (("全部開示", "full"), ("存否応答拒否", "neither"), ("不存在", "absent"), ("absent", "absent")):
        i = add_maizuru(kaiji)
        kaiji.ok("request", "decide", i, "--kind", kind, "--on", "2025-01-08", "--notified", "2025-01-09")
        d = show(kaiji, i)
        assert d["decisions"][0]["kind"] == key
        assert (d["appeal_due"] is None) == (key == "full")
    bad = kaiji("request", "decide", "1", "--kind", "maybe", "--on", "2025-01-08")
    assert bad.exit_code == 2 and "is not a decision kind" in bad.output


def test_transfer_applies_the_new_body_rule_from_the_original_receipt(kaiji):
    # 行政機関情報公開法第12条の2: a national agency may transfer to 独立行政法人等, whose period counts
    # from the original request (第12条の2第2項): 6/3 day 1 → day 30 is 7/2, not 30 days from 6/4.
    kaiji.ok("request", "add", "--body", "national", "--subject", "x", "--received", "2025-06-02")
    kaiji.ok("request", "transfer", "1", "--to", "dokuritsu", "--on", "2025-06-04")
    r = show(kaiji, 1)
    assert (r["body"], r["decision_due"]) == ("dokuritsu", "2025-07-02")
    same = kaiji("request", "transfer", "1", "--to", "dokuritsu", "--on", "2025-06-05")
    assert same.exit_code == 1


def test_withdrawal_ends_the_dates_and_further_events(kaiji):
    add_maizuru(kaiji)
    kaiji.ok("request", "withdraw", "1", "--on", "2025-01-05")
    r = show(kaiji, 1)
    assert (r["status"], r["decision_due"]) == ("withdrawn", None)
    assert "nothing overdue" in kaiji.ok("overdue", "--as-of", "2025-02-01").stdout
    later = kaiji("request", "decide", "1", "--kind", "full", "--on", "2025-01-08")
    assert later.exit_code == 1 and "withdrawn" in later.output
    kaiji.ok("request", "note", "1", "電話で確認", "--on", "2025-01-06")


def test_retracting_an_event_keeps_it_in_the_timeline(kaiji):
    add_maizuru(kaiji)
    kaiji.ok("request", "decide", "1", "--kind", "partial", "--on", "2025-01-10", "--notified", "2025-01-20",
             "--withheld", "店名の部分", "--ground", "第5条第2号", "--reason", "x")
    decision_event = show(kaiji, 1)["timeline"][-1]["id"]
    kaiji.ok("request", "retract", "1", decision_event, "--reason", "別の請求の決定を誤って記録")
    r = show(kaiji, 1)
    assert (r["status"], r["decided_on"], r["appeal_due"]) == ("received", None, None)
    kinds = [(e["kind"], e["retracted"]) for e in r["timeline"]]
    assert ("decision", True) in kinds and kinds[-1] == ("retraction", False)
    again = kaiji("request", "retract", "1", decision_event, "--reason", "x")
    assert again.exit_code == 1 and "retracted already" in again.output


def test_fees_and_disclosure_appointment_in_due(kaiji):
    add_maizuru(kaiji)
    kaiji.ok("request", "decide", "1", "--kind", "full", "--on", "2025-01-10", "--notified", "2025-01-14",
             "--fee", "190", "--disclosure-on", "2025-01-24", "--disclosure-time", "午後2時",
             "--disclosure-place", "舞鶴市役所人事課", "--document", "カスタマーハラスメントに関するアンケート結果")
    due = json.loads(kaiji.ok("due", "--as-of", "2025-01-15", "--json").stdout)
    assert [(i["on"], i["kind"]) for i in due] == [("2025-01-24", "disclosure"), (None, "fee")]
    kaiji.ok("request", "paid", "1", "190", "--on", "2025-01-24")
    kaiji.ok("request", "disclosed", "1", "--on", "2025-01-24")
    assert json.loads(kaiji.ok("due", "--as-of", "2025-01-15", "--json").stdout) == []
    assert show(kaiji, 1)["status"] == "disclosed"
    assert kaiji("request", "paid", "1", "10").exit_code == 1


def test_due_window(kaiji):
    add_maizuru(kaiji)  # due 2025-01-10
    assert json.loads(kaiji.ok("due", "--as-of", "2025-01-01", "--within", "8", "--json").stdout) == []
    due = json.loads(kaiji.ok("due", "--as-of", "2025-01-01", "--within", "9", "--json").stdout)
    assert [(i["on"], i["kind"], i["days_left"]) for i in due] == [("2025-01-10", "decision", 9)]


def test_unknown_request_and_body(kaiji):
    missing = kaiji("request", "show", "42")
    assert missing.exit_code == 2 and "there is no request 42" in missing.output
    body = kaiji("request", "add", "--body", "nowhere", "--subject", "x", "--received", "2025-01-06")
    assert body.exit_code == 2 and "there is no body 'nowhere'" in body.output and "maizuru" in body.output


def test_broken_encoding_is_refused(kaiji):
    result = kaiji("request", "add", "--body", "maizuru", "--subject", "abc\udce9", "--received", "2025-01-06")
    assert result.exit_code == 2 and "not valid UTF-8" in result.output


def test_body_add_with_its_own_rule_and_a_new_rule_version(kaiji):
    kaiji.ok("body", "add", "fukuchiyama", "--name", "福知山市長", "--jurisdiction-name", "福知山市",
             "--ordinance", "福知山市情報公開条例", "--period", "15", "--count-from", "next-day",
             "--extension-max", "30", "--source", "福知山市情報公開条例第11条")
    kaiji.ok("body", "add", "fukuchiyama-edu", "--name", "福知山市教育委員会", "--jurisdiction", "fukuchiyama")
    assert "fukuchiyama-edu" in kaiji.ok("body", "list").stdout
    kaiji.ok("request", "add", "--body", "fukuchiyama-edu", "--subject", "x", "--received", "2025-06-02")
    assert show(kaiji, 1)["decision_due"] == "2025-06-17"  # 6/3 day 1 → day 15 is 6/17 (Tue)
    # The ordinance changes: from 2025-07-01 the period is 14 days counting the request day.
    kaiji.ok("rule", "add", "fukuchiyama", "--period", "14", "--count-from", "request-day",
             "--effective-from", "2025-07-01", "--source", "改正条例 (令和7年7月1日施行)")
    kaiji.ok("request", "add", "--body", "fukuchiyama-edu", "--subject", "y", "--received", "2025-07-01")
    assert show(kaiji, 1)["decision_due"] == "2025-06-17"  # received before the change: old rule
    assert show(kaiji, 2)["decision_due"] == "2025-07-14"  # 7/1 day 1 → day 14 is 7/14 (Mon)
    assert "2025-07-01" in kaiji.ok("rule", "list", "fukuchiyama").stdout
    missing = kaiji("body", "add", "x", "--name", "X")
    assert missing.exit_code == 2 and "existing --jurisdiction" in missing.output


def test_a_closed_day_added_later_moves_stored_deadlines(kaiji):
    kaiji.ok("request", "add", "--body", "ayabe", "--subject", "x", "--received", "2025-03-03")
    assert show(kaiji, 1)["decision_due"] == "2025-03-17"
    kaiji.ok("holiday", "add", "ayabe", "2025-03-17", "--reason", "庁舎停電")
    assert show(kaiji, 1)["decision_due"] == "2025-03-18"
    assert "庁舎停電" in kaiji.ok("explain", "1").stdout


def test_requesters_and_privacy_of_their_contacts(kaiji):
    kaiji.ok("requester", "add", "市民オンブズマンまいづる", "--group", "--representative", "森本 隆",
             "--address", "京都府舞鶴市喜多1105-40", "--phone", "090-0000-0000", "--contact-name", "森本 隆",
             "--contact-phone", "090-0000-0000")
    add_maizuru(kaiji)
    for args in (("requester", "list"), ("requester", "list", "--json"), ("request", "show", "1", "--json"),
                 ("request", "list", "--json")):
        out = kaiji.ok(*args).stdout
        assert "090-0000-0000" not in out and "喜多1105" not in out, args
    assert "090-0000-0000" in kaiji.ok("requester", "list", "--with-contacts").stdout


def test_default_database_lives_in_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("KAIJI_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    result = CliRunner().invoke(cli, ["request", "add", "--body", "maizuru", "--subject", "x", "--received",
                                      "2025-01-06"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "data" / "kaiji" / "kaiji.sqlite3"
    assert path.exists() and (path.stat().st_mode & 0o777) == 0o600


def test_kaiji_db_env_var_and_db_commands(tmp_path, monkeypatch):
    db = tmp_path / "group.sqlite3"
    monkeypatch.setenv("KAIJI_DB", str(db))
    runner = CliRunner()
    assert runner.invoke(cli, ["request", "add", "--body", "maizuru", "--subject", "x", "--received",
                               "2025-01-06"]).exit_code == 0
    assert db.exists()
    current = runner.invoke(cli, ["db", "current"])
    assert current.exit_code == 0 and "up to date" in current.output
    check = runner.invoke(cli, ["db", "check"])
    assert check.exit_code == 0 and "matches" in check.output


@pytest.mark.parametrize("args", [("--help",), ("request", "add", "--help"), ("request", "decide", "--help"),
                                  ("due", "--help"), ("overdue", "--help"), ("explain", "--help")])
def test_help(args):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0 and "Usage:" in result.output


def test_third_party_objection_warns_about_a_disclosure_within_two_weeks(kaiji):
    kaiji.ok("request", "add", "--body", "national", "--subject", "入札資料", "--received", "2025-06-02")
    kaiji.ok("request", "consult", "1", "--party", "株式会社A", "--on", "2025-06-10")
    kaiji.ok("request", "consulted", "1", "--party", "株式会社A", "--objects", "--on", "2025-06-20")
    early = kaiji.ok("request", "decide", "1", "--kind", "full", "--on", "2025-07-01", "--disclosure-on", "2025-07-15")
    # 7/1 plus two full weeks between: 7/16 is the first possible day.
    assert "2025-07-16 at the earliest" in early.stderr
    kaiji.ok("request", "add", "--body", "national", "--subject", "入札資料（別件）", "--received", "2025-06-02")
    kaiji.ok("request", "consult", "2", "--party", "株式会社A", "--on", "2025-06-10")
    kaiji.ok("request", "consulted", "2", "--party", "株式会社A", "--objects", "--on", "2025-06-20")
    assert kaiji.ok("request", "decide", "2", "--kind", "full", "--on", "2025-07-01",
                    "--disclosure-on", "2025-07-16").stderr == ""


def test_body_edit_sets_the_head_name(kaiji):
    kaiji.ok("body", "edit", "maizuru", "--head-name", "鴨田 秋津")
    assert "舞鶴市長 (鴨田 秋津)" in kaiji.ok("body", "edit", "maizuru", "--head", "舞鶴市長").stdout
    nothing = kaiji("body", "edit", "maizuru")
    assert nothing.exit_code == 2 and "nothing to change" in nothing.output
    assert kaiji("body", "edit", "nowhere", "--head-name", "x").exit_code == 2


def test_a_decision_gives_its_own_reason_when_it_withholds_no_part(kaiji):
    add_maizuru(kaiji)
    kaiji.ok("request", "decide", "1", "--kind", "不存在", "--on", "2025-01-09", "--reason", "作成していないため")
    d = show(kaiji, 1)["decisions"][0]
    assert (d["kind"], d["reason"], d["withheld"]) == ("absent", "作成していないため", [])
    add_maizuru(kaiji)
    full = kaiji("request", "decide", "2", "--kind", "full", "--on", "2025-01-09", "--reason", "x")
    assert full.exit_code == 2 and "gives no reason" in full.output


def test_an_extension_notified_after_the_due_date_does_not_end_the_inaction(kaiji):
    add_maizuru(kaiji)  # due 2025-01-10
    late = kaiji.ok("request", "extend", "1", "--on", "2025-01-15", "--until", "2025-02-28")
    assert "does not move the date" in late.stderr and "2025-01-11" in late.stderr
    r = show(kaiji, 1)
    assert (r["status"], r["decision_due"]) == ("received", "2025-01-10")
    assert [o["id"] for o in json.loads(kaiji.ok("overdue", "--as-of", "2025-01-16", "--json").stdout)] == [1]
    kaiji.ok("request", "appeal", "1", "--on", "2025-01-16")  # against inaction, still open
    assert "recorded, but it was notified after the date then due" in kaiji.ok("explain", "1").stdout


def test_a_second_extension_is_checked_against_the_date_in_force(kaiji):
    add_maizuru(kaiji)
    kaiji.ok("request", "extend", "1", "--on", "2025-01-09", "--until", "2025-02-28")
    earlier = kaiji("request", "extend", "1", "--on", "2025-02-20", "--until", "2025-01-20")
    assert earlier.exit_code == 1 and "not later than the date already due (2025-02-28)" in earlier.output
    ok = kaiji.ok("request", "extend", "1", "--on", "2025-02-20", "--until", "2025-03-11")
    assert ok.stderr == ""  # 2025-03-11 is the rule's limit: allowed
    assert show(kaiji, 1)["decision_due"] == "2025-03-11"


def test_a_late_decision_on_the_remainder_is_flagged(kaiji):
    kaiji.ok("request", "add", "--body", "national", "--subject", "x", "--received", "2025-06-02")
    kaiji.ok("request", "special-extend", "1", "--part-by", "2025-08-01", "--rest-by", "2025-12-01",
             "--on", "2025-06-20")
    kaiji.ok("request", "decide", "1", "--kind", "full", "--on", "2025-07-30")
    kaiji.ok("request", "decide", "1", "--kind", "full", "--on", "2025-12-10")
    text = kaiji.ok("explain", "1").stdout
    assert "on time: due 2025-08-01" in text
    assert "remainder came 9 days after the date the special extension gave (2025-12-01)" in text


def test_a_receipt_after_the_decision_is_refused(kaiji):
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "x", "--filed", "2025-01-06")
    kaiji.ok("request", "receive", "1", "--on", "2025-01-06")
    kaiji.ok("request", "decide", "1", "--kind", "full", "--on", "2025-01-08")
    receipt = [e["id"] for e in show(kaiji, 1)["timeline"] if e["kind"] == "received"][0]
    kaiji.ok("request", "retract", "1", receipt, "--reason", "日付の誤り")
    result = kaiji("request", "receive", "1", "--on", "2025-02-01")
    assert result.exit_code == 1 and "decision on 2025-01-08 is recorded already" in result.output
    kaiji.ok("request", "receive", "1", "--on", "2025-01-07")


def test_the_lawsuit_period_waits_for_the_ruling_after_an_appeal(kaiji):
    add_maizuru(kaiji)
    kaiji.ok("request", "decide", "1", "--kind", "partial", "--on", "2025-01-10", "--notified", "2025-01-20",
             "--withheld", "店名の部分", "--ground", "第5条第2号", "--reason", "x")
    assert "lawsuit (取消訴訟) due: 2025-07-22" in kaiji.ok("explain", "1").stdout
    kaiji.ok("request", "appeal", "1", "--on", "2025-02-01")
    assert "the 6 months run from the ruling" in kaiji.ok("explain", "1").stdout
    early = kaiji("request", "ruling", "1", "--on", "2025-09-01", "--notified", "2025-08-30", "--outcome", "upheld")
    assert early.exit_code == 1
    kaiji.ok("request", "ruling", "1", "--on", "2025-09-01", "--notified", "2025-09-03", "--outcome", "upheld")
    text = kaiji.ok("explain", "1").stdout
    assert "against the ruling" in text and "lawsuit (取消訴訟) due: 2026-03-03" in text


def test_db_upgrade_on_an_up_to_date_database_makes_no_backup(tmp_path):
    db = tmp_path / "k.sqlite3"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(db), "body", "list"]).exit_code == 0
    result = runner.invoke(cli, ["--db", str(db), "db", "upgrade"])
    assert result.exit_code == 0 and "already up to date" in result.output
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".sqlite3") == ["k.sqlite3"]


@pytest.mark.slow  # starts a new Python process (kaiji as a user runs it)
def test_each_command_loads_from_the_module_the_root_group_names():
    import json
    import subprocess
    import sys

    def run(code: str):   # in a new process, where no command module has been imported yet
        return json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                         check=True).stdout)

    loaded = run("import json, sys; from tracker.cli import cli; cli.get_command(None, 'due'); "
                 "print(json.dumps(sorted(m for m in sys.modules if m.startswith('tracker.cli.'))))")
    # `kaiji due` loads no other command's code, only the output layer every command prints through
    assert loaded == ["tracker.cli.output", "tracker.cli.reports"]
    found, named = run("""if True:
        import importlib, json
        from tracker.cli import RootGroup, cli
        found = {}
        for module in sorted(set(RootGroup.MODULES.values())):
            before = set(cli.commands)
            importlib.import_module("tracker.cli." + module)
            found.update({name: module for name in set(cli.commands) - before})
        print(json.dumps([found, RootGroup.MODULES]))
    """)
    assert found == named                                    # every command named with its module, nothing else


def test_a_mistyped_command_gets_the_nearest_suggested(kaiji):
    result = kaiji("du")
    assert result.exit_code == 2 and "No such command 'du'" in result.output and "Did you mean 'due'?" in result.output


@pytest.mark.slow  # starts a new Python process (kaiji as a user runs it)
def test_the_lists_and_the_request_form_need_no_mapped_classes(kaiji, tmp_path):
    """`kaiji due`, `overdue` and `pdf request` read plain rows: declaring and configuring the mapped
    classes would cost them more than their own work (issue 5's targets). They must still be right."""
    import subprocess
    import sys

    add_maizuru(kaiji)
    code = """if True:
        import sys
        from tracker.cli import cli
        for args in (["due", "--as-of", "2025-01-08"], ["overdue", "--as-of", "2025-01-11"],
                     ["pdf", "request", "1", "-o", sys.argv[2]]):
            cli(["--db", sys.argv[1], *args], standalone_mode=False)
        print("LOADED", sorted(m for m in sys.modules if m in ("tracker.models", "tracker.service", "tracker.timeline")))
    """
    out = subprocess.run([sys.executable, "-c", code, kaiji.url, str(tmp_path / "r.pdf")], capture_output=True,
                         text=True, check=True).stdout
    # The real case: received 2024-12-27, decision due 2025-01-10.
    assert "2025-01-10  2d  decision (" in out                            # due, two days ahead
    assert "2024-12-27  2025-01-10          1  2025-01-11" in out        # overdue 1 day; 不作為 appeal from 01-11
    assert "LOADED []" in out, out
    assert (tmp_path / "r.pdf").stat().st_size > 1000


@pytest.mark.slow  # starts a new Python process (kaiji as a user runs it)
def test_the_cycle_collector_runs_for_every_command_that_turns_to_the_database(tmp_path):
    """main() turns Python's cycle collector off while a command imports its modules; every command that then
    works on a database (also `db upgrade`, which does not open it as the others do) turns it on again."""
    import subprocess
    import sys

    probe = ("import gc, sys; from tracker import db; real = db.make_engine\n"
             "def spy(*a, **k):\n    print('collector', gc.isenabled(), file=sys.stderr); return real(*a, **k)\n"
             "db.make_engine = spy\nsys.argv = ['kaiji'] + sys.argv[1:]\nfrom tracker.cli import main\nmain()\n")
    url = f"sqlite:///{tmp_path / 'k.sqlite3'}"
    for args in (["db", "upgrade"], ["request", "list"]):
        done = subprocess.run([sys.executable, "-c", probe, "--db", url, *args], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert "collector True" in done.stderr and "collector False" not in done.stderr, args


def test_an_empty_requester_names_no_one_and_warns_of_no_one(kaiji):
    """Issue 10, item 15: `--requester ''` warned that a requester named "None" had been added."""
    result = kaiji("request", "add", "--body", "maizuru", "--subject", "調査結果", "--received", "2025-01-06",
                   "--requester", "")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert json.loads(kaiji.ok("request", "show", result.stdout.strip(), "--json").stdout)["requester"] is None
    assert json.loads(kaiji.ok("requester", "list", "--json").stdout) == []
