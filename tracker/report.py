"""The statistics of a year as a report a group can hand to the press (`kaiji report`): tables and charts —
days taken per body, decisions by kind, grounds cited — as a PDF (ReportLab, the charts drawn by
matplotlib in the embedded Japanese font) or as one HTML file (the charts inline as SVG). The web's 統計
page shows the same charts (`chart_svgs`).

The figures are stats.stats' and nothing else; this module only lays them out.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from . import stats as st
from .i18n import N_, _, language, show_date
from .schema import WAITING_STATUSES as WAITING
from .timeline import DECISION_KINDS, decision_label

TOP_GROUNDS = 10           # grounds in the chart of grounds cited
MAX_BODIES = 20            # bodies in the chart of days taken (those with the most decided requests)


@dataclass
class Report:
    title: str
    period: str                  # the receipt dates covered, in words
    total: dict[str, Any]        # stats.stats(by=None)'s one record ({} when there are no requests)
    bodies: list[dict[str, Any]]  # stats.stats(by="body")
    counted: Any = None          # stats.Counted: what the figures were counted from (for build's `since`)


def build(session: Session, year: int | None = None, since: Any = None, mark: tuple | None = None,
          **filters) -> Report:
    """The figures of a report: the year's requests by receipt date (`year`), or those `filters` choose.
    `since`: an earlier report's `counted`, of which only what was written to since is counted again; `mark`:
    stats.fingerprint, if read already in this session."""
    if year is not None:
        if not 1900 <= year <= 9999:
            from .errors import BadInput

            raise BadInput(_("--year must be a year such as 2025; got {year}.").format(year=year), field="year")
        filters["received_from"] = filters.get("received_from") or date(year, 1, 1)
        filters["received_to"] = filters.get("received_to") or date(year, 12, 31)
    start, end = filters.get("received_from"), filters.get("received_to")
    title = (_("Information disclosure requests: statistics for {year}").format(year=year) if year is not None else
             _("Information disclosure requests: statistics"))
    if start or end:
        period = _("requests received from {start} to {end}").format(
            start=show_date(start) if start else "…", end=show_date(end) if end else "…")
    else:
        period = _("all requests")
    (everything, bodies), counted = st.counted(session, (None, "body"), TOP_GROUNDS, since, mark, **filters)  # in one pass
    [total] = everything or [{}]
    for row in bodies:   # the table by body names stats' own few grounds (the same first ones)
        row["grounds"] = row["grounds"][:st.TOP_GROUNDS]
    return Report(title, period, total, bodies, counted)


# ---------------------------------------------------------------- charts (matplotlib)

def _font() -> str | None:
    """The Japanese font the charts are drawn in: IPAex Gothic if installed, else the font the PDFs embed
    (tracker/pdf/fonts.py finds it), registered with matplotlib; None: matplotlib's own (no kanji)."""
    from matplotlib import font_manager

    from .pdf import fonts

    found = list(fonts.candidates())
    path = next((p for p in found if p.name == "ipaexg.ttf"), found[0] if found else None)
    if path is None:
        return None
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")      # no display: files only
    import matplotlib.pyplot as plt

    name = _font()
    plt.rcParams.update({"font.family": [name] if name else ["sans-serif"], "font.size": 10,
                         "axes.spines.top": False, "axes.spines.right": False, "svg.fonttype": "path",
                         "svg.hashsalt": "kaiji", "axes.titlesize": 12})
    return plt


def _title(fig, text: str) -> None:
    """A chart's title at the figure's left edge (over the labels too: a long article's name pushes the axes right)."""
    fig.suptitle(text, x=0.01, ha="left", fontsize=12)


def _barh(plt, labels: list[str], values: list[int], title: str, xlabel: str, color: str):
    """Horizontal bars, the largest on top, each with its number at its end."""
    fig, ax = plt.subplots(figsize=(7.0, max(1.6, 0.32 * len(labels) + 1.0)), dpi=100)
    ax.barh(range(len(labels)), values, color=color, height=0.6)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    top = max(values, default=0) or 1
    for i, v in enumerate(values):
        ax.text(v + top * 0.01, i, f"{v:,}", va="center", fontsize=9)
    ax.set_xlim(0, top * 1.12)
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))  # counts: no tick at 0.5 of a decision
    _title(fig, title)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    fig.tight_layout()
    return fig


