"""`kaiji pdf`: every form, filled from the records, has every value in its text.

The expected strings are the case's own (test_pdf_support) and the words of Maizuru's 施行規則,
written out here, never taken from kaiji's code or form files.
"""

from __future__ import annotations

import pytest

from .test_pdf_support import (
    ADDRESS,
    DEPARTMENT,
    DEPT_EXTENSION,
    DEPT_PHONE,
    DOCUMENT,
    GROUND,
    GROUP,
    MAYOR,
    PART,
    PHONE,
    PLACE,
    REASON,
    REASON_5_2,
    REPRESENTATIVE,
    SUBJECT,
    add_group,
    add_request,
    assert_has,
    decide_partial,
    flat,
    maizuru_case,
    needs_poppler,
    page_count,
    pdf_text,
    set_head_name,
)

pytestmark = needs_poppler

# 舞鶴市情報公開条例施行規則 第4条 (the notice for each kind of decision) and 第4条の2, 第4条の3.
MAIZURU_NOTICES = {
    "full": ("様式第2号", "行政文書開示決定通知書"),
    "partial": ("様式第3号", "行政文書部分開示決定通知書"),
    "refusal": ("様式第4号", "行政文書不開示決定通知書"),
    "neither": ("様式第5号", "行政文書の存否を明らかにしない決定通知書"),
    "absent": ("様式第6号", "行政文書不存在決定通知書"),
    "rejected": ("様式第4号", "行政文書不開示決定通知書"),   # 却下 is issued as a non-disclosure
}
INSTRUCTION = ("教示", "3月以内", "審査請求", "6月以内", "取消しの訴え", "1年を経過")


# ---------------------------------------------------------------- 様式第1号

def test_the_maizuru_request_form_has_every_field(kaiji, tmp_path):
    maizuru_case(kaiji, decided=False)
    out = tmp_path / "request.pdf"
    result = kaiji.ok("pdf", "request", "1", "-o", out)
    assert f"wrote {out} (1 page" in result.stdout
    assert page_count(out) == 1
    assert_has(out, "様式第1号", "行政文書開示請求書", "令和6年12月27日", "舞鶴市長　様",
               "舞鶴市情報公開条例第4条第1項の規定により", "請求者", ADDRESS, GROUP, REPRESENTATIVE, PHONE,
               "担当者", SUBJECT, REASON, "閲覧", "視聴", "写しの交付", "送付希望", "※受付年月日", "※担当部課等",
               "※備考", "※印の欄は、記入しないでください。")
    text = flat(pdf_text(out))
    # ticked boxes carry a レ mark: copies, mailing wanted; the others are empty
    assert "レ写しの交付" in text and "レ有" in text
    assert "レ閲覧" not in text and "レ視聴" not in text and "レ無" not in text
    assert DEPARTMENT not in text     # the ※ boxes are the office's to fill in


# 様式第1号 as the papers print it (../shared/cases/maizuru-2024-papers.txt), top to bottom, each
# label with the value the group wrote beside it; a box prints as a drawn square, its レ as text.
MAIZURU_REQUEST = [
    "様式第1号（第3条関係）", "令和6年12月27日", "舞鶴市長　様",
    f"住所 {ADDRESS}", f"請求者 氏名 {GROUP} 代表　{REPRESENTATIVE}", f"電話番号 {PHONE}",
    "〔法人その他の団体にあつては、事務所又は事業所の所在地並びに名称及び代表者の氏名〕",
    "連絡先（法人その他の団体の担当者）", f"氏名 {REPRESENTATIVE}", f"電話番号 {PHONE}",
    "行政文書開示請求書",
    "舞鶴市情報公開条例第4条第1項の規定により、次のとおり行政文書の開示を請求します。",
    f"請求に係る行政文書の件名又は内容 {SUBJECT}",
    "開示の方法 閲覧 視聴 レ写しの交付 （送付希望の有無 レ有 無）",
    f"請求に係る行政文書の開示が公益上必要がある理由 {REASON}",
    "※ 受付年月日", "※ 担当部課等", "※ 備考",
    "（注） 「開示の方法」の欄は、該当する", "にレ印を記入してください。", "※印の欄は、記入しないでください。",
]


