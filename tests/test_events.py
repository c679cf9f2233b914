"""The event registry (tracker/events.py): every kind complete, and a new kind needs nothing but its entry."""

from __future__ import annotations

from datetime import date

import pytest

from tracker import events, service
from tracker.errors import BadInput, Refused

D = date.fromisoformat


def test_every_kind_has_its_names_and_every_command_its_help():
    commands = [k.command for k in events.KINDS.values() if k.command]
    assert len(commands) == len(set(commands))
    for k in events.KINDS.values():
        assert k.ja and k.en, k.key
        if k.command:
            assert k.help, k.key
            assert all(f.option for f in k.fields), k.key


def test_a_kind_added_to_the_registry_is_recorded_checked_and_named(session, monkeypatch):
    """What docs/architecture.md tells a newcomer to do for a kind that brings no due date."""
    def check(c: events.Check) -> None:
        if c.data.get("answer") == "nothing":
            raise Refused("a phone call with nothing said is not worth a record.")

    kind = events.Kind("phone_call", "電話照会", "telephone inquiry",
                       (events.Field("answer", "text", "--answer", required=True, option="--answer",
                                     help="What the office said."),),
                       needs_receipt=True, check=check, command="phoned", help="Record a telephone inquiry.")
    monkeypatch.setitem(events.KINDS, "phone_call", kind)
    req = service.add_request(session, body="maizuru", subject="x", received=D("2024-12-27"))
    rec = service.record(session, req.id, "phone_call", D("2025-01-06"), {"answer": "審査中とのこと"})
    assert rec.event.data == {"answer": "審査中とのこと"} and rec.state.status == "received"
    assert service.event_dict(rec.event, set())["kind_ja"] == "電話照会"
    with pytest.raises(Refused, match="nothing said"):
        service.record(session, req.id, "phone_call", D("2025-01-06"), {"answer": "nothing"})
    with pytest.raises(BadInput, match="--answer is missing"):
        service.record(session, req.id, "phone_call", D("2025-01-06"), {})
    with pytest.raises(Refused, match="would come before"):
        service.record(session, req.id, "phone_call", D("2024-12-26"), {"answer": "x"})


def test_a_kind_added_to_the_registry_gets_its_command(kaiji, monkeypatch):
    import click

    from tracker.cli import requests as cli_requests

    kind = events.Kind("phone_call", "電話照会", "telephone inquiry",
                       (events.Field("answer", "text", "--answer", option="--answer", help="What was said."),),
                       command="phoned", help="Record a telephone inquiry.", says="answer: {answer}")
    monkeypatch.setitem(events.KINDS, "phone_call", kind)
    group: click.Group = cli_requests.request
    monkeypatch.setitem(group.commands, "phoned", None)  # removed again after the test
    cli_requests._event_command(kind)
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "x", "--received", "2024-12-27")
    out = kaiji.ok("request", "phoned", "1", "--on", "2025-01-06", "--answer", "審査中").stdout
    assert "telephone inquiry recorded" in out
    assert "telephone inquiry: answer: 審査中" in kaiji.ok("request", "show", "1").stdout


def test_when_an_appeal_may_be_made_is_one_rule_for_the_timeline_and_the_form(session):
    """events.check_appeal, which service.record (`request appeal`) and pdf.appeal_pdf both call."""
    # 舞鶴市: 15 days counted from the request day itself: received 2024-12-27 is day 1, 12/31 day 5,
    # 2025-01-10 (a Friday, open) day 15, the decision's due date, as in the README's case.
    req = service.add_request(session, body="maizuru", subject="x", received=D("2024-12-27"))
    with pytest.raises(Refused, match="not overdue on 2025-01-10; the decision is due on 2025-01-10"):
        service.record(session, req.id, "appeal_filed", D("2025-01-10"))
    assert events.check_appeal(service.state(session, req), req.id, D("2025-01-11")) == []
    # Decided 1/10, learned of 1/20: three months from 1/21 end on 4/20, a Sunday, so 4/21 (行政不服審査法第18条).
    service.decide(session, req.id, kind="partial", on=D("2025-01-10"), notified=D("2025-01-20"),
                   withheld=[service.Withheld("店名", "第5条第2号", "競争上の地位")])
    st = service.state(session, req)
    with pytest.raises(Refused, match=r"an appeal dated 2025-01-09 would come before the decision \(2025-01-10\)"):
        events.check_appeal(st, req.id, D("2025-01-09"))
    assert events.check_appeal(st, req.id, D("2025-04-21")) == []
    assert events.check_appeal(st, req.id, D("2025-04-22")) == [
        "the appeal period ended on 2025-04-21; the board may dismiss a late appeal."]
    # 東京都 excludes correction days: while a correction is unanswered no decision date runs.
    tokyo = service.add_request(session, body="tokyo", subject="y", received=D("2025-01-06"))
    service.record(session, tokyo.id, "correction_asked", D("2025-01-08"))
    with pytest.raises(Refused, match="no decision date running .* nothing to appeal yet"):
        service.record(session, tokyo.id, "appeal_filed", D("2025-03-03"))


@pytest.mark.parametrize("text,yen", [
    ("1520", 1520), ("1,520", 1520), ("1520円", 1520), ("1,520 円", 1520), ("１，５２０円", 1520), (" 190 ", 190),
    ("1,234,567", 1234567), (190, 190),
])
def test_yen_as_people_write_it(text, yen):
    assert events.parse_yen(text) == yen


@pytest.mark.parametrize("text", ["1,52", "-5", "15,20", "1.520", "円", "", "千円", "1,5200", True])
def test_yen_that_is_not_a_number_of_yen(text):
    with pytest.raises(BadInput, match="whole number of yen"):
        events.parse_yen(text)


def test_a_fee_event_reads_yen_as_written(session):
    req = service.add_request(session, body="maizuru", subject="x", received=D("2024-12-27"))
    rec = service.record(session, req.id, "fee_charged", D("2025-01-20"), {"amount": "１，５２０円"})
    assert rec.event.data == {"amount": 1520} and rec.state.fee_unpaid == 1520
    with pytest.raises(BadInput, match="got '1,52'"):
        service.record(session, req.id, "fee_paid", D("2025-01-21"), {"amount": "1,52"})
