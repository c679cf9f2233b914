"""A request's life through the library (tracker.service, timeline, reports, explain), without the CLI.

The same cases as tests/test_cli.py drives through `kaiji`, here called directly: these tests hold the
rules, test_cli.py the wiring (options, output, exit codes). Every date was worked out by hand in the
comment beside it. Holidays used: 12月29日〜1月3日 (年末年始, Maizuru's ordinance), 2025-04-20 is a
Sunday, 2025-05-05 こどもの日, 2025-05-06 振替休日 (みどりの日 fell on Sunday 5-04), 2025-07-21 海の日.
"""

from __future__ import annotations

from datetime import date

import pytest

from tracker import reports, service
from tracker.errors import Refused
from tracker.explain import explain

D = date.fromisoformat


def maizuru(session, received: str | None = "2024-12-27", filed: str | None = None) -> int:
    # force: a test may log the same request again (request add refuses that unless asked)
    return service.add_request(session, body="maizuru", subject="アンケートの調査結果",
                               received=D(received) if received else None,
                               filed=D(filed) if filed else None, force=True).id


def state(session, rid: int):
    return service.state(session, service.get_request(session, rid))


def explained(session, rid: int) -> str:
    req = service.get_request(session, rid)
    return "\n".join(explain(req, service.state(session, req), service.jurisdiction_lookup(session)))


def decide_partial(session, rid: int, on="2025-01-10", notified="2025-01-20", fee: int | None = 190):
    return service.decide(session, rid, kind="partial", on=D(on), notified=D(notified) if notified else None,
                          withheld=[service.Withheld("店名の部分", "第5条第2号", "競争上の地位を害するおそれ")],
                          fee=fee)


def test_maizuru_counts_15_days_from_the_receipt_day_itself(session):
    # 舞鶴市情報公開条例: 「請求があった日から起算して15日以内」: 2024-12-27 (金) is day 1, so day 15 is
    # 2025-01-10 (金), an open day. The 年末年始 days inside the period count (calendar days).
    rid = maizuru(session)
    st = state(session, rid)
    assert (st.status, st.received_on, st.decision_due) == ("received", D("2024-12-27"), D("2025-01-10"))
    text = explained(session, rid)
    for fragment in ("2024-12-27 (Fri)  day 1", "2024-12-29 (Sun)  day 3 (closed: 年末年始",
                     "2025-01-10 (Fri)  day 15", "decision due: 2025-01-10"):
        assert fragment in text


def test_overdue_from_the_day_after_the_due_date(session):
    # Due 2025-01-10: on 01-10 it is not late; on 01-11 it is, and an appeal against inaction (不作為)
    # is open from 01-11.
    rid = maizuru(session)
    assert reports.overdue(session, D("2025-01-10")) == []
    items = reports.overdue(session, D("2025-01-11"))
    assert [(i.request_id, i.what, i.since, i.inaction_from, i.inaction_appealed) for i in items] == [
        (rid, "decision", D("2025-01-10"), D("2025-01-11"), False)]


def test_a_decision_sets_the_appeal_and_the_lawsuit_dates(session):
    # Decided 01-10, learned of 01-20. Appeal (行政不服審査法第18条): 3 months from the day after
    # learning, 01-21 → ends 04-20 (the day before 04-21, 民法第143条), a Sunday → 04-21 (月).
    # Lawsuit (行政事件訴訟法第14条): 6 months, from 01-21 → ends 07-20, a Sunday; 07-21 海の日 →
    # 07-22 (火).
    rid = maizuru(session)
    rec = decide_partial(session, rid)
    st = rec.state
    assert (st.status, st.decided_on, st.notified_on, st.late_by) == ("decided", D("2025-01-10"), D("2025-01-20"),
                                                                      None)
    assert (st.appeal_due, st.lawsuit_due) == (D("2025-04-21"), D("2025-07-22"))
    assert reports.overdue(session, D("2025-01-11")) == []
    # due on 02-01, looking 90 days ahead (to 05-02): the appeal's last day, and the unpaid fee (no date, last)
    items = reports.due(session, D("2025-02-01"), 90)
    assert [(i.on, i.kind, i.request_id, i.days_left(D("2025-02-01"))) for i in items] == [
        (D("2025-04-21"), "appeal", rid, 79), (None, "fee", rid, None)]
    assert "appeal (審査請求) due: 2025-04-21" in explained(session, rid)


