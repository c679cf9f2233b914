"""Terminal tables that line up with Japanese text (a full-width character takes two columns)."""

from __future__ import annotations

from typing import Sequence

from wcwidth import wcswidth, wcwidth


def width(s: str) -> int:
    """Display columns of s; a control character counts as none."""
    w = wcswidth(s)
    return w if w >= 0 else sum(max(wcwidth(c), 0) for c in s)


def clip(s: str, limit: int) -> str:
    """Cut s to at most `limit` columns, marking the cut with …"""
    s = " ".join(s.split())
    if width(s) <= limit:
        return s
    # The longest prefix that leaves a column for the mark, each prefix measured whole (an emoji
    # sequence joined by ZWJ is narrower than its parts). No character adds more than two columns,
    # so the first half of the room always fits; step from there (`kaiji due` clips thousands).
    room = limit - 1
    cut = max(room // 2, 0)
    while cut < len(s) and width(s[:cut + 1]) <= room:
        cut += 1
    return s[:cut] + "…"


def render(headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = ()) -> str:
    """A table: headers, a rule, rows; columns padded by display width. `right` lists right-aligned columns."""
    # Measured and padded a column at a time, in C where it can be (wcswidth over the column, then
    # str.ljust/rjust by the columns that display width and length differ by): for the thousands of
    # rows of `kaiji due` this was most of the command's own work.
    table = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    columns = list(zip(*table))
    measured = [[w if w >= 0 else width(t) for t, w in zip(col, map(wcswidth, col))] for col in columns]
    widths = [max(col) for col in measured]
    justify = [str.rjust if i in right else str.ljust for i in range(len(columns))]
    padded = [[just(t, cols + len(t) - w) for t, w in zip(col, ws)]
              for col, ws, cols, just in zip(columns, measured, widths, justify)]
    lines = ["  ".join(cells).rstrip() for cells in zip(*padded)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
