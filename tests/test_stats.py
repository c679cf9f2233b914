"""Statistics (tracker/stats.py): hand-worked cases, counted from the rules' text, and a synthetic
database of 2,000 requests (bench/synth.py) whose figures a straightforward recomputation from the raw
rows gives again, on SQLite and PostgreSQL.

Holidays used: 12月29日〜1月3日 (年末年始); 2025-04-29 昭和の日, 05-03 憲法記念日, 05-04 みどりの日 (Sunday),
05-05 こどもの日, 05-06 振替休日.
"""

from __future__ import annotations

import math
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tracker import db as dbm
from tracker import service, stats, timeline
from tracker.models import Body, Decision, Event, Jurisdiction, Request, WithheldPart

from .conftest import ipaex

D = date.fromisoformat
BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_percentiles_by_nearest_rank():
    # Nearest rank: the ceil(p/100 × n)-th smallest. n=4: the median is the 2nd (ceil 2.0), the 90th the
    # 4th (ceil 3.6); n=10: the 90th is the 9th (ceil 9.0); n=11: the 10th (ceil 9.9); n=1: the value.
    assert stats.percentile([4, 1, 3, 2], 50) == 2
    assert stats.percentile([4, 1, 3, 2], 90) == 4
    assert stats.percentile(list(range(10, 110, 10)), 90) == 90
    assert stats.percentile(list(range(1, 12)), 90) == 10
    assert stats.percentile([7], 50) == 7 and stats.percentile([7], 90) == 7
    assert stats.percentile([], 50) is None


def _one(session, **kw) -> dict:
    [record] = stats.stats(session, **kw)
    return record


def test_maizuru_days_taken_counted_by_hand(session):
    # 舞鶴市情報公開条例: 「請求があった日から起算して15日以内」, calendar days. Received 2024-12-27 (金), day 1;
    # the 年末年始 days count; decided 2025-01-10, day 15: on the due date, not late. Calendar days: 4 left in
    # December after the 27th (28–31) and 10 in January: 14.
    rid = service.add_request(session, body="maizuru", subject="アンケートの調査結果", received=D("2024-12-27")).id
    service.decide(session, rid, kind="partial", on=D("2025-01-10"), notified=D("2025-01-14"), fee=1520,
                   withheld=[service.Withheld("店名の部分", "第5条第2号", "競争上の地位を害するおそれ"),
                             service.Withheld("回答者の氏名", "第5条第2号", "個人を識別できる")])
    r = _one(session, by="body")
    assert (r["group"], r["name"], r["requests"], r["decided"], r["pending"]) == ("maizuru", "舞鶴市長", 1, 1, 0)
    assert (r["days_median"], r["days_p90"], r["counted_median"], r["counted_p90"]) == (14, 14, 15, 15)
    assert (r["partial"], r["full"], r["late"], r["late_share"], r["extended"]) == (1, 0, 0, 0.0, 0)
    assert (r["fee_total"], r["fee_median"]) == (1520, 1520)
    # Two parts withheld on the same ground: one decision citing it once.
    assert r["grounds"] == [{"ground": "第5条第2号", "article": "舞鶴市情報公開条例第5条第2号", "count": 1}]
    assert (r["appeals"], r["upheld"]) == (0, 0)


def test_a_body_whose_rule_is_unknown_has_calendar_days_and_no_counted_ones(session):
    # 京丹後市, imported with its rule unknown (kaiji body import --rule unknown): received 2025-04-02, decided
    # 2025-04-21: 19 calendar days (21 − 2); the days its rule would count are not
    # known, so they are left out, not guessed, and lateness is not judged.
    from tests.test_campaigns import BODIES_CSV, import_csv

    import_csv(session, BODIES_CSV)
    rid = service.add_request(session, body="kyotango", subject="交際費", received=D("2025-04-02")).id
    service.decide(session, rid, kind="full", on=D("2025-04-21"))
    r = _one(session, by="body")
    assert (r["group"], r["decided"], r["days_median"], r["days_p90"]) == ("kyotango", 1, 19, 19)
    assert (r["counted_median"], r["counted_p90"], r["late"], r["late_share"]) == (None, None, 0, None)