def test_the_maizuru_request_form_says_what_the_citys_form_says(kaiji, tmp_path):
    maizuru_case(kaiji, decided=False)
    out = tmp_path / "request.pdf"
    kaiji.ok("pdf", "request", "1", "-o", out)
    text = flat(pdf_text(out))
    at = 0
    for line in MAIZURU_REQUEST:                       # each in the papers' order
        found = text.find(flat(line), at)
        assert found >= 0, f"{line!r} missing, or out of the papers' order, after {text[max(0, at - 30):at]!r}"
        at = found + len(flat(line))
    for generic in ("請求する行政文書", "開示の実施の方法", "開示請求の理由", "あって", "写しの送付希望"):
        assert generic not in text, generic


def test_the_maizuru_blank_form_has_the_contact_block_and_the_note(kaiji, tmp_path):
    out = tmp_path / "blank.pdf"
    kaiji.ok("pdf", "request", "--blank", "--body", "maizuru", "-o", out)
    text = flat(pdf_text(out))
    for label in ("住所", "請求者氏名", "電話番号", "〔法人その他の団体にあつては", "連絡先（法人その他の団体の担当者）",
                  "請求に係る行政文書の件名又は内容", "開示の方法", "送付希望の有無",
                  "請求に係る行政文書の開示が公益上必要がある理由", "※受付年月日"):
        assert flat(label) in text, label

def test_a_person_gets_the_person_block_and_unticked_mail(kaiji, tmp_path):
    kaiji.ok("requester", "add", "山田 花子", "--address", "京都府綾部市若竹町8-1", "--phone", "0773-00-0000")
    add_request(kaiji, body="ayabe", requester="山田 花子", received="2025-03-03", extra=("--method", "inspect"))
    out = tmp_path / "r.pdf"
    kaiji.ok("pdf", "request", "1", "-o", out)
    assert_has(out, "綾部市長　様", "綾部市情報公開条例の規定により", "住所", "京都府綾部市若竹町8-1", "氏名", "山田 花子",
               "0773-00-0000", "令和7年3月3日")
    text = flat(pdf_text(out))
    assert "レ閲覧" in text and "レ写しの交付" not in text and "レ有" not in text and "レ無" not in text
    block = text.split("の規定により")[0]                  # the requester's block, above the opening sentence
    assert "代表者" not in block and "担当者" not in block
    assert "様式第1号" not in text                         # Ayabe has no form file: the generic form


def test_dates_are_wareki_with_gannen(kaiji, tmp_path):
    add_group(kaiji)
    add_request(kaiji, received="2019-05-01")
    add_request(kaiji, received="2019-04-26")
    out = tmp_path / "r.pdf"
    kaiji.ok("pdf", "request", "1", "2", "-o", out)
    assert_has(out, "令和元年5月1日", "平成31年4月26日")
    assert "2019" not in pdf_text(out)


def test_blank_forms(kaiji, tmp_path):
    out = tmp_path / "blank.pdf"
    kaiji.ok("pdf", "request", "--blank", "--body", "maizuru", "-o", out)
    assert_has(out, "様式第1号", "行政文書開示請求書", "舞鶴市長　様", "舞鶴市情報公開条例第4条第1項",
               "令和　　年　　月　　日", "住所", "氏名", "電話番号", "請求に係る行政文書の件名又は内容", "※受付年月日")
    assert "レ" not in pdf_text(out).replace("レ印", "")   # nothing ticked (the notes mention the レ mark)
    generic = tmp_path / "generic.pdf"
    kaiji.ok("pdf", "request", "--blank", "-o", generic)
    assert "舞鶴" not in pdf_text(generic)
    assert_has(generic, "行政文書開示請求書", "様")


