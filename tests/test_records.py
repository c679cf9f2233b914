"""tracker/records.py: lists written as they are read give json.dumps(list, ensure_ascii=False, indent=2)'s text
exactly, whatever the values; `request list` reads its rows in one select (service.request_rows) and gives
what the requests' own attributes give, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from tracker import db as dbm
from tracker import service
from tracker.records import Rows, list_chunks

from .conftest import Kaiji

# Text json must escape (quotes, backslashes, every control character, the line separators it leaves as they
# are), full-width and astral characters, a lone surrogate, and the %-signs a template would read.
AWKWARD = ['', 'a"b', "back\\slash", "改行\nと\rタブ\t", "".join(map(chr, range(32))), "\x7f\u2028\u2029",
           "𠮷野家", "\ud800", "100%", "%s %(x)s", "[\"", "]}", "\u3000全角\uff01"]


def _dumped(records) -> str:
    return json.dumps(records, ensure_ascii=False, indent=2)


@pytest.mark.parametrize("records", [
    [],
    [{}],
    [{"a": None}],
    [{"text": t} for t in AWKWARD],
    [{"n": 0, "neg": -12, "big": 2**70, "yes": True, "no": False, "none": None}],
    [{"list": [], "texts": AWKWARD, "mixed": [1, "a", None], "nested": {"x": [1, {"y": "z"}], "e": {}}}],
    [{"float": 1.5, "nan": float("nan"), "tuple": (1, 2), "dict": {"改": "行\n"}}],
    [{1: "int key", "s": 1}, {True: None}],
    ["a list item that is text", 3, None, [1, [2]], {"k": "v"}],
])
def test_list_chunks_write_json_dumps_text(records):
    for batch in (1, 2, 500):
        assert "".join(list_chunks(records, batch)) == _dumped(records)


FIELDS = [("id", "int"), ("name", "text"), ("flag", "bool"), ("on", "date"), ("ways", "split"), ("codes", "codes")]


def _expected(row) -> dict:
    """A row's record, worked out by hand from what each kind says."""
    i, name, flag, on, ways, codes = row
    return {"id": i, "name": name, "flag": None if flag is None else flag in (1, True),
            "on": None if on is None else on if isinstance(on, str) else on.isoformat(),
            "ways": None if ways is None else ways.split(","), "codes": codes.split(",") if codes else []}


def test_rows_give_records_and_their_json_without_making_them():
    # SQLite's values (0/1, ISO text) and PostgreSQL's (bools, dates), nulls in every column.
    rows = [(1, "舞鶴市長", 1, "2025-01-10", "copy", None), (2, None, 0, None, "inspect,copy", ""),
            (3, AWKWARD[4], True, date(2025, 2, 3), "view", "late,rule_unknown"), (4, "%d", False, None, None, "x"),
            *((10 + n, t, None, date(2024, 12, 27), "copy", "a") for n, t in enumerate(AWKWARD))]
    expected = [_expected(r) for r in rows]
    for cut in ([rows], [rows[:1], [], rows[1:5], rows[5:]], [[r] for r in rows]):
        assert list(Rows(FIELDS, cut)) == expected
        assert "".join(Rows(FIELDS, cut).json_chunks()) == _dumped(expected)
    assert "".join(Rows(FIELDS, []).json_chunks()) == "[]" == "".join(Rows(FIELDS, [[]]).json_chunks())
    with pytest.raises(ValueError):
        Rows([("x", "float")])


def _requests(url: str) -> None:
    """Requests with and without a requester, several methods, flags, a decision, an unpaid fee, one voided."""
    engine = dbm.open_database(url)
    with dbm.transaction(engine) as s:
        service.add_requester(s, "市民オンブズマンまいづる", "group", address="舞鶴市北吸1044")
        service.add_request(s, body="maizuru", subject='議事録 "全文"\n（令和6年）', filed=date(2024, 12, 25),
                            received=date(2024, 12, 27), requester="市民オンブズマンまいづる", methods=["copy", "inspect"],
                            mail=True, reason="100% の透明性", reference="R6-100")
        service.decide(s, 1, kind="full", on=date(2025, 1, 14), notified=date(2025, 1, 16), fee=300)
        service.add_request(s, body="national", subject="行政文書ファイル管理簿", filed=date(2025, 1, 6))
        service.add_request(s, body="maizuru", subject="名簿", received=date(2024, 12, 2))
        service.add_request(s, body="maizuru", subject="二重", received=date(2025, 1, 6))
        service.record(s, 4, "voided", date(2025, 1, 8), {"reason": "二重登録"})
    engine.dispose()


