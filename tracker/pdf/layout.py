"""Page layout for kaiji's forms: Japanese line breaking, and ruled tables that continue across pages.

A form is a `Document`: a list of blocks (`Table`, `Space`), where a paragraph is a one-cell table
without rules. `render` lays the blocks out on A4 pages and draws them with ReportLab's canvas.
This module is the one place where text is measured, wrapped and placed: every line is measured
before it is placed, so nothing runs past a margin, and a row too tall for the page continues on
the next one, below the table's header drawn again.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .fonts import Font

MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM      # A4
MARGIN_X = 20 * MM
MARGIN_TOP = 15 * MM
MARGIN_BOTTOM = 16 * MM
FOOTER_Y = 10 * MM
LEADING = 1.5                            # line height as a multiple of the font size …
SMALL_LEADING = 1.4                      # … and of small print (notes, the 教示)
BOX, TICKED = "☐", "☑"                   # drawn as boxes (most Japanese fonts lack these glyphs)
TICK = "レ"                              # the mark forms ask for: 「該当する□にレ印を記入」

# 禁則処理: characters that may not begin a line, and characters that may not end one.
NO_START = set("、。，．,.)）]］｝〕〉》」』】〙〗〟’”｠»ゝゞーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎ々〻‐゠–〜～？！?!・：；:;")
NO_END = set("（([［｛〔〈《「『【〘〖〝‘“｟«")
_UNIT = re.compile(r"[!-~]+| |.", re.DOTALL)  # an ASCII word (kept whole when it fits), a space, or one character


# ---------------------------------------------------------------- what a form is made of

@dataclass
class Cell:
    text: str = ""
    width: float = 0.0        # mm; 0 shares what the row's other cells leave
    align: str = "left"       # left | center | right
    valign: str = "top"       # top | middle
    size: float | None = None  # pt; None: the table's size
    label: bool = False       # a row label: printed again, marked （続き）, where its row continues on a new page
    again: str | None = None  # what a label prints where its row continues (default: its text and （続き）)
    join_above: bool = False  # no rule above: the cell continues the one above it (a label spanning rows)


@dataclass
class Row:
    cells: list[Cell]
    height: float = 0.0       # mm: at least this tall (room to write by hand)


@dataclass
class Table:
    rows: list[Row]
    header: list[Row] = field(default_factory=list)  # drawn again atop every page the table continues on
    size: float = 10.5
    ruled: bool = True
    indent: float = 0.0       # mm from the left margin
    width: float = 0.0        # mm; 0: to the right margin
    pad: float = 1.6          # mm inside each cell
    keep: bool = False        # move the whole table to the next page rather than split it


@dataclass
class Space:
    height: float             # mm


def lead(size: float) -> float:
    """The height of a line of text of this size."""
    return size * (SMALL_LEADING if size < 10 else LEADING)


def text(value: str, *, size: float = 10.5, align: str = "left", indent: float = 0.0, width: float = 0.0,
         keep: bool = True) -> Table:
    """A paragraph: a one-cell table without rules."""
    return Table([Row([Cell(value, align=align)])], size=size, ruled=False, indent=indent, width=width, pad=0,
                 keep=keep)


def fields(pairs: list[tuple[str, str]], *, indent: float, label_width: float, size: float = 10.5,
           heights: float = 0.0) -> Table:
    """Labelled lines without rules, e.g. the requester's address, name and telephone."""
    return Table([Row([Cell(label, width=label_width, label=True), Cell(value)], height=heights)
                  for label, value in pairs], size=size, ruled=False, indent=indent, pad=0.6, keep=True)


@dataclass
class Document:
    title: str                # in the PDF's metadata and atop continuation pages
    blocks: list[Table | Space]
    form_number: str = ""     # 様式第3号（第4条関係）, printed top left of the first page


# ---------------------------------------------------------------- measuring and wrapping

