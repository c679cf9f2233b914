"""Nothing lost on the page: long text wraps and continues, pages are neither blank nor clipped, and
the same records give the same bytes.

Pages are rendered with pdftoppm and read with Pillow; word boxes come from pdftotext -bbox. The
page geometry checked here is the forms' own (A4, 20 mm side margins), written out, not imported.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.pdf.layout import wrap

from .test_pdf_support import (
    GROUND,
    GROUP,
    PART,
    REASON_5_2,
    add_group,
    add_request,
    decide_partial,
    flat,
    maizuru_case,
    needs_poppler,
    page_count,
    pdf_text,
)

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
SIDE = 20 * MM          # left and right margins of every form
TOP = 10 * MM           # nothing is printed above this …
BOTTOM = 8 * MM         # … or below this (the page number sits at 10 mm)


# ---------------------------------------------------------------- wrapping, without a font

def width_of(s: str, size: float) -> float:
    """A stand-in for a font: full-width characters 1 em, ASCII half."""
    return sum(size * (0.5 if ord(c) < 128 else 1.0) for c in s)


def test_wrap_breaks_japanese_between_characters_and_keeps_ascii_words():
    # 8 em of kanji; 1105-40 (3.5 em) would overflow the 10 em line, and stays whole on the next
    lines = wrap("京都府舞鶴市喜多1105-40 (株)DIYSTYLE 内事務局", 10 * 10.5, 10.5, width_of)
    assert lines == ["京都府舞鶴市喜多", "1105-40 (株)DIYSTYLE", "内事務局"]
    assert wrap("舞鶴市喜多1105-40", 7 * 10.5, 10.5, width_of) == ["舞鶴市喜多", "1105-40"]


def test_wrap_keeps_kinsoku():
    # 。 and 」 may not begin a line: the character before them goes down with them
    assert wrap("あいうえお。かき", 5 * 10, 10, width_of) == ["あいうえ", "お。かき"]
    assert wrap("あいうえ」。かき", 4 * 10, 10, width_of) == ["あいう", "え」。か", "き"]
    # 。 after 」 at the end of a full line: both may not begin a line, so う goes down too
    assert wrap("あいう」。かき", 4 * 10, 10, width_of) == ["あい", "う」。か", "き"]
    # 「 may not end a line
    assert wrap("あいう「えお」", 4 * 10, 10, width_of) == ["あいう", "「えお」"]


def test_wrap_breaks_a_word_longer_than_the_line():
    url = "https://example.jp/" + "a" * 40
    lines = wrap(url, 20 * 5, 10, width_of)
    assert "".join(lines) == url and all(width_of(x, 10) <= 100 for x in lines)


def test_wrap_keeps_newlines_and_empty_lines():
    assert wrap("一行目\n\n三行目", 100, 10, width_of) == ["一行目", "", "三行目"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="あ漢字、。「」（）ー々ab1 -.\n", max_size=200), st.integers(min_value=2, max_value=30))
def test_wrap_never_overflows_and_never_drops_a_character(value, ems):
    width = ems * 10.0
    lines = wrap(value, width, 10, width_of)
    assert all(width_of(line, 10) <= width for line in lines)
    assert re.sub(r"[ \n]", "", "".join(lines)) == re.sub(r"[ \n]", "", value)
    assert len(lines) >= value.count("\n") + 1


# ---------------------------------------------------------------- pages, rendered

def without_furniture(text: str, pages: int, *furniture: str) -> str:
    """The flattened text less page numbers ("2 / 5") and the given headings repeated on each page."""
    for n in range(1, pages + 1):
        text = text.replace(f"{n}/{pages}", "", 1)
    for f in furniture:
        text = text.replace(flat(f), "")
    return text


def check_pages(path: Path, tmp_path: Path) -> int:
    """Fail on a blank page, on ink outside the printable area, or on a word past a margin."""
    from PIL import Image

    dpi = 50
    prefix = tmp_path / f"{path.stem}-page"
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), str(path), str(prefix)], check=True)
    images = sorted(tmp_path.glob(f"{path.stem}-page-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    assert len(images) == page_count(path)
    px = dpi / 72
    for image in images:
        img = Image.open(image)
        w, h = img.size
        dark = [(x, y) for y in range(h) for x in range(w) if img.getpixel((x, y)) < 160]
        assert len(dark) > 300, f"{image.name} is blank"
        outside = [(x, y) for x, y in dark if x < (SIDE - 2 * MM) * px or x > w - (SIDE - 2 * MM) * px
                   or y < TOP * px or y > h - BOTTOM * px]
        assert not outside, f"{image.name}: ink outside the margins at {outside[:5]}"
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)
    assert words
    for x0, y0, x1, y1, word in words:
        assert SIDE - 1 <= float(x0) and float(x1) <= A4[0] - SIDE + 1, f"{word!r} runs past a side margin"
        assert TOP <= float(y0) and float(y1) <= A4[1] - BOTTOM, f"{word!r} runs past the top or bottom"
    return len(images)


LONG_SUBJECT = "".join(f"第{i}項　令和{i % 6 + 1}年度の会議の議事録、配布資料及び録音データ（電磁的記録を含む。）。"
                       for i in range(1, 121)) + "\nhttps://www.city.example.lg.jp/" + "x" * 150


def test_a_page_of_subject_text_continues_with_its_label(kaiji, tmp_path):
    add_group(kaiji)
    add_request(kaiji, subject=LONG_SUBJECT)
    out = tmp_path / "long.pdf"
    kaiji.ok("pdf", "request", "1", "-o", out)
    pages = check_pages(out, tmp_path)
    assert pages >= 3
    label = "請求に係る行政文書の件名又は内容"       # Maizuru's, as its 様式第1号 says
    for n in range(2, pages + 1):
        page = flat(pdf_text(out, n))
        assert page.startswith(flat("行政文書開示請求書（続き）")), page[:40]
        if n < pages or LONG_SUBJECT[-20:] in page:
            assert flat(label + "（続き）") in page
    text = without_furniture(flat(pdf_text(out)), pages, label + "（続き）", "行政文書開示請求書（続き）", label)
    assert flat(LONG_SUBJECT) in text
    rest = text.split(flat(LONG_SUBJECT))[1]        # the rest of the form follows the subject
    for part in ("開示の方法", "レ写しの交付", "請求に係る行政文書の開示が公益上必要がある理由", "※受付年月日",
                 "※印の欄は、記入しないでください。"):
        assert flat(part) in rest, part


def _fifty_parts(kaiji, body: str) -> list[str]:
    add_group(kaiji)
    add_request(kaiji, body=body)
    if body != "maizuru":
        kaiji.ok("ground", "add", body, GROUND, "--summary", "法人等に関する情報")
    parts = []
    for i in range(1, 51):
        parts += ["--withheld", f"{PART}その{i}", "--ground", GROUND, "--reason", f"理由{i}：{REASON_5_2}"]
    decide_partial(kaiji, 1, *parts)
    return parts


def test_fifty_withheld_parts_continue_with_the_header_repeated(kaiji, tmp_path):
    _fifty_parts(kaiji, "kyoto-city")         # the generic form: a table of part, ground and reason
    out = tmp_path / "fifty.pdf"
    kaiji.ok("pdf", "notice", "1", "-o", out)
    pages = check_pages(out, tmp_path)
    assert pages >= 4
    header = flat("開示しない部分及びその理由 開示しない部分 根拠規定 理由")
    for n in range(2, pages + 1):
        page = flat(pdf_text(out, n))
        if f"{PART}その" in page or "理由" in page.replace(header, "").split("開示をすることが")[0]:
            assert header in page, f"page {n} continues the withheld parts without their header"
    text = without_furniture(flat(pdf_text(out)), pages, header, "行政文書部分開示決定通知書（続き）")
    continued = re.findall(f"{PART}その\\d+（続き）", text)    # a part named again where its reason runs on
    text = re.sub(f"{PART}その\\d+（続き）", "", text)
    for i in range(1, 51):
        assert flat(f"{PART}その{i}京都市情報公開条例{GROUND}理由{i}：{REASON_5_2}") in text, i
    assert flat(f"{PART}京都市情報公開条例{GROUND}{REASON_5_2}") in text      # the first part, the case's own
    assert "できるようになる期日" in text and "1年を経過" in text
    assert continued, "no row ran onto a new page: the test no longer checks continued rows"
    for c in continued:                               # … at the top of a page, below the header
        page = next(flat(pdf_text(out, n)) for n in range(2, pages + 1) if c in flat(pdf_text(out, n)))
        assert page.index(header) < page.index(c) < page.index(header) + len(header) + 5


def test_fifty_withheld_parts_in_maizurus_one_cell_continue_with_its_label(kaiji, tmp_path):
    _fifty_parts(kaiji, "maizuru")            # 様式第3号 writes each part out in one cell, as the papers do
    out = tmp_path / "fifty.pdf"
    kaiji.ok("pdf", "notice", "1", "-o", out)
    pages = check_pages(out, tmp_path)
    assert pages >= 4
    label = "開示しない部分並びに開示しないこととする根拠規定及び当該規定を適用する理由"
    for n in range(2, pages):
        assert flat(label + "（続き）") in flat(pdf_text(out, n)), n
    text = without_furniture(flat(pdf_text(out)), pages, label + "（続き）", "行政文書部分開示決定通知書（続き）")
    for i in range(1, 51):
        assert flat(f"（開示しない部分）{PART}その{i}（根拠規定及び理由）舞鶴市情報公開条例{GROUND}に該当し、"
                    f"その理由は理由{i}：{REASON_5_2}") in text, i
    assert "第10条後段" in text and "1年を経過" in text


@needs_poppler
@pytest.mark.parametrize("form", ["request", "blank", "notice", "appeal", "inaction"])
def test_every_form_renders_on_whole_pages(kaiji, tmp_path, form):
    maizuru_case(kaiji, decided=form not in ("inaction", "request"))
    out = tmp_path / f"{form}.pdf"
    args = {"request": ["request", "1"], "blank": ["request", "--blank", "--body", "maizuru"],
            "notice": ["notice", "1"], "appeal": ["appeal", "1", "--on", "2025-02-01"],
            "inaction": ["appeal", "1", "--on", "2025-02-01"]}[form]
    kaiji.ok("pdf", *args, "-o", out)
    assert check_pages(out, tmp_path) == 1


def test_a_clipped_page_is_caught(tmp_path):
    """The page check itself fails on text past the margin, so the checks above can fail."""
    from reportlab.pdfgen.canvas import Canvas

    out = tmp_path / "clipped.pdf"
    c = Canvas(str(out), pagesize=A4)
    c.setFont("Helvetica", 12)
    c.drawString(SIDE, A4[1] / 2, "inside the margins " * 3)
    c.drawString(A4[0] - SIDE - 20, A4[1] / 2 - 40, "this line runs off the page")
    c.save()
    with pytest.raises(AssertionError, match="margin"):
        check_pages(out, tmp_path)
    blank = tmp_path / "blank.pdf"
    c = Canvas(str(blank), pagesize=A4)
    c.showPage()
    c.save()
    with pytest.raises(AssertionError, match="blank"):
        check_pages(blank, tmp_path)


# ---------------------------------------------------------------- the same input, the same bytes

def test_the_same_records_give_byte_identical_pdfs_in_any_process(kaiji, tmp_path):
    maizuru_case(kaiji)
    here = tmp_path / "here.pdf"
    kaiji.ok("pdf", "notice", "1", "-o", here)
    for seed in ("1", "2"):
        there = tmp_path / f"there-{seed}.pdf"
        code = "import sys; from tracker.cli import cli; cli(sys.argv[1:], prog_name='kaiji')"
        subprocess.run([sys.executable, "-c", code, "--db", kaiji.url, "pdf", "notice", "1", "-o", str(there)],
                       check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed})
        assert there.read_bytes() == here.read_bytes()
    assert b"CreationDate" in here.read_bytes()      # fixed by ReportLab's invariant mode, not left out


def test_a_batch_is_each_request_in_order(kaiji, tmp_path):
    add_group(kaiji)
    add_request(kaiji, subject=LONG_SUBJECT)
    add_request(kaiji, subject="短い請求")
    out = tmp_path / "batch.pdf"
    kaiji.ok("pdf", "request", "1", "2", "-o", out)
    pages = page_count(out)
    assert "短い請求" in pdf_text(out, pages) and GROUP in pdf_text(out, pages)
    assert "1 / 1" not in pdf_text(out, pages)   # a one-page form carries no page number
    assert f"1 / {pages - 1}" in pdf_text(out, 1)


# ---------------------------------------------------------------- any text, any table

cell_text = st.text(alphabet="あ漢字、。「」（）ー々ab1 -.\n𠮷", max_size=400)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(cell_text, cell_text, st.integers(min_value=0, max_value=80)), min_size=1, max_size=12))
def test_any_table_is_laid_out_inside_the_margins_with_every_character(rows):
    from collections import Counter

    from tracker.pdf import fonts
    from tracker.pdf.layout import Cell, Document, Layout, Measure, Row, Table

    font, _ = fonts.load()
    measure = Measure(font)
    header = Row([Cell("見出し", width=40, size=9), Cell("内容", size=9)])
    table = Table([Row([Cell(a, width=40), Cell(b)], height=h) for a, b, h in rows], header=[header])
    layout = Layout(measure, Document("試験", [table]))
    layout.add(table)
    body = [op for page in layout.pages for op in page if op.kind == "text" and op.size == 10.5]
    for page in layout.pages:
        for op in page:
            if op.kind == "text":
                assert SIDE - 0.01 <= op.x and op.x + measure(op.text, op.size) <= A4[0] - SIDE + 0.01
                assert 16 * MM - 0.01 <= op.y - 0.2 * op.size and op.y + op.size <= A4[1] - 15 * MM + 0.01
    printed = Counter("".join(op.text for op in body).replace(" ", ""))
    given_text = Counter(font.printable("".join(a + b for a, b, _ in rows)).replace(" ", "").replace("\n", ""))
    assert printed == given_text