def test_working_days_skip_golden_week(session):
    # 安曇野市: 14 working days from the day after. Received 2025-04-25 (金): 04-26/27 weekend, 04-28 day 1,
    # 04-29 昭和の日, 04-30 day 2, 05-01 day 3, 05-02 day 4, 05-03〜06 closed (憲法記念日, みどりの日 on Sunday,
    # こどもの日, 振替休日), 05-07 day 5 … 05-09 day 7, 05-12 day 8 … 05-16 (金) day 12. Calendar: 21 days.
    rid = service.add_request(session, body="azumino", subject="公用車の運行記録", received=D("2025-04-25")).id
    service.decide(session, rid, kind="full", on=D("2025-05-16"))
    r = _one(session, by=None)
    assert (r["days_median"], r["counted_median"], r["full"], r["late"]) == (21, 12, 1, 0)


def test_correction_days_not_counted_where_the_rule_excludes_them(session):
    # 東京都: 14 days from the day after, correction days excluded (after_asked: from the day after asking
    # through the day answered). Received 2025-03-03: 03-04 day 1, 03-05 day 2 (the day asked counts),
    # 03-06〜03-10 not counted, 03-11 day 3 … 03-19 day 11. Calendar: 16 days. A second request decided the
    # same day without a correction: 03-04 day 1 … 03-19 day 16. Median of (11, 16) by nearest rank: 11.
    rid = service.add_request(session, body="tokyo", subject="知事交際費", received=D("2025-03-03")).id
    service.record(session, rid, "correction_asked", D("2025-03-05"), {"what": "文書の特定"})
    service.record(session, rid, "correction_answered", D("2025-03-10"))
    service.decide(session, rid, kind="absent", on=D("2025-03-19"), reason="作成していない")
    other = service.add_request(session, body="tokyo", subject="知事日程", received=D("2025-03-03"), force=True).id
    service.decide(session, other, kind="full", on=D("2025-03-19"))
    r = _one(session, by="body")
    assert (r["requests"], r["days_median"], r["days_p90"], r["counted_median"], r["counted_p90"]) == (2, 16, 16, 11, 16)
    assert (r["absent"], r["full"]) == (1, 1)


def test_late_extended_pending_voided_appeals_and_grouping(session):
    # Maizuru, received 2025-01-06: due 01-20 (day 15 counting the 6th). Request A is extended to 02-28 and
    # decided 03-03: late (after the extended date). Request B, decided 01-20 (day 15): on time, refused,
    # appealed, the appeal upheld (棄却). C is undecided: pending. D is entered by mistake: left out.
    add = lambda subject: service.add_request(session, body="maizuru", subject=subject, received=D("2025-01-06"),
                                              force=True).id
    a, b, c, d = add("A"), add("B"), add("C"), add("D")
    service.record(session, a, "extension", D("2025-01-15"), {"new_due": "2025-02-28", "reason": "事務の繁忙"})
    service.decide(session, a, kind="full", on=D("2025-03-03"))
    service.decide(session, b, kind="refusal", on=D("2025-01-20"),
                   withheld=[service.Withheld("全部", "第5条第2号", "法人の情報")])
    service.record(session, b, "appeal_filed", D("2025-02-10"))
    service.record(session, b, "ruling", D("2025-06-10"), {"outcome": "upheld"})
    service.record(session, d, "voided", D("2025-01-07"), {"reason": "二重登録"})
    r = _one(session, by="body")
    assert (r["requests"], r["decided"], r["pending"], r["late"], r["late_share"], r["extended"]) == (3, 2, 1, 1, 0.5, 1)
    assert (r["appeals"], r["upheld"], r["appeals_open"], r["refusal"], r["full"]) == (1, 1, 0, 1, 1)
    # By ground: only B cites one.
    assert [(g["group"], g["requests"]) for g in stats.stats(session, by="ground")] == [
        ("舞鶴市情報公開条例第5条第2号", 1)]
    # By year of receipt, and bounded by the receipt date: nothing received in 2024.
    assert [(g["group"], g["requests"]) for g in stats.stats(session, by="year")] == [(2025, 3)]
    assert stats.stats(session, received_to=D("2024-12-31")) == []