# Each chart of the report, by name, and its title (the web's 統計 page names its images by them).
CHART_TITLES = {"days": N_("Days taken per body (calendar days, receipt to decision)"),
                "kinds": N_("Decisions by kind"),
                "grounds": N_("Grounds cited most (decisions citing each)")}


def chart_names(report: Report) -> list[str]:
    """The charts the report has (of CHART_TITLES, in order): days taken if any body has a request decided,
    decisions by kind if any was made, grounds if any was cited."""
    return [name for name, drawn in (("days", any(b["days_median"] is not None for b in report.bodies)),
                                     ("kinds", any(report.total.get(k, 0) for k in DECISION_KINDS)),
                                     ("grounds", bool(report.total.get("grounds")))) if drawn]


def chart(report: Report, name: str):
    """One of the report's charts (chart_names) as a matplotlib figure."""
    plt = _pyplot()
    if name == "kinds":
        kinds = sorted(((decision_label(k), report.total.get(k, 0)) for k in DECISION_KINDS), key=lambda x: -x[1])
        return _barh(plt, [k for k, _n in kinds], [n for _k, n in kinds], _(CHART_TITLES["kinds"]),
                     _("decisions"), "#2f6db5")
    if name == "grounds":
        grounds = report.total["grounds"]
        return _barh(plt, [g["article"] for g in grounds], [g["count"] for g in grounds], _(CHART_TITLES["grounds"]),
                     _("decisions"), "#b5452f")
    bodies = sorted((b for b in report.bodies if b["days_median"] is not None),
                    key=lambda b: -b["decided"])[:MAX_BODIES]
    bodies.sort(key=lambda b: (-b["days_median"], b["name"]))
    fig, ax = plt.subplots(figsize=(7.0, max(1.8, 0.36 * len(bodies) + 1.2)), dpi=100)
    y = range(len(bodies))
    ax.barh([i + 0.2 for i in y], [b["days_p90"] for b in bodies], height=0.4, color="#f2b36f",
            label=_("90th percentile"))
    ax.barh([i - 0.2 for i in y], [b["days_median"] for b in bodies], height=0.4, color="#2f6db5",
            label=_("median"))
    ax.set_yticks(list(y), [_("{name} ({n})").format(name=b["name"], n=b["decided"]) for b in bodies])
    ax.invert_yaxis()
    top = max(b["days_p90"] for b in bodies) or 1
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))  # whole days
    for i, b in enumerate(bodies):
        ax.text(b["days_median"] + top * 0.01, i - 0.2, str(b["days_median"]), va="center", fontsize=8)
        ax.text(b["days_p90"] + top * 0.01, i + 0.2, str(b["days_p90"]), va="center", fontsize=8)
    ax.set_xlim(0, top * 1.12)
    _title(fig, _(CHART_TITLES["days"]))
    ax.set_xlabel(_("days (in brackets: requests decided)"))
    handles, labels = ax.get_legend_handles_labels()
    # Above the bars at the right, never over them (the longest bar reaches the right edge): median first.
    ax.legend(handles[::-1], labels[::-1], loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, frameon=False,
              fontsize=9)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    fig.tight_layout()
    return fig


def charts(report: Report) -> dict[str, Any]:
    """The report's charts as matplotlib figures, by name: days taken per body, decisions by kind, grounds."""
    return {name: chart(report, name) for name in chart_names(report)}


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=200)
    plt.close(fig)
    return buffer.getvalue()