def test_batch_in_one_file_or_one_file_each(kaiji, tmp_path):
    add_group(kaiji)
    subjects = ["議事録その1の件", "議事録その2の件", "議事録その3の件"]
    for s in subjects:
        add_request(kaiji, subject=s)
    batch = tmp_path / "batch.pdf"
    kaiji.ok("pdf", "request", "1", "2", "3", "-o", batch)
    assert page_count(batch) == 3
    for page, s in enumerate(subjects, 1):
        assert s in pdf_text(batch, page)
    folder = tmp_path / "each"
    folder.mkdir()
    kaiji.ok("pdf", "request", "1", "2", "3", "--each", "-o", folder)
    for i, s in enumerate(subjects, 1):
        assert s in pdf_text(folder / f"request-{i}.pdf")
    # In the order given, and a batch with one unknown id is refused whole, naming it.
    kaiji.ok("pdf", "request", "3", "1", "-o", batch, "--force")
    assert [subjects[2] in pdf_text(batch, 1), subjects[0] in pdf_text(batch, 2)] == [True, True]
    refused = tmp_path / "refused"
    for ids, missing in ((["1", "7", "2"], "7"), (["2", "0"], "0"), (["1", str(2**40)], str(2**40))):
        result = kaiji("pdf", "request", *ids, "--each", "-o", refused)
        assert result.exit_code == 2 and f"there is no request {missing};" in result.stderr
    assert not refused.exists()


def test_default_file_name_and_standard_output(kaiji, tmp_path, monkeypatch):
    maizuru_case(kaiji, decided=False)
    monkeypatch.chdir(tmp_path)
    kaiji.ok("pdf", "request", "1")
    assert (tmp_path / "request-1.pdf").read_bytes().startswith(b"%PDF")
    result = kaiji.ok("pdf", "request", "1", "-o", "-")
    assert result.stdout_bytes.startswith(b"%PDF")


# ---------------------------------------------------------------- 様式第2号〜第7号: notices

def test_the_maizuru_partial_disclosure_notice_reproduces_every_row(kaiji, tmp_path):
    maizuru_case(kaiji)
    out = tmp_path / "notice.pdf"
    kaiji.ok("pdf", "notice", "1", "-o", out)
    assert_has(out, "様式第3号", "行政文書部分開示決定通知書", "令和7年1月10日", GROUP, f"代表　{REPRESENTATIVE}　様",
               f"舞鶴市長　{MAYOR}", "令和6年12月27日付けの行政文書の開示請求について",
               "舞鶴市情報公開条例第9条第1項の規定により",
               # the table
               "行政文書の件名", DOCUMENT, "開示の日時及び場所", "令和　　年　　月　　日", "午前・午後", PLACE,
               "開示の方法", "写しの交付", PART, "根拠規定", f"舞鶴市情報公開条例{GROUND}", "理由", REASON_5_2,
               "第10条後段", "担当部課等", DEPARTMENT, DEPT_PHONE, f"内線{DEPT_EXTENSION}", "備考", "190円",
               # the cautions and the instruction
               "指定された開示の日時の都合が悪いときは、あらかじめ担当部課へ連絡してください。",
               "開示を受ける際には、この通知書を提示してください。", *INSTRUCTION, "舞鶴市長に対して審査請求",
               "舞鶴市を被告として")
    assert page_count(out) == 1