def _statistics_0010(name: str = "0011_request_statistics"):
    """Migration 0011's module (its name starts with a digit), for its backfill; or another migration's."""
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "migrations" / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"migration_{name[:4]}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_what_the_statistics_count_is_stored_per_request_and_backfilled_alike(session):
    # The columns stats counts by (timeline.statistics), worked out by hand for the subtle cases, as refresh
    # stores them after each event and as migration 0011's bulk backfill works them out again.
    from tracker.schema import requests

    def received(body, on):
        return service.add_request(session, body=body, subject=f"請求 {on}", received=D(on), force=True).id

    # A (舞鶴市, 15 days counting the day received): an extension retracted (not extended); decided 01-20, day 15;
    # the decision's fee 300 and a fee charged later 120.
    a = received("maizuru", "2025-01-06")
    ext = service.record(session, a, "extension", D("2025-01-15"), {"new_due": "2025-02-28", "reason": "繁忙"}).event
    service.retract(session, a, ext.id, "別の請求", D("2025-01-16"))
    service.decide(session, a, kind="full", on=D("2025-01-20"), fee=300)
    service.record(session, a, "fee_charged", D("2025-01-22"), {"amount": 120})
    # B (国, 30 days from the next day): a refusal retracted, then a partial decision on 03-12 (03-04 day 1: day 9)
    # withholding three parts on two grounds (each once); appealed, the ruling retracted: the appeal is open.
    b = received("national", "2025-03-03")
    wrong = service.decide(session, b, kind="refusal", on=D("2025-03-10"),
                           withheld=[service.Withheld("全部", "第5条第2号", "法人の情報")]).event
    service.retract(session, b, wrong.id, "誤記", D("2025-03-11"))
    service.decide(session, b, kind="partial", on=D("2025-03-12"), withheld=[
        service.Withheld("氏名", "第5条第1号", "個人の情報"), service.Withheld("店名", "第5条第2号", "法人の情報"),
        service.Withheld("住所", "第5条第1号", "個人の情報")])
    service.record(session, b, "appeal_filed", D("2025-04-01"))
    ruling = service.record(session, b, "ruling", D("2025-06-10"), {"outcome": "upheld"}).event
    service.retract(session, b, ruling.id, "別の事案の裁決", D("2025-06-11"))
    # C (国): a correction asked 03-05 and answered 03-10 (03-06 to 03-10 not counted: 第10条第1項ただし書),
    # transferred to 独立行政法人等 (the same count, from the first receipt), extended, decided 04-10: 38 days
    # from 03-04, less 5: 33.
    c = received("national", "2025-03-03")
    service.record(session, c, "correction_asked", D("2025-03-05"), {"what": "文書の特定"})
    service.record(session, c, "correction_answered", D("2025-03-10"))
    service.record(session, c, "transfer", D("2025-03-11"), {"to": "dokuritsu"})
    service.record(session, c, "extension", D("2025-03-20"), {"new_due": "2025-04-30", "reason": "繁忙"})
    service.decide(session, c, kind="full", on=D("2025-04-10"))
    # D (舞鶴市): a special extension, two decisions: the first on 02-20 is day 46 (26 in January from the 6th).
    d = received("maizuru", "2025-01-06")
    service.record(session, d, "special_extension", D("2025-01-15"),
                   {"part_due": "2025-02-28", "rest_due": "2025-06-30", "reason": "大量"})
    service.decide(session, d, kind="partial", on=D("2025-02-20"),
                   withheld=[service.Withheld("店名", "第5条第2号", "法人の情報")])
    service.decide(session, d, kind="full", on=D("2025-05-01"))
    # E: withdrawn before any decision: nothing.
    e = received("maizuru", "2025-01-06")
    service.record(session, e, "withdrawn", D("2025-01-10"))
    # Calendar days to the first decision: A 01-06 → 01-20, 14; B 03-03 → 03-12, 9; C 03-03 → 04-10, 28 in March
    # and 10 in April, 38; D 01-06 → 02-20, 25 in January and 20 in February, 45; E none.
    expected = {
        a: (15, False, 420, None, "full", None, 14),
        b: (9, False, None, "filed", "partial", "第5条第1号\n第5条第2号", 9),
        c: (33, True, None, None, "full", None, 38),
        d: (46, True, None, None, "partial,full", "第5条第2号", 45),
        e: (None, False, None, None, None, None, None),
    }
    migration, later = _statistics_0010(), _statistics_0010("0012_statistics_and_lists_by_body")
    columns = [requests.c[k] for k in migration.COLUMNS + ("days_calendar",)]

    def stored():
        session.flush()
        return {row[0]: tuple(row[1:]) for row in session.execute(
            select(requests.c.id, *columns).where(requests.c.id.in_(expected)))}

    assert stored() == expected
    assert session.get(Request, c).body.key == "dokuritsu"
    # The migrations' backfills, from nothing, give the same.
    session.execute(requests.update().values(days_counted=None, extended=False, fee_total=None, appeal_outcome=None,
                                             decision_kinds=None, grounds=None, days_calendar=None))
    session.expire_all()
    migration.backfill(session.connection())
    later.backfill(session.connection())
    assert stored() == expected
    r = _one(session, by=None)
    assert (r["extended"], r["fee_total"], r["appeals"], r["appeals_open"], r["partial"], r["full"]) == (2, 420, 1, 1, 2, 3)


