"""Forms are data: each jurisdiction's wording lives in forms/<key>.toml, and a new city is a new file."""

from __future__ import annotations

import re

import pytest

from tracker.errors import BadInput
from tracker.pdf import forms

from .test_pdf_support import SUBJECT, add_group, add_request, assert_has, needs_poppler

pytestmark = needs_poppler

KINDS = ("full", "partial", "refusal", "neither", "absent", "rejected", "extension", "special_extension")


@pytest.mark.parametrize("key", forms.shipped())
def test_every_shipped_form_file_has_every_form(key):
    f = forms.load(key)
    assert f.key == key
    for section in ("request", "notice", "appeal"):
        assert section in f.data, f"{key}.toml lacks [{section}]"
    for kind in KINDS:
        sec = f.notice(kind)
        assert sec["title"] and sec["opening"] and sec["rows"], (key, kind)
        assert all(row in sec["labels"] for row in sec["rows"]), (key, kind)
    assert set(f.data["appeal"]["purpose"]) >= {"partial", "refusal", "rejected", "neither", "absent", "inaction"}


def test_the_shipped_forms():
    assert {"generic", "maizuru"} <= set(forms.shipped())
    assert forms.load("maizuru").key == "maizuru"
    assert forms.load("ayabe").key == "generic"           # no file of its own: the generic form


@pytest.mark.parametrize("body", ["national", "kyoto-city", "tokyo"])
def test_other_bodies_print_every_form(kaiji, tmp_path, body):
    add_group(kaiji)
    add_request(kaiji, body=body)
    request, notice, appeal = (tmp_path / f"{n}.pdf" for n in ("request", "notice", "appeal"))
    kaiji.ok("pdf", "request", "1", "-o", request)
    kaiji.ok("request", "decide", "1", "--kind", "absent", "--on", "2025-01-09", "--notified", "2025-01-10",
             "--reason", "保有していないため")
    kaiji.ok("pdf", "notice", "1", "-o", notice)
    kaiji.ok("pdf", "appeal", "1", "--on", "2025-02-01", "-o", appeal)
    ordinance = {"national": "行政機関の保有する情報の公開に関する法律", "kyoto-city": "京都市情報公開条例",
                 "tokyo": "東京都情報公開条例"}[body]
    assert_has(request, ordinance, SUBJECT)
    assert_has(notice, ordinance, "行政文書不存在決定通知書", "保有していないため", "3月以内")
    assert_has(appeal, "審査請求書", "行政文書不存在決定", "令和7年1月10日")
    if body == "national":
        assert_has(notice, "国を被告として", "法務大臣")


def test_a_new_city_is_a_new_file(kaiji, tmp_path, monkeypatch):
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "kyoto-city.toml").write_text('''
extends = "generic"
name = "京都市の様式（試験）"
source = "test"

[request]
number = "第1号様式（第3条関係）"
opening = "{ordinance}第7条の規定により、次のとおり開示を請求します。"
subject = "開示請求に係る公文書の件名又は内容"

[notice.partial]
number = "第3号様式"
title = "公文書部分開示決定通知書"
opening = "{request_date}付けで請求のあった公文書について、{ordinance}第12条の規定により一部を開示します。"
''', "utf-8")
    monkeypatch.setenv("KAIJI_FORMS", str(folder))
    add_group(kaiji)
    add_request(kaiji, body="kyoto-city")
    out = tmp_path / "r.pdf"
    kaiji.ok("pdf", "request", "1", "-o", out)
    assert_has(out, "第1号様式（第3条関係）", "京都市情報公開条例第7条の規定により、次のとおり開示を請求します。",
               "開示請求に係る公文書の件名又は内容", "京都市長　様", "※受付年月日")   # the rest from generic
    kaiji.ok("ground", "add", "kyoto-city", "第7条第3号", "--summary", "法人等情報")
    kaiji.ok("request", "decide", "1", "--kind", "partial", "--on", "2025-01-09", "--withheld", "印影",
             "--ground", "第7条第3号", "--reason", "法人の印影であるため")
    notice = tmp_path / "n.pdf"
    kaiji.ok("pdf", "notice", "1", "-o", notice)
    assert_has(notice, "第3号様式", "公文書部分開示決定通知書", "令和6年12月27日付けで請求のあった公文書について",
               "京都市情報公開条例第12条の規定により一部を開示します。", "京都市情報公開条例第7条第3号", "印影",
               "法人の印影であるため", "京都市を被告として")


