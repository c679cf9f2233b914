"""`kaiji serve`: the tracker in a browser (tracker/web), on this machine or a shared server."""

from __future__ import annotations

import click

from ..i18n import _
from . import DATE, App, Failure, cli, pass_app


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. Any but 127.0.0.1 (a shared server) needs an admin account first "
                   "(`kaiji user add NAME --role admin`), and every page then asks for a login.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="The port to listen on.")
@click.option("--as-of", type=DATE, hidden=True, help="Count from this day instead of today (for tests).")
@pass_app
def serve(app: App, host, port, as_of) -> None:
    """Open the tracker in a browser: dashboard, requests, forms, PDFs.

    On this machine (127.0.0.1) with no accounts, no login is needed. For a group's shared server, add
    accounts with `kaiji user add` and run it under a real WSGI server (see the README).

    \b
    Example:
      kaiji serve
    """
    from .. import users
    from ..web import create_app, is_loopback

    if not is_loopback(host):
        with app.read() as s:
            if users.count(s, "admin") == 0:
                raise Failure(_("--host {host} would open the records to other machines, and no admin account "
                                "exists yet; add one with `kaiji user add NAME --role admin` first.").format(host=host))
    web = create_app(app.url, as_of, host=host)
    click.echo(_("kaiji is at http://{host}:{port}/ (Ctrl+C stops it).").format(
        host=f"[{host}]" if ":" in host else host, port=port))
    from werkzeug.serving import WSGIRequestHandler, run_simple

    class QuietHandler(WSGIRequestHandler):
        """The request log without query strings: a search or a filter may name a person."""

        def log_request(self, code="-", size="-"):
            path = self.path.split("?", 1)[0]
            self.log("info", '"%s %s" %s', self.command, path, code)

    run_simple(host, port, web, threaded=True, request_handler=QuietHandler)