def test_counted_again_after_writes_only_where_they_touched(session):
    # The web's 統計 page keeps what it counted (stats.Counted) and, after a write, counts again only the bodies
    # written to: a decision, a transfer (移送: the body it left and the one it went to), a void, a new request.
    bys = (None, "body", "year", "ground", "requester")
    add = lambda body, on: service.add_request(session, body=body, subject=f"請求 {on}", received=D(on),
                                               requester="市民オンブズマンまいづる", force=True).id
    a, b, c = add("maizuru", "2025-01-06"), add("national", "2025-03-03"), add("tokyo", "2025-03-03")
    service.decide(session, a, kind="partial", on=D("2025-01-20"), fee=300,
                   withheld=[service.Withheld("店名", "第5条第2号", "法人の情報")])
    session.flush()
    first, kept = stats.counted(session, bys)
    assert first == stats.stats_by(session, bys)
    jurisdiction = {b.key: b.id for b in session.scalars(select(Body))}
    assert kept.touched(session, stats.fingerprint(session)) == set()   # nothing written since

    service.decide(session, b, kind="refusal", on=D("2025-03-12"),
                   withheld=[service.Withheld("全部", "第5条第1号", "個人の情報")])
    service.record(session, c, "voided", D("2025-03-04"), {"reason": "二重登録"})
    d = add("national", "2025-04-01")
    service.record(session, d, "transfer", D("2025-04-02"), {"to": "dokuritsu"})
    session.flush()
    assert kept.touched(session, stats.fingerprint(session)) == {
        jurisdiction["national"], jurisdiction["tokyo"], jurisdiction["dokuritsu"]}
    again, kept = stats.counted(session, bys, since=kept)
    assert again == stats.stats_by(session, bys) != first
    assert sorted(g["group"] for g in again[1]) == ["dokuritsu", "maizuru", "national"]
    # Filters or groupings other than those counted, or a rule added: everything is counted again.
    assert stats.counted(session, bys, since=kept, body="maizuru")[0] == stats.stats_by(session, bys, body="maizuru")
    service.add_closed_day(session, session.get(Jurisdiction, session.get(Body, jurisdiction["maizuru"]).jurisdiction_id),
                           D("2025-01-08"), "庁舎停電")
    session.flush()
    assert kept.touched(session, stats.fingerprint(session)) is None


def test_a_bad_grouping_is_refused(session):
    from tracker.errors import BadInput

    with pytest.raises(BadInput) as e:
        stats.stats(session, by="colour")
    assert e.value.field == "by"


