"""Terminal tables that line up with Japanese text (a full-width character takes two columns)."""

from __future__ import annotations

from typing import Sequence

from wcwidth import wcswidth, wcwidth


def width(s: str) -> int:
    w = wcswidth(s)
    return w if w >= 0 else sum(max(wcwidth(c), 0) for c in s)


def clip(s: str, limit: int) -> str:
    """Cut s to at most `limit` columns, marking the cut with …"""
    s = " ".join(s.split())
    if width(s) <= limit:
        return s
    used, room = 0, limit - 1
    for i, c in enumerate(s):
        w = wcwidth(c)
        if w < 0:
            w = 0
        if used + w > room:
            return s[:i] + "…"
        used += w
    return s + "…"


def pad(s: str, cols: int, right: bool = False) -> str:
    fill = " " * max(cols - width(s), 0)
    return fill + s if right else s + fill


def render(headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = ()) -> str:
    """A table: headers, a rule, rows; columns padded by display width. `right` lists right-aligned columns."""
    # Each cell is measured once, by wcswidth itself unless it has a control character (width() then):
    # for the thousands of rows of `kaiji due` measuring and padding are most of the command's work.
    cells = []
    for row in rows:
        measured = []
        for v in row:
            t = "" if v is None else str(v)
            w = wcswidth(t)
            measured.append((t, w if w >= 0 else width(t)))
        cells.append(measured)
    heads = [(h, width(h)) for h in headers]
    widths = [max([hw] + [r[i][1] for r in cells]) for i, (_, hw) in enumerate(heads)]
    flush_right = [i in right for i in range(len(widths))]

    def line(row: list[tuple[str, int]]) -> str:
        return "  ".join([" " * (widths[i] - w) + t if flush_right[i] else t + " " * (widths[i] - w)
                          for i, (t, w) in enumerate(row)]).rstrip()

    lines = [line(heads), "  ".join("-" * w for w in widths)]
    lines += [line(r) for r in cells]
    return "\n".join(lines)
