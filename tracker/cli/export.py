"""`kaiji export`: requests, deadlines or decisions as a CSV, Excel or JSON file (records: tracker/exports.py)."""

from __future__ import annotations

import gc

import click

from . import App, cli, pass_app, put_file, shown_path, today
from .filters import request_filters


@cli.command()
@click.argument("kind", type=click.Choice(["requests", "deadlines", "decisions", "campaign"]))
@click.argument("name", required=False)
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True,
              help="csv (UTF-8 with a BOM, as Excel opens it), xlsx (an Excel workbook) or json.")
@click.option("-o", "--output", metavar="PATH", default="-", show_default=True,
              help="The file to write, or - for standard output (not for xlsx).")
@click.option("--force", is_flag=True, help="Replace an existing file of that name (never a database).")
@click.option("--encoding", type=click.Choice(["utf-8", "cp932"]), default="utf-8", show_default=True,
              help="The CSV's encoding: cp932 (Shift_JIS) for older tools; a character it cannot hold is refused.")
@click.option("--fields", metavar="KEYS", help="Only these columns, by key, separated by commas (e.g. "
                                               "id,body,subject,received); the keys are the JSON export's.")
@click.option("--with-contacts", is_flag=True, help="Also the requesters' addresses, telephones and e-mail.")
@request_filters
@pass_app
def export(app: App, kind, name, file_format, output, force, encoding, fields, with_contacts, filters) -> None:
    """Export requests, deadlines, decisions or a campaign side by side for a spreadsheet or a survey.

    CSV opens in Japanese Excel as it is; xlsx has real dates (和暦 in Japanese), a frozen header
    and filters. Cells a spreadsheet would run as a formula are written as text. Addresses and
    telephones only with --with-contacts.

    \b
    Example:
      kaiji export requests --format xlsx -o requests.xlsx
      kaiji export deadlines --body maizuru --format csv -o deadlines.csv
      kaiji export campaign kosaihi-2025 --format xlsx -o kosaihi.xlsx
    """
    from .. import exports, service
    from ..errors import BadInput
    from ..i18n import _, ngettext

    if file_format == "xlsx" and output == "-":
        raise BadInput(_("an xlsx workbook cannot go to standard output; name a file with -o, e.g. -o "
                         "requests.xlsx."))
    if encoding != "utf-8" and file_format != "csv":
        raise BadInput(_("--encoding applies to CSV only; leave it out or use --format csv."))
    if (kind == "campaign") != (name is not None):
        raise BadInput(_("name the campaign after `export campaign` (kaiji campaign list), and only there."),
                       field="name")
    if kind == "campaign" and any(filters.values()):
        raise BadInput(_("a campaign's export has its own requests; leave out --body, --status, --from, --to and "
                         "--requester."), field="name")
    chosen = exports.choose_fields(kind, fields, with_contacts)
    count = 0

    def counted(batches):
        nonlocal count
        for batch in batches:
            count += len(batch)
            yield batch

    # What is loaded so far lives to the end: the collector need not walk it again and again while the rows
    # are made (a tenth of the time of an export of 100,000 requests).
    gc.freeze()
    with app.read() as s:  # the file is written as the records are read (a CSV or JSON of 100,000 rows)
        if kind == "campaign":
            from .. import campaigns

            rows = exports.table(exports.campaign_records(campaigns.compare(s, name, today())), chosen)
            data = exports.write(counted(rows), chosen, file_format, encoding, kind)
        else:
            data = exports.chunks(s, kind, chosen, filters, service.jurisdiction_lookup(s), today(), file_format,
                                  encoding, counted)
        path = put_file(app, output, data, force, whole=encoding == "cp932")
    if path is None:
        return
    click.echo(ngettext("wrote {path} ({n} row)", "wrote {path} ({n} rows)", count).format(
        path=shown_path(path), n=count))