def _svg(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    text = text[text.index("<svg"):]       # inline: no XML declaration, no DOCTYPE
    # The web's Content-Security-Policy (style-src 'self') ignores style attributes and elements: say the
    # same as presentation attributes (fill="#2f6db5"), which it leaves alone; drop the comments.
    text = re.sub(r"<style.*?</style>|<!--.*?-->", "", text, flags=re.S)
    return re.sub(r'style="([^"]*)"', lambda m: " ".join(
        f'{k.strip()}="{v.strip()}"' for k, v in (p.split(":", 1) for p in m[1].split(";") if ":" in p)), text)


def chart_svg(report: Report, name: str) -> str:
    """One chart as SVG (glyphs drawn as paths: it needs no font where it is shown; no style attribute or
    element, no comment)."""
    return _svg(chart(report, name))


def chart_svgs(report: Report) -> dict[str, str]:
    """The charts as inline SVG (chart_svg each)."""
    return {name: chart_svg(report, name) for name in chart_names(report)}


# ---------------------------------------------------------------- tables

def _days(r: dict, key: str) -> str:
    median, p90 = r[f"{key}_median"], r[f"{key}_p90"]
    return "—" if median is None else f"{median} / {p90}"


def _share(r: dict) -> str:
    return "—" if r["late_share"] is None else f"{r['late']} ({r['late_share']:.0%})"


def body_columns() -> list[tuple[str, Any]]:
    """The table by body: (header, what a cell shows), in the reader's language."""
    kinds = [(decision_label(k), (lambda k: lambda r: f"{r[k]:,}")(k)) for k in DECISION_KINDS]
    return [(_("body"), lambda r: r["name"]), (_("requests"), lambda r: f"{r['requests']:,}"),
            (_("requests decided"), lambda r: f"{r['decided']:,}"), *kinds,
            (_("days (median / 90%)"), lambda r: _days(r, "days")),
            (_("counted (median / 90%)"), lambda r: _days(r, "counted")),
            (_("late"), _share), (_("extended"), lambda r: f"{r['extended']:,}"),
            (_("appeals"), lambda r: f"{r['appeals']:,}")]


def summary_rows(total: dict) -> list[tuple[str, str]]:
    """The year at a glance: (what, figure) pairs."""
    if not total:
        return []
    fees = _("{total:,} yen (median {median:,} yen)").format(total=total["fee_total"], median=total["fee_median"]) \
        if total["fee_median"] is not None else "—"
    comma = "、" if language() == "ja" else ", "   # a list within one cell, in the reader's punctuation
    outcomes = comma.join(f"{label} {total[k.replace('-', '_')]}" for k, label in zip(st.OUTCOMES, _outcome_labels()))
    return [
        (_("requests"), f"{total['requests']:,}"),
        (_("decided / pending / withdrawn"), f"{total['decided']:,} / {total['pending']:,} / {total['withdrawn']:,}"),
        (_("decisions by kind"), comma.join(f"{decision_label(k)} {total[k]:,}" for k in DECISION_KINDS)),
        (_("days taken, calendar (median / 90th percentile)"), _days(total, "days")),
        (_("days taken, counted by the rule (median / 90th percentile)"), _days(total, "counted")),
        (_("decided late"), _share(total)),
        (_("extended"), f"{total['extended']:,}"),
        (_("fees charged"), fees),
        (_("appeals (rulings)"), _("{n} ({outcomes}; open {open})").format(n=total["appeals"], outcomes=outcomes,
                                                                        open=total["appeals_open"])),
    ]


def _outcome_labels() -> list[str]:
    from .events import VALUES

    return [_(VALUES[("outcome", k)]) for k in st.OUTCOMES]


def definitions() -> str:
    return _("Days taken: from the receipt date to the date of the first decision (after a transfer, from the first "
             "body's receipt); calendar days, and the days the rule counts (its period's first day on; open days "
             "only under a working-days rule; correction days left out where the rule leaves them out). Requests "
             "not received or not decided have none. Median and 90th percentile by the nearest-rank method. Late: "
             "decided after the decision due date in force, extensions included. Requests entered by mistake are "
             "left out.")


# ---------------------------------------------------------------- PDF (ReportLab)

class _Pdf:
    """A landscape A4 PDF in the embedded Japanese font: its styles, its table grid and a chart as an image; the
    statistics' report and a campaign's share it."""

    def __init__(self, title: str, font_path: str | None):
        from reportlab.lib import colors
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.lib.units import mm
        from reportlab.platypus import SimpleDocTemplate, TableStyle

        from .pdf import fonts

        self.font, self.warning = fonts.load(font_path)
        self.font.missing = set()
        self.p = self.font.printable
        self.base = ParagraphStyle("base", fontName=self.font.name, fontSize=9, leading=13, wordWrap="CJK")
        self.title = ParagraphStyle("title", parent=self.base, fontSize=18, leading=26, spaceAfter=4)
        self.h2 = ParagraphStyle("h2", parent=self.base, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4)
        self.cell = ParagraphStyle("cell", parent=self.base, fontSize=8, leading=10)
        self.grid = TableStyle([("FONT", (0, 0), (-1, -1), self.font.name, 8),
                                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
                                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (1, 1), (-1, -1), "RIGHT")])
        self.page = landscape(A4)
        self.width = self.page[0] - 30 * mm
        self.buffer = io.BytesIO()
        self.doc = SimpleDocTemplate(self.buffer, pagesize=self.page, leftMargin=15 * mm, rightMargin=15 * mm,
                                     topMargin=15 * mm, bottomMargin=15 * mm, title=title, author="kaiji")

    def para(self, text: str, style=None):
        from reportlab.platypus import Paragraph

        return Paragraph(html.escape(self.p(text)), style or self.base)

    def image(self, fig, widest: float = 180, below: float = 45):
        """A chart as a PNG image, as wide as `widest` mm allows within the page, its height too (with `below`
        mm of the page's height taken by margins and what comes before it)."""
        from reportlab.lib.units import mm
        from reportlab.lib.utils import ImageReader
        from reportlab.platypus import Image

        data = _png(fig)
        w, h = ImageReader(io.BytesIO(data)).getSize()
        shown = min(self.width * 0.75, widest * mm, (self.page[1] - below * mm) * w / h)   # within the page, either way
        return Image(io.BytesIO(data), width=shown, height=shown * h / w)

    def table(self, head: list[str], rows: list[list[str]], widths: list[float], wrap: set[int] = frozenset({0}),
              right: set[int] = frozenset()):
        """A table with a header row (wrapped) and cells, those of the columns in `wrap` wrapped too (left, or
        right in the columns in `right`)."""
        from reportlab.lib.enums import TA_RIGHT
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.platypus import Table

        ends = ParagraphStyle("right", parent=self.cell, alignment=TA_RIGHT)
        t = Table([[self.para(h, self.cell) for h in head]] +
                  [[self.para(v, ends if i in right else self.cell) if i in wrap else self.p(v) for i, v in enumerate(r)]
                   for r in rows], colWidths=widths, repeatRows=1)
        t.setStyle(self.grid)
        return t

    def build(self, story: list) -> tuple[bytes, list[str]]:
        self.doc.build(story)
        return self.buffer.getvalue(), [w for w in (self.warning, self.font.missing_message()) if w]