def test_a_page_asks_for_the_first_lines_of_each_list_and_the_counts_of_all(session):
    # Received 2024-12-02, 03, 04: due 12-16, 17, 18 (15 days from the request day); on 2025-01-11 all three
    # are late. Received 2025-01-06, 07, 08: due 01-20, 21, 22, within 14 days of 01-11 (to 01-25). The
    # first late one is decided 2025-01-10 with a fee of 190 yen (unpaid); so is the fifth.
    late = [maizuru(session, received=f"2024-12-0{d}") for d in (2, 3, 4)]
    coming = [maizuru(session, received=f"2025-01-0{d}") for d in (6, 7, 8)]
    decide_partial(session, late[0], on="2025-01-10")
    decide_partial(session, coming[1], on="2025-01-10")
    today = D("2025-01-11")
    assert [i.request_id for i in reports.overdue(session, today)] == late[1:]
    due = reports.due(session, today, 14)
    dated = [i for i in due if i.kind != "fee"]
    assert [(i.on, i.request_id) for i in dated] == [(D("2025-01-20"), coming[0]), (D("2025-01-22"), coming[2])]
    assert [i.request_id for i in due if i.kind == "fee"] == [late[0], coming[1]]
    first = reports.first_lines(session, today, 14, 1)
    assert first.overdue == reports.overdue(session, today)[:1] and first.coming == dated[:1]
    assert first.fees == [i for i in due if i.kind == "fee"][:1]
    assert first.totals == {"overdue": 2, "coming": 2, "fees": 2}
    every = reports.first_lines(session, today, 14, 10)
    assert (every.overdue, every.coming + every.fees) == (reports.overdue(session, today), due)
    # `kaiji due` and `kaiji overdue` cut at each length: the first lines of the whole list, and its count
    # (the dates first, then the fees by number; a cut inside the dates, at the fees, inside the fees).
    for limit in range(1, 7):
        assert reports.due_first(session, today, 14, limit) == (due[:limit], 4)
        assert reports.overdue_first(session, today, limit) == (reports.overdue(session, today)[:limit], 2)


@pytest.mark.parametrize("by_number", [reports.BY_NUMBER, 0])   # 0: the remainders' rows read as a whole
def test_a_page_counts_each_late_request_once_whether_its_decision_or_its_remainder_is_late(session, by_number,
                                                                                           monkeypatch):
    monkeypatch.setattr(reports, "BY_NUMBER", by_number)
    # On 2026-01-05. E: 舞鶴, received 2025-05-01, due 05-15 (day 15 counting the request day). A and B: 国,
    # received 2025-06-02, a special extension (特例延長) with the part by 08-01 and the rest by 12-26; A has no
    # decision (its decision late since 08-01, its remainder too: one line, the decision's), B decided the part
    # 07-30 (its remainder late since 12-26). C: 舞鶴, received 2025-12-01, due 12-15. V: late too, but voided.
    e = maizuru(session, received="2025-05-01")
    a, b = (service.add_request(session, body="national", subject=s, received=D("2025-06-02")).id for s in "ab")
    for rid in (a, b):
        service.record(session, rid, "special_extension", D("2025-06-20"),
                       {"part_due": "2025-08-01", "rest_due": "2025-12-26"})
    service.decide(session, b, kind="full", on=D("2025-07-30"))
    c = maizuru(session, received="2025-12-01")
    v = maizuru(session, received="2025-11-04")
    service.record(session, v, "voided", D("2025-12-20"), {"reason": "二重登録"})
    today = D("2026-01-05")
    every = reports.overdue(session, today)
    # The longest overdue first: by the day that passed, B's remainder (12-26) after C's decision (12-15).
    assert [(i.request_id, i.what, i.since) for i in every] == [
        (e, "decision", D("2025-05-15")), (a, "decision", D("2025-08-01")), (c, "decision", D("2025-12-15")),
        (b, "remainder", D("2025-12-26"))]
    # Cut at each length: the first lines of the list, and always the four of it counted, A once (with one line,
    # E's, A is beyond the cut of the decisions read, and passed over among the remainders).
    for limit in range(1, 6):
        first = reports.first_lines(session, today, 14, limit)
        assert (first.overdue, first.totals["overdue"]) == (every[:limit], 4)


