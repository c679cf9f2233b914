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
                       command="phoned", help="Record a telephone inquiry.")
    monkeypatch.setitem(events.KINDS, "phone_call", kind)
    group: click.Group = cli_requests.request
    monkeypatch.setitem(group.commands, "phoned", None)  # removed again after the test
    cli_requests._event_command(kind)
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "x", "--received", "2024-12-27")
    out = kaiji.ok("request", "phoned", "1", "--on", "2025-01-06", "--answer", "審査中").stdout
    assert "電話照会 recorded" in out
    assert "answer=審査中" in kaiji.ok("request", "show", "1").stdout


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