def test_mistakes_in_a_form_file_are_named(kaiji, tmp_path, monkeypatch):
    folder = tmp_path / "forms"
    folder.mkdir()
    monkeypatch.setenv("KAIJI_FORMS", str(folder))
    add_group(kaiji)
    add_request(kaiji, body="kyoto-city")
    (folder / "kyoto-city.toml").write_text('extends = "generic"\n[request]\nopening = "{ordinance}{article}の規定"\n')
    result = kaiji("pdf", "request", "1", "-o", tmp_path / "x.pdf")
    assert result.exit_code == 2 and "kyoto-city.toml" in result.stderr and "{article}" in result.stderr
    (folder / "kyoto-city.toml").write_text('extends = "generic"\n[request\n')
    result = kaiji("pdf", "request", "1", "-o", tmp_path / "x.pdf")
    assert result.exit_code == 2 and "not valid TOML" in result.stderr
    (folder / "kyoto-city.toml").write_text('extends = "kyoto-city"\n')
    result = kaiji("pdf", "request", "1", "-o", tmp_path / "x.pdf")
    assert result.exit_code == 2 and "extends" in result.stderr
    assert "Traceback" not in result.output


def test_fill_names_an_unknown_placeholder():
    f = forms.load("generic")
    assert f.fill("{head}　様", {"head": "舞鶴市長"}) == "舞鶴市長　様"
    with pytest.raises(BadInput, match=r"\{nothing\}"):
        f.fill("{nothing}", {"head": "舞鶴市長"})


# ---------------------------------------------------------------- issue 9, item 13: notices and blanks

def _label_columns(f: forms.Forms) -> list[tuple[str, float]]:
    """(label, mm of its column) for every row label a shipped form prints in a ruled table."""
    from tracker.pdf.documents import LABEL_W

    req = f.data["request"]
    out = [(req[k], LABEL_W) for k in ("subject", "methods", "reason")]
    if req["office_in_table"]:
        out += [(o["label"], LABEL_W) for o in req["office"]]
    for kind in KINDS:
        sec = f.notice(kind)
        out += [(sec["labels"][k], LABEL_W) for k in sec["rows"]]
        if "withheld" in sec["rows"]:
            out += [(sec["labels"][k], 32.0) for k in ("withheld_part", "withheld_ground")]
    out += [(label, 47.0) for label in f.data["appeal"]["labels"].values()]
    return out


@pytest.mark.parametrize("key", forms.shipped())
def test_no_label_breaks_inside_a_word(key):
    """A label breaks only where its form file says ("\\n"): each of its lines fits its column whole,
    so the layout never has to break one between two characters (「求める開示の実施の方／法」)."""
    from tracker.pdf import fonts
    from tracker.pdf.layout import MM, Measure

    font, _ = fonts.load(None)
    measure = Measure.of(font)
    pad = 2 * 1.6 * MM                              # the ruled tables' padding, both sides
    too_wide = [line for label, width in _label_columns(forms.load(key)) for line in label.split("\n")
                if measure(line, 10.5) > width * MM - pad]
    assert not too_wide, f"{key}.toml: these label lines would break inside a word: {too_wide}"