def test_days_counted_by_the_rule_are_day_numbers_read_off_a_running_count():
    # timeline.counted_days (stored as requests.days_counted, which stats counts by) reads a request's days off
    # a running count made once per rule (deadlines.SharedCount) when its caller keeps one for many requests
    # (a bulk refresh, the migration's backfill): the same number as day_numbers(...)[-1] (count_days, day by
    # day), across 年末年始, Golden Week and a body's own closed day, for corrections answered, unanswered and
    # overlapping, and for a decision before the count's first day.
    import random
    from datetime import timedelta
    from types import SimpleNamespace

    from tracker import deadlines as dl
    from tracker import timeline

    closed = dl.ClosedDays(True, {D("2025-05-07"): "市の休日"})
    rng = random.Random(17)
    kept: dict = {}
    for n in range(3000):
        rule = dl.Rule(period_days=14, counts_request_day=rng.random() < 0.5, working_days=rng.random() < 0.5,
                       move_off_closed=False, extension_max_days=None, extension_from="period_end",
                       exclude_correction=rng.random() < 0.8, source="test",
                       correction_days=rng.choice(("after_asked", "both")))
        row = SimpleNamespace(id=n, effective_from=None, **{f: getattr(rule, f) for f in dl.RULE_FIELDS})
        jur = SimpleNamespace(id=n, rules=[row], year_end_closure=True,
                              closed_days=[SimpleNamespace(day=d, reason=why) for d, why in closed.extra.items()])
        received = D("2024-12-20") + timedelta(rng.randrange(150))
        last = received + timedelta(rng.randrange(-1, 60))
        pauses, asked = [], received + timedelta(rng.randrange(-3, 40))
        for _n in range(rng.choice((0, 0, 1, 1, 2, 3))):
            answered = None if rng.random() < 0.2 else asked + timedelta(rng.randrange(15))
            pauses.append(dl.Pause(asked, answered))
            asked = (answered or asked) + timedelta(rng.randrange(10))
        st = timeline.State(received_on=received, pauses=pauses)
        start = dl.first_day(rule, received)
        expected = dl.day_numbers(rule, closed, start, last, pauses)[-1] if last >= start else 0
        assert timeline.counted_days(st, jur, last) == expected
        assert timeline.counted_days(st, jur, last, kept) == expected, (rule, received, last, pauses)


# ---------------------------------------------------------------- the synthetic database, recomputed

def _nearest(values: list[int], p: int):
    if not values:
        return None
    values = sorted(values)
    return values[math.ceil(p * len(values) / 100) - 1]


