"""Input as people type it: bodies by name or jurisdiction, Japanese statuses and kinds, yen as written."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tracker import service
from tracker.errors import NotFound

D = date.fromisoformat


@pytest.fixture
def with_edu(session):
    """舞鶴市 with two bodies: the mayor (the preset's default body, key maizuru) and the board of education."""
    service.add_body(session, key="maizuru-edu", name="舞鶴市教育委員会", head=None,
                     jurisdiction=service.get_jurisdiction(session, "maizuru"))
    return session


@pytest.mark.parametrize("typed,key", [
    ("maizuru", "maizuru"), ("ＭＡＩＺＵＲＵ", "maizuru"), ("舞鶴市長", "maizuru"),
    ("舞鶴市", "maizuru"),                   # the jurisdiction: two bodies, maizuru its default
    ("舞鶴市教育委員会", "maizuru-edu"), ("舞鶴市教", "maizuru-edu"), ("maizuru-e", "maizuru-edu"),
    ("綾部市", "ayabe"), ("綾部", "ayabe"),    # the jurisdiction with one body; a prefix of its name
    ("kyoto", "kyoto-city"), ("国", "national"),
])
def test_a_body_by_key_name_jurisdiction_or_prefix(with_edu, typed, key):
    assert service.get_body(with_edu, typed).key == key


def test_an_ambiguous_body_lists_the_candidates(with_edu):
    with pytest.raises(NotFound) as exc:
        service.get_body(with_edu, "舞鶴")
    assert str(exc.value) == ("'舞鶴' names more than one body: maizuru (舞鶴市長), maizuru-edu (舞鶴市教育委員会); "
                              "give one of these keys.")


def test_a_jurisdiction_without_a_default_body_is_ambiguous(session):
    jur = service.add_jurisdiction(session, key="fukuchiyama", name="福知山市", ordinance="福知山市情報公開条例")
    for key, name in (("fukuchiyama-mayor", "福知山市長"), ("fukuchiyama-edu", "福知山市教育委員会")):
        service.add_body(session, key=key, name=name, head=None, jurisdiction=jur)
    with pytest.raises(NotFound, match="'福知山市' names more than one body: fukuchiyama-edu"):
        service.get_body(session, "福知山市")


def test_an_unknown_body_lists_close_matches_at_most_ten(session):
    with pytest.raises(NotFound, match=r"there is no body 'maizuro'; did you mean maizuru \(舞鶴市長\)\?"):
        service.get_body(session, "maizuro")
    jur = service.get_jurisdiction(session, "maizuru")
    for i in range(12):
        service.add_body(session, key=f"iinkai-{i:02}", name=f"委員会{i:02}", head=None, jurisdiction=jur)
    with pytest.raises(NotFound) as exc:
        service.get_body(session, "iinkai")
    message = str(exc.value)
    assert message.count("iinkai-") == 10 and "… (12)" in message


def test_a_jurisdiction_by_name_or_prefix(with_edu):
    session = with_edu
    assert service.get_jurisdiction(session, "舞鶴市").key == "maizuru"
    assert service.get_jurisdiction(session, "舞鶴市教育委員会").key == "maizuru"   # by one of its bodies
    assert service.get_jurisdiction(session, "maizuru-edu").key == "maizuru"
    assert service.get_jurisdiction(session, "安曇").key == "azumino"
    with pytest.raises(NotFound, match="there is no jurisdiction 'nowhere'; known jurisdictions: ayabe"):
        service.get_jurisdiction(session, "nowhere")


def test_the_commands_take_a_body_by_its_name(kaiji):
    kaiji.ok("body", "add", "maizuru-edu", "--name", "舞鶴市教育委員会", "--jurisdiction", "舞鶴市")
    first = kaiji.ok("request", "add", "--body", "舞鶴市長", "--subject", "議事録", "--received", "2024-12-27")
    assert first.stdout.strip() == "1"
    kaiji.ok("request", "add", "--body", "舞鶴市教育委員会", "--subject", "名簿", "--received", "令和6年12月27日（金）")
    listed = json.loads(kaiji.ok("request", "list", "--body", "舞鶴市", "--json").stdout)
    assert [r["id"] for r in listed] == [1]
    kaiji.ok("request", "transfer", "1", "--on", "2025-01-06", "--to", "舞鶴市教育委員会")
    listed = json.loads(kaiji.ok("request", "list", "--body", "maizuru-edu", "--json").stdout)
    assert [r["id"] for r in listed] == [1, 2]
    kaiji.ok("ground", "add", "舞鶴市", "第5条第9号", "--summary", "試し")
    assert "第5条第9号" in kaiji.ok("ground", "list", "舞鶴").stdout
    bad = kaiji("request", "list", "--body", "舞鶴")
    assert bad.exit_code == 2 and "'舞鶴' names more than one body" in bad.output


def test_statuses_kinds_outcomes_and_methods_in_japanese(kaiji):
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "議事録", "--received", "2024-12-27",
             "--method", "閲覧", "--method", "写しの交付")
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "名簿", "--filed", "2024-12-27")
    listed = json.loads(kaiji.ok("request", "list", "--status", "受付済", "--json").stdout)
    assert [(r["id"], r["methods"]) for r in listed] == [(1, ["inspect", "copy"])]
    assert json.loads(kaiji.ok("request", "list", "--status", "提出済", "--json").stdout)[0]["id"] == 2
    kaiji.ok("request", "decide", "1", "--kind", "不存在", "--on", "2025-01-10", "--reason", "作成していない",
             "--fee", "1,520円")
    shown = json.loads(kaiji.ok("request", "show", "1", "--json").stdout)
    assert shown["decisions"][0]["kind"] == "absent" and shown["decisions"][0]["fee"] == 1520
    kaiji.ok("request", "appeal", "1", "--on", "2025-02-01")
    kaiji.ok("request", "ruling", "1", "--on", "2025-06-01", "--outcome", "棄却")
    timeline = json.loads(kaiji.ok("request", "show", "1", "--json").stdout)["timeline"]
    assert [e["data"]["outcome"] for e in timeline if e["kind"] == "ruling"] == ["upheld"]
    bad = kaiji("request", "list", "--status", "受付")
    assert bad.exit_code == 2 and "'受付' is not a status; use one of filed (提出済), received (受付済)" in bad.output