def pdf(report: Report, font_path: str | None = None) -> tuple[bytes, list[str]]:
    """The report as a PDF, with any warning about its font."""
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Spacer

    d = _Pdf(report.title, font_path)
    story: list = [d.para(report.title, d.title), d.para(_("{period}; made {day}").format(
        period=report.period, day=show_date(date.today())))]
    story.append(Spacer(1, 4 * mm))
    if not report.total:
        story.append(d.para(_("No requests.")))
    else:
        story.append(d.para(_("At a glance"), d.h2))
        first, *rest = summary_rows(report.total)
        story += [d.table(list(first), [list(r) for r in rest], [80 * mm, 160 * mm], wrap={0, 1}),
                  Spacer(1, 3 * mm), d.para(definitions(), d.cell)]
        for name, fig in charts(report).items():
            story += [PageBreak() if name == "days" else Spacer(1, 6 * mm), d.image(fig)]
        story += [PageBreak(), d.para(_("By body"), d.h2)]
        columns = body_columns()
        widths = [48 * mm] + [(d.width - 48 * mm) / (len(columns) - 1)] * (len(columns) - 1)
        story.append(d.table([h for h, _f in columns], [[str(f(r)) for _h, f in columns] for r in report.bodies],
                             widths))
    return d.build(story)


# ---------------------------------------------------------------- a campaign (一斉請求) compared

# Each decision kind's colour (timeline.DECISION_KINDS), and an undecided request's.
KIND_COLOURS = {"full": "#2e8b57", "partial": "#3f7fbf", "refusal": "#c0392b", "neither": "#8e44ad",
                "absent": "#b8860b", "rejected": "#8c564b"}
UNDECIDED = "#bdbdbd"
COUNTED = "#333333"


@dataclass
class CampaignReport:
    title: str
    heading: str                 # the subject and the filing date, in words
    summary: str                 # campaigns.summary_line
    as_of: date
    comparison: Any              # campaigns.Comparison