def test_a_page_takes_the_first_unpaid_fees_by_number_passing_over_voided_requests(session):
    # Six requests decided with an unpaid fee of 190 yen; the 1st, 2nd and 4th then voided (誤登録). A page
    # of two lines takes the first two numbers not voided (the 3rd and 5th), not the first two numbers.
    rids = [maizuru(session, received=f"2024-12-0{d}") for d in range(1, 7)]
    for rid in rids:
        decide_partial(session, rid, on="2024-12-20")
    for rid in (rids[0], rids[1], rids[3]):
        service.record(session, rid, "voided", D("2025-01-05"), {"reason": "二重登録"})
    every_fee = [i for i in reports.due(session, D("2025-01-11"), 14) if i.kind == "fee"]
    assert [i.request_id for i in every_fee] == [rids[2], rids[4], rids[5]]
    first = reports.first_lines(session, D("2025-01-11"), 14, 2)
    assert (first.fees, first.totals["fees"]) == (every_fee[:2], 3)


def test_a_page_reads_each_list_from_its_index_not_every_request(session):
    """The dashboard's queries (reports.first_lines) on SQLite: each reads the requests through an index or by
    number, none walks every request (at a million requests the first few unpaid fees by number were found so,
    with the number itself in ORDER BY, where "+ 0" keeps SQLite on the fee index)."""
    from sqlalchemy import event

    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's query plans")
    # Three late (due 12-16, 17, 18), the first decided with a fee unpaid; one under a special extension (特例延長)
    # whose part was decided and whose remainder was due 2025-01-08; a page of one line, so that every list is cut
    # and counted, and the remainder past due read by its number.
    rids = [maizuru(session, received=f"2024-12-0{d}") for d in (2, 3, 4)]
    decide_partial(session, rids[0], on="2025-01-10")
    ext = service.add_request(session, body="national", subject="特例", received=D("2024-11-01")).id
    service.record(session, ext, "special_extension", D("2024-11-10"),
                   {"part_due": "2024-12-01", "rest_due": "2025-01-08"})
    service.decide(session, ext, kind="full", on=D("2024-11-29"))
    session.flush()
    seen: list[tuple[str, tuple]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", keep)
    try:
        first = reports.first_lines(session, D("2025-01-11"), 14, 1)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert first.totals == {"overdue": 3, "coming": 0, "fees": 1}
    assert [(i.request_id, i.what) for i in first.overdue] == [(rids[1], "decision")]
    plans = [" | ".join(row[-1] for row in session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + st, pa))
             for st, pa in seen]
    for index in ("ix_requests_shown_fee_unpaid", "ix_requests_undecided_decision_due", "ix_requests_rest_due"):
        assert any(index in p for p in plans), (index, plans)
    for plan in plans:
        assert "SCAN requests" not in plan and "SCAN bodies" not in plan, plan


def test_a_decision_after_the_due_date_is_late_by_its_days(session):
    # Due 01-10, decided 01-17: 7 days late.
    rid = maizuru(session)
    rec = decide_partial(session, rid, on="2025-01-17", notified="2025-01-20")
    assert rec.state.late_by == 7
    assert any("7 days after it was due (2025-01-10)" in w for w in rec.warnings)


def test_the_period_runs_from_the_receipt_not_from_the_form(session):
    # Written 2025-04-18, received 04-21 (月): day 1 is 04-21, day 15 is 05-05 こどもの日, 05-06 is a
    # 振替休日, so the rule (moves off closed days) gives 05-07 (水).
    rid = maizuru(session, received=None, filed="2025-04-18")
    st = state(session, rid)
    assert (st.status, st.decision_due) == ("filed", None)
    assert reports.due(session, D("2025-04-18"), 30) == []
    st = service.record(session, rid, "received", D("2025-04-21")).state
    assert (st.status, st.decision_due) == ("received", D("2025-05-07"))


