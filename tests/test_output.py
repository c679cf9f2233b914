"""The one output layer: every listing prints the same records as a table, JSON and CSV, and tables fit.

The data is the README's walk-through (full-width subjects, a group with its contacts) and a second,
undecided request, so that every listing has Japanese text to measure and `overdue` has a row."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tracker.cli import cli
from tracker.cli.output import Column, table
from tracker.table import fit, stack, width, wrap

from .conftest import Kaiji, prepared

SUBJECT = "舞鶴市が実施した「カスタマーハラスメント」アンケートの調査結果を請求します。"
SUBJECT_2 = "市議会の政務活動費に関する領収書一式（令和５年度分）の写し"
ADDRESS = "京都府舞鶴市喜多1105-40 (株)DIYSTYLE 内事務局"
REASON = ("法人その他の団体に関する情報又は事業を営む個人の当該事業に関する情報であって、当該法人等又は当該個人の"
          "権利、競争上の地位その他正当な利益を害するおそれがあるため")

# Every command that takes --format, with the arguments that give it something to list.
LISTINGS = {
    ("request", "list"): [],
    ("request", "show"): ["1"],
    ("requester", "list"): ["--with-contacts"],
    ("body", "list"): [],
    ("rule", "list"): ["maizuru"],
    ("ground", "list"): ["maizuru"],
    ("holiday", "list"): ["maizuru"],
    ("due",): ["--as-of", "2025-02-01"],
    ("overdue",): ["--as-of", "2025-06-01"],
    ("explain",): ["1"],
    ("db", "current"): [],
    ("user", "list"): [],
    ("doc", "list"): ["1"],
    ("search",): ["店"],
    ("body", "set", "list"): [],
    ("body", "set", "show"): ["kyoto"],
    ("campaign", "list"): [],
    ("campaign", "show"): ["seimu-2025", "--as-of", "2025-06-01"],
    ("stats",): [],
}
SINGLE = {("request", "show"), ("db", "current")}  # one record: a JSON object, one CSV row
# The listings the README's acceptance names: no line wider than the terminal.
FITTED = [("request", "list"), ("due",), ("overdue",), ("body", "list"), ("request", "show"), ("requester", "list"),
          ("doc", "list"), ("search",)]
PAPERS = Path(__file__).parent / "data" / "maizuru-2024-papers.txt"  # the papers the city sent back, as text


def walkthrough(kaiji, campaign: bool = True) -> None:
    """The README's walk-through, and (campaign) a body set and a campaign filed with it (two more requests)."""
    kaiji.ok("requester", "add", "市民オンブズマンまいづる", "--group", "--representative", "森本 隆",
             "--address", ADDRESS, "--phone", "090-0000-0000", "--contact-name", "森本 隆",
             "--contact-phone", "090-0000-0000")
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", SUBJECT, "--received", "令和6年12月27日",
             "--requester", "市民オンブズマンまいづる", "--method", "copy", "--mail")
    kaiji.ok("request", "decide", "1", "--kind", "partial", "--on", "2025-01-10", "--notified", "2025-01-20",
             "--withheld", "店名の部分", "--ground", "第5条第2号", "--reason", REASON, "--fee", "190")
    kaiji.ok("doc", "add", "1", PAPERS, "--kind", "disclosed", "--received", "2025-01-24")
    kaiji.ok("request", "add", "--body", "kyoto-city", "--subject", SUBJECT_2, "--received", "2025-03-03")
    kaiji.ok("holiday", "add", "maizuru", "2025-08-13", "--reason", "庁舎の停電")
    kaiji.ok("user", "add", "hanako", "--role", "editor", "--password", "correct horse battery")
    if not campaign:
        return
    kaiji.ok("body", "set", "add", "kyoto", "maizuru", "kyoto-city")
    kaiji.ok("campaign", "add", "seimu-2025", "--subject", SUBJECT_2, "--filed", "2025-04-01", "--set", "kyoto")


@pytest.fixture
def walked(kaiji) -> Kaiji:
    """kaiji on the walk-through's records (on SQLite made once per session and copied: conftest.prepared)."""
    prepared(kaiji, "test_output walkthrough", walkthrough)
    return kaiji