def build_campaign(session: Session, name: str, as_of: date, sort: str = "body") -> CampaignReport:
    """A campaign's report: campaigns.compare's rows and summary, and nothing else."""
    from . import campaigns

    cmp = campaigns.compare(session, name, as_of, sort)
    c = cmp.campaign
    return CampaignReport(
        _("Campaign {name}: the bodies' answers compared").format(name=c.name),
        _("{subject} (filed {filed}; as of {day})").format(subject=c.subject, filed=show_date(c.filed_on),
                                                            day=show_date(as_of)),
        campaigns.summary_line(cmp.summary), as_of, cmp)


def campaign_chart(made: CampaignReport):
    """Days taken per body, one bar each: calendar days from receipt to decision, coloured by the decision's
    kind (undecided: days so far, grey); below it a thin bar of the days the body's rule counts; a tick at the
    decision due in force; the days past it hatched. The rows are compare's, in its order."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from .timeline import status_label

    plt = _pyplot()
    rows = made.comparison.rows
    fig, ax = plt.subplots(figsize=(7.6, 0.46 * len(rows) + 2.2), dpi=100)
    ends: list[tuple[int, float, str]] = []
    for i, c in enumerate(rows):
        if c.received is None or (c.decided is None and c.status not in WAITING):
            ends.append((i, 0, status_label(c.status)))    # not received yet, withdrawn: no days to show
            continue
        undecided = c.decided is None
        length = (made.as_of - c.received).days if undecided else c.days_calendar
        colour = UNDECIDED if undecided else KIND_COLOURS[c.decision_kind]
        due = c.extended_to or c.decision_due
        solid = length - c.late_by if c.late_by else length
        ax.barh(i - 0.1, solid, height=0.5, color=colour)
        if solid < length:
            ax.barh(i - 0.1, length - solid, left=solid, height=0.5, color="white", edgecolor=colour, hatch="////",
                    linewidth=0.8)
        if c.days_counted is not None:
            ax.barh(i + 0.26, c.days_counted, height=0.14, color=COUNTED)
        if due is not None:
            at = (due - c.received).days
            ax.plot([at, at], [i - 0.42, i + 0.22], color="black", linewidth=1.6, solid_capstyle="butt")
        if c.late_by:
            note = (_("undecided: {days} days so far ({late} past due)") if undecided else
                    _("{days} days ({late} past due)")).format(days=length, late=c.late_by)
        else:
            note = (_("undecided: {days} days so far") if undecided else _("{days} days")).format(days=length)
        ends.append((i, max(length, c.days_counted or 0, (due - c.received).days if due else 0), note))
    top = max((x for _i, x, _t in ends), default=0) or 1
    for i, x, text in ends:
        ax.text(x + top * 0.015, i - 0.1, text, va="center", fontsize=8, color="#222222")
    ax.set_xlim(0, top * 1.45)
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.set_yticks(range(len(rows)), [c.body for c in rows])
    ax.set_xlabel(_("days from receipt (calendar)"))
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)
    kinds = [k for k in KIND_COLOURS if any(c.decision_kind == k for c in rows)]
    handles = [Patch(color=KIND_COLOURS[k], label=decision_label(k)) for k in kinds]
    if any(c.decided is None and c.received is not None and c.status in WAITING for c in rows):
        handles.append(Patch(color=UNDECIDED, label=_("undecided (days so far)")))
    # The marks, those the chart has.
    if any(c.late_by for c in rows):
        handles.append(Patch(facecolor="white", edgecolor="#555555", hatch="////", label=_("days past the decision due")))
    if any(c.decision_due for c in rows):
        handles.append(Line2D([], [], color="black", linewidth=1.6, label=_("decision due (extensions included)")))
    if any(c.days_counted is not None for c in rows):
        handles.append(Patch(color=COUNTED, label=_("days counted by the body's rule")))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.4, -0.5 / (0.46 * len(rows) + 2.2) - 0.08),
              ncol=3, frameon=False, fontsize=8)
    _title(fig, _("Days taken and decision per body"))
    fig.tight_layout()
    return fig


def campaign_svg(made: CampaignReport) -> str:
    return _svg(campaign_chart(made))


def campaign_table(made: CampaignReport) -> tuple[list[str], list[str], list[list[str]]]:
    """The side-by-side table of `kaiji campaign show` (campaigns.columns): keys, headers and cells, as text."""
    from . import campaigns

    rows = [campaigns.compared_dict(c) for c in made.comparison.rows]
    # The body by its name (the chart's), where the terminal's table gives its key.
    columns = [(k, h, (lambda r: r["body"]) if k == "body_key" else f) for k, h, f in campaigns.columns(rows)]
    return ([k for k, _h, _f in columns], [_(h) for _k, h, _f in columns],
            [["" if v is None else str(v) for v in (f(r) if f else r[k] for k, _h, f in columns)] for r in rows])


def campaign_pdf(made: CampaignReport, font_path: str | None = None) -> tuple[bytes, list[str]]:
    """A campaign's report as a PDF: heading, summary, the chart, the table; with any warning about its font."""
    from reportlab.platypus import PageBreak

    d = _Pdf(made.title, font_path)
    keys, head, rows = campaign_table(made)
    wide = {"body_key": 1.5, "status": 1.0, "received": 1.4, "decision_due": 1.5, "decided": 1.4, "days_calendar": 0.9,
            "late": 1.7, "extensions": 0.6, "withheld": 2.1, "fee": 0.8, "appeal_filed": 1.4}
    share = [wide.get(k, 1.1) for k in keys]
    widths = [d.width * x / sum(share) for x in share]
    if not made.comparison.rows:
        return d.build([d.para(made.title, d.title), d.para(made.heading), d.para(_("No requests."))])
    story = [d.para(made.title, d.title), d.para(made.heading), d.para(made.summary), d.image(campaign_chart(made), 200, 62),
             PageBreak(), d.para(_("Side by side"), d.h2),
             d.table(head, rows, widths, wrap=set(range(len(keys))),
                     right={i for i, k in enumerate(keys) if k in ("days_calendar", "extensions", "fee")})]
    return d.build(story)


