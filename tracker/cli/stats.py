"""`kaiji stats` and `kaiji report`: how the bodies treat requests, as a table and as a report with charts."""

from __future__ import annotations

import click

from . import DATE, App, cli, pass_app, put_file, shown_path, today, warn
from .filters import request_filters
from .output import format_option

BY_CHOICES = ("body", "year", "ground", "requester")


def _columns(by: str):
    from ..i18n import N_
    from ..timeline import DECISION_KINDS
    from .output import Column

    def pair(key):
        return lambda r: "" if r[f"{key}_median"] is None else f"{r[f'{key}_median']}/{r[f'{key}_p90']}"

    heads = {"body": N_("body"), "year": N_("year of receipt"), "ground": N_("ground cited"),
             "requester": N_("requester")}
    # A body cites its own ordinance's articles; other groups mix ordinances, so name each in full.
    cited = "ground" if by == "body" else "article"
    return [Column("name", heads[by], shrink=8), Column("requests", N_("requests"), right=True),
            Column("decided", N_("requests decided"), right=True), Column("pending", N_("pending"), right=True),
            *[Column(k, v[0], right=True) for k, v in DECISION_KINDS.items()],
            Column("days_median", N_("days (median/90%)"), right=True, show=pair("days")),
            Column("counted_median", N_("counted (median/90%)"), right=True, show=pair("counted")),
            Column("late", N_("late"), right=True,
                   show=lambda r: "" if r["late_share"] is None else f"{r['late']} ({r['late_share']:.0%})"),
            Column("extended", N_("extended"), right=True),
            Column("fee_total", N_("fees (yen)"), right=True, show=lambda r: f"{r['fee_total']:,}"),
            Column("appeals", N_("appeals"), right=True),
            Column("grounds", N_("grounds cited most"), shrink=10, text=True,
                   show=lambda r: "、".join(f"{g[cited]} ({g['count']})" for g in r["grounds"][:3]))]


@cli.command()
@click.option("--by", type=click.Choice(BY_CHOICES), default="body", show_default=True,
              help="One row for each body, year of receipt, ground cited or requester.")
@request_filters
@format_option
@pass_app
def stats(app: App, by, filters, fmt) -> None:
    """Statistics per body: requests, decisions by kind, days taken, lateness, fees, grounds, appeals.

    Days taken run from the receipt date to the first decision (after a transfer, from the first
    body's receipt): calendar days, and the days the rule counts (from the period's first day; open
    days only under a working-days rule; correction days left out where the rule leaves them out).
    Requests not received or not decided have no days; undecided ones count as pending. Median and
    90th percentile (shown median/90%) by nearest rank: the ceil(p% × n)-th smallest. Late: decided
    after the due date in force, extensions included. Requests entered by mistake are left out.

    \b
    Example:
      kaiji stats --from 2025-01-01 --to 2025-12-31
      kaiji stats --by ground --body maizuru --format csv
    """
    from ..i18n import _
    from ..stats import stats as compute

    with app.read() as s:
        records = compute(s, by=by, **filters)
    from .output import emit_list

    emit_list(records, _columns(by), fmt, empty=_("no requests to count."))


@cli.command()
@click.option("--year", type=click.IntRange(1900, 9999), help="The requests received in this year.")
@click.option("--campaign", metavar="NAME", help="Instead: one campaign's bodies compared (kaiji campaign list).")
@click.option("--as-of", type=DATE, help="With --campaign: judge lateness as of this date (default: today).")
@click.option("--format", "kind", type=click.Choice(("pdf", "html")), default="pdf", show_default=True,
              help="A PDF (ReportLab, the charts drawn in the embedded Japanese font) or one HTML file.")
@click.option("-o", "--output", metavar="PATH", required=True, help="The file to write, or - for standard output.")
@click.option("--force", is_flag=True, help="Replace an existing file of that name (never a database).")
@click.option("--font", metavar="PATH", help="A TrueType Japanese font for the PDF's text (default: as kaiji pdf).")
@request_filters
@pass_app
def report(app: App, year, campaign, as_of, kind, output, force, font, filters) -> None:
    """Write the statistics with charts: days taken per body, decisions by kind, grounds cited.

    For the press or an annual report: a heading and tables, and the charts (matplotlib) as
    images in the PDF or inline SVG in the HTML file. With --campaign, one campaign's report:
    a chart of the days each body took and its decision, and the side-by-side table.

    \b
    Example:
      kaiji report --year 2025 -o report.pdf
      kaiji report --year 2025 --format html -o report.html
      kaiji report --campaign kosaihi-2025 -o kosaihi.pdf
    """
    from .. import report as rp
    from ..errors import BadInput
    from ..i18n import _

    if campaign and (year is not None or any(v is not None for v in filters.values())):
        raise BadInput(_("--campaign reports on the campaign's own requests; leave out --year and the request "
                         "filters."), field="campaign")
    if as_of is not None and not campaign:
        raise BadInput(_("--as-of goes with --campaign; the statistics count decisions made."), field="as_of")
    with app.read() as s:
        made = rp.build_campaign(s, campaign, as_of or today()) if campaign else rp.build(s, year, **filters)
    if kind == "html":
        data, warnings = (rp.campaign_html(made) if campaign else rp.html_page(made)).encode("utf-8"), []
    else:
        data, warnings = rp.campaign_pdf(made, font) if campaign else rp.pdf(made, font)
    for w in warnings:
        warn(w)
    path = put_file(app, output, data, force)
    if path is not None:
        click.echo(_("wrote {path}").format(path=shown_path(path)))