def test_an_extension_up_to_the_limit_and_past_it(session):
    # Maizuru: up to 60 days added after the first period ends (01-10): the limit is 03-11 (火).
    first = maizuru(session)
    rec = service.record(session, first, "extension", D("2025-01-09"), {"new_due": "2025-03-11"})
    assert rec.warnings == []
    assert (rec.state.status, rec.state.decision_due, rec.state.flags) == ("extended", D("2025-03-11"), [])
    assert reports.overdue(session, D("2025-03-11")) == []
    # A notice to 03-12 is recorded as it says, but the decision stays due on the limit, 03-11.
    second = maizuru(session)
    rec = service.record(session, second, "extension", D("2025-01-09"), {"new_due": "2025-03-12"})
    assert any("goes past the limit the rule allows (2025-03-11)" in w for w in rec.warnings)
    assert (rec.state.decision_due, rec.state.flags) == (D("2025-03-11"), ["extension_past_limit"])
    assert [i.request_id for i in reports.overdue(session, D("2025-03-12"))] == [first, second]
    due = reports.due(session, D("2025-03-01"), 30)
    assert [(i.on, i.kind, i.request_id) for i in due] == [(D("2025-03-11"), "extended decision", first),
                                                            (D("2025-03-11"), "extended decision", second)]
    with pytest.raises(Refused, match=r"not later than the date already due \(2025-03-11\)"):
        service.record(session, first, "extension", D("2025-01-09"), {"new_due": "2025-03-10"})


def test_a_correction_stops_the_clock_where_the_rule_excludes_it(session):
    # Tokyo: 14 days from the day after receipt, correction days excluded. Received 2025-06-02 (月):
    # day 1 is 06-03, day 14 is 06-16 (月). Correction asked 06-05, answered 06-09: 06-06..06-09 are
    # not counted (4 days), so the decision is due 06-20 (金). Until the answer there is no due date.
    rid = service.add_request(session, body="tokyo", subject="x", received=D("2025-06-02")).id
    assert state(session, rid).decision_due == D("2025-06-16")
    st = service.record(session, rid, "correction_asked", D("2025-06-05"), {"what": "文書の特定"}).state
    assert (st.status, st.decision_due) == ("correction", None)
    assert reports.overdue(session, D("2025-07-01")) == []
    st = service.record(session, rid, "correction_answered", D("2025-06-09")).state
    assert (st.status, st.decision_due) == ("received", D("2025-06-20"))
    assert "not counted: correction" in explained(session, rid)


def test_a_special_extension_leaves_the_remainder_due(session):
    # 国, received 2025-06-02: part by 08-01, the rest by 12-26 (notified 06-20, within the first
    # 30 days). The part decided 07-30; on 2026-01-05 the remainder is overdue since 12-26, and an
    # appeal against that inaction is open from 12-27. A decision on the remainder ends it.
    rid = service.add_request(session, body="national", subject="x", received=D("2025-06-02")).id
    st = service.record(session, rid, "special_extension", D("2025-06-20"),
                        {"part_due": "2025-08-01", "rest_due": "2025-12-26"}).state
    assert (st.decision_due, st.rest_due) == (D("2025-08-01"), D("2025-12-26"))
    service.decide(session, rid, kind="full", on=D("2025-07-30"))
    assert state(session, rid).rest_due == D("2025-12-26")
    items = reports.overdue(session, D("2026-01-05"))
    assert [(i.request_id, i.what, i.since, i.inaction_from) for i in items] == [
        (rid, "remainder", D("2025-12-26"), D("2025-12-27"))]
    service.decide(session, rid, kind="absent", on=D("2025-12-20"), notified=D("2025-12-22"),
                   reason="作成していないため")
    assert state(session, rid).rest_due is None
    assert reports.overdue(session, D("2026-01-05")) == []