@pytest.fixture
def walked_plain(kaiji) -> Kaiji:
    """kaiji on the walk-through's records without the campaign (two requests: the tests that count rows)."""
    prepared(kaiji, "test_output walkthrough, no campaign", lambda k: walkthrough(k, campaign=False))
    return kaiji


def run(kaiji, monkeypatch, args, columns: int | None = None) -> str:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)  # CliRunner's output is no terminal: a pipe
    else:
        monkeypatch.setenv("COLUMNS", str(columns))
    return kaiji.ok(*args).stdout


def leaves(group: click.Group, path=()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        yield from leaves(cmd, path + (name,)) if isinstance(cmd, click.Group) else [(path + (name,), cmd)]


def test_every_listing_and_show_command_takes_format_and_is_walked_here():
    with_format = {path for path, cmd in leaves(cli) if any(p.name == "fmt" for p in cmd.params)}
    looks_like_a_listing = {path for path, _ in leaves(cli)
                            if path[-1] in ("list", "show", "current", "due", "overdue", "explain")}
    assert looks_like_a_listing <= with_format
    assert with_format == set(LISTINGS)


def csv_cell(value) -> str:
    """What a JSON value reads back as from the CSV: text as it is, None empty, the rest as compact JSON."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_json_and_csv_give_the_same_records_and_json_is_format_json(walked, monkeypatch):
    kaiji = walked
    for path, extra in LISTINGS.items():
        args = [*path, *extra]
        as_json = run(kaiji, monkeypatch, [*args, "--json"])
        assert run(kaiji, monkeypatch, [*args, "--format", "json"]) == as_json, path
        records = json.loads(as_json)
        records = [records] if path in SINGLE else records
        assert records and all(isinstance(r, dict) for r in records), path
        rows = list(csv.reader(io.StringIO(run(kaiji, monkeypatch, [*args, "--format", "csv"]))))
        assert rows[0] == list(records[0]), path                      # the same keys, in the same order
        assert len(rows) == len(records) + 1, path
        for record, row in zip(records, rows[1:]):
            for key, cell in zip(rows[0], row):
                value = record[key]
                if isinstance(value, (list, dict)):
                    assert json.loads(cell) == value, (path, key)     # nested values: compact JSON text
                else:
                    assert cell == csv_cell(value), (path, key)


def test_json_keys_are_those_users_already_read(walked, monkeypatch):
    kaiji = walked
    due = json.loads(run(kaiji, monkeypatch, ["due", "--as-of", "2025-02-01", "--json"]))
    assert list(due[0]) == ["on", "kind", "kind_ja", "request", "body", "body_name", "subject", "detail",
                            "days_left", "flags"]
    # The appeal window: learned of the decision 2025-01-20, 3 months from 01-21 end on 04-20, a Sunday,
    # so the last day is Monday 04-21 (行政不服審査法第18条, 地方自治法第4条の2第4項): 79 days after 02-01.
    appeal = [d for d in due if d["request"] == 1 and d["on"]]
    assert [(d["on"], d["days_left"], d["subject"]) for d in appeal] == [("2025-04-21", 79, SUBJECT)]
    late = json.loads(run(kaiji, monkeypatch, ["overdue", "--as-of", "2025-06-01", "--json"]))
    assert [r["id"] for r in late] == [2]
    assert {"body_name", "decision_due", "overdue_since", "days_overdue", "inaction_appeal_from"} <= set(late[0])


def test_explain_as_records_is_a_step_a_record_with_its_day(walked, monkeypatch):
    kaiji = walked
    steps = json.loads(run(kaiji, monkeypatch, ["explain", "1", "--json"]))
    assert all(set(s) == {"on", "text"} for s in steps)
    # 15 days counting from the request day itself: 2024-12-27 is day 1, 2025-01-10 day 15 (README).
    assert {"on": "2024-12-27", "text": "day 1"} in steps
    assert {"on": "2025-01-10", "text": "day 15"} in steps
    text = run(kaiji, monkeypatch, ["explain", "1"])
    for step in steps:
        assert step["text"] in text
    assert "2024-12-27 (Fri)  day 1" in text                    # the text form: each step with its day


def cells(out: str) -> list[list[str]]:
    """A table's rows cut into cells at the columns its rule (`--  ------`) marks, by display width."""
    lines = out.splitlines()
    rule = lines[1]
    spans, start = [], 0
    for dashes in rule.split("  "):
        spans.append((start, start + len(dashes)))
        start += len(dashes) + 2

    def columns(line: str) -> list[str]:
        at, chars = 0, []
        for c in line:
            chars.append((at, c))
            at += width(c)
        return ["".join(c for at, c in chars if a <= at < b).strip() for a, b in spans]

    return [columns(line) for line in lines[2:]]


TABLE_KEYS = {  # a table column's key, and where the column is in `cells`
    ("request", "list"): {"id": 0, "subject": 2, "received_on": 4, "decision_due": 5, "appeal_due": 7},
    ("requester", "list"): {"name": 0, "representative": 2, "address": 4, "phone": 5},
    ("body", "list"): {"key": 0, "name": 1, "rule": 4, "source": 5},
    ("rule", "list"): {"rule": 1, "source": 2},
    ("holiday", "list"): {"day": 0, "reason": 1},
    ("due",): {"on": 0, "request": 3, "subject": 5},
    ("overdue",): {"id": 0, "subject": 2, "received_on": 3, "overdue_since": 4, "days_overdue": 5},
}


def test_piped_tables_show_the_json_records_whole(walked, monkeypatch):
    kaiji = walked
    for path, keys in TABLE_KEYS.items():
        args = [*path, *LISTINGS[path]]
        records = json.loads(run(kaiji, monkeypatch, [*args, "--json"]))
        rows = cells(run(kaiji, monkeypatch, args))
        assert len(rows) == len(records), path
        for record, row in zip(records, rows):
            for key, at in keys.items():
                assert row[at] == csv_cell(record[key]), (path, key)   # whole: no … anywhere
    ground = run(kaiji, monkeypatch, ["ground", "list", "maizuru"])
    for g in json.loads(run(kaiji, monkeypatch, ["ground", "list", "maizuru", "--json"])):
        assert f"{g['ordinance']}{g['code']}" in ground and g["summary"] in ground
    show = run(kaiji, monkeypatch, ["request", "show", "1"])
    assert f"subject: {SUBJECT}\n" in show and REASON in show and "…" not in show
    assert "schema" in run(kaiji, monkeypatch, ["db", "current"])


@pytest.mark.parametrize("path", FITTED, ids=" ".join)
def test_at_80_columns_every_line_fits_and_clipped_cells_are_marked(walked, monkeypatch, path):
    kaiji = walked
    args = [*path, *LISTINGS[path]]
    out = run(kaiji, monkeypatch, args, columns=80)
    whole = run(kaiji, monkeypatch, args)
    assert out != whole or max(map(width, whole.splitlines())) <= 80
    assert max(map(width, out.splitlines())) <= 80, out
    if path in TABLE_KEYS and cells(out) and "--" in out.splitlines()[1]:
        records = json.loads(run(kaiji, monkeypatch, [*args, "--json"]))
        for record, row in zip(records, cells(out)):
            for key, at in TABLE_KEYS[path].items():
                full = " ".join(csv_cell(record[key]).split())
                assert row[at] == full or (row[at].endswith("…") and full.startswith(row[at][:-1])), (path, key)


def test_at_80_columns_the_request_list_is_a_table_with_the_subject_clipped(walked_plain, monkeypatch):
    kaiji = walked_plain
    out = run(kaiji, monkeypatch, ["request", "list"], columns=80)
    rows = cells(out)
    assert [r[0] for r in rows] == ["1", "2"]
    assert rows[0][2].endswith("…") and SUBJECT.startswith(rows[0][2][:-1])
    assert [r[4] for r in rows] == ["2024-12-27", "2025-03-03"]         # dates are never clipped


@pytest.mark.parametrize("path", FITTED, ids=" ".join)
def test_at_50_columns_lists_are_stacked_one_field_a_line(walked_plain, monkeypatch, path):
    kaiji = walked_plain
    out = run(kaiji, monkeypatch, [*path, *LISTINGS[path]], columns=50)
    assert max(map(width, out.splitlines())) <= 50, out
    assert not any(set(line) <= {"-", " "} and line for line in out.splitlines())   # no table rule
    if path == ("request", "list"):
        blocks = out.strip("\n").split("\n\n")
        assert len(blocks) == 2                                           # a blank line between records
        assert [b.splitlines()[0] for b in blocks] == ["id          : 1", "id          : 2"]
        # the subject is wrapped under itself, none of it lost
        first = blocks[0].splitlines()
        at = next(i for i, line in enumerate(first) if line.startswith("subject"))
        parts = [first[at].split(": ", 1)[1]] + [line.strip() for line in first[at + 1:at + 3]]
        assert "".join(parts) == SUBJECT


def test_help_wraps_to_the_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "50")
    narrow = CliRunner().invoke(cli, ["request", "decide", "--help"]).output
    monkeypatch.setenv("COLUMNS", "100")
    wide = CliRunner().invoke(cli, ["request", "decide", "--help"]).output
    # The example below the options is kept as it is written, a command line to copy. Click counts
    # characters, not display columns, so a line with full-width text may run past by its width.
    assert max(map(len, narrow.split("Example")[0].splitlines())) <= 50
    assert max(map(width, wide.splitlines())) > 80


