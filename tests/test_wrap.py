"""tracker.wrap folds text by display width: Japanese breaks between characters, English at spaces, 禁則 kept."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tracker.table import width
from tracker.wrap import fold, fold_paragraphs


def test_japanese_breaks_between_characters_within_the_width():
    lines = fold("請求者が開示決定等を知った日（審査請求期間は、その翌日から数えます）。", 20)
    assert all(width(line) <= 20 for line in lines), lines
    assert "".join(lines) == "請求者が開示決定等を知った日（審査請求期間は、その翌日から数えます）。"
    assert len(lines) == 4


def test_closing_marks_never_start_a_line_and_opening_marks_never_end_one():
    # 10 columns: 「あいう」 would break after う, leaving 、 to start the next line without 禁則.
    lines = fold("あいうえ、かきくけこ（さしすせそ）", 10)
    assert all(not line.startswith(("、", "）")) for line in lines), lines
    assert all(not line.endswith("（") for line in lines), lines
    assert all(width(line) <= 10 for line in lines), lines


def test_english_words_and_options_are_not_cut():
    lines = fold("give --withheld, --ground and --reason once each for every part", 20)
    assert lines == ["give --withheld,", "--ground and", "--reason once each", "for every part"]


def test_indents_count_in_the_width():
    lines = fold("あいうえおかきくけこ", 12, "  * ", "    ")
    assert lines == ["  * あいうえ", "    おかきく", "    けこ"]


def test_a_block_after_backspace_is_kept_as_written():
    text = "一行目の説明です。\n\n\b\n  kaiji request add --body maizuru --subject 長い件名をそのまま\n  kaiji overdue"
    out = fold_paragraphs(text, 80, "  ", "  ").splitlines()
    assert out[0] == "  一行目の説明です。" and out[1] == ""
    assert out[2] == "    kaiji request add --body maizuru --subject 長い件名をそのまま"
    assert out[3] == "    kaiji overdue"


@given(st.text(alphabet="あいう漢字、。（）「」abc -", max_size=200), st.integers(min_value=6, max_value=80))
def test_every_line_fits_and_no_character_is_lost(text, limit):
    lines = fold(text, limit)
    assert all(width(line) <= limit for line in lines), lines
    assert "".join(lines).replace(" ", "") == "".join(text.split()).replace(" ", "")


def test_an_example_wider_than_the_terminal_goes_on_after_a_backslash_never_inside_quotes():
    line = '    kaiji request add --body maizuru --subject "カスタマー ハラスメント アンケートの調査結果" --received R6.12.27'
    out = fold_paragraphs("\b\n" + line, 60).splitlines()
    assert all(width(x) <= 60 for x in out), out
    assert all(x.endswith(" \\") for x in out[:-1]) and len(out) > 1
    assert '"カスタマー ハラスメント アンケートの調査結果"' in "".join(out)
    assert " ".join(x.removesuffix(" \\").strip() for x in out) == line.strip()