# 様式第3号 as the papers print it, top to bottom: the opening, each row's label with its value, 注意.
MAIZURU_PARTIAL_NOTICE = [
    "行政文書部分開示決定通知書",
    "令和6年12月27日付けの行政文書の開示請求について、舞鶴市情報公開条例第9条第1項の規定により、"
    "次のとおり不開示情報に係る部分を除いて開示することと決定したので通知します。",
    f"行政文書の件名 {DOCUMENT}",
    f"開示の日時及び場所 日時 令和　年　月　日（午前・午後　時　分） 場所 {PLACE}",
    "開示の方法 写しの交付",
    "開示しない部分並びに開示しないこととする根拠規定及び当該規定を適用する理由 "
    f"（開示しない部分） {PART} （根拠規定及び理由） 舞鶴市情報公開条例{GROUND}に該当し、その理由は{REASON_5_2}",
    "舞鶴市情報公開条例第10条後段の規定に該当する場合の行政文書の開示をすることができる期日 "
    "年　月　日 ただし、行政文書の開示を希望する場合は、同日以後新たに開示請求が必要となります。",
    f"担当部課等 {DEPARTMENT} 電話番号 {DEPT_PHONE}（内線{DEPT_EXTENSION}）",
    "備考",
    "注意 1 指定された開示の日時の都合が悪いときは、あらかじめ担当部課へ連絡してください。",
    "2 開示を受ける際には、この通知書を提示してください。",
]


def test_the_maizuru_partial_notice_says_what_the_citys_notice_says(kaiji, tmp_path):
    maizuru_case(kaiji)
    out = tmp_path / "notice.pdf"
    kaiji.ok("pdf", "notice", "1", "-o", out)
    text = flat(pdf_text(out))
    at = 0
    for line in MAIZURU_PARTIAL_NOTICE:
        found = text.find(flat(line), at)
        assert found >= 0, f"{line!r} missing, or out of the papers' order, after {text[max(0, at - 30):at]!r}"
        at = found + len(flat(line))
    for generic in ("開示する行政文書の名称", "開示の実施の方法", "一部を開示することに決定", "開示しない部分及び"):
        assert generic not in text, generic


def _decide(kaiji, kind: str) -> dict[str, str]:
    """Record a decision of this kind with every field the notice shows; return the values to find."""
    v = {"notice": "舞人第77号", "remarks": "資料は後日郵送します",
         "department": "総務部総務課", "phone": "0773-62-2300", "extension": "2211"}
    args = ["request", "decide", "1", "--kind", kind, "--on", "2025-01-09", "--notified", "2025-01-14",
            "--notice-number", v["notice"], "--department", v["department"], "--department-phone", v["phone"],
            "--extension", v["extension"], "--remarks", v["remarks"]]
    if kind in ("full", "partial"):
        args += ["--document", "令和6年度接遇研修の記録", "--disclosure-on", "2025-01-24", "--disclosure-time", "午後2時30分",
                 "--disclosure-place", PLACE, "--disclosure-method", "inspect", "--fee", "1230"]
        v |= {"document": "令和6年度接遇研修の記録", "on": "令和7年1月24日", "time": "午後2時30分", "place": PLACE, "method": "閲覧",
              "fee": "1,230円"}
    if kind in ("partial", "refusal", "neither"):
        kaiji.ok("ground", "add", "maizuru", "第5条第1号", "--summary", "個人に関する情報")
        v |= {"part": "個人の氏名", "ground": "第5条第1号", "reason": "特定の個人を識別することができるため"}
        args += ["--withheld", v["part"], "--ground", v["ground"], "--reason", v["reason"]]
    if kind in ("absent", "rejected"):
        v["own"] = "保存期間が満了し廃棄済みのため"
        args += ["--reason", v["own"]]
    if kind == "partial":
        args += ["--later-on", "2026-04-01"]
        v["later"] = "令和8年4月1日"
    kaiji.ok(*args)
    return v