def _recomputed(session, by: str) -> dict:
    """Every figure, recomputed from the rows as a reader of the tables would: the live events by hand (a
    retraction names what it retracts), the late and counted days from the timeline of each request."""
    bodies = {b.id: b for b in session.scalars(select(Body))}
    jurs = {j.id: j for j in session.scalars(select(Jurisdiction))}
    retracted = {e.retracts_id for e in session.scalars(select(Event).where(Event.kind == "retraction"))}
    jurisdiction_of = service.jurisdiction_lookup(session)
    out: dict = defaultdict(lambda: defaultdict(list))
    for req in session.scalars(select(Request).where(Request.voided.is_(False)).order_by(Request.id)):
        live = [e for e in req.events if e.id not in retracted and e.kind != "retraction"]
        made = [d for d in req.decisions if d.event_id not in retracted]
        jur = jurs[bodies[req.body_id].jurisdiction_id]
        if by == "ground":     # the request under each ground its decisions cite
            keys = sorted({jur.ordinance + w.ground for d in made for w in d.withheld})
        elif by == "requester":
            keys = [req.requester.name if req.requester else None]
        else:
            keys = [bodies[req.body_id].key if by == "body" else (req.received_on or req.filed_on).year]
        g: dict = defaultdict(list)    # this request's part, added to each of its groups
        g["n"].append(1)
        for d in made:
            g[d.kind].append(1)
        first = min(made, key=lambda d: (d.decided_on, d.id)) if made else None
        if first is None:
            g["withdrawn" if any(e.kind == "withdrawn" for e in live) else "pending"].append(1)
        else:
            st = timeline.compute(req, jurisdiction_of)
            g["decided"].append(1)
            if st.decision_due is not None:
                g["judged"].append(1)
                if first.decided_on > st.decision_due:
                    g["late"].append(1)
            if req.received_on is not None:
                g["calendar"].append((first.decided_on - req.received_on).days)
                g["counted"].append(timeline.counted_days(st, jurisdiction_of(st.body_id), first.decided_on))
        if any(e.kind in ("extension", "special_extension") for e in live):
            g["extended"].append(1)
        fee = sum(d.fee or 0 for d in made) + sum(e.data["amount"] for e in live if e.kind == "fee_charged")
        if fee:
            g["fees"].append(fee)
        for d in made:
            for code in {w.ground for w in d.withheld}:
                g["grounds"].append(jur.ordinance + code)
        appeals = [e for e in live if e.kind == "appeal_filed"]
        if appeals:
            g["appeals"].append(1)
            rulings = [e for e in live if e.kind == "ruling" and e.id > appeals[0].id]
            if rulings:
                g[rulings[-1].data["outcome"]].append(1)
        for key in keys:
            for name, values in g.items():
                out[key][name] += values
    figures = {}
    for key, g in out.items():
        counts = Counter(g["grounds"])
        figures[key] = {
            "requests": len(g["n"]), "decided": len(g["decided"]), "pending": len(g["pending"]),
            "withdrawn": len(g["withdrawn"]), **{k: len(g[k]) for k in timeline.DECISION_KINDS},
            "days_median": _nearest(g["calendar"], 50), "days_p90": _nearest(g["calendar"], 90),
            "counted_median": _nearest(g["counted"], 50), "counted_p90": _nearest(g["counted"], 90),
            "late": len(g["late"]), "late_share": round(len(g["late"]) / len(g["judged"]), 3) if g["judged"] else None,
            "extended": len(g["extended"]), "fee_total": sum(g["fees"]), "fee_median": _nearest(g["fees"], 50),
            "top_ground_counts": sorted(counts.values(), reverse=True)[:stats.TOP_GROUNDS],
            "appeals": len(g["appeals"]),
            **{k.replace("-", "_"): len(g[k]) for k in stats.OUTCOMES},
        }
    return figures


@pytest.mark.slow   # builds 2,000 requests through the timeline (some 20 s)
def test_statistics_of_a_synthetic_database_match_a_recomputation(db_url):
    sys.path.insert(0, str(BENCH))
    import synth

    synth.build(db_url, 2000, D("2025-06-30"))
    engine = dbm.open_database(db_url)
    try:
        with dbm.transaction(engine) as s:   # a few entered by mistake: left out of both
            for rid in (5, 500, 1500):
                service.record(s, rid, "voided", D("2025-06-30"), {"reason": "二重登録"})
        with dbm.reading(engine) as s:
            for by in ("body", "year", "ground", "requester"):
                want = _recomputed(s, by)
                got = {r["group"]: r for r in stats.stats(s, by=by)}
                assert set(got) == set(want)
                for key, figures in want.items():
                    have = dict(got[key])
                    have["top_ground_counts"] = [g["count"] for g in have["grounds"]]
                    # Grounds cited equally often by code, then by article (two ordinances' 第5条第2号).
                    assert have["grounds"] == sorted(have["grounds"], key=lambda g: (-g["count"], g["ground"],
                                                                                     g["article"]))
                    assert {k: have[k] for k in figures} == figures, (by, key)
                if by != "ground":
                    assert sum(f["requests"] for f in want.values()) == 1997
            # Several groupings in one pass (the report's): each as its own pass gives it.
            everything, by_body, by_year = stats.stats_by(s, (None, "body", "year"))
            assert by_body == stats.stats(s, by="body") and by_year == stats.stats(s, by="year")
            assert everything == stats.stats(s, by=None) and everything[0]["requests"] == 1997
            # Not trivially equal: the data has late, extended, corrected, appealed and charged requests.
            total = _recomputed(s, "year")
            for figure in ("late", "extended", "appeals", "fee_total", "partial", "upheld"):
                assert sum(f[figure] for f in total.values()) > 0, figure
            assert any(e.kind == "correction_answered" for e in s.scalars(select(Event)))
    finally:
        engine.dispose()