def test_the_status_help_names_every_status():
    from click.testing import CliRunner

    from tracker.cli import cli
    from tracker.timeline import STATUS_JA

    text = " ".join(CliRunner().invoke(cli, ["request", "list", "--help"]).output.split())
    assert all(key in text for key in STATUS_JA)


def test_fees_as_written_on_the_command_line(kaiji):
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "議事録", "--received", "2024-12-27")
    kaiji.ok("request", "fee", "1", "１，５２０円", "--on", "2025-01-20")
    kaiji.ok("request", "paid", "1", "1,520 円", "--on", "2025-01-21")
    assert json.loads(kaiji.ok("request", "show", "1", "--json").stdout)["fee_unpaid"] is None
    for typed in ("1,52", "-5"):
        bad = kaiji("request", "fee", "1", "--on", "2025-01-22", "--", typed)
        assert bad.exit_code == 2 and "whole number of yen" in bad.output, bad.output


# ---------------------------------------------------------------- mistaken entries

def test_a_voided_request_leaves_every_list_and_keeps_its_reason(kaiji):
    # Both received 2024-12-27 at 舞鶴市 (15 days counting the day of receipt): due 2025-01-10.
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "議事録", "--received", "2024-12-27")
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "名簿", "--received", "2024-12-27")
    kaiji.ok("request", "fee", "2", "300", "--on", "2025-01-06")
    done = kaiji.ok("request", "void", "2", "--reason", "二重登録", "--on", "2025-01-08")
    assert "誤登録" in done.stdout
    overdue = json.loads(kaiji.ok("overdue", "--as-of", "2025-01-11", "--json").stdout)
    assert [r["id"] for r in overdue] == [1]
    due = json.loads(kaiji.ok("due", "--as-of", "2025-01-06", "--json").stdout)
    assert {i["request"] for i in due} == {1}                      # neither 2's date nor its unpaid fee
    assert [r["id"] for r in json.loads(kaiji.ok("request", "list", "--json").stdout)] == [1]
    assert "名簿" not in kaiji.ok("request", "list").stdout
    listed = json.loads(kaiji.ok("request", "list", "--include-void", "--json").stdout)
    assert [(r["id"], r["voided"]) for r in listed] == [(1, False), (2, True)]

    shown = json.loads(kaiji.ok("request", "show", "2", "--json").stdout)
    assert (shown["voided"], shown["void_reason"], shown["voided_on"]) == (True, "二重登録", "2025-01-08")
    text = kaiji.ok("request", "show", "2").stdout
    assert "二重登録" in text and "誤登録" in text

    refused = kaiji("request", "decide", "2", "--kind", "full", "--on", "2025-01-09")
    assert refused.exit_code == 1 and "request 2 was voided as entered by mistake" in refused.output
    again = kaiji("request", "void", "2", "--reason", "もう一度")
    assert again.exit_code == 1


