"""`kaiji request import`: a CSV file of requests, checked row by row as `request add` checks them,
written in one transaction. (Bad files and rows are in test_errors.py; a kill mid-import in test_crash.py.)"""

from __future__ import annotations

import json
from datetime import date

from tracker import db as dbm
from tracker import imports, service

CSV = ("\ufeffbody,subject,filed,received,requester,method,mail,reason,reference,department\n"
       "maizuru,カスタマーハラスメントアンケートの調査結果,令和6年12月25日,R6.12.27,市民オンブズマンまいづる,"
       "copy,有,市政の透明性のため,R6-100,人事課\n"
       'national,"行政文書ファイル管理簿\n（令和6年度分）",,2025-01-06,市民オンブズマンまいづる,inspect;copy,no,,,\n'
       "kyoto-city,市長交際費,2025/01/07,,,閲覧,,,,\n"
       "\n")


def test_import_writes_every_row_as_request_add_would(kaiji, engine):
    result = kaiji("request", "import", "-", "--json", input=CSV.encode())
    assert result.exit_code == 0, result.output
    ids = json.loads(result.stdout)
    assert ids == [1, 2, 3]
    first = json.loads(kaiji.ok("request", "show", "1", "--json").stdout)
    assert (first["filed_on"], first["received_on"], first["decision_due"]) == ("2024-12-25", "2024-12-27",
                                                                                "2025-01-10")
    assert (first["requester"], first["department"], first["reference"], first["mail"]) == (
        "市民オンブズマンまいづる", "人事課", "R6-100", True)
    second = json.loads(kaiji.ok("request", "show", "2", "--json").stdout)
    assert second["subject"] == "行政文書ファイル管理簿\n（令和6年度分）"  # a quoted cell keeps its line break
    assert second["methods"] == ["inspect", "copy"] and second["mail"] is False
    third = json.loads(kaiji.ok("request", "show", "3", "--json").stdout)
    assert (third["status"], third["received_on"], third["methods"]) == ("filed", None, ["inspect"])
    rows = json.loads(kaiji.ok("requester", "list", "--json").stdout)
    assert [r["name"] for r in rows] == ["市民オンブズマンまいづる"]  # created once, used twice


