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
