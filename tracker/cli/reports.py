"""`kaiji overdue`, `kaiji due`, `kaiji explain`: what is late, what is coming, and why."""

from __future__ import annotations

import click

from . import DATE, App, cli, emit_json, pass_app, today


# ---------------------------------------------------------------- what is late, what is coming

@cli.command()
@click.option("--as-of", type=DATE, help="Judge as of this date (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def overdue(app: App, as_of, as_json) -> None:
    """List requests whose decision is overdue, with the day an appeal against inaction opened.

    \b
    Example:
      kaiji overdue --as-of 2025-01-11
    """
    from ..dates import iso
    from ..reports import flags_ja
    from ..reports import overdue as overdue_items
    from ..table import clip, render

    as_of = as_of or today()
    with app.read() as s:
        items = overdue_items(s, as_of)
        if as_json:   # every field of each request, as `request show --json` gives them
            from .. import service

            shown = [service.request_dict(r) for r in service.get_requests(s, [i.request_id for i in items])]
    late = [{"overdue_since": i.since.isoformat(), "days_overdue": (as_of - i.since).days,
             "inaction_appeal_from": i.inaction_from.isoformat(), "inaction_appeal_filed": i.inaction_appealed,
             "what": i.what, "flags": i.flags} for i in items]
    if as_json:
        return emit_json([r | x for r, x in zip(shown, late)])
    if not items:
        return click.echo(f"nothing overdue as of {as_of}.")
    notes = ["、".join(filter(None, ["不作為審査請求済" if i.inaction_appealed else "", flags_ja(i.flags)]))
             for i in items]
    click.echo(render(["id", "body", "subject", "received", "due", "days late", "不作為審査請求 from"]
                      + (["!!"] if any(notes) else []),
                      [[i.request_id, i.body_name, clip(i.subject, 30), iso(i.received_on), x["overdue_since"],
                        x["days_overdue"], x["inaction_appeal_from"]] + ([n] if any(notes) else [])
                       for i, x, n in zip(items, late, notes)], right=[0, 5]))


@cli.command()
@click.option("--within", type=click.IntRange(min=0, max=3660), default=90, show_default=True,
              help="Days ahead to look (an appeal window is 3 months).")
@click.option("--as-of", type=DATE, help="Count from this date (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def due(app: App, within, as_of, as_json) -> None:
    """List every date coming up: decisions, extended decisions, disclosures, appeal windows, unpaid fees.

    \b
    Example:
      kaiji due --within 30 --as-of 令和7年2月1日
    """
    from ..dates import iso
    from ..reports import due as due_items
    from ..reports import flags_ja
    from ..table import clip, render

    as_of = as_of or today()
    with app.read() as s:
        items = due_items(s, as_of, within)
    if as_json:
        return emit_json([{"on": iso(i.on), "kind": i.kind, "kind_ja": i.kind_ja, "request": i.request_id,
                           "body": i.body, "body_name": i.body_name, "subject": i.subject, "detail": i.detail,
                           "days_left": i.days_left(as_of), "flags": i.flags} for i in items])
    if not items:
        return click.echo(f"nothing due between {as_of} and {within} days later.")
    click.echo(render(["date", "in", "what", "request", "body", "subject"],
                      [[iso(i.on) or "", f"{i.days_left(as_of)}d" if i.on else "",
                        f"{i.kind_ja} ({i.detail})" + (f" !! {flags_ja(i.flags)}" if i.flags else ""),
                        i.request_id, i.body_name, clip(i.subject, 24)] for i in items], right=[1, 3]))


@cli.command()
@click.argument("request_id", type=int)
@pass_app
def explain(app: App, request_id) -> None:
    """Explain how each date of a request was worked out, day by day.

    \b
    Example:
      kaiji explain 1
    """
    from .. import service
    from ..explain import explain as explain_lines

    with app.read() as s:
        req = service.get_request(s, request_id)
        lines = explain_lines(req, service.state(s, req), service.jurisdiction_lookup(s))
    click.echo("\n".join(lines))