def _by_hand(r) -> dict:
    """request_dict as it was written before the rows (main's code), from the mapped request."""
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return {"id": r.id, "body": r.body.key, "body_name": r.body.name, "subject": r.subject, "status": r.status,
            "requester": r.requester.name if r.requester else None, "methods": r.methods.split(","), "mail": r.mail,
            "reason": r.reason, "reference": r.reference, "filed_on": iso(r.filed_on),
            "received_on": iso(r.received_on), "decision_due": iso(r.decision_due), "decided_on": iso(r.decided_on),
            "notified_on": iso(r.notified_on), "appeal_due": iso(r.appeal_due), "disclosure_on": iso(r.disclosure_on),
            "rest_due": iso(r.rest_due), "fee_unpaid": r.fee_unpaid, "lawsuit_due": iso(r.lawsuit_due),
            "flags": r.flags.split(",") if r.flags else [], "voided": r.voided}


@pytest.mark.parametrize("filters", [{}, {"include_void": True}, {"body": "maizuru"}, {"status": "decided"},
                                     {"received_from": date(2024, 12, 20), "received_to": date(2025, 1, 6)},
                                     {"requester": "市民オンブズマンまいづる"}])
def test_request_rows_are_the_requests_as_their_attributes_say(kaiji: Kaiji, filters):
    _requests(kaiji.url)
    engine = dbm.open_database(kaiji.url)
    with dbm.reading(engine) as s:
        expected = [_by_hand(r) for r in service.iter_requests(s, **filters)]
        assert expected and list(service.request_rows(s, batch=2, **filters)) == expected
        assert [service.request_dict(r) for r in service.iter_requests(s, **filters)] == expected
    engine.dispose()
    args = [f"--{k.replace('received_', '').replace('_', '-')}" + ("" if v is True else f"={v}")
            for k, v in filters.items()]
    out = kaiji.ok("request", "list", "--json", *args).stdout
    assert out == _dumped(expected) + "\n"
    table = list(csv.reader(io.StringIO(kaiji.ok("request", "list", "--format", "csv", *args).stdout)))
    assert table[0] == list(expected[0]) and [int(row[0]) for row in table[1:]] == [r["id"] for r in expected]


def test_the_database_writes_each_text_as_json_dumps_does(kaiji: Kaiji):
    """records.json_sql: SQLite's json_quote and PostgreSQL's to_json escape every character below 0x80 (NUL
    apart: neither database holds it in a text), the awkward texts and a null as json.dumps does, so that
    `request list --json` can have the database write its records."""
    from sqlalchemy import Text, cast, literal, null, select

    from tracker.records import json_sql

    texts = ["a" + chr(c) + "b" for c in range(1, 0x80)] + [t for t in AWKWARD if "\ud800" not in t and "\0" not in t]
    engine = dbm.open_database(kaiji.url)
    with dbm.reading(engine) as s:
        dialect = engine.dialect.name
        for text in texts + [None]:
            value = cast(null() if text is None else literal(text), Text)
            made = s.execute(select(json_sql([("t", value, "text"), ("n", literal(7), "int")], dialect))).scalar()
            assert made == _dumped([{"t": text, "n": 7}])[4:-2], repr(text)
    engine.dispose()


def test_request_list_json_is_the_same_where_sqlite_lacks_its_json_functions(kaiji: Kaiji, monkeypatch):
    """An SQLite without json_quote (before 3.38 it could be left out): the records are written by Python, the
    same text."""
    if dbm.make_engine(kaiji.url).dialect.name != "sqlite":
        pytest.skip("SQLite only")
    _requests(kaiji.url)
    by_database = kaiji.ok("request", "list", "--json", "--include-void").stdout
    monkeypatch.setattr(service, "_sqlite_json", lambda session: False)
    assert kaiji.ok("request", "list", "--json", "--include-void").stdout == by_database
    assert json.loads(by_database)[0]["subject"] == '議事録 "全文"\n（令和6年）'