@pytest.mark.parametrize("kind", list(MAIZURU_NOTICES))
def test_every_decision_kind_has_its_own_notice(kaiji, tmp_path, kind):
    maizuru_case(kaiji, decided=False)
    v = _decide(kaiji, kind)
    out = tmp_path / f"{kind}.pdf"
    kaiji.ok("pdf", "notice", "1", "-o", out)
    number, title = MAIZURU_NOTICES[kind]
    assert_has(out, number, title, "令和7年1月9日", v["notice"], f"舞鶴市長　{MAYOR}", GROUP,
               "令和6年12月27日付け", v["department"], v["phone"], f"内線{v['extension']}", v["remarks"],
               *INSTRUCTION)
    for key in ("document", "on", "time", "place", "method", "fee", "part", "ground", "reason", "later", "own"):
        if key in v:
            assert_has(out, v[key])
    if kind in ("refusal", "neither", "absent", "rejected"):
        assert_has(out, SUBJECT)   # these name the documents requested
    if kind in ("refusal", "absent", "rejected"):
        assert_has(out, "第9条第2項")
    if kind == "neither":
        assert_has(out, "第8条", "存否を明らかにしない")
    text = flat(pdf_text(out))
    others = {t for k, (_, t) in MAIZURU_NOTICES.items() if t != title}
    assert not any(t in text for t in others if t not in title)


def test_a_notice_for_another_city_uses_the_generic_form(kaiji, tmp_path):
    add_group(kaiji)
    add_request(kaiji, body="kyoto-city", subject="京都市の公用車の運行記録")
    kaiji.ok("request", "decide", "1", "--kind", "absent", "--on", "2025-01-09", "--reason", "作成していないため")
    out = tmp_path / "n.pdf"
    kaiji.ok("pdf", "notice", "1", "-o", out)
    assert_has(out, "行政文書不存在決定通知書", "京都市情報公開条例の規定により", "京都市長", "作成していないため",
               "京都市を被告として", *INSTRUCTION)
    assert "様式" not in pdf_text(out) and "舞鶴" not in pdf_text(out)


def test_extension_notices(kaiji, tmp_path):
    maizuru_case(kaiji, decided=False)
    out = tmp_path / "ext.pdf"
    result = kaiji("pdf", "notice", "1", "--extension", "-o", out)
    assert result.exit_code == 1 and "no extension" in result.stderr
    kaiji.ok("request", "extend", "1", "--until", "2025-02-28", "--reason", "対象文書が大量であるため", "--on", "2025-01-08")
    kaiji.ok("pdf", "notice", "1", "--extension", "-o", out)
    assert_has(out, "様式第7号", "開示決定等期限延長通知書", "令和7年1月8日", "舞鶴市情報公開条例第11条第2項",
               "令和6年12月27日付け", SUBJECT, "令和7年2月28日まで", "対象文書が大量であるため", GROUP, MAYOR)
    assert "教示" not in pdf_text(out)      # an extension is no decision to appeal


def test_special_extension_notice(kaiji, tmp_path):
    maizuru_case(kaiji, decided=False)
    kaiji.ok("request", "special-extend", "1", "--part-by", "2025-02-10", "--rest-by", "2025-05-30",
             "--reason", "文書が著しく大量であるため", "--on", "2025-01-08")
    out = tmp_path / "ext.pdf"
    kaiji.ok("pdf", "notice", "1", "--extension", "-o", out)
    assert_has(out, "様式第7号の2", "開示決定等期限特例延長通知書", "第11条の2", "令和7年2月10日まで",
               "令和7年5月30日まで", "文書が著しく大量であるため")


def test_a_notice_for_each_decision_or_the_one_chosen(kaiji, tmp_path):
    maizuru_case(kaiji, decided=False)
    kaiji.ok("request", "special-extend", "1", "--part-by", "2025-02-10", "--rest-by", "2025-05-30",
             "--on", "2025-01-08")
    kaiji.ok("request", "decide", "1", "--kind", "full", "--on", "2025-02-07", "--document", "第一の文書")
    decide_partial(kaiji)
    both = tmp_path / "both.pdf"
    kaiji.ok("pdf", "notice", "1", "-o", both)
    assert_has(both, "行政文書開示決定通知書", "第一の文書", "行政文書部分開示決定通知書", PART)
    one = tmp_path / "one.pdf"
    kaiji.ok("pdf", "notice", "1", "--decision", "1", "-o", one)
    assert "第一の文書" in pdf_text(one) and PART not in pdf_text(one)


