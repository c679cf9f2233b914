"""`kaiji digest`: what is overdue and what falls due soon, printed or mailed (a weekly cron job)."""

from __future__ import annotations

import os

import click

from . import DATE, App, cli, pass_app, today


@cli.command()
@click.option("--within", type=click.IntRange(min=0, max=3660), default=14, show_default=True,
              help="Days ahead to look.")
@click.option("--as-of", type=DATE, help="Count from this date (default: today).")
@click.option("--mail-to", "mail_to", multiple=True, metavar="ADDRESS",
              help="Mail it to this address instead of printing it; repeat for several. The server comes from "
                   "KAIJI_SMTP_URL, the sender from KAIJI_MAIL_FROM.")
@pass_app
def digest(app: App, within, as_of, mail_to) -> None:
    """Summarise what is overdue and what falls due soon, grouped by urgency.

    \b
    KAIJI_SMTP_URL: smtp://user:password@host:587 (STARTTLS), smtps://…:465 (TLS) or
    smtp://host:25?starttls=no (a local relay).
    Example:
      kaiji digest --within 14
      kaiji digest --mail-to group@example.org
    """
    from ..digest import collect, message, text
    from ..errors import BadInput
    from ..i18n import _

    to, smtp, sender = [], None, None
    if mail_to:  # every setting checked before the database is read
        from ..mail import address, smtp_settings

        to = [address(a) for a in mail_to]
        smtp = smtp_settings(os.environ.get("KAIJI_SMTP_URL"))
        sender = os.environ.get("KAIJI_MAIL_FROM", "").strip()
        if not sender:
            raise BadInput(_("--mail-to needs the sender's address in KAIJI_MAIL_FROM, e.g. "
                             "KAIJI_MAIL_FROM=kaiji@example.org; set it and try again."))
        sender = address(sender)
    with app.read() as s:
        d = collect(s, as_of or today(), within)
    if not mail_to:
        return click.echo(text(d), nl=False)
    from ..mail import send

    send(message(d, sender, to), smtp)
    click.echo(_("sent the digest to {addresses}.").format(addresses=", ".join(to)))