def test_import_says_how_many_and_reports_progress(kaiji, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("body,subject,received\n" + "".join(f"maizuru,文書{i},R7.1.{i % 28 + 1}\n" for i in range(40)),
                    encoding="utf-8")
    result = kaiji("request", "import", "--progress", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == "imported 40 requests (ids 1–40).\n"
    progress = [line for line in result.stderr.splitlines() if not line.startswith("kaiji: warning")]
    assert progress[0] == "kaiji: 2 of 40 rows checked" and progress[-1] == "kaiji: all 40 rows checked; writing"
    assert len(progress) == 21


def test_the_library_adds_in_the_callers_transaction(engine):
    rows = imports.read_rows(b"body,subject,received\nmaizuru,a,2025-01-06\nayabe,b,2025-01-07\n")
    assert [r.number for r in rows] == [2, 3]
    seen = []
    with dbm.transaction(engine) as s:
        ids = imports.import_requests(s, rows, progress=lambda done, total: seen.append((done, total)), every=1)
        assert [service.get_request(s, i).body.key for i in ids] == ["maizuru", "ayabe"]
    assert seen == [(1, 2), (2, 2)]


def test_year_0000_is_one_sentence_on_the_command_line_and_in_a_csv_row(kaiji, tmp_path):
    """Issue 10, item 8: year 0000 gave "internal error (ValueError)", and in a CSV named no row."""
    result = kaiji("overdue", "--as-of", "0000-01-01")
    assert result.exit_code == 2 and "there is no year 0" in result.stderr and "internal error" not in result.output
    path = tmp_path / "r.csv"
    path.write_text("body,subject,received\nmaizuru,a,2025-01-06\nmaizuru,b,0000-01-01\n", encoding="utf-8")
    result = kaiji("request", "import", str(path))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("kaiji: error: row 3, column received: '0000-01-01' is not a date: there is no "
                                    "year 0") and len(result.stderr.splitlines()) == 1
    assert json.loads(kaiji.ok("request", "list", "--json").stdout) == []


def test_a_bad_date_in_the_last_row_is_found_before_any_row_is_added(engine, monkeypatch):
    """Dates, yes/no and methods of every row are read before the first row is added (the slow part), so a
    mistake at the end of a large file is reported at once, not after the rows before it are written."""
    lines = "".join(f"maizuru,文書{i},2025-01-06,copy\n" for i in range(5000))
    added = []
    real = service.check_request
    monkeypatch.setattr(service, "check_request", lambda s, **kw: added.append(1) or real(s, **kw))
    for last, column in (("maizuru,最後,2025-02-30,copy", "received"), ("maizuru,最後,2025-01-06,fax", "method")):
        rows = imports.read_rows(("body,subject,received,method\n" + lines + last + "\n").encode())
        with dbm.transaction(engine) as s:
            try:
                imports.import_requests(s, rows)
            except imports.BadInput as exc:
                assert str(exc).startswith(f"row 5002, column {column}: ")
            else:
                raise AssertionError("the bad last row was not refused")
        assert added == []


def test_only_a_regular_file_of_at_most_50_mb_is_read(kaiji, tmp_path, monkeypatch):
    """Issue 10, item 9: `kaiji request import /dev/zero` read 2.7 GB in 3 s. A device, a named pipe (which
    would block the open) and a file over the limit are refused before anything is read."""
    import os

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:
        f.truncate(imports.MAX_BYTES + 1)  # sparse: nothing is written to disk
    for path, words in (("/dev/zero", "is not a regular file"), (fifo, "is not a regular file"),
                        (big, "is 50 MB, more than the 50 MB kaiji imports at once; split it")):
        result = kaiji("request", "import", str(path))
        assert result.exit_code == 2 and words in result.stderr, result.output
        assert len(result.stderr.splitlines()) == 1
    monkeypatch.setattr(imports, "MAX_BYTES", 1000)
    result = kaiji("request", "import", "-", input=b"body,subject\n" + b"maizuru,x\n" * 200)
    assert result.exit_code == 2 and "standard input holds more than" in result.stderr, result.output
    assert json.loads(kaiji.ok("request", "list", "--json").stdout) == []


def test_an_import_warns_of_a_receipt_on_a_closed_day_with_its_row(kaiji, tmp_path):
    """As `request add` does (issue 9, item 6), naming the row."""
    f = tmp_path / "r.csv"
    f.write_text("body,subject,received\nmaizuru,公用車の記録,2025-12-26\nmaizuru,交際費の記録,2025-12-29\n", "utf-8")
    result = kaiji.ok("request", "import", str(f))
    assert "imported 2 requests" in result.stdout
    assert "row 3: the receipt date 2025-12-29 is a closed day (年末年始)" in result.stderr
    assert "row 2" not in result.stderr


GOOD = {"body": "maizuru", "subject": "公用車の運行記録", "filed": "2025-01-06", "received": "2025-01-06",
        "requester": "市民オンブズマンまいづる", "method": "copy", "mail": "有", "reason": "市政の透明性のため",
        "reference": "R6-100", "department": "人事課"}
# Each kind of bad cell, the column it is in (the one the error must name), and its other cells if they differ.
BAD_CELLS = [
    ("unknown body", {"body": "nowhere"}, "body"),
    ("empty subject", {"subject": "  "}, "subject"),
    ("invisible character in the subject", {"subject": "公用車\u202eの記録"}, "subject"),
    ("no such date", {"filed": "2025-02-30"}, "filed"),
    ("bad era date", {"received": "令和0年1月6日"}, "received"),
    ("received before the form's date", {"filed": "2025-01-10", "received": "2025-01-06"}, "received"),
    ("no date at all", {"filed": "", "received": ""}, "filed"),
    ("control character in the requester", {"requester": "市民\x01オンブズマン"}, "requester"),
    ("unknown method", {"method": "fax"}, "method"),
    ("mail neither yes nor no", {"mail": "maybe"}, "mail"),
    ("mail without copies", {"method": "inspect", "mail": "yes"}, "mail"),
    ("control character in the reason", {"reason": "透明性\x07"}, "reason"),
    ("overlong reference", {"reference": "R" * 101}, "reference"),
    ("tab in the department", {"department": "人事\t課"}, "department"),
]


def _csv(*rows: dict[str, str]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(GOOD), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return out.getvalue().encode()


def test_each_bad_cell_is_named_by_its_row_and_column_and_nothing_is_written(engine):
    """The column comes from the error's field (errors.py), not from its words: row 3 is bad, rows 2 and 4
    are good, and none of them is written."""
    import pytest
    from sqlalchemy import func, select

    from tracker.models import Request, Requester

    for what, cells, column in BAD_CELLS:
        # Row 3 has a subject of its own, or it would be skipped as a repeat of row 2 (the same request twice).
        rows = imports.read_rows(_csv(GOOD, GOOD | {"subject": "公用車の給油記録"} | cells, GOOD | {"subject": "交際費"}))
        with pytest.raises(imports.KaijiError) as caught:
            with dbm.transaction(engine) as s:
                imports.import_requests(s, rows)
        assert str(caught.value).startswith(f"row 3, column {column}: "), (what, str(caught.value))
        assert str(caught.value).endswith("(nothing was imported).")
        assert caught.value.field == column, what
        with dbm.transaction(engine) as s:
            assert (s.scalar(select(func.count()).select_from(Request)),
                    s.scalar(select(func.count()).select_from(Requester))) == (0, 0), what


def test_the_librarys_errors_name_the_field_they_are_about(session):
    """What imports.py reads: the keyword of service.add_request, or the key of an event's data."""
    import pytest

    from tracker.errors import KaijiError

    base = dict(body="maizuru", subject="記録", received=date(2025, 1, 6))
    for args, field in ((dict(body="nowhere"), "body"), (dict(subject=""), "subject"),
                        (dict(received=None), "filed"), (dict(filed=date(2025, 1, 7)), "received"),
                        (dict(methods=["fax"]), "methods"), (dict(methods=["inspect"], mail=True), "mail"),
                        (dict(requester="a\x01"), "requester"), (dict(reference="R" * 101), "reference"),
                        (dict(department_name="課\x01"), "department_name"),
                        (dict(department_name="課", phone_ext="1" * 21), "phone_ext"),
                        (dict(phone_ext="1342"), "department_name")):
        with pytest.raises(KaijiError) as caught:
            service.add_request(session, **base | args)
        assert caught.value.field == field, (args, str(caught.value))
    req = service.add_request(session, **base)
    for kind, data, field in (("extension", {"new_due": "2025-02-30"}, "new_due"),
                              ("extension", {"new_due": "2025-01-10"}, "new_due"),
                              ("special_extension", {"part_due": "2025-03-01", "rest_due": "2025-02-01"}, "rest_due"),
                              ("fee_charged", {"amount": -5}, "amount"), ("transfer", {"to": "nowhere"}, "to")):
        with pytest.raises(KaijiError) as caught:
            service.record(session, req.id, kind, date(2025, 1, 8), data)
        assert caught.value.field == field, (kind, data, str(caught.value))


# ---------------------------------------------------------------- issue 17: a large file, written in bulk

def _fold(text: str) -> str:
    """search.fold, written out: each character in NFKC, lower case."""
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", c).lower() for c in text)


def _many_rows(n: int) -> list[dict[str, str]]:
    """n rows of every shape: four bodies of three jurisdictions, receipts through a year's end and on weekends,
    forms with no receipt date, references or none, requesters and departments old and new, each method."""
    bodies = ("maizuru", "ayabe", "kyoto-city", "national")
    rows = []
    for i in range(n):
        received = date(2024, 12, 20) + __import__("datetime").timedelta(days=i % 23)
        filed_only = i % 7 == 3
        rows.append({"body": bodies[i % 4], "subject": f"公用車の運行記録 第{i}号" + ("\n（写し）" if i % 5 == 0 else ""),
                     "filed": (received - __import__("datetime").timedelta(days=i % 3)).isoformat(),
                     "received": "" if filed_only else received.isoformat(),
                     "requester": ("", "市民オンブズマンまいづる", f"請求者{i % 9}")[i % 3],
                     "method": ("copy", "inspect;copy", "view", "閲覧")[i % 4],
                     "mail": "有" if i % 4 in (0, 1) and i % 3 else "no",
                     "reason": "" if i % 6 == 0 else f"ＳＮＳ上の議論のため {i}",
                     "reference": f"R6情第{i}号" if i % 2 else "",
                     "department": ("", "人事課", f"第{i % 5}課")[i % 3]})
    return rows


def test_a_large_import_writes_each_row_as_its_timeline_and_cells_say(engine):
    """Written a batch at a time with the periods counted once per body and day: every stored date is still
    what timeline.compute makes of the request's events as read back from the records (as `request add`
    stored them), and every row, event and index entry is what the CSV's cells say."""
    from sqlalchemy import select

    from tracker import schema, timeline, users

    from sqlalchemy.orm import joinedload, selectinload

    from tracker.models import Request

    raw = _many_rows(300)
    rows = imports.read_rows(_csv(*raw))
    with dbm.transaction(engine) as s:
        ids = imports.import_requests(s, rows, batch=64)
    assert ids == list(range(ids[0], ids[0] + 300))
    with dbm.transaction(engine) as s:
        found = {r.id: r for r in s.scalars(select(Request).options(
            selectinload(Request.events), selectinload(Request.decisions), joinedload(Request.body),
            joinedload(Request.filed_body), joinedload(Request.requester), joinedload(Request.department)))}
        assert sorted(found) == ids
        lookup = service.jurisdiction_lookup(s)
        for i, cells in zip(ids, raw):
            req = found[i]
            expected = timeline.stored(timeline.compute(req, lookup))
            assert {k: getattr(req, k) for k in expected} == expected, cells
            filed, received = date.fromisoformat(cells["filed"]), cells["received"] and date.fromisoformat(cells["received"])
            assert (req.body.key, req.filed_body.key, req.subject, req.filed_on, req.received_on, req.reason,
                    req.reference, req.requester.name if req.requester else "",
                    req.department.name if req.department else "") == (
                cells["body"], cells["body"], cells["subject"], filed if received else filed, received or None,
                cells["reason"] or None, cells["reference"] or None, cells["requester"], cells["department"])
            assert req.mail is (cells["mail"] == "有")
            events = [(e.kind, e.on, e.data, e.note, e.entered_by) for e in req.events]
            want = [("filed", filed, {"body_id": req.body_id}, None, users.entered_by())]
            if received:
                want.append(("received", received, {}, None, users.entered_by()))
            if cells["reference"]:
                want.append(("reference", received or filed, {"number": cells["reference"]}, None, users.entered_by()))
            assert events == want
        t = schema.search_entries
        entries = {(r, f, c, fo) for r, f, c, fo in s.execute(select(t.c.request_id, t.c.field, t.c.content, t.c.folded))}
        want = {(i, "subject", c["subject"], _fold(c["subject"])) for i, c in zip(ids, raw)}
        want |= {(i, "reason", c["reason"], _fold(c["reason"])) for i, c in zip(ids, raw) if c["reason"]}
        assert entries == want


def test_an_error_in_the_last_row_of_a_large_file_leaves_nothing_written(engine):
    """The rows before it have been written a batch at a time in the transaction (every one of them, with
    batch=200): the error rolls them all back, with the requesters and departments they named."""
    import pytest
    from sqlalchemy import func, select

    from tracker import schema

    def counts() -> dict[str, int]:
        with dbm.transaction(engine) as s:
            return {t.name: s.scalar(select(func.count()).select_from(t)) for t in (
                schema.requests, schema.events, schema.search_entries, schema.requesters, schema.departments)}

    before = counts()
    raw = _many_rows(800)
    for last, column in (({"body": "nowhere"}, "body"), ({"method": "inspect", "mail": "yes"}, "mail"),
                         ({"department": "人事\t課"}, "department")):
        rows = imports.read_rows(_csv(*raw, raw[1] | {"subject": "最後の行"} | last))
        written = []
        with pytest.raises(imports.KaijiError) as caught:
            with dbm.transaction(engine) as s:
                imports.import_requests(s, rows, batch=200, every=200,
                                        progress=lambda done, total: written.append(done))
        assert str(caught.value).startswith(f"row 802, column {column}: ")
        assert written == [200, 400, 600, 800]  # four batches had been written when the last row failed
        assert counts() == before


def test_ids_after_a_bulk_import_go_on_from_its_last(engine):
    """The import numbers its rows itself (service.next_ids): on PostgreSQL from the column's sequence, which
    then goes on from there, so that the next `request add` gets the next number."""
    rows = imports.read_rows(_csv(*_many_rows(5)))
    with dbm.transaction(engine) as s:
        first = service.add_request(s, body="maizuru", subject="最初", received=date(2025, 1, 6)).id
        ids = imports.import_requests(s, rows)
        after = service.add_request(s, body="maizuru", subject="最後", received=date(2025, 1, 6)).id
    assert ids == [first + 1 + k for k in range(5)] and after == first + 6
    with dbm.transaction(engine) as s:
        again = imports.import_requests(s, imports.read_rows(_csv(*_many_rows(8))))
    assert again == [after + 1 + k for k in range(3)]  # the first five are in the records already: skipped