# ---------------------------------------------------------------- 審査請求書

def test_the_appeal_has_every_item_of_article_19_2(kaiji, tmp_path):
    maizuru_case(kaiji)
    reasons = tmp_path / "reasons.txt"
    reasons.write_text("店名は既に報道されており、\n公にしても事業者の利益を害するおそれはない。\n", "utf-8")
    out = tmp_path / "appeal.pdf"
    result = kaiji.ok("pdf", "appeal", "1", "--reasons", reasons, "--on", "2025-02-01", "-o", out)
    assert "warning" not in result.stderr
    assert_has(out, "審査請求書", "舞鶴市長　様",
               # (1) the appellant: name, address (and for a group its representative)
               "審査請求人の氏名又は名称及び住所又は居所", GROUP, ADDRESS, REPRESENTATIVE,
               # (2) the decision appealed
               "審査請求に係る処分の内容", "令和7年1月10日付け", "行政文書部分開示決定", "令和6年12月27日付け", SUBJECT,
               # (3) the day the appellant learned of it
               "審査請求に係る処分があったことを知った年月日", "令和7年1月20日",
               # (4) purpose and reasons
               "審査請求の趣旨", "開示しないこととした部分を取り消し", "審査請求の理由", "店名は既に報道されており、",
               "公にしても事業者の利益を害するおそれはない。",
               # (5) the instruction given, (6) the date of the appeal
               "処分庁の教示の有無及びその内容", "有", "3月以内", "審査請求の年月日", "令和7年2月1日")


def test_the_appeal_against_inaction(kaiji, tmp_path):
    maizuru_case(kaiji, decided=False)
    out = tmp_path / "appeal.pdf"
    result = kaiji("pdf", "appeal", "1", "--on", "2025-01-10", "-o", out)
    assert result.exit_code == 1 and "not overdue on 2025-01-10" in result.stderr and "2025-01-10" in result.stderr
    kaiji.ok("pdf", "appeal", "1", "--on", "2025-01-15", "-o", out)
    text = flat(pdf_text(out))
    assert_has(out, "審査請求書", "不作為", GROUP, ADDRESS, "当該不作為に係る処分についての申請の内容及び年月日",
               "令和6年12月27日付け", SUBJECT, "令和7年1月10日", "審査請求の年月日", "令和7年1月15日")
    assert flat("処分があったことを知った年月日") not in text and "教示" not in text


def test_appeal_options_replace_the_usual_text(kaiji, tmp_path):
    maizuru_case(kaiji)
    out = tmp_path / "appeal.pdf"
    kaiji.ok("pdf", "appeal", "1", "--on", "2025-02-01", "--purpose", "本件処分の取消しを求める。",
             "--instruction", "無", "-o", out)
    text = flat(pdf_text(out))
    assert "本件処分の取消しを求める。" in text and "開示しないこととした部分を取り消し" not in text
    assert "3月以内" not in text


def test_appeal_reasons_from_standard_input(kaiji, tmp_path):
    maizuru_case(kaiji)
    out = tmp_path / "appeal.pdf"
    result = kaiji("pdf", "appeal", "1", "--on", "2025-02-01", "--reasons", "-", "-o", out, input="標準入力からの理由です。")
    assert result.exit_code == 0, result.output
    assert_has(out, "標準入力からの理由です。")


def test_a_late_appeal_is_printed_with_a_warning(kaiji, tmp_path):
    maizuru_case(kaiji)
    result = kaiji.ok("pdf", "appeal", "1", "--on", "2025-05-01", "-o", tmp_path / "a.pdf")
    assert "the appeal period ended on 2025-04-21" in result.stderr


# ---------------------------------------------------------------- bad input: one sentence, no traceback

def _fails(result, code: int, *words: str) -> None:
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kaiji: error: "), result.stderr
    for w in words:
        assert w in result.stderr


