"""`kaiji calendar`: every date that can be missed, as an .ics file for a phone or desktop calendar."""

from __future__ import annotations

import click

from . import DATE, App, cli, pass_app, put_file, shown_path, today
from .filters import request_filters


@cli.command()
@click.option("-o", "--output", metavar="PATH", default="-", show_default=True,
              help="The .ics file to write, or - for standard output.")
@click.option("--force", is_flag=True, help="Replace an existing file of that name (never a database).")
@click.option("--remind", type=click.IntRange(min=0, max=366), default=3, show_default=True,
              help="Days before each date to raise an alarm; 0 for none.")
@click.option("--since", type=DATE, metavar="DATE",
              help="The first day of the appointments and the periods to appeal and to sue to show; by default 30 "
                   "days before today. A decision or a fee still outstanding is shown however old.")
@click.option("--all", "every", is_flag=True, help="Every date stored, however long ago.")
@request_filters
@pass_app
def calendar(app: App, output, force, remind, since, every, filters) -> None:
    """Write the dates that can be missed as an iCalendar file (.ics).

    Decisions (extended or not), the remainder of a special extension, disclosure appointments, the
    last days to appeal and to sue, unpaid fees: one all-day event each. A decision or fee still
    outstanding is shown however old; the other dates from 30 days before today on (--since DATE
    for another first day, --all for every date). Importing a newer file into the same calendar
    updates the events instead of adding them again.

    \b
    Example:
      kaiji calendar -o kaiji.ics --remind 3
      kaiji calendar --body maizuru --since 2025-01-01 -o maizuru.ics
    """
    from .. import service
    from ..calendar_ics import entries, ics_chunks, since_default
    from ..errors import BadInput
    from ..i18n import _, ngettext

    if since is not None and every:
        raise BadInput(_("--since and --all ask for different first days; give one of them."), field="since")
    if not every and since is None:
        since = since_default(today())

    count = 0

    def counted(items):
        nonlocal count
        for item in items:
            count += 1
            yield item

    with app.read() as s:  # the file is written as the dates are read
        items = entries(s, filters, service.jurisdiction_lookup(s), since)
        path = put_file(app, output, ics_chunks(counted(items), remind), force)
    if path is None:
        return
    click.echo(ngettext("wrote {path} ({n} date)", "wrote {path} ({n} dates)", count).format(
        path=shown_path(path), n=count))
