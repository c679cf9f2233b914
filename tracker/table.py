"""Terminal tables that line up with Japanese text (a full-width character takes two columns)."""

from __future__ import annotations

from typing import Iterator, Sequence

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


def render(headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = (),
           widths: Sequence[int] | None = None) -> str:
    """A table: headers, a rule, rows; columns padded by display width. `right` lists right-aligned columns.

    With `widths` (see fit), a cell or header wider than its column is clipped to it with …"""
    return "\n".join(render_pieces(headers, rows, right, widths))


CHUNK = 2000   # rows padded and joined at a time by render_pieces


def render_pieces(headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = (),
                  widths: Sequence[int] | None = None) -> Iterator[str]:
    """render()'s text in pieces of up to CHUNK lines (joined by newlines, none at the ends): the cells are
    measured whole, the lines made a piece at a time (`kaiji due` at a million requests prints 80,000)."""
    # Measured and padded a column at a time, in C where it can be (wcswidth over the column, then
    # str.ljust/rjust by the columns that display width and length differ by): for the thousands of
    # rows of `kaiji due` this was most of the command's own work.
    texts, measured = [], []
    for i, header in enumerate(headers):
        col = [str(header)] + ["" if row[i] is None else str(row[i]) for row in rows]
        if widths is not None:
            w = widths[i]
            col = [t if len(t) * 2 <= w or width(t) <= w else clip(t, w) for t in col]
        texts.append(col)
        measured.append([w if w >= 0 else width(t) for t, w in zip(col, map(wcswidth, col))])
    widths = [max(ws) for ws in measured]
    justify = [str.rjust if i in right else str.ljust for i in range(len(texts))]
    rule = "  ".join("-" * w for w in widths)
    for start in range(0, len(rows) + 1, CHUNK):
        end = start + CHUNK
        padded = [[just(t, cols + len(t) - w) for t, w in zip(col[start:end], ws[start:end])]
                  for col, ws, cols, just in zip(texts, measured, widths, justify)]
        lines = ["  ".join(cells).rstrip() for cells in zip(*padded)]
        if start == 0:
            lines.insert(1, rule)
        yield "\n".join(lines)


def fit(widths: Sequence[int], floors: Sequence[int | None], order: Sequence[int], room: int,
        gap: int = 2) -> list[int] | None:
    """Column widths that fit a line of `room` columns (with `gap` between columns), or None if they cannot.

    Columns are narrowed one at a time in `order` (free text first), each down to its floor (None:
    never narrowed), until the line fits; a column narrower than its floor already is left alone."""
    out = list(widths)
    over = sum(out) + gap * max(len(out) - 1, 0) - room
    for i in order:
        if over <= 0:
            break
        floor = floors[i]
        if floor is None or out[i] <= floor:
            continue
        cut = min(out[i] - floor, over)
        out[i] -= cut
        over -= cut
    return out if over <= 0 else None


NO_LINE_START = "、。，．・：；？！ー」』）］｝〕〉》】ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々…,.:;?!)]}"


def wrap(s: str, limit: int) -> list[str]:
    """s cut into lines of at most `limit` display columns (Japanese has no spaces to break at)."""
    s = " ".join(s.split())
    lines, line = [], ""
    for c in s:
        if line and width(line + c) > limit:
            # A closing mark (」、。) does not start a line: the character before it goes down with it.
            carry = line[-1] if c in NO_LINE_START and len(line) > 1 else ""
            lines.append(line[:len(line) - len(carry)].rstrip())
            line = (carry + c).lstrip()
        else:
            line += c
    return lines + [line] if line or not lines else lines


def stack(headers: Sequence[str], rows: Sequence[Sequence[object]], limit: int) -> str:
    """One field a line (`header: value`), a blank line between rows: a table for a narrow terminal.

    Values are wrapped under themselves to `limit` columns; empty ones are left out."""
    pad = max((width(h) for h in headers), default=0)
    room = max(limit - pad - 2, 10)
    blocks = []
    for row in rows:
        lines = []
        for h, v in zip(headers, row):
            if v is None or v == "":
                continue
            label = h + " " * (pad - width(h)) + ": "
            for n, part in enumerate(wrap(str(v), room)):
                lines.append((label if n == 0 else " " * (pad + 2)) + part)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