def test_bad_input(kaiji, tmp_path):
    out = str(tmp_path / "x.pdf")
    _fails(kaiji("pdf", "request", "9", "-o", out), 2, "there is no request 9")
    _fails(kaiji("pdf", "notice", "9", "-o", out), 2, "there is no request 9")
    _fails(kaiji("pdf", "appeal", "9", "-o", out), 2, "there is no request 9")
    _fails(kaiji("pdf", "request", "--blank", "--body", "nowhere", "-o", out), 2, "there is no body 'nowhere'")
    maizuru_case(kaiji, decided=False)
    _fails(kaiji("pdf", "notice", "1", "-o", out), 1, "no decision")
    _fails(kaiji("pdf", "appeal", "1", "--on", "2025-01-05", "-o", out), 1, "not overdue", "2025-01-10")
    _fails(kaiji("pdf", "appeal", "1", "--reasons", str(tmp_path / "missing.txt"), "-o", out), 2, "cannot read")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("理由".encode("shift_jis"))
    _fails(kaiji("pdf", "appeal", "1", "--reasons", str(latin1), "-o", out), 2, "not valid UTF-8")
    not_a_font = tmp_path / "font.ttf"
    not_a_font.write_text("not a font")
    _fails(kaiji("pdf", "request", "1", "--font", str(not_a_font), "-o", out), 2, "not a TrueType font")
    _fails(kaiji("pdf", "request", "1", "--font", str(tmp_path / "none.ttf"), "-o", out), 2, "does not exist")
    _fails(kaiji("pdf", "request", "1", "-o", str(tmp_path / "no" / "such" / "dir.pdf")), 2, "cannot write")
    kaiji.ok("request", "decide", "1", "--kind", "full", "--on", "2025-01-09")
    _fails(kaiji("pdf", "appeal", "1", "-o", out), 1, "全部開示", "nothing to appeal")
    _fails(kaiji("pdf", "notice", "1", "--decision", "99", "-o", out), 2, "no decision 99")
    assert not (tmp_path / "x.pdf").exists()


def test_usage_errors(kaiji, tmp_path):
    for args in (["pdf", "request"], ["pdf", "request", "1", "--blank"], ["pdf", "request", "1", "--body", "maizuru"]):
        result = kaiji(*args)
        assert result.exit_code == 2 and "Traceback" not in result.output


def test_the_same_records_give_the_same_bytes(kaiji, tmp_path):
    maizuru_case(kaiji)
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    for out in (a, b):
        kaiji.ok("pdf", "notice", "1", "-o", out)
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.slow  # starts a new Python process (kaiji as a user runs it)
def test_the_group_needs_no_reportlab_to_start():
    import subprocess
    import sys

    code = ("import sys; from click.testing import CliRunner; from tracker.cli import cli; "
            "r = CliRunner().invoke(cli, ['pdf', '--help']); assert r.exit_code == 0, r.output; "
            "r = CliRunner().invoke(cli, ['--help']); assert 'pdf' in r.output; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('reportlab', 'sqlalchemy')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_head_name_is_optional(kaiji, tmp_path):
    add_group(kaiji)
    add_request(kaiji)
    decide_partial(kaiji)
    out = tmp_path / "n.pdf"
    kaiji.ok("pdf", "notice", "1", "-o", out)
    assert_has(out, "舞鶴市長")
    assert MAYOR not in pdf_text(out)
    set_head_name(kaiji.url)
    kaiji.ok("pdf", "notice", "1", "-o", out, "--force")
    assert_has(out, f"舞鶴市長　{MAYOR}")


def test_the_readme_shows_images_that_exist():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    text = (root / "README.md").read_text("utf-8")
    images = re.findall(r"!\[[^\]]*\]\((docs/images/[^)]+\.png)\)", text)
    assert len(images) >= 2 and all((root / i).is_file() for i in images)
    assert "apt-get install fonts-ipaexfont" in text
