"""Campaigns (一斉請求) through the library (tracker.campaigns), and a few commands for the wiring.

The campaign of the issue: one request filed on 2025-04-01 with every shipped preset's body and three bodies
imported from a CSV (two with their rules, one with its rule unknown), printed, received, followed through
a few decisions, and compared side by side. Every date and count was worked out by hand from the rule's
text in the comment beside it. Holidays near: 2025-04-29 (昭和の日), 05-03 to 05-06 (憲法記念日,
みどりの日, こどもの日, 振替休日).
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest
from sqlalchemy import func, select

from tracker import campaigns, imports, reports, service
from tracker import db as dbm
from tracker.errors import BadInput, NotFound, Refused
from tracker.explain import explain
from tracker.models import Body, Campaign, Jurisdiction, Request

D = date.fromisoformat
PRESETS = ["national", "maizuru", "ayabe", "kyoto-city", "tokyo", "azumino", "dokuritsu"]
SUBJECT = "令和6年度の市長交際費の支出がわかる文書"

BODIES_CSV = """\
key,name,head,jurisdiction,jurisdiction_name,ordinance,period_days,counts_request_day,working_days,move_off_closed,\
exclude_correction,extension_max_days,source,rule
fukuchiyama,福知山市長,福知山市長,fukuchiyama,福知山市,福知山市情報公開条例,15,no,no,yes,no,30,福知山市情報公開条例第11条,
miyazu,宮津市長,宮津市長,miyazu,宮津市,宮津市情報公開条例,14,no,no,yes,no,,宮津市情報公開条例第10条,
kyotango,京丹後市長,京丹後市長,kyotango,京丹後市,京丹後市情報公開条例,,,,,,,,unknown
"""
IMPORTED = ["fukuchiyama", "miyazu", "kyotango"]


def import_csv(session, text: str, rule_unknown: bool = False, encoding: str = "utf-8"):
    rows = imports.read_table(text.encode(encoding), "bodies.csv", campaigns.BODY_HEADERS, campaigns.BODY_REQUIRED,
                              records="bodies")
    return campaigns.import_bodies(session, rows, rule_unknown=rule_unknown)


def count(session, cls) -> int:
    return session.scalar(select(func.count()).select_from(cls))


def campaign(session) -> Campaign:
    import_csv(session, BODIES_CSV)
    return campaigns.add_campaign(session, name="kosaihi-2025", subject=SUBJECT, bodies=PRESETS + IMPORTED,
                                  filed=D("2025-04-01"), requester="市民オンブズマンまいづる")


def req(session, body: str) -> Request:
    return campaigns.request_for(session, campaigns.get_campaign(session, "kosaihi-2025"), body)


# ---------------------------------------------------------------- bodies in bulk

def test_a_body_import_adds_bodies_jurisdictions_and_rules_from_the_rules_own_fields(session):
    added = import_csv(session, BODIES_CSV)
    assert [b.key for b in added] == IMPORTED
    fukuchiyama = service.get_jurisdiction(session, "fukuchiyama")
    (rule,) = fukuchiyama.rules
    assert (rule.period_days, rule.counts_request_day, rule.working_days, rule.move_off_closed,
            rule.exclude_correction, rule.extension_max_days, rule.source) == (
        15, False, False, True, False, 30, "福知山市情報公開条例第11条")
    assert (rule.extension_from, rule.correction_days, rule.correction_extends_limit) == ("period_end", "after_asked",
                                                                                          True)  # the Rule defaults
    assert fukuchiyama.ordinance == "福知山市情報公開条例"
    assert service.get_jurisdiction(session, "miyazu").rules[0].extension_max_days is None
    assert service.get_jurisdiction(session, "kyotango").rules == []   # unknown, as the row says


def test_a_body_import_takes_japanese_headers(session):
    header = "キー,実施機関,団体キー,団体名,条例,期間,請求日から起算,開庁日で数える,閉庁日は翌開庁日,補正期間を除く,出典\n"
    (body,) = import_csv(session, header + "yosano,与謝野町長,yosano,与謝野町,与謝野町情報公開条例,15,有,無,有,無,"
                                          "与謝野町情報公開条例第9条\n")
    (rule,) = body.jurisdiction.rules
    assert (rule.period_days, rule.counts_request_day, rule.working_days, rule.move_off_closed,
            rule.exclude_correction) == (15, True, False, True, False)


def test_a_body_import_reads_shift_jis_as_excel_writes_it(session):
    added = import_csv(session, BODIES_CSV, encoding="cp932")
    assert [b.name for b in added] == ["福知山市長", "宮津市長", "京丹後市長"]


def test_a_body_import_reads_an_excel_sheet(session):
    import csv
    import io

    import openpyxl

    book = openpyxl.Workbook()
    for row in csv.reader(io.StringIO(BODIES_CSV)):
        book.active.append([int(v) if v.isdigit() else v for v in row])   # numbers as Excel keeps them
    out = io.BytesIO()
    book.save(out)
    rows = imports.read_table(out.getvalue(), "bodies.xlsx", campaigns.BODY_HEADERS, campaigns.BODY_REQUIRED,
                              records="bodies")
    assert [b.key for b in campaigns.import_bodies(session, rows)] == IMPORTED
    assert service.get_jurisdiction(session, "miyazu").rules[0].period_days == 14


@pytest.mark.parametrize("change, row, column", [
    (("15,no,no,yes,no,30,福知山", "15,maybe,no,yes,no,30,福知山"), 2, "counts_request_day"),
    (("宮津市情報公開条例,14,", "宮津市情報公開条例,0,"), 3, "period_days"),
    (("宮津市情報公開条例第10条,", ","), 3, "source"),                    # a rule needs its source
    (("kyotango,京丹後市長", "maizuru,京丹後市長"), 4, "key"),              # a body of that key exists
    ((",,,,,,,,unknown", ",,,,,,,,"), 4, "period_days"),                 # no rule, and not said to be unknown
    ((",,,,,,,,unknown", ",,,,,,,,sometimes"), 4, "rule"),
    (("京丹後市,京丹後市情報公開条例", ",京丹後市情報公開条例"), 4, "jurisdiction_name"),
    (("miyazu,宮津市長,宮津市長,miyazu,宮津市", "miyazu,宮津市長,宮津市長,maizuru,宮津市"), 3, "period_days"),
])
def test_a_bad_row_is_refused_by_row_and_column_and_nothing_is_written(engine, change, row, column):
    with dbm.transaction(engine) as s:
        before = (count(s, Body), count(s, Jurisdiction))
    bad = BODIES_CSV.replace(*change)
    assert bad != BODIES_CSV
    with pytest.raises((BadInput, Refused)) as exc:
        with dbm.transaction(engine) as s:   # the one transaction of `kaiji body import`
            import_csv(s, bad)
    assert str(exc.value).startswith(f"row {row}, column {column}: "), str(exc.value)
    assert exc.value.field == column
    assert str(exc.value).endswith("(nothing was imported).")
    with dbm.transaction(engine) as s:
        assert (count(s, Body), count(s, Jurisdiction)) == before


def test_a_body_with_no_rule_needs_it_said_for_the_file_or_the_row(session):
    no_rule = "key,name,jurisdiction,jurisdiction_name,ordinance\nyosano,与謝野町長,yosano,与謝野町,与謝野町情報公開条例\n"
    with pytest.raises(BadInput, match="row 2, column period_days: the rule's period_days is empty"):
        import_csv(session, no_rule)
    (body,) = import_csv(session, no_rule, rule_unknown=True)
    assert body.jurisdiction.rules == []


# ---------------------------------------------------------------- a body whose rule is not known

def test_the_dates_of_a_body_with_no_rule_are_unknown_not_guessed(session):
    import_csv(session, BODIES_CSV)
    r = service.add_request(session, body="kyotango", subject=SUBJECT, received=D("2025-04-02"))
    st = service.state(session, r)
    assert st.decision_due is None and st.extension_limit is None and st.inaction_from is None
    assert "rule_unknown" in st.flags and r.flags == "rule_unknown"   # stored: list and show say unknown
    text = "\n".join(explain(r, st, service.jurisdiction_lookup(session)))
    assert "no deadline rule is known for 京丹後市, so the decision date is unknown (not guessed)" in text
    assert "decision due: unknown (no rule)" in text
    # Neither list can say it is late or due: both leave it out, and the commands say so (dates_unknown).
    assert reports.overdue(session, D("2026-01-01")) == [] and reports.due(session, D("2025-04-02"), 3660) == []
    assert reports.dates_unknown(session) == [r.id]
    # Once a rule is added, the dates are worked out (15 days from the day after 04-02: 04-17, Thursday).
    service.add_rule(session, service.get_jurisdiction(session, "kyotango"), period_days=15, counts_request_day=False,
                     working_days=False, move_off_closed=True, extension_max_days=None, extension_from="period_end",
                     exclude_correction=False, source="京丹後市情報公開条例", effective_from=None)
    session.flush()
    assert (r.decision_due, r.flags) == (D("2025-04-17"), None)
    assert reports.dates_unknown(session) == []


def test_request_list_show_and_overdue_say_unknown(kaiji, tmp_path):
    path = tmp_path / "bodies.csv"
    path.write_text(BODIES_CSV, encoding="utf-8")
    kaiji.ok("body", "import", str(path))
    kaiji.ok("request", "add", "--body", "kyotango", "--subject", SUBJECT, "--received", "2025-04-02")
    assert "unknown (no rule)" in kaiji.ok("request", "list").stdout
    shown = kaiji.ok("request", "show", "1").stdout
    assert "decision due: unknown (no rule)" in shown and "[rule_unknown]" in shown
    late = kaiji.ok("overdue", "--as-of", "2026-01-01")
    assert "request 1: no deadline rule is known for its body" in late.stderr
    assert "unknown: no rule known" in kaiji.ok("body", "list").stdout


# ---------------------------------------------------------------- campaigns

def test_a_campaign_files_one_ordinary_request_per_body_each_due_by_its_own_rule(session):
    c = campaign(session)
    reqs = campaigns.requests_of(session, c)
    assert sorted(r.filed_body.key for r in reqs) == sorted(PRESETS + IMPORTED)
    assert all((r.subject, r.filed_on, r.status, r.campaign_id, r.requester.name) ==
               (SUBJECT, D("2025-04-01"), "filed", c.id, "市民オンブズマンまいづる") for r in reqs)
    for body in ("maizuru", "kyoto-city", "azumino", "fukuchiyama", "national"):
        campaigns.receive(session, "kosaihi-2025", body, D("2025-04-02"))
    due = {b: req(session, b).decision_due for b in ("maizuru", "kyoto-city", "azumino", "fukuchiyama", "national")}
    assert due == {
        "maizuru": D("2025-04-16"),     # 「請求があった日から起算して15日」: 04-02 is day 1, 04-16 (Wed) day 15
        "kyoto-city": D("2025-04-16"),  # 14 days from the next day: 04-03 is day 1, 04-16 (Wed) day 14
        "azumino": D("2025-04-22"),     # 14 working days from 04-03: weekends skipped, 04-22 (Tue) is day 14
        "fukuchiyama": D("2025-04-17"),  # imported: 15 days from the next day, 04-17 (Thu) is day 15
        "national": D("2025-05-02"),    # 30 days from the next day: 04-03 day 1, 05-02 (Fri) day 30
    }
    # The receipt is the same event `kaiji request receive` records: a second one is refused alike.
    with pytest.raises(Refused, match="was received on 2025-04-02 already"):
        campaigns.receive(session, "kosaihi-2025", "maizuru", D("2025-04-03"))


def test_one_unknown_body_and_nothing_is_written(engine):
    with pytest.raises(NotFound, match="there is no body 'nosuch'") as exc:
        with dbm.transaction(engine) as s:
            campaigns.add_campaign(s, name="bad", subject=SUBJECT, bodies=["maizuru", "ayabe", "nosuch"],
                                   filed=D("2025-04-01"))
    assert exc.value.field == "body"
    with dbm.transaction(engine) as s:
        assert (count(s, Campaign), count(s, Request)) == (0, 0)


def test_a_request_refused_for_one_body_refuses_the_campaign_naming_the_body(engine):
    with dbm.transaction(engine) as s:
        service.add_request(s, body="ayabe", subject=SUBJECT, filed=D("2025-04-01"))
    with pytest.raises(Refused, match="^ayabe: request 1 has the same body, subject and receipt date"):
        with dbm.transaction(engine) as s:   # maizuru's request is made first, then rolled back with the rest
            campaigns.add_campaign(s, name="again", subject=SUBJECT, bodies=["maizuru", "ayabe"],
                                   filed=D("2025-04-01"))
    with dbm.transaction(engine) as s:
        assert count(s, Request) == 1 and count(s, Campaign) == 0


def test_remove_body_voids_an_unreceived_request_and_refuses_a_received_one(session):
    c = campaign(session)
    campaigns.receive(session, "kosaihi-2025", "maizuru", D("2025-04-02"))
    with pytest.raises(Refused, match=r"the request to maizuru \(request \d+\) has received by the office recorded "
                                      r"on 2025-04-02, so it has reached the office"):
        campaigns.remove_body(session, "kosaihi-2025", "maizuru", D("2025-04-03"))
    r = campaigns.remove_body(session, "kosaihi-2025", "dokuritsu", D("2025-04-03"))
    assert r.voided and service.state(session, r).voided.data["reason"] == "taken out of campaign kosaihi-2025"
    assert "dokuritsu" not in [x.filed_body.key for x in campaigns.requests_of(session, c)]
    with pytest.raises(NotFound, match="has no request to dokuritsu"):
        campaigns.remove_body(session, "kosaihi-2025", "dokuritsu", D("2025-04-03"))
    # Taken out, it can be filed again; a body in it already cannot.
    (again,) = campaigns.add_bodies(session, "kosaihi-2025", ["dokuritsu"])
    assert (again.filed_on, again.subject, again.campaign_id) == (D("2025-04-01"), SUBJECT, c.id)
    with pytest.raises(Refused, match="maizuru is in campaign kosaihi-2025 already"):
        campaigns.add_bodies(session, "kosaihi-2025", ["maizuru"])


def follow(session) -> None:
    """The campaign received and answered, as of 2025-05-01."""
    campaign(session)
    for body in ("national", "maizuru", "ayabe", "kyoto-city", "tokyo", "azumino", "kyotango"):
        campaigns.receive(session, "kosaihi-2025", body, D("2025-04-02"))
    campaigns.receive(session, "kosaihi-2025", "fukuchiyama", D("2025-04-03"))
    campaigns.remove_body(session, "kosaihi-2025", "dokuritsu", D("2025-04-03"))
    # maizuru: partial on its due date 04-16, fee 190; appealed, then a ruling partly granting it.
    m = req(session, "maizuru").id
    service.decide(session, m, kind="partial", on=D("2025-04-16"), notified=D("2025-04-18"), fee=190,
                   withheld=[service.Withheld("店名の部分", "第5条第2号", "競争上の地位を害するおそれ")])
    service.record(session, m, "appeal_filed", D("2025-05-01"))
    service.record(session, m, "ruling", D("2025-09-01"), {"outcome": "partly-granted"})
    # ayabe: due 04-16 like maizuru (same rule); full disclosure on 04-25, 9 days late.
    service.decide(session, req(session, "ayabe").id, kind="full", on=D("2025-04-25"))
    # kyoto-city: due 04-16; extended on 04-10 to 05-16 (the limit: 30 days from 04-17, 05-16); partial 05-12.
    k = req(session, "kyoto-city")
    service.add_ground(session, k.body.jurisdiction, "第7条第1号", "個人に関する情報")
    service.record(session, k.id, "extension", D("2025-04-10"), {"new_due": D("2025-05-16"), "reason": "事務繁忙"})
    service.decide(session, k.id, kind="partial", on=D("2025-05-12"),
                   withheld=[service.Withheld("職員の氏名", "第7条第1号", "個人を識別できるため")])
    # azumino: due 04-22 (14 working days); 不存在 on 04-24, 2 days late.
    service.decide(session, req(session, "azumino").id, kind="absent", on=D("2025-04-24"), reason="作成していない")
    # kyotango: no rule known; full on 04-21.
    service.decide(session, req(session, "kyotango").id, kind="full", on=D("2025-04-21"))
    # national (due 05-02), tokyo (due 04-16) and fukuchiyama (due 04-18) undecided; miyazu never received.


def test_the_answers_side_by_side_with_days_worked_out_by_hand(session):
    follow(session)
    cmp = campaigns.compare(session, "kosaihi-2025", D("2025-05-01"))
    rows = {c.body_key: c for c in cmp.rows}
    assert list(rows) == sorted(rows) and "dokuritsu" not in rows
    got = {k: (c.decided, c.days_calendar, c.days_counted, c.late, c.late_by) for k, c in rows.items()}
    assert got == {
        # 04-02 to 04-16: 14 calendar days; the rule counts 04-02 as day 1, so 04-16 is its day 15.
        "maizuru": (D("2025-04-16"), 14, 15, False, None),
        # 04-02 to 04-25: 23 days; day 24 of the count; due 04-16, so 9 days late.
        "ayabe": (D("2025-04-25"), 23, 24, True, 9),
        # 04-02 to 05-12: 28 days to 04-30, +12: 40; counted from 04-03 (day 1), 05-12 is day 40; extended to 05-16.
        "kyoto-city": (D("2025-05-12"), 40, 40, False, None),
        # 04-02 to 04-24: 22 days; working days from 04-03: 04-22 is day 14, 04-23 15, 04-24 16; 2 days late.
        "azumino": (D("2025-04-24"), 22, 16, True, 2),
        # 04-02 to 04-21: 19 days; no rule: no count, and late or not is unknown.
        "kyotango": (D("2025-04-21"), 19, None, None, None),
        # undecided: due 05-02, not late on 05-01.
        "national": (None, None, None, False, None),
        # undecided: due 04-16 (14 days from 04-03), 15 days late on 05-01.
        "tokyo": (None, None, None, True, 15),
        # undecided: received 04-03, due 04-18 (15 days from 04-04), 13 days late on 05-01.
        "fukuchiyama": (None, None, None, True, 13),
        "miyazu": (None, None, None, None, None),   # never received: nothing is due
    }
    assert (rows["kyoto-city"].extensions, rows["kyoto-city"].extended_to) == (1, D("2025-05-16"))
    assert rows["kyoto-city"].withheld == [("職員の氏名", "第7条第1号")]
    m = rows["maizuru"]
    assert (m.decision_kind, m.fee, m.appeal_filed, m.ruled, m.ruling) == (
        "partial", 190, D("2025-05-01"), D("2025-09-01"), "partly-granted")
    assert (rows["kyotango"].rule_known, rows["kyotango"].decision_due) == (False, None)
    assert rows["azumino"].decision_kind == "absent" and rows["miyazu"].received is None
    s = cmp.summary
    # decided: maizuru, ayabe, kyoto-city, azumino, kyotango; on time: maizuru, kyoto-city; late: ayabe, azumino,
    # tokyo, fukuchiyama; median (nearest rank, the ⌈n/2⌉-th smallest) of 14, 19, 22, 23, 40 is the 3rd, 22; of the
    # counts 15, 16, 24, 40 the 2nd, 16.
    assert (s.bodies, s.received, s.decided, s.on_time, s.late, s.full, s.partial, s.median_days,
            s.median_counted) == (9, 8, 5, 2, 4, 2, 2, 22, 16)
    assert campaigns.summary_line(s) == ("9 bodies: 8 received, 5 decided (2 on time), 4 late; 2 fully and 2 partly "
                                         "disclosed; median days 22 (counted by the rule: 16).")
    by_days = [c.body_key for c in campaigns.compare(session, "kosaihi-2025", D("2025-05-01"), "days").rows]
    assert by_days[:5] == ["maizuru", "kyotango", "azumino", "ayabe", "kyoto-city"]
    by_due = [c.body_key for c in campaigns.compare(session, "kosaihi-2025", D("2025-05-01"), "due").rows]
    assert by_due[-2:] == ["kyotango", "miyazu"]   # unknown dates last
    by_kind = [c.body_key for c in campaigns.compare(session, "kosaihi-2025", D("2025-05-01"), "kind").rows]
    assert by_kind[:2] == ["ayabe", "kyotango"]    # 全部開示 first


def test_the_campaign_export_has_the_comparisons_rows(session):
    from tracker import exports

    follow(session)
    records = list(exports.campaign_records(campaigns.compare(session, "kosaihi-2025", D("2025-05-01"))))
    ayabe = next(r for r in records if r["body_key"] == "ayabe")
    assert (ayabe["days_calendar"], ayabe["days_counted"], ayabe["late"], ayabe["late_by"], ayabe["decision_kind"]) \
        == (23, 24, True, 9, "full")
    data = exports.write_csv(records, list(exports.CAMPAIGN_FIELDS))
    assert data.decode("utf-8-sig").splitlines()[0].startswith("id,body key,body,jurisdiction,status,received")
    assert exports.write_xlsx(exports.table(records, list(exports.CAMPAIGN_FIELDS)), list(exports.CAMPAIGN_FIELDS),
                              "campaign")[:2] == b"PK"


def test_body_sets_are_saved_and_file_a_campaign(session):
    campaigns.add_to_set(session, "kyoto", ["maizuru", "ayabe"])
    campaigns.add_to_set(session, "kyoto", ["kyoto-city", "maizuru"])   # added to; maizuru stays once
    assert [m.body.key for m in campaigns.get_set(session, "kyoto").members] == ["maizuru", "ayabe", "kyoto-city"]
    campaigns.remove_set(session, "kyoto")
    with pytest.raises(NotFound, match="there is no body set 'kyoto'"):
        campaigns.get_set(session, "kyoto")
    campaigns.add_to_set(session, "京都府北部", ["maizuru", "ayabe"])
    c = campaigns.add_campaign(session, name="kosaihi-2025", subject=SUBJECT, filed=D("2025-04-01"),
                               bodies=[m.body.key for m in campaigns.get_set(session, "京都府北部").members])
    assert [r.filed_body.key for r in campaigns.requests_of(session, c)] == ["ayabe", "maizuru"]
    with pytest.raises(BadInput, match="not usable; use lower-case letters"):   # a campaign's name names files
        campaigns.add_campaign(session, name="交際費/2025", subject=SUBJECT, filed=D("2025-04-01"), bodies=["ayabe"])


# ---------------------------------------------------------------- the forms

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")


def pdf_text(data: bytes, tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True).stdout


@needs_poppler
def test_each_body_gets_its_own_form_addressed_to_it_under_its_ordinance(session, tmp_path):
    from tracker import pdf

    campaign(session)
    files = dict(pdf.campaign_pdfs(session, "kosaihi-2025"))
    assert sorted(files) == sorted(PRESETS + IMPORTED)
    ordinance_clause = {
        "maizuru": "舞鶴市情報公開条例第4条第1項の規定により",      # forms/maizuru.toml: its own article
        "national": "行政機関の保有する情報の公開に関する法律第4条第1項の規定により",  # forms/national.toml
        "fukuchiyama": "福知山市情報公開条例の規定により",           # the generic form: no article number
        "kyotango": "京丹後市情報公開条例の規定により",
    }
    heads = {"maizuru": "舞鶴市長", "national": "行政機関の長", "fukuchiyama": "福知山市長", "kyotango": "京丹後市長"}
    for key, clause in ordinance_clause.items():
        text = pdf_text(files[key].pdf, tmp_path, key).replace(" ", "")
        assert f"{heads[key]}様" in text.replace("\u3000", ""), key
        assert clause in text, key
        assert all(f"{h}様" not in text.replace("\u3000", "") for k, h in heads.items() if k != key), key
    (name, combined), = pdf.campaign_pdfs(session, "kosaihi-2025", combined=True)
    assert name == "kosaihi-2025" and combined.pages == sum(f.pages for f in files.values())


# ---------------------------------------------------------------- the commands

def test_the_commands_wire_the_library(kaiji, tmp_path):
    path = tmp_path / "bodies.csv"
    path.write_text(BODIES_CSV, encoding="utf-8")
    assert "3 bodies added (fukuchiyama, miyazu, kyotango)." in kaiji.ok("body", "import", str(path)).stdout
    bad = kaiji("campaign", "add", "c1", "--subject", SUBJECT, "--body", "maizuru", "--body", "nosuch")
    assert bad.exit_code == 2 and "there is no body 'nosuch'" in bad.stderr
    assert "no campaigns yet" in kaiji.ok("campaign", "list").stdout
    lines = tmp_path / "bodies.txt"
    lines.write_text("# 京都府北部\nmaizuru\nfukuchiyama\n\nkyotango\n", encoding="utf-8")
    out = kaiji.ok("campaign", "add", "c1", "--subject", SUBJECT, "--filed", "2025-04-01", "--bodies-from", str(lines))
    assert "campaign c1: 3 requests filed" in out.stdout
    out = kaiji.ok("campaign", "receive", "c1", "--body", "maizuru", "--on", "令和7年4月2日")
    assert "received 2025-04-02; decision due 2025-04-16." in out.stdout
    out = kaiji.ok("campaign", "receive", "c1", "--body", "kyotango", "--on", "2025-04-02")
    assert "its decision date is unknown" in out.stdout
    refused = kaiji("campaign", "remove-body", "c1", "maizuru")
    assert refused.exit_code == 1 and "has reached the office" in refused.stderr
    kaiji.ok("campaign", "remove-body", "c1", "fukuchiyama")
    shown = kaiji.ok("campaign", "show", "c1", "--as-of", "2025-05-01").stdout
    assert "late +15d" in shown and "unknown (no rule)" in shown and "fukuchiyama" not in shown
    assert shown.splitlines()[-1].startswith("2 bodies: 2 received, 0 decided")
    import json

    rows = json.loads(kaiji.ok("campaign", "show", "c1", "--json", "--as-of", "2025-05-01").stdout)
    assert [(r["body_key"], r["late_by"]) for r in rows] == [("kyotango", None), ("maizuru", 15)]
    kaiji.ok("body", "set", "add", "north", "maizuru", "ayabe")
    assert "maizuru, ayabe" in kaiji.ok("body", "set", "list").stdout
    assert "campaign c2: 2 requests filed" in kaiji.ok("campaign", "add", "c2", "--subject", "別の文書", "--set",
                                                        "north").stdout
    out_file = tmp_path / "c1.csv"
    kaiji.ok("export", "campaign", "c1", "-o", str(out_file))
    assert out_file.read_bytes().decode("utf-8-sig").count("\r\n") == 3
    assert kaiji("export", "campaign").exit_code == 2
    if shutil.which("pdftotext"):
        out = kaiji.ok("pdf", "campaign", "c1", "-o", str(tmp_path / "forms"))
        assert sorted(p.name for p in (tmp_path / "forms").iterdir()) == ["kyotango.pdf", "maizuru.pdf"]
        kaiji.ok("pdf", "campaign", "c1", "--combined", "-o", str(tmp_path / "forms"))
        assert (tmp_path / "forms" / "c1.pdf").exists()


# ---------------------------------------------------------------- the README's walk-through of a campaign

def readme_campaign() -> tuple[str, list[str], str]:
    """The README's campaign section: its CSV, its command lines in order, and the table it shows."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    section = text.split("## Campaigns: one request to many bodies", 1)[1].split("\n## ", 1)[0]
    csv_text = re.search(r"```csv\n(.+?\n)```", section, re.S)[1]
    commands = [line for block in re.findall(r"```sh\n(.+?)\n```", section, re.S)
                for line in block.splitlines() if line.startswith("kaiji ")]
    console = re.search(r"```console\n(.+?)\n```", section, re.S)[1]
    return csv_text, commands, console


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_readme_campaign_runs_as_written_and_shows_what_it_says(kaiji, tmp_path, monkeypatch, lang):
    import shlex

    from tracker.table import width

    from .test_languages import english_in

    csv_text, commands, console = readme_campaign()
    assert len(commands) >= 12
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bodies.csv").write_text(csv_text, encoding="utf-8")
    monkeypatch.setenv("KAIJI_LANG", lang)
    if lang == "ja":
        monkeypatch.setenv("COLUMNS", "80")
    for command in commands:
        result = kaiji(*shlex.split(command, comments=True)[1:])
        assert result.exit_code == 0, (command, result.output)
        for line in (result.stdout + result.stderr).splitlines() if lang == "ja" else []:
            assert width(line) <= 80, (command, line)
            assert english_in(line) is None, (command, line)
    if lang == "en":   # the README shows the table as kaiji prints it off a terminal
        shown = console.split("\n$ kaiji export")[0].split("\n", 1)[1]
        assert result.stdout.rstrip("\n") == shown
        assert (tmp_path / "forms" / "kosaihi-2025.pdf").exists() and (tmp_path / "forms" / "tokyo.pdf").exists()