def test_an_absent_notice_puts_its_reason_in_its_own_row(kaiji, tmp_path):
    from .test_pdf_support import flat, pdf_text

    for body in ("maizuru", "kyoto-city"):
        add_request(kaiji, body=body, subject=f"{body}の文書")
    for i in (1, 2):
        kaiji.ok("request", "decide", str(i), "--kind", "absent", "--on", "2025-01-09",
                 "--reason", "保存期間が満了し廃棄済みのため", "--remarks", "備考の欄の文")
        out = tmp_path / f"absent-{i}.pdf"
        kaiji.ok("pdf", "notice", str(i), "-o", out)
        lines = pdf_text(out).splitlines()
        assert "保有していない理由" in lines or "行政文書を保有していない理由" in lines, lines  # the label, unbroken
        text = flat(pdf_text(out))
        assert flat("行政文書を保有していない理由保存期間が満了し廃棄済みのため") in text
        assert flat("備考備考の欄の文") in text and "保存期間" not in text.split("備考")[1]


def test_a_full_disclosure_with_no_document_named_says_what_is_missing(kaiji, tmp_path):
    from .test_pdf_support import flat, pdf_text

    for body in ("maizuru", "kyoto-city"):
        add_request(kaiji, body=body)
    for i, label in ((1, "開示する行政文書の名称"), (2, "開示する行政文書の名称")):
        kaiji.ok("request", "decide", str(i), "--kind", "full", "--on", "2025-01-09")
        out = tmp_path / f"full-{i}.pdf"
        result = kaiji.ok("pdf", "notice", str(i), "-o", out)
        assert "names no document" in result.stderr and "--document" in result.stderr
        assert flat(f"{label}（開示する行政文書の名称が記録されていません。）開示の日時及び場所") in flat(pdf_text(out))
    kaiji.ok("request", "decide", "1", "--kind", "full", "--on", "2025-01-10", "--document", "名のある文書")
    result = kaiji.ok("pdf", "notice", "1", "--decision", "3", "-o", tmp_path / "named.pdf")
    assert "names no document" not in result.stderr


def test_a_blank_form_with_no_body_leaves_the_addressee_and_the_ordinance_to_write_in(kaiji, tmp_path):
    from .test_pdf_support import pdf_text

    out = tmp_path / "blank.pdf"
    kaiji.ok("pdf", "request", "--blank", "-o", out)
    lines = [line.strip() for line in pdf_text(out).splitlines()]
    addressee = next(line for line in lines if line.endswith("様"))
    assert addressee.startswith("＿＿＿＿＿＿＿＿＿＿"), addressee                  # not a bare 「様」
    opening = next(line for line in lines if "の規定により" in line)
    assert re.fullmatch("＿{10,}の規定により、次のとおり行政文書の開示を請求します。", opening), opening


def test_a_form_file_may_share_a_block_but_not_name_one_it_lacks(tmp_path, monkeypatch):
    from tracker.errors import BadInput
    from tracker.pdf import forms

    monkeypatch.setenv("KAIJI_FORMS", str(tmp_path))
    (tmp_path / "maizuru.toml").write_text(
        'extends = "generic"\n[request.block]\nperson = [{ label = "氏名", value = "{name}" }]\ngroup = "person"\n',
        "utf-8")
    assert forms.load("maizuru").key == "maizuru"
    (tmp_path / "maizuru.toml").write_text('extends = "generic"\n[request.block]\ngroup = "nobody"\n', "utf-8")
    with pytest.raises(BadInput, match="request.block.group"):
        forms.load("maizuru")


@pytest.mark.slow  # starts a new Python process (kaiji as a user runs it)
def test_the_forms_are_found_from_a_plain_checkout(tmp_path):
    """Run from a source tree with no install (PYTHONPATH), forms/ beside tracker/ is read, as migrations/ is."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for folder in ("tracker", "forms", "migrations"):
        shutil.copytree(root / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    code = ("import tracker; from tracker.pdf import forms; "
            "print(tracker.__file__); print(forms.load('maizuru').where, forms.shipped())")
    # -S: no site module, so no installed kaiji (an editable install's finder) is seen; the libraries
    # kaiji needs come from where this Python finds them.
    libs = [p for p in sys.path if p.endswith("site-packages")]
    done = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, cwd=tmp_path,
                          env={"PYTHONPATH": os.pathsep.join([str(tmp_path), *libs]), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    where, found = done.stdout.splitlines()
    assert where.startswith(str(tmp_path))
    assert "forms/maizuru.toml" in found and "'generic'" in found