def campaign_html(made: CampaignReport) -> str:
    """A campaign's report as one HTML file, the chart inline as SVG."""
    e = html.escape
    _keys, head, rows = campaign_table(made)
    if not rows:
        return _html(made.title, [f"<p>{e(made.heading)}</p><p>{e(_('No requests.'))}</p>"])
    return _html(made.title, [f"<p>{e(made.heading)}</p><p>{e(made.summary)}</p>",
                              f"<figure>{campaign_svg(made)}</figure>", f"<h2>{e(_('Side by side'))}</h2>",
                              _html_table(head, rows)])


# ---------------------------------------------------------------- HTML

def _html(title: str, parts: list[str]) -> str:
    """One HTML file: the title as heading, then `parts` (HTML)."""
    e = html.escape
    return "".join([f"<!DOCTYPE html>\n<html lang=\"{language()}\"><head><meta charset=\"utf-8\">",
                    f"<title>{e(title)}</title><style>{STYLE}</style></head><body>", f"<h1>{e(title)}</h1>",
                    *parts, "</body></html>\n"])


def _html_table(head: list[str], rows: list[list[str]]) -> str:
    e = html.escape
    return ("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>" +
            "".join("<tr>" + "".join(f"<td>{e(v)}</td>" for v in r) + "</tr>" for r in rows) + "</table>")


def html_page(report: Report) -> str:
    """The report as one HTML file: tables, and the charts inline as SVG (no other file)."""
    e = html.escape
    parts = [f"<p>{e(_('{period}; made {day}').format(period=report.period, day=show_date(date.today())))}</p>"]
    if not report.total:
        parts.append(f"<p>{e(_('No requests.'))}</p>")
    else:
        parts.append(f"<h2>{e(_('At a glance'))}</h2><table>")
        parts += [f"<tr><th>{e(a)}</th><td>{e(b)}</td></tr>" for a, b in summary_rows(report.total)]
        parts.append(f"</table><p class=\"note\">{e(definitions())}</p>")
        parts += [f"<figure>{svg}</figure>" for svg in chart_svgs(report).values()]
        parts.append(f"<h2>{e(_('By body'))}</h2>")
        columns = body_columns()
        parts.append(_html_table([h for h, _f in columns], [[str(f(r)) for _h, f in columns] for r in report.bodies]))
    return _html(report.title, parts)


STYLE = ("body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;margin:1em 0}"
         "th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left}td{text-align:right}"
         "td:first-child,table.summary td{text-align:left}.note{font-size:.85em;color:#444}figure{margin:1.5em 0}"
         "figure svg{max-width:100%;height:auto}")