class Measure:
    """Widths of text in one font, cached per character and size; `Measure.of(font)` is shared by every
    PDF the process makes with that font, so a batch measures each character once."""

    _shared: dict[str, Measure] = {}

    def __init__(self, font: Font):
        from reportlab.pdfbase.pdfmetrics import stringWidth

        self.font = font
        self._sw = stringWidth
        self._sizes: dict[float, dict[str, float]] = {}

    @classmethod
    def of(cls, font: Font) -> Measure:
        m = cls._shared.get(font.name)
        if m is None or m.font is not font:
            m = cls._shared[font.name] = cls(font)
        return m

    def __call__(self, s: str, size: float) -> float:
        widths = self._sizes.get(size)
        if widths is None:
            widths = self._sizes[size] = {}
        try:
            return sum([widths[c] for c in s])
        except KeyError:
            for c in s:
                if c not in widths:
                    widths[c] = size if c in (BOX, TICKED) else self._sw(c, self.font.name, size)
            return sum([widths[c] for c in s])


def wrap(value: str, width: float, size: float, measure: Callable[[str, float], float]) -> list[str]:
    """Break text into lines no wider than `width` points, keeping 禁則 and whole ASCII words where it can.

    A newline in the text is kept as a line break; nothing is dropped but the spaces at which a
    line breaks.
    """
    lines: list[str] = []
    for para in value.split("\n"):
        units: list[str] = []
        for u in _UNIT.findall(para):     # a word longer than a line is broken between its characters
            units += list(u) if len(u) > 1 and measure(u, size) > width else [u]
        line: list[str] = []
        used = 0.0
        for u in units:
            w = measure(u, size)
            if used + w <= width or not line:
                line.append(u)
                used += w
                continue
            if u == " ":                   # break at the space, which goes
                lines.append("".join(line).rstrip(" "))
                line, used = [], 0.0
                continue
            carry: list[str] = []
            if u[0] in NO_START:           # 禁則: u may not begin a line, so a unit goes down with it
                while len(line) > 1 and (not carry or carry[0][0] in NO_START):
                    carry.insert(0, line.pop())
            while len(line) > 1 and line[-1][-1] in NO_END:   # nor may a line end with 「 or （
                carry.insert(0, line.pop())
            if measure("".join(carry) + u, size) > width:
                line += carry
                carry = []
            lines.append("".join(line).rstrip(" "))
            line = carry + [u]
            used = measure("".join(line), size)
        lines.append("".join(line).rstrip(" "))
    return lines


# ---------------------------------------------------------------- laying out

@dataclass
class Op:
    """One thing drawn: a line of text at (x, y) baseline, or a rule from (x, y) to (x2, y2)."""

    kind: str                 # "text" | "rule"
    x: float
    y: float
    x2: float = 0.0
    y2: float = 0.0
    text: str = ""
    size: float = 0.0


@dataclass
class _Placed:
    cell: Cell
    x: float
    w: float
    size: float
    lines: list[str]


