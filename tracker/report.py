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
from .i18n import _, language, show_date
from .timeline import DECISION_KINDS, decision_label

TOP_GROUNDS = 10           # grounds in the chart of grounds cited
MAX_BODIES = 20            # bodies in the chart of days taken (those with the most decided requests)


@dataclass
class Report:
    title: str
    period: str                  # the receipt dates covered, in words
    total: dict[str, Any]        # stats.stats(by=None)'s one record ({} when there are no requests)
    bodies: list[dict[str, Any]]  # stats.stats(by="body")


def build(session: Session, year: int | None = None, **filters) -> Report:
    """The figures of a report: the year's requests by receipt date (`year`), or those `filters` choose."""
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
    [total] = st.stats(session, by=None, top=TOP_GROUNDS, **filters) or [{}]
    return Report(title, period, total, st.stats(session, by="body", **filters))


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
    _title(fig, title)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    fig.tight_layout()
    return fig


def charts(report: Report) -> dict[str, Any]:
    """The report's charts as matplotlib figures, by name: days taken per body, decisions by kind, grounds."""
    plt = _pyplot()
    out: dict[str, Any] = {}
    bodies = sorted((b for b in report.bodies if b["days_median"] is not None),
                    key=lambda b: -b["decided"])[:MAX_BODIES]
    if bodies:
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
        for i, b in enumerate(bodies):
            ax.text(b["days_median"] + top * 0.01, i - 0.2, str(b["days_median"]), va="center", fontsize=8)
            ax.text(b["days_p90"] + top * 0.01, i + 0.2, str(b["days_p90"]), va="center", fontsize=8)
        ax.set_xlim(0, top * 1.12)
        _title(fig, _("Days taken per body (calendar days, receipt to decision)"))
        ax.set_xlabel(_("days (in brackets: requests decided)"))
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], labels[::-1], loc="lower right", frameon=False, fontsize=9)   # median first
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        fig.tight_layout()
        out["days"] = fig
    kinds = sorted(((decision_label(k), report.total.get(k, 0)) for k in DECISION_KINDS), key=lambda x: -x[1])
    if any(n for _k, n in kinds):
        out["kinds"] = _barh(plt, [k for k, _n in kinds], [n for _k, n in kinds], _("Decisions by kind"),
                             _("decisions"), "#2f6db5")
    grounds = report.total.get("grounds") or []
    if grounds:
        out["grounds"] = _barh(plt, [g["article"] for g in grounds], [g["count"] for g in grounds],
                               _("Grounds cited most (decisions citing each)"), _("decisions"), "#b5452f")
    return out


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


def chart_svgs(report: Report) -> dict[str, str]:
    """The charts as inline SVG (glyphs drawn as paths: they need no font where they are shown; no style
    attribute or element, no comment)."""
    return {name: _svg(fig) for name, fig in charts(report).items()}


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
    outcomes = "、".join(f"{label} {total[k.replace('-', '_')]}" for k, label in zip(st.OUTCOMES, _outcome_labels()))
    return [
        (_("requests"), f"{total['requests']:,}"),
        (_("decided / pending / withdrawn"), f"{total['decided']:,} / {total['pending']:,} / {total['withdrawn']:,}"),
        (_("decisions by kind"), "、".join(f"{decision_label(k)} {total[k]:,}" for k in DECISION_KINDS)),
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

def pdf(report: Report, font_path: str | None = None) -> tuple[bytes, list[str]]:
    """The report as a PDF, with any warning about its font."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from .pdf import fonts

    font, warning = fonts.load(font_path)
    font.missing = set()
    p = font.printable
    base = ParagraphStyle("base", fontName=font.name, fontSize=9, leading=13, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=18, leading=26, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=base, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4)
    cell = ParagraphStyle("cell", parent=base, fontSize=8, leading=10)

    def para(text: str, style=base):
        return Paragraph(html.escape(p(text)), style)

    grid = TableStyle([("FONT", (0, 0), (-1, -1), font.name, 8), ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
                       ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (1, 1), (-1, -1), "RIGHT")])
    page = landscape(A4)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=page, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=report.title, author="kaiji")
    story: list = [para(report.title, title), para(_("{period}; made {day}").format(
        period=report.period, day=show_date(date.today())))]
    story.append(Spacer(1, 4 * mm))
    if not report.total:
        story.append(para(_("No requests.")))
    else:
        story.append(para(_("At a glance"), h2))
        t = Table([[para(a, cell), para(b, cell)] for a, b in summary_rows(report.total)],
                  colWidths=[80 * mm, 160 * mm])
        t.setStyle(grid)
        story += [t, Spacer(1, 3 * mm), para(definitions(), cell)]
        width = page[0] - 30 * mm
        for name, fig in charts(report).items():
            data = _png(fig)
            from reportlab.lib.utils import ImageReader

            w, h = ImageReader(io.BytesIO(data)).getSize()
            shown = min(width * 0.75, 180 * mm, (page[1] - 45 * mm) * w / h)   # within the page, either way
            story += [PageBreak() if name == "days" else Spacer(1, 6 * mm),
                      Image(io.BytesIO(data), width=shown, height=shown * h / w)]
        story += [PageBreak(), para(_("By body"), h2)]
        columns = body_columns()
        head = [para(h, cell) for h, _f in columns]
        rows = [[para(str(f(r)), cell) if i == 0 else p(str(f(r))) for i, (_h, f) in enumerate(columns)]
                for r in report.bodies]
        widths = [48 * mm] + [(page[0] - 30 * mm - 48 * mm) / (len(columns) - 1)] * (len(columns) - 1)
        t = Table([head] + rows, colWidths=widths, repeatRows=1)
        t.setStyle(grid)
        story.append(t)
    doc.build(story)
    return buffer.getvalue(), [w for w in (warning, font.missing_message()) if w]


# ---------------------------------------------------------------- HTML

def html_page(report: Report) -> str:
    """The report as one HTML file: tables, and the charts inline as SVG (no other file)."""
    e = html.escape
    parts = [f"<!DOCTYPE html>\n<html lang=\"{language()}\"><head><meta charset=\"utf-8\">",
             f"<title>{e(report.title)}</title><style>{STYLE}</style></head><body>",
             f"<h1>{e(report.title)}</h1>",
             f"<p>{e(_('{period}; made {day}').format(period=report.period, day=show_date(date.today())))}</p>"]
    if not report.total:
        parts.append(f"<p>{e(_('No requests.'))}</p>")
    else:
        parts.append(f"<h2>{e(_('At a glance'))}</h2><table>")
        parts += [f"<tr><th>{e(a)}</th><td>{e(b)}</td></tr>" for a, b in summary_rows(report.total)]
        parts.append(f"</table><p class=\"note\">{e(definitions())}</p>")
        parts += [f"<figure>{svg}</figure>" for svg in chart_svgs(report).values()]
        parts.append(f"<h2>{e(_('By body'))}</h2><table><tr>")
        columns = body_columns()
        parts += [f"<th>{e(h)}</th>" for h, _f in columns]
        parts.append("</tr>")
        for r in report.bodies:
            parts.append("<tr>" + "".join(f"<td>{e(str(f(r)))}</td>" for _h, f in columns) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "".join(parts)


STYLE = ("body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;margin:1em 0}"
         "th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left}td{text-align:right}"
         "td:first-child,table.summary td{text-align:left}.note{font-size:.85em;color:#444}figure{margin:1.5em 0}"
         "figure svg{max-width:100%;height:auto}")