# ---------------------------------------------------------------- the faces: command line, report, web

def _maizuru_decided(db_url) -> None:
    engine = dbm.open_database(db_url)
    with dbm.transaction(engine) as s:
        rid = service.add_request(s, body="maizuru", subject="アンケートの調査結果", received=D("2024-12-27")).id
        service.decide(s, rid, kind="partial", on=D("2025-01-10"),
                       withheld=[service.Withheld("店名の部分", "第5条第2号", "競争上の地位を害するおそれ")])
        rid = service.add_request(s, body="maizuru", subject="公用車", received=D("2025-02-03")).id
        service.decide(s, rid, kind="full", on=D("2025-02-10"))
    engine.dispose()


def test_stats_command_formats_and_a_bad_option(kaiji, db_url):
    import json

    _maizuru_decided(db_url)
    [row] = json.loads(kaiji.ok("stats", "--format", "json").stdout)
    assert (row["group"], row["requests"], row["partial"], row["full"], row["days_median"]) == ("maizuru", 2, 1, 1, 7)
    years = json.loads(kaiji.ok("stats", "--by", "year", "--json").stdout)
    assert [(y["group"], y["requests"]) for y in years] == [(2024, 1), (2025, 1)]
    only = json.loads(kaiji.ok("stats", "--from", "令和7年1月1日", "--json").stdout)
    assert [(y["group"], y["requests"], y["days_median"]) for y in only] == [("maizuru", 1, 7)]
    assert "第5条第2号 (1)" in kaiji.ok("stats").stdout
    bad = kaiji("stats", "--body", "nowhere")
    assert bad.exit_code == 2 and "Traceback" not in bad.output and len(bad.output.strip().splitlines()) == 1


def _fonts_warnings(caught) -> list[str]:
    return [str(w.message) for w in caught if "missing from" in str(w.message) or "findfont" in str(w.message)]


def test_report_pdf_pages_show_japanese_labels(kaiji, db_url, tmp_path, monkeypatch):
    import shutil
    import subprocess
    import warnings

    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        pytest.skip("poppler-utils (pdftoppm, pdftotext) not installed")

    if not ipaex():
        pytest.skip("IPAex fonts not installed")
    monkeypatch.setenv("KAIJI_LANG", "ja")
    _maizuru_decided(db_url)
    out = tmp_path / "report.pdf"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kaiji.ok("report", "--year", "2025", "-o", str(out))
    # matplotlib warns for each glyph its font lacks (drawn as a box, tofu): the charts' labels have theirs.
    assert _fonts_warnings(caught) == []
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    for label in ("情報公開請求の統計", "部分開示", "全部開示", "実施機関", "舞鶴市長", "所要日数"):
        assert label in text, label
    assert "令和7年1月1日" in text and "令和7年12月31日" in text   # the year asked for, as received
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(out), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3
    from PIL import Image   # matplotlib's own dependency

    def inked(path) -> float:   # the share of a page's pixels that are not near white
        gray = Image.open(path).convert("L")
        return sum(gray.histogram()[:200]) / (gray.width * gray.height)

    # Page 1: the heading and the table; page 2: the chart of days taken, drawn (not an empty frame).
    assert inked(pages[0]) > 0.005 and inked(pages[1]) > 0.02


def test_chart_labels_are_drawn_in_the_japanese_font(db_url, monkeypatch):
    # Drawn without a Japanese font, 部分開示 would be boxes (tofu) and matplotlib would warn of each glyph it
    # lacks; drawn in IPAex, the same label's paths differ from those boxes.
    import warnings

    from tracker import report

    if not ipaex():
        pytest.skip("IPAex fonts not installed")
    monkeypatch.setenv("KAIJI_LANG", "ja")
    _maizuru_decided(db_url)
    engine = dbm.open_database(db_url)
    with dbm.reading(engine) as s:
        made = report.build(s, 2025)
    engine.dispose()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        svgs = report.chart_svgs(made)
    assert set(svgs) == {"days", "kinds"} and _fonts_warnings(caught) == []
    # Shown under the web's Content-Security-Policy (style-src 'self'): colours as attributes, not styles.
    assert all(svg.startswith("<svg") and "style" not in svg and "<!--" not in svg and "<script" not in svg
               for svg in svgs.values())
    assert 'fill="#2f6db5"' in svgs["kinds"]
    monkeypatch.setattr(report, "_font", lambda: None)   # matplotlib's own font: no kanji
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tofu = report.chart_svgs(made)
    assert _fonts_warnings(caught) and tofu["kinds"] != svgs["kinds"]


