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
    out, used = [], 0
    for c in s:
        w = max(wcwidth(c), 0)
        if used + w > limit - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def pad(s: str, cols: int, right: bool = False) -> str:
    fill = " " * max(cols - width(s), 0)
    return fill + s if right else s + fill


def render(headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = ()) -> str:
    """A table: headers, a rule, rows; columns padded by display width. `right` lists right-aligned columns."""
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(pad(h, widths[i], i in right) for i, h in enumerate(headers)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(pad(v, widths[i], i in right) for i, v in enumerate(r)).rstrip() for r in cells]
    return "\n".join(lines)