def test_a_fee_and_an_appointment_are_due_until_paid_and_kept(session):
    # Decided 01-10 with 190円 and an appointment on 01-24: on 01-15 (looking 30 days ahead) both are
    # due; once paid and disclosed neither is, and the request is disclosed.
    rid = maizuru(session)
    service.decide(session, rid, kind="full", on=D("2025-01-10"), notified=D("2025-01-14"), fee=190,
                   disclosure_on=D("2025-01-24"))
    due = [(i.on, i.kind) for i in reports.due(session, D("2025-01-15"), 30)]
    assert due == [(D("2025-01-24"), "disclosure"), (None, "fee")]
    service.record(session, rid, "fee_paid", D("2025-01-24"), {"amount": 190})
    st = service.record(session, rid, "disclosed", D("2025-01-24")).state
    assert st.status == "disclosed" and st.fee_unpaid is None
    assert [i for i in reports.due(session, D("2025-01-15"), 30) if i.kind in ("disclosure", "fee")] == []


def test_withdrawal_ends_the_dates_and_refuses_a_decision(session):
    rid = maizuru(session)
    st = service.record(session, rid, "withdrawn", D("2025-01-05")).state
    assert (st.status, st.decision_due) == ("withdrawn", None)
    assert reports.overdue(session, D("2025-02-01")) == []
    with pytest.raises(Refused, match="withdrawn"):
        service.decide(session, rid, kind="full", on=D("2025-01-08"))


def test_a_retracted_decision_stays_in_the_timeline_and_counts_no_more(session):
    # Retracting the decision of 01-10 takes the request back to received, due 01-10 as before,
    # with no appeal date; the decision event is kept, marked retracted.
    rid = maizuru(session)
    event_id = decide_partial(session, rid).event.id
    st = service.retract(session, rid, event_id, "別の請求の決定を誤って記録", D("2025-01-12")).state
    assert (st.status, st.decided_on, st.decision_due, st.appeal_due) == ("received", None, D("2025-01-10"), None)
    req = service.get_request(session, rid)
    retracted = {e.retracts_id for e in req.events if e.kind == "retraction"}
    assert [(e.kind, e.id in retracted) for e in req.events][-2:] == [("decision", True), ("retraction", False)]
    with pytest.raises(Refused, match="retracted already"):
        service.retract(session, rid, event_id, "x", D("2025-01-12"))


@pytest.mark.slow   # builds 1,200 requests through the timeline (some 15 s)
def test_the_first_lines_of_due_and_overdue_are_the_whole_lists_cut_on_a_synthetic_database(db_url):
    """reports.due_first and overdue_first (`kaiji due` and `kaiji overdue` without --all) against the whole
    lists cut, with their counts, on every kind of date of a synthetic database (voided requests, remainders
    after a special extension, appointments missed, extended decisions, unpaid fees), at several days."""
    import sys
    from pathlib import Path

    from tracker import db as dbm

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import synth

    synth.build(db_url, 1200, D("2025-06-30"))
    engine = dbm.open_database(db_url)
    try:
        with dbm.transaction(engine) as s:
            service.record(s, 7, "voided", D("2025-06-30"), {"reason": "二重登録"})
        with dbm.reading(engine) as s:
            kinds, most_due, most_late = set(), 0, 0
            for today in (D("2025-06-30"), D("2025-03-01"), D("2024-11-15")):
                every_due, late = reports.due(s, today, 90), reports.overdue(s, today)
                kinds |= {i.kind for i in every_due} | {i.what for i in late}
                most_due, most_late = max(most_due, len(every_due)), max(most_late, len(late))
                for limit in (1, 2, 3, 5, 8, 13, 40, 100, 10_000, None):
                    assert reports.due_first(s, today, 90, limit) == (every_due[:limit], len(every_due)), (today, limit)
                    assert reports.overdue_first(s, today, limit) == (late[:limit], len(late)), (today, limit)
                assert [i.since for i in late] == sorted(i.since for i in late)   # the longest overdue first
            # Not trivially equal: the lists hold each kind of line.
            assert {"decision", "extended decision", "disclosure", "appeal", "lawsuit", "fee"} <= kinds
            assert most_due > 50 and most_late > 3
    finally:
        engine.dispose()