def test_a_void_retracted_puts_the_request_back(kaiji):
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "議事録", "--received", "2024-12-27")
    kaiji.ok("request", "void", "1", "--reason", "誤って登録")
    event = json.loads(kaiji.ok("request", "show", "1", "--json").stdout)["timeline"][-1]
    assert event["kind"] == "voided"
    kaiji.ok("request", "retract", "1", str(event["id"]), "--reason", "誤登録ではなかった")
    assert json.loads(kaiji.ok("request", "show", "1", "--json").stdout)["voided"] is False
    assert [r["id"] for r in json.loads(kaiji.ok("overdue", "--as-of", "2025-01-11", "--json").stdout)] == [1]


def test_the_same_request_twice_is_refused_unless_forced(session):
    from tracker.errors import Refused

    first = service.add_request(session, body="maizuru", subject="議事録", received=D("2024-12-27"))
    with pytest.raises(Refused) as exc:   # the body by its name, the date as 和暦: the same request still
        service.add_request(session, body="舞鶴市長", subject=" 議事録 ", received=D("2024-12-27"))
    assert str(exc.value).startswith(f"request {first.id} has the same body, subject and receipt date (2024-12-27)")
    other_day = service.add_request(session, body="maizuru", subject="議事録", received=D("2024-12-26"))
    forced = service.add_request(session, body="maizuru", subject="議事録", received=D("2024-12-27"), force=True)
    assert len({first.id, other_day.id, forced.id}) == 3
    # Only a form's date, no receipt: the form's date is compared.
    service.add_request(session, body="maizuru", subject="名簿", filed=D("2025-01-06"))
    with pytest.raises(Refused, match="same body, subject and receipt date \\(2025-01-06\\)"):
        service.add_request(session, body="maizuru", subject="名簿", filed=D("2025-01-06"))
    # Once the first is voided, the request may be entered again.
    service.record(session, first.id, "voided", D("2025-01-06"), {"reason": "二重登録"})
    service.record(session, forced.id, "voided", D("2025-01-06"), {"reason": "二重登録"})
    assert service.add_request(session, body="maizuru", subject="議事録", received=D("2024-12-27")).id
    assert first.id not in [r.id for r in service.list_requests(session)]
    assert first.id in [r.id for r in service.list_requests(session, include_void=True)]


def readme_commands() -> list[str]:
    """The README's quick start, then every command of its walk-through, as command lines."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    quick = re.search(r"<!-- command: run -->\n```sh\n(.+?)\n```", text, re.S)[1]
    commands = [c.strip() for c in quick.split("&&") if c.strip().startswith("kaiji ")]
    walk = text.split("## A walk through", 1)[1].split("\n## ", 1)[0]
    for block in re.findall(r"```sh\n(.+?)\n```", walk, re.S):
        commands += [line for line in block.replace("\\\n", " ").splitlines() if line.startswith("kaiji ")]
    return commands


def test_the_readme_quick_start_and_walk_through_run_in_order(kaiji, tmp_path, monkeypatch):
    """The quick start, then every command of the walk-through, on one fresh database: none collides."""
    import shlex

    commands = readme_commands()
    assert len(commands) >= 8 and any("requester" in c for c in commands)
    monkeypatch.chdir(tmp_path)  # the PDFs the walk-through writes
    for command in commands:
        args = shlex.split(command, comments=True)[1:]
        result = kaiji(*args)
        assert result.exit_code == 0, (command, result.output)


def test_a_csv_takes_dates_and_bodies_as_people_write_them(kaiji, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("body,subject,received\n"
                    "舞鶴市長,議事録,令和7年1月6日（月）\n"
                    "舞鶴市,名簿,２０２５年１月６日\n"
                    "maizuru,日誌,令和七年一月六日\n", "utf-8")
    kaiji.ok("request", "import", str(path))
    listed = json.loads(kaiji.ok("request", "list", "--json").stdout)
    assert [(r["body"], r["received_on"]) for r in listed] == [("maizuru", "2025-01-06")] * 3
    path.write_text("body,subject,received\n舞鶴市長,決算書,令和7年1月6日（火）\n", "utf-8")
    bad = kaiji("request", "import", str(path))
    assert bad.exit_code == 2 and "2025-01-06 is a Monday (月曜日), not 火曜日" in bad.output, bad.output
    path.write_text("body,subject,received\nmaizuru,議事録,2025-01-06\n", "utf-8")
    twice = kaiji("request", "import", str(path))  # a request already recorded is skipped (issue 13), not refused
    assert twice.exit_code == 0 and "1 row skipped as a request already recorded (row 2)" in twice.stderr
    assert len(json.loads(kaiji.ok("request", "list", "--json").stdout)) == 3