def test_json_with_another_format_is_refused(kaiji):
    result = kaiji("request", "list", "--json", "--format", "csv")
    assert result.exit_code == 2 and "--json is short for --format json" in result.stderr


# ---------------------------------------------------------------- the fitting itself

def test_fit_narrows_the_free_text_first_then_the_next_down_to_their_floors():
    # id 2, body 8, subject 40, date 10: 60 columns and 3 gaps of 2 = 66.
    assert fit([2, 8, 40, 10], [None, 6, 10, None], [2, 1], 66) == [2, 8, 40, 10]   # fits already
    assert fit([2, 8, 40, 10], [None, 6, 10, None], [2, 1], 40) == [2, 8, 14, 10]   # 26 off the subject
    assert fit([2, 8, 40, 10], [None, 6, 10, None], [2, 1], 34) == [2, 6, 10, 10]   # subject 30 off, body 2
    assert fit([2, 8, 40, 10], [None, 6, 10, None], [2, 1], 33) is None             # below every floor
    assert fit([5], [10], [0], 3) is None                                           # narrower than its floor


def test_table_fits_full_width_text_and_stacks_below_60_columns():
    records = [{"id": 1, "body": "舞鶴市長", "subject": SUBJECT, "on": "2025-01-10"},
               {"id": 22, "body": "京都市長", "subject": "abc", "on": "2025-03-03"}]
    columns = [Column("id", "id", right=True), Column("body", "body", shrink=6),
               Column("subject", "subject", shrink=10, text=True), Column("on", "on")]
    # 60 columns: id 2, body 8, on 10 and three gaps of 2 leave the subject 34: 16 full-width characters and …
    assert table(records, columns, 60).splitlines()[2] == " 1  舞鶴市長  " + SUBJECT[:16] + "…  2025-01-10"
    assert all(width(line) <= 60 for line in table(records, columns, 60).splitlines())
    assert table(records, columns, None).splitlines()[2].startswith(" 1  舞鶴市長  " + SUBJECT)
    stacked = table(records, columns, 59)
    assert stacked.split("\n\n")[1] == "id     : 22\nbody   : 京都市長\nsubject: abc\non     : 2025-03-03"


def test_wrap_and_stack_measure_full_width_characters_as_two_columns():
    assert wrap("舞鶴市長様", 4) == ["舞鶴", "市長", "様"]
    assert wrap("ab 舞鶴", 5) == ["ab 舞", "鶴"]
    assert wrap("", 5) == [""]
    assert wrap("「舞鶴」の件", 6) == ["「舞", "鶴」の", "件"]    # 」 does not start a line: 鶴 goes down with it
    assert stack(["日付", "what"], [["2025-01-10", None], ["", "x"]], 40) == "日付: 2025-01-10\n\nwhat: x"
