"""Terminal tables: Japanese text measured in display columns (a full-width character is two)."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from wcwidth import wcswidth

from tracker.table import clip, render, width

from .conftest import examples


def test_clip_counts_full_width_characters_as_two_columns():
    assert clip("舞鶴市長様", 10) == "舞鶴市長様"               # 10 columns: fits as it is
    assert clip("舞鶴市長様", 9) == "舞鶴市長…"                 # 8 columns of text and the mark
    assert clip("舞鶴市長様", 8) == "舞鶴市…"                   # 7 would split 長: 6 and the mark
    assert clip("abcdef", 4) == "abc…"
    assert clip("ab舞鶴", 5) == "ab舞…"
    assert clip("ab舞鶴", 4) == "ab…"                           # 舞 would take columns 3-4, leaving none
    assert clip("  令和6年\n12月 ", 20) == "令和6年 12月"        # runs of white space become one space


@settings(max_examples=examples(100))
@given(st.text(alphabet=st.sampled_from("abc 123舞鶴市長様、。ｱｲｳ〓\u3000"), max_size=60), st.integers(1, 40))
def test_clip_never_overflows_and_cuts_as_late_as_it_can(text, limit):
    out = clip(text, limit)
    assert width(out) <= limit
    flat = " ".join(text.split())
    if out.endswith("…") and out != flat:
        kept = out[:-1]
        assert flat.startswith(kept)
        assert width(flat[:len(kept) + 1]) + 1 > limit           # one more character would not fit
    else:
        assert out == flat


@example("舞\u2764\ufe0faé舞é  \u2764\ufe0f", 4)        # ❤️ is 2 columns whole, 1 + 0 counted a character at a time
@settings(max_examples=examples(300))
@given(st.lists(st.sampled_from(["a", "舞", " ", "👨\u200d👩\u200d👧", "👍", "\u2764\ufe0f", "e\u0301", "\u200d",
                                 "\u0301", "ｱ", "１"]), max_size=30).map("".join), st.integers(1, 40))
def test_clip_never_overflows_with_emoji_sequences_and_combining_marks(text, limit):
    out = clip(text, limit)
    assert width(out) <= limit
    assert out == " ".join(text.split()) or (out.endswith("…") and " ".join(text.split()).startswith(out[:-1]))


def test_render_lines_up_full_width_and_ascii_cells():
    out = render(["id", "body", "n"], [[1, "舞鶴市長", 7], [22, "abc", 1234], [3, None, None]], right=[0, 2])
    assert out.splitlines() == [
        "id  body         n",
        "--  --------  ----",
        " 1  舞鶴市長     7",
        "22  abc       1234",
        " 3",
    ]
    for line in out.splitlines()[2:]:
        assert wcswidth(line) <= wcswidth(out.splitlines()[1])


def test_render_with_no_rows_is_the_header_and_its_rule():
    assert render(["日付", "what"], []) == "日付  what\n----  ----"