def test_report_html_is_one_file_with_its_charts_inline(kaiji, db_url, tmp_path):
    _maizuru_decided(db_url)
    out = tmp_path / "report.html"
    kaiji.ok("report", "--year", "2025", "--format", "html", "-o", str(out))
    page = out.read_text("utf-8")
    assert page.count("<svg") == 2 and "舞鶴市長" in page and "partial" in page
    import re

    assert not re.findall(r'(?:src|href)="(?!#)', page)      # nothing outside the file (#: within an SVG)


def test_statistics_by_body_read_each_query_in_its_group_order(session):
    """Each of the four GROUP BY queries of the statistics by body reads an index of its own in its GROUP BY's order
    (schema.STATISTICS_BY_BODY), so that SQLite groups the rows as it reads them: no temporary B-tree for the GROUP BY
    (sorting a million rows was a second a query), and no index that leaves the table's rows to be read (the list's
    index of status, body and number must not be taken for them)."""
    from sqlalchemy import event

    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's query plans")
    rid = service.add_request(session, body="maizuru", subject="調査票", received=D("2024-12-27")).id
    service.decide(session, rid, kind="partial", on=D("2025-01-10"), fee=300,
                   withheld=[service.Withheld("氏名", "第5条第2号", "個人を識別できる")])
    session.flush()
    seen: list[tuple[str, tuple]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if "GROUP BY" in statement:
            seen.append((statement, parameters))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", keep)
    try:
        [record] = stats.stats(session, by="body")
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert (record["requests"], record["partial"], record["days_median"], record["fee_total"]) == (1, 1, 14, 300)
    assert len(seen) == 4
    used = []
    for statement, parameters in seen:
        plan = " | ".join(row[-1] for row in session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters))
        assert "TEMP B-TREE" not in plan, plan
        used.append(plan.split("USING ")[1].split()[-1] if "USING " in plan else plan)
    assert used == ["ix_requests_statistics_kinds", "ix_requests_statistics_days", "ix_requests_statistics_fees",
                    "ix_requests_statistics_grounds"]
    # With a filter whose column those indexes lack (a receipt period), none of them is read: it would mean a table
    # row for each request (33 s at a million requests).
    seen.clear()
    event.listen(engine, "before_cursor_execute", keep)
    try:
        [record] = stats.stats(session, by="body", received_from=D("2024-12-01"))
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert record["requests"] == 1 and len(seen) == 4
    for statement, parameters in seen:
        plan = " | ".join(row[-1] for row in session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters))
        assert "ix_requests_statistics_" not in plan, plan


def test_the_year_at_a_glance_lists_in_the_readers_punctuation(session):
    """summary_rows (the report's and the 統計 page's first table): a list within one cell is joined with 、 in
    Japanese and with a comma in English, never a Japanese comma in English text."""
    from tracker import report
    from tracker.i18n import use_language

    rid = service.add_request(session, body="maizuru", subject="調査票", received=D("2024-12-27")).id
    service.decide(session, rid, kind="partial", on=D("2025-01-10"),
                   withheld=[service.Withheld("氏名", "第5条第2号", "個人を識別できる")])
    session.flush()
    [total] = stats.stats(session, by=None)
    for lang, comma in (("ja", "、"), ("en", ", ")):
        with use_language(lang):
            rows = dict(report.summary_rows(total))
            kinds = rows[report._("decisions by kind")]
        assert kinds.count(comma) == len(timeline.DECISION_KINDS) - 1, (lang, kinds)
        if lang == "en":
            assert "、" not in kinds and "partial 1" in kinds, kinds
