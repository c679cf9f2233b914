"""Issue 9's hand-worked cases, through the library (service and timeline) without the CLI.

Each expected date was worked out by hand from the article cited beside it; the holidays used are
2025-02-11 建国記念の日, 2025-02-23/24 天皇誕生日 (振替休日), 2025-03-20 春分の日, and 12月29日〜1月3日.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from tracker import reports, service
from tracker.errors import Refused
from tracker.i18n import use_language

D = date.fromisoformat


def add(session, body="national", received="2025-01-10", subject="公用車の運行記録", **kw):
    warnings: list[str] = []
    req = service.add_request(session, body=body, subject=subject, received=D(received),
                              warnings=warnings, **kw)
    return req.id, warnings


def state(session, rid):
    return service.state(session, service.get_request(session, rid))


def explain(session, rid) -> str:
    from tracker.explain import explain as lines

    req = service.get_request(session, rid)
    return "\n".join(lines(req, service.state(session, req), service.jurisdiction_lookup(session)))


# ---------------------------------------------------------------- item 2: a late special extension

def test_a_special_extension_notified_after_the_original_period_has_no_effect(session):
    # 国, received 2025-01-10: the original 30 days end 2/9 (Sun) → 2/10. Extension notified 2/5
    # to 3/5 (within the limit 3/11). A special extension notified 2/20 comes after the original
    # period (第11条 「同条第一項に規定する期間内に」): no effect. Due 3/5, overdue from 3/6.
    rid, _ = add(session)
    service.record(session, rid, "extension", D("2025-02-05"), {"new_due": "2025-03-05"})
    rec = service.record(session, rid, "special_extension", D("2025-02-20"),
                         {"part_due": "2025-03-05", "rest_due": "2025-06-30"})
    assert any("within the original period" in w and "2025-02-10" in w for w in rec.warnings)
    st = rec.state
    assert (st.decision_due, st.rest_due, st.flags) == (D("2025-03-05"), None, ["special_extension_late"])
    items = reports.overdue(session, D("2025-03-06"))
    assert [(i.request_id, i.since, i.flags) for i in items] == [(rid, D("2025-03-05"), ["special_extension_late"])]
    assert reports.overdue(session, D("2025-03-05")) == []
    assert "has no effect" in explain(session, rid)


def test_a_special_extension_within_the_original_period_counts(session):
    # The same request, the special extension notified 2/7 (before 2/10): part by 3/11, rest by 6/30.
    rid, _ = add(session)
    rec = service.record(session, rid, "special_extension", D("2025-02-07"),
                         {"part_due": "2025-03-11", "rest_due": "2025-06-30"})
    assert rec.warnings == []
    assert (rec.state.decision_due, rec.state.rest_due, rec.state.flags) == (D("2025-03-11"), D("2025-06-30"), [])


# ---------------------------------------------------------------- item 3: past-the-limit extensions

def test_an_extension_past_the_limit_is_flagged_everywhere_and_the_limit_is_due(session, tmp_path):
    # 国, received 2025-01-10: limit 3/11 (day 60 from 1/11). The notice says 3/20: it has no effect
    # beyond 3/11, so the decision is overdue from 3/12, and an inaction appeal is open then.
    rid, _ = add(session)
    rec = service.record(session, rid, "extension", D("2025-02-05"), {"new_due": "2025-03-20"})
    assert any("past the limit" in w and "2025-03-11" in w for w in rec.warnings)
    st = state(session, rid)
    assert (st.decision_due, st.extended_to, st.flags) == (D("2025-03-11"), D("2025-03-20"), ["extension_past_limit"])
    req = service.get_request(session, rid)
    assert (req.decision_due, req.flags) == (D("2025-03-11"), "extension_past_limit")  # stored
    assert [i.request_id for i in reports.overdue(session, D("2025-03-12"))] == [rid]
    assert reports.overdue(session, D("2025-03-11")) == []
    due = reports.due(session, D("2025-03-01"), 30)
    assert [(i.on, i.flags) for i in due] == [(D("2025-03-11"), ["extension_past_limit"])]
    assert "past the limit the rule allows (2025-03-11)" in explain(session, rid)
    # An appeal against inaction: refused on 3/11, accepted on 3/12, as overdue says.
    with pytest.raises(Refused):
        service.record(session, rid, "appeal_filed", D("2025-03-11"))
    assert service.record(session, rid, "appeal_filed", D("2025-03-12")).event.data["against"] == "inaction"


def test_the_inaction_appeal_form_agrees_with_overdue(session):
    from tracker.pdf import Appeal, appeal_pdf

    rid, _ = add(session)
    service.record(session, rid, "extension", D("2025-02-05"), {"new_due": "2025-03-20"})
    with pytest.raises(Refused, match="2025-03-11"):
        appeal_pdf(session, rid, Appeal(on=D("2025-03-11"), reasons="決定がない"))
    assert appeal_pdf(session, rid, Appeal(on=D("2025-03-12"), reasons="決定がない")).pages >= 1


# ---------------------------------------------------------------- item 4: transfers

@pytest.mark.parametrize("source,target,allowed", [
    ("maizuru", "ayabe", False),         # another city: not one of 舞鶴市's 実施機関
    ("maizuru", "national", False),      # a national agency
    ("national", "maizuru", False),
    ("national", "dokuritsu", True),     # 行政機関情報公開法第12条の2
    ("dokuritsu", "national", True),     # 独立行政法人等情報公開法第14条
])
def test_transfers_only_where_the_law_allows_them(session, source, target, allowed):
    rid, _ = add(session, body=source, received="2025-06-02")
    target_id = service.get_body(session, target).id
    if allowed:
        service.record(session, rid, "transfer", D("2025-06-04"), {"to": target})
        assert service.get_request(session, rid).body_id == target_id
    else:
        with pytest.raises(Refused, match="cannot be transferred"):
            service.record(session, rid, "transfer", D("2025-06-04"), {"to": target})


def test_a_transfer_between_one_citys_own_bodies_is_allowed(session):
    # 舞鶴市情報公開条例: 他の実施機関 of the same city, e.g. 舞鶴市教育委員会.
    jur = service.get_jurisdiction(session, "maizuru")
    service.add_body(session, key="maizuru-kyoiku", name="舞鶴市教育委員会", head="舞鶴市教育委員会", jurisdiction=jur)
    rid, _ = add(session, body="maizuru", received="2024-12-27")
    target = service.get_body(session, "maizuru-kyoiku").id
    rec = service.record(session, rid, "transfer", D("2025-01-06"), {"to": "maizuru-kyoiku"})
    assert rec.state.decision_due == D("2025-01-10")  # still counted from the original receipt


# ---------------------------------------------------------------- item 5: the two-week gap

def objected(session, rid, on="2025-01-08"):
    service.record(session, rid, "third_party_answered", D(on), {"party": "株式会社A", "objects": True})


def test_an_appointment_within_two_weeks_of_the_decision_is_warned_and_flagged(session):
    # 第13条第3項: at least two weeks between the decision (1/15) and the disclosure: 1/16–1/29 are
    # the two weeks, so 1/30 at the earliest. An appointment on 1/29 is a breach; on 1/30 it is not.
    rid, _ = add(session, body="maizuru", received="2025-01-06")
    objected(session, rid)
    rec = service.decide(session, rid, kind="full", on=D("2025-01-15"), disclosure_on=D("2025-01-29"))
    assert any("2025-01-30 at the earliest" in w for w in rec.warnings)
    assert rec.state.flags == ["disclosed_within_two_weeks"]
    rid2, _ = add(session, body="maizuru", received="2025-01-06", subject="公用車の給油記録")
    objected(session, rid2)
    rec2 = service.decide(session, rid2, kind="full", on=D("2025-01-15"), disclosure_on=D("2025-01-30"))
    assert rec2.warnings == [] and rec2.state.flags == []


def test_a_disclosure_carried_out_within_two_weeks_is_warned_and_flagged(session):
    rid, _ = add(session, body="maizuru", received="2025-01-06")
    objected(session, rid)
    service.decide(session, rid, kind="full", on=D("2025-01-15"))
    rec = service.record(session, rid, "disclosed", D("2025-01-20"))
    assert any("less than two weeks" in w for w in rec.warnings)
    assert rec.state.flags == ["disclosed_within_two_weeks"]
    assert "the body's breach" in explain(session, rid)


def test_an_objection_recorded_after_the_decision_is_checked_too(session):
    rid, _ = add(session, body="maizuru", received="2025-01-06")
    service.decide(session, rid, kind="full", on=D("2025-01-15"), disclosure_on=D("2025-01-20"))
    rec = service.record(session, rid, "third_party_answered", D("2025-01-16"), {"party": "A", "objects": True})
    assert any("objected (2025-01-16)" in w and "2025-01-30" in w for w in rec.warnings)
    assert rec.state.flags == ["disclosed_within_two_weeks"]
    # An objection with the disclosure set two weeks later raises nothing.
    rid2, _ = add(session, body="maizuru", received="2025-01-06", subject="公用車の給油記録")
    service.decide(session, rid2, kind="full", on=D("2025-01-15"), disclosure_on=D("2025-02-03"))
    rec2 = service.record(session, rid2, "third_party_answered", D("2025-01-16"), {"party": "A", "objects": True})
    assert rec2.warnings == [] and rec2.state.flags == []


# ---------------------------------------------------------------- item 6: a receipt on a closed day

def test_a_receipt_on_a_closed_day_is_warned_and_explained(session):
    # 2025-12-29 is in the year-end closure: counted from as recorded (舞鶴市: 12/29 day 1 → day 15
    # is 2026-01-12 成人の日 → 1/13), with a warning and a flag.
    rid, warnings = add(session, body="maizuru", received="2025-12-29")
    assert len(warnings) == 1 and "closed day (年末年始)" in warnings[0] and "next open day" in warnings[0]
    st = state(session, rid)
    assert (st.decision_due, st.flags) == (D("2026-01-13"), ["received_on_closed_day"])
    text = explain(session, rid)
    assert "counter or by mail is stamped on the next open day" in text and "online" in text
    # Recorded later with `request receive`, the same warning.
    req = service.add_request(session, body="maizuru", subject="x", filed=D("2025-12-26"))
    assert any("closed day" in w for w in service.record(session, req.id, "received", D("2025-12-29")).warnings)
    # An open day: no warning, no flag.
    rid3, warnings3 = add(session, body="maizuru", received="2025-12-26")
    assert warnings3 == [] and state(session, rid3).flags == []


# ---------------------------------------------------------------- item 7: every date that can be missed

def test_due_lists_the_lawsuit_and_a_missed_appointment(session):
    # Decided 1/10, learned of 1/20: appeal due 4/21 (4/20 is a Sunday; 地方自治法第4条の2第4項);
    # lawsuit: 6 months from 1/21 end 7/20 (Sun), 7/21 海の日 → 7/22 (民事訴訟法第95条第3項).
    rid, _ = add(session, body="maizuru", received="2024-12-27")
    service.decide(session, rid, kind="partial", on=D("2025-01-10"), notified=D("2025-01-20"),
                   withheld=[service.Withheld("店名の部分", "第5条第2号", "競争上の地位を害するおそれ")],
                   disclosure_on=D("2025-01-27"))
    items = reports.due(session, D("2025-02-01"), 200)
    assert [(i.kind, i.on) for i in items] == [("disclosure missed", D("2025-01-27")), ("appeal", D("2025-04-21")),
                                               ("lawsuit", D("2025-07-22"))]
    # Looking 3 days ahead, the list looks 3 days back: the appointment of 1/27 (5 days before) is not in it.
    assert "disclosure missed" not in [i.kind for i in reports.due(session, D("2025-02-01"), 3)]
    service.record(session, rid, "disclosed", D("2025-01-27"))
    assert [i.kind for i in reports.due(session, D("2025-02-01"), 200)] == ["appeal", "lawsuit"]


def test_the_lawsuit_after_a_ruling_counts_from_the_ruling(session):
    # Ruling 2025-06-02, learned of 6/5: 6 months from 6/6 end 12/5 (Fri) (行政事件訴訟法第14条第3項).
    rid, _ = add(session, body="maizuru", received="2024-12-27")
    service.decide(session, rid, kind="refusal", on=D("2025-01-10"), notified=D("2025-01-20"),
                   withheld=[service.Withheld("全部", "第5条第2号", "おそれ")])
    service.record(session, rid, "appeal_filed", D("2025-02-01"))
    assert state(session, rid).lawsuit_due is None  # runs from the ruling
    service.record(session, rid, "ruling", D("2025-06-02"), {"outcome": "upheld", "notified": "2025-06-05"})
    assert service.get_request(session, rid).lawsuit_due == D("2025-12-05")


# ---------------------------------------------------------------- item 8: an inaction appeal stays overdue

def test_an_inaction_appeal_does_not_hide_the_request_from_overdue(session):
    # 舞鶴市, received 2024-12-27: due 2025-01-10; appeal against inaction filed 1/15.
    rid, _ = add(session, body="maizuru", received="2024-12-27")
    service.record(session, rid, "appeal_filed", D("2025-01-15"))
    items = reports.overdue(session, D("2025-01-20"))
    assert [(i.request_id, i.since, i.inaction_appealed) for i in items] == [(rid, D("2025-01-10"), True)]
    assert "an appeal against inaction was filed on 2025-01-15" in explain(session, rid)
    # The decision comes: off the list, and it can be appealed in its own right.
    rec = service.decide(session, rid, kind="refusal", on=D("2025-01-25"), notified=D("2025-01-27"),
                         withheld=[service.Withheld("全部", "第5条第2号", "おそれ")])
    assert reports.overdue(session, D("2025-01-30")) == []
    assert rec.state.appeal_due == D("2025-04-28")  # 3 months from 1/28 end 4/27 (Sun) → 4/28
    assert service.record(session, rid, "appeal_filed", D("2025-02-03")).event.data["against"] == "decision"
    with pytest.raises(Refused, match="against the decision"):
        service.record(session, rid, "appeal_filed", D("2025-02-04"))


# ---------------------------------------------------------------- item 10: 綾部市's two pages

def test_ayabe_says_which_of_its_pages_it_follows(session):
    rid, _ = add(session, body="ayabe", received="2025-03-03")
    text = explain(session, rid)
    assert "「翌日から15日」" in text and "follows the rules page" in text
    assert state(session, rid).decision_due == D("2025-03-17")  # 3/3 day 1 → day 15 is 3/17 (Mon)


# ---------------------------------------------------------------- the contract: request show --json

def test_request_show_json_carries_the_limit_the_lawsuit_and_the_flags(kaiji):
    kaiji.ok("request", "add", "--body", "national", "--subject", "x", "--received", "2025-01-10")
    kaiji.ok("request", "extend", "1", "--on", "2025-02-05", "--until", "2025-03-20")
    out = json.loads(kaiji.ok("request", "show", "1", "--json").stdout)
    assert (out["extension_limit"], out["lawsuit_due"], out["flags"]) == ("2025-03-11", None,
                                                                           ["extension_past_limit"])
    shown = kaiji.ok("request", "show", "1").stdout
    assert "the extension notice gives a date past the rule's limit" in shown and "extension_past_limit" in shown
    kaiji.ok("request", "add", "--body", "kyoto-city", "--subject", "y", "--received", "2025-06-01")
    # 京都市: 6/2 day 1, day 14 is 6/15 (Sun) → 6/16; limit 30 days after the unmoved 6/15: 7/15.
    assert json.loads(kaiji.ok("request", "show", "2", "--json").stdout)["extension_limit"] == "2025-07-15"
    kaiji.ok("request", "decide", "2", "--kind", "absent", "--on", "2025-06-10", "--notified", "2025-06-11",
             "--reason", "作成していない")
    # 6 months from 6/12 end 12/11 (Thu) (行政事件訴訟法第14条第1項).
    assert json.loads(kaiji.ok("request", "show", "2", "--json").stdout)["lawsuit_due"] == "2025-12-11"
    assert "overdue" not in kaiji.ok("overdue", "--as-of", "2025-03-12").stdout.splitlines()[0]
    with use_language("ja"):  # a flag in the reader's language: its Japanese name in Japanese
        assert "延長期限超過" in kaiji.ok("overdue", "--as-of", "2025-03-12").stdout


# ---------------------------------------------------------------- item 11: open points are settings

def test_a_group_sets_the_open_points_of_its_own_rule(kaiji):
    # A new version of 東京都's rule from 2025-06-01 that excludes the day a correction was asked
    # too and pushes the limit back: received 6/2, correction asked 6/5, answered 6/9: 6/3–6/4 days
    # 1–2, 6/10 day 3 … 6/21 day 14 (Sat) → 6/23 (Mon); the limit: day 60 from 6/3 is 8/1, plus the
    # 5 correction days 6/5–6/9 = 8/6 (Wed).
    kaiji.ok("rule", "add", "tokyo", "--period", "14", "--count-from", "next-day", "--extension-max", "60",
             "--extension-from", "request", "--exclude-correction", "--correction-days", "both",
             "--correction-extends-limit", "--source", "東京都情報公開条例第12条", "--effective-from", "2025-06-01")
    assert "correction days excluded (both, limit pushed back too)" in kaiji.ok("rule", "list", "tokyo").stdout
    kaiji.ok("request", "add", "--body", "tokyo", "--subject", "x", "--received", "2025-06-02")
    kaiji.ok("request", "correction", "1", "--on", "2025-06-05")
    kaiji.ok("request", "corrected", "1", "--on", "2025-06-09")
    out = json.loads(kaiji.ok("request", "show", "1", "--json").stdout)
    assert (out["decision_due"], out["extension_limit"]) == ("2025-06-23", "2025-08-06")
    text = kaiji.ok("explain", "1").stdout
    assert "correction_days=both" in text and "correction_extends_limit=true" in text
    bad = kaiji("rule", "add", "tokyo", "--period", "14", "--count-from", "next-day", "--correction-days", "all",
                "--source", "x", "--effective-from", "2025-07-01")
    assert bad.exit_code == 2 and "Traceback" not in bad.output


# ---------------------------------------------------------------- found in review

def test_extensions_count_in_the_order_of_their_notices_not_of_their_entry(session):
    # 国, received 2025-01-10 (first due 2/10, limit 3/11). A typo (2/05 to 3/04) is followed by a
    # second notice (2/20 to 3/10); the typo is retracted and entered again as 2/05 to 3/05. In the
    # order of the notices: 2/05 → 3/05, then 2/20 (within it) → 3/10. Due 3/10, no flag.
    rid, _ = add(session)
    typo = service.record(session, rid, "extension", D("2025-02-05"), {"new_due": "2025-03-04"})
    service.record(session, rid, "extension", D("2025-02-20"), {"new_due": "2025-03-10"})
    service.retract(session, rid, typo.event.id, "typo", D("2025-02-21"))
    service.record(session, rid, "extension", D("2025-02-05"), {"new_due": "2025-03-05"})
    st = state(session, rid)
    assert (st.decision_due, st.flags) == (D("2025-03-10"), [])
    assert reports.overdue(session, D("2025-03-07")) == []


def test_a_ruling_on_an_inaction_appeal_leaves_the_request_overdue_and_a_later_appeal_its_own_ruling(session):
    # 舞鶴市, received 2024-12-27, due 2025-01-10; inaction appeal 1/15, ruled 3/01, still undecided.
    rid, _ = add(session, body="maizuru", received="2024-12-27")
    service.record(session, rid, "appeal_filed", D("2025-01-15"))
    service.record(session, rid, "ruling", D("2025-03-01"), {"outcome": "granted"})
    assert [i.request_id for i in reports.overdue(session, D("2025-03-10"))] == [rid]
    service.decide(session, rid, kind="refusal", on=D("2025-03-20"), notified=D("2025-03-21"),
                   withheld=[service.Withheld("全部", "第5条第2号", "おそれ")])
    assert state(session, rid).status == "decided" and reports.overdue(session, D("2025-03-25")) == []
    service.record(session, rid, "appeal_filed", D("2025-04-01"))
    assert state(session, rid).status == "appealed"
    # The appeal against the decision gets its own ruling; the lawsuit then runs from it:
    # learned 2025-09-02, 6 months from 9/03 end 2026-03-02 (Mon) (行政事件訴訟法第14条第3項).
    rec = service.record(session, rid, "ruling", D("2025-09-01"), {"outcome": "upheld", "notified": "2025-09-02"})
    assert (rec.state.status, rec.state.lawsuit_due) == ("ruled", D("2026-03-02"))


def test_each_disclosure_is_held_against_its_own_decision(session):
    # 国, received 2025-01-10; objection 2/01. Part decided 3/01, disclosure 3/20 (lawful: from 3/16);
    # carried out 3/20. The remainder decided 6/01 with its appointment 6/20 (from 6/16: lawful).
    rid, _ = add(session)
    service.record(session, rid, "special_extension", D("2025-02-07"), {"part_due": "2025-03-11",
                                                                        "rest_due": "2025-06-30"})
    objected(session, rid, "2025-02-01")
    service.decide(session, rid, kind="full", on=D("2025-03-01"), disclosure_on=D("2025-03-20"))
    service.record(session, rid, "disclosed", D("2025-03-20"))
    rec = service.decide(session, rid, kind="full", on=D("2025-06-01"), disclosure_on=D("2025-06-20"))
    assert rec.state.flags == [] and rec.warnings == []
    assert rec.state.disclosure_on == D("2025-06-20")  # the remainder's appointment is still ahead
    assert [i.kind for i in reports.due(session, D("2025-06-10"), 15)] == ["disclosure"]


def test_an_extension_before_a_pending_correction_is_not_called_late(session):
    # 国, received 1/10; extension notified 1/20 to 3/05; correction asked 1/25, not yet answered.
    rid, _ = add(session)
    service.record(session, rid, "extension", D("2025-01-20"), {"new_due": "2025-03-05"})
    service.record(session, rid, "correction_asked", D("2025-01-25"))
    st = state(session, rid)
    assert (st.status, st.decision_due, st.flags) == ("correction", None, [])
    service.record(session, rid, "correction_answered", D("2025-02-10"))
    st = state(session, rid)
    assert (st.decision_due, st.flags) == (D("2025-03-05"), [])
    assert "no source settles whether correction days push an extended date back" in explain(session, rid)


def test_a_ruling_learned_of_before_its_date_is_refused_by_the_library(session):
    rid, _ = add(session, body="maizuru", received="2024-12-27")
    service.record(session, rid, "appeal_filed", D("2025-01-15"))
    with pytest.raises(Refused, match="before its date"):
        service.record(session, rid, "ruling", D("2025-03-01"), {"outcome": "upheld", "notified": "2025-02-28"})


@pytest.mark.parametrize("kind,data,message", [
    ("bogus_kind", {}, "not a kind of follow-up event"),
    ("fee_charged", {"amount": -500}, "whole number of yen"),
    ("fee_charged", {"amount": "5,00"}, "whole number of yen"),
    ("extension", {}, "the new decision date (--until) is missing"),
    ("extension", {"new_due": "someday"}, "is not a date"),
    ("ruling", {"outcome": "won"}, "not a ruling's outcome"),
    ("note", {"colour": "red"}, "carries no colour"),
    ("decision", {"kind": "full"}, "use `kaiji request decide`"),
])
def test_the_library_refuses_bad_event_data_whoever_calls_it(session, kind, data, message):
    from tracker.errors import BadInput

    rid, _ = add(session, body="maizuru", received="2024-12-27")
    with pytest.raises(BadInput, match=message.replace("(", r"\(").replace(")", r"\)").replace("`", ".")):
        service.record(session, rid, kind, D("2025-01-05"), data)


def test_a_refusal_after_an_objection_with_a_date_in_its_notice_is_recorded(session):
    # A 不開示 discloses nothing: an appointment date on its notice raises no two-week warning (and,
    # before, made decide compare a date with nothing: an internal error).
    rid, _ = add(session, body="maizuru", received="2025-01-06")
    objected(session, rid)
    rec = service.decide(session, rid, kind="refusal", on=D("2025-01-15"), disclosure_on=D("2025-01-20"),
                         withheld=[service.Withheld("全部", "第5条第2号", "おそれ")])
    assert rec.warnings == [] and rec.state.flags == []