class Layout:
    """Places a document's blocks on pages; `pages` holds each page's drawing operations."""

    def __init__(self, measure: Measure, doc: Document):
        self.measure = measure
        self.doc = doc
        self.pages: list[list[Op]] = []
        self.y = self.top = 0.0
        self.new_page()

    # -- pages

    def new_page(self) -> None:
        self.ops: list[Op] = []
        self.pages.append(self.ops)
        self.y = PAGE_H - MARGIN_TOP
        if len(self.pages) > 1:           # a running title, so that a loose page says what it belongs to
            title = self.measure.font.printable(f"{self.doc.title}（続き）")
            self.ops.append(Op("text", MARGIN_X, self.y - 8, text=title, size=8))
            self.y -= lead(8) + 3 * MM
        elif self.doc.form_number:
            self.ops.append(Op("text", MARGIN_X, self.y - 9, text=self.measure.font.printable(self.doc.form_number),
                               size=9))
            self.y -= lead(9) + 2 * MM
        self.top = self.y

    @property
    def room(self) -> float:
        return self.y - MARGIN_BOTTOM

    @property
    def fresh(self) -> bool:
        """Nothing is on this page yet but its heading."""
        return self.y == self.top

    # -- blocks

    def add(self, block: Table | Space) -> None:
        if isinstance(block, Space):
            if not self.fresh:
                self.y -= block.height * MM
                if self.room <= 0:
                    self.new_page()
            return
        self.table(block)

    def _lines(self, value: str, width: float, size: float, pad: float) -> list[str]:
        value = value.replace("\t", "    ")       # a tab has no glyph; it is white space
        return wrap(self.measure.font.printable(value), width - 2 * pad * MM, size, self.measure)

    def _prepare(self, row: Row, table: Table, x0: float, width: float) -> list[_Placed]:
        fixed = sum(c.width * MM for c in row.cells)
        free = [c for c in row.cells if not c.width]
        share = (width - fixed) / len(free) if free else 0.0
        out, x = [], x0
        for c in row.cells:
            w = c.width * MM if c.width else share
            size = c.size or table.size
            out.append(_Placed(c, x, w, size, self._lines(c.text, w, size, table.pad)))
            x += w
        return out

    @staticmethod
    def _height(cells: list[_Placed], pad: float, at_least: float = 0.0) -> float:
        body = max((len(p.lines) * lead(p.size) for p in cells), default=0.0)
        return max(body + 2 * pad * MM, at_least * MM)

    def _header(self, t: Table, header: list[list[_Placed]]) -> None:
        for i, (cells, row) in enumerate(zip(header, t.header)):
            self._place(cells, t, self._height(cells, t.pad, row.height), first_on_page=i == 0)

    def table(self, t: Table) -> None:
        x0 = MARGIN_X + t.indent * MM
        width = (t.width * MM) if t.width else (PAGE_W - MARGIN_X - x0)
        header = [self._prepare(r, t, x0, width) for r in t.header]
        header_h = sum(self._height(h, t.pad, r.height) for h, r in zip(header, t.header))
        rows = [(self._prepare(r, t, x0, width), r.height) for r in t.rows]
        heights = [self._height(cells, t.pad, h) for cells, h in rows]
        page_room = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM - 15 * MM
        if t.keep and header_h + sum(heights) > self.room and header_h + sum(heights) <= page_room:
            self.new_page()
        # Never leave a header, or a row's first line, alone at the foot of a page.
        first = min(heights[0], 2 * lead(t.size) + 2 * t.pad * MM) if heights else 0.0
        if header_h + first > self.room and not self.fresh:
            self.new_page()
        segment_top = self.y
        self._header(t, header)
        for cells, at_least in rows:
            while True:
                h = self._height(cells, t.pad, at_least)
                if h <= self.room:
                    self._place(cells, t, h, first_on_page=self.y == segment_top)
                    break
                cells = self._split(cells, t, segment_top)
                at_least = 0.0
                self._close(t, x0, width, segment_top)
                self.new_page()
                segment_top = self.y
                self._header(t, header)
        self._close(t, x0, width, segment_top)

    def _split(self, cells: list[_Placed], t: Table, segment_top: float) -> list[_Placed]:
        """Place what fits of a row at the foot of this page, and return the rest for the next page.

        Nothing is placed when less than two lines fit, or when the row's label would not fit whole
        (unless the page is empty: then as much as fits). The rest of a label cell is its label
        again, marked （続き）.
        """
        fit = [max(0, int((self.room - 2 * t.pad * MM) // lead(p.size))) for p in cells]
        labels_fit = all(len(p.lines) <= n for p, n in zip(cells, fit) if p.cell.label)
        if not ((min(fit) >= 2 and labels_fit) or (self.fresh and min(fit) >= 1)):
            return cells
        head, rest = [], []
        for p, n in zip(cells, fit):
            head.append(_Placed(p.cell, p.x, p.w, p.size, p.lines[:n]))
            if p.cell.label and len(p.lines) <= n:
                again = p.cell.again if p.cell.again is not None else p.cell.text + "（続き）"
                more = self._lines(again, p.w, p.size, t.pad)
            else:
                more = p.lines[n:]
            rest.append(_Placed(p.cell, p.x, p.w, p.size, more))
        self._place(head, t, self._height(head, t.pad), first_on_page=self.y == segment_top)
        return rest

    def _place(self, cells: list[_Placed], t: Table, height: float, first_on_page: bool) -> None:
        top, bottom = self.y, self.y - height
        pad = t.pad * MM
        for p in cells:
            step = lead(p.size)
            y = top - pad
            if p.cell.valign == "middle":
                y -= max(0.0, (height - 2 * pad - len(p.lines) * step) / 2)
            inner = p.w - 2 * pad
            for line in p.lines:
                baseline = y - step + (step - p.size) / 2 + 0.12 * p.size
                lw = self.measure(line, p.size)
                assert lw <= inner + 0.01, f"line wider than its cell: {line!r}"
                x = p.x + pad + {"left": 0.0, "center": (inner - lw) / 2, "right": inner - lw}[p.cell.align]
                if line:
                    self.ops.append(Op("text", x, baseline, text=line, size=p.size))
                y -= step
            if t.ruled:
                if first_on_page or not p.cell.join_above:
                    self.ops.append(Op("rule", p.x, top, p.x + p.w, top))
                self.ops.append(Op("rule", p.x, top, p.x, bottom))
        if t.ruled and cells:
            right = cells[-1].x + cells[-1].w
            self.ops.append(Op("rule", right, top, right, bottom))
        self.y = bottom

    def _close(self, t: Table, x0: float, width: float, segment_top: float) -> None:
        if t.ruled and self.y < segment_top:
            self.ops.append(Op("rule", x0, self.y, x0 + width, self.y))


# ---------------------------------------------------------------- drawing

def _draw_text(c, measure: Measure, font: Font, op: Op) -> None:
    """A line of text; ☐ and ☑ become drawn boxes, ☑ with a レ mark inside."""
    x = op.x
    for part in re.split(f"([{BOX}{TICKED}])", op.text):
        if not part:
            continue
        if part in (BOX, TICKED):
            s = op.size
            side, left, bottom = 0.76 * s, x + 0.08 * s, op.y - 0.07 * s
            c.rect(left, bottom, side, side, stroke=1, fill=0)
            if part == TICKED:
                t = 0.95 * s
                c.setFont(font.name, t)
                c.drawString(left + (side - measure(TICK, t)) / 2, bottom + side / 2 - 0.4 * t, TICK)
            x += s
            continue
        c.setFont(font.name, op.size)
        c.drawString(x, op.y, part)
        x += measure(part, op.size)


def render(docs: list[Document], font: Font) -> tuple[bytes, int]:
    """The PDF of the documents, each starting on a new page, and its number of pages.

    The same documents and font give the same bytes: ReportLab's invariant mode fixes the dates
    and the document id, and nothing else here depends on time or chance.
    """
    from reportlab.pdfgen.canvas import Canvas

    measure = Measure.of(font)
    laid = []
    for doc in docs:
        layout = Layout(measure, doc)
        for block in doc.blocks:
            layout.add(block)
        laid.append((doc, layout.pages))

    out = io.BytesIO()
    # The initial font is ours, so the PDF names no font it does not embed (ReportLab's default is Helvetica).
    c = Canvas(out, pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=1, initialFontName=font.name,
               initialFontSize=10.5)
    c.setTitle(docs[0].title if len(docs) == 1 else "、".join(dict.fromkeys(d.title for d in docs)))
    c.setCreator("kaiji")
    c.setAuthor("")
    c.setSubject("")
    c.setProducer("kaiji (ReportLab)")
    pages = 0
    for doc, doc_pages in laid:
        for n, ops in enumerate(doc_pages, 1):
            c.setLineWidth(0.6)
            for op in ops:
                if op.kind == "rule":
                    c.line(op.x, op.y, op.x2, op.y2)
                else:
                    _draw_text(c, measure, font, op)
            if len(doc_pages) > 1:
                folio = f"{n} / {len(doc_pages)}"
                c.setFont(font.name, 9)
                c.drawString((PAGE_W - measure(folio, 9)) / 2, FOOTER_Y, folio)
            c.showPage()
            pages += 1
    c.save()
    return out.getvalue(), pages
