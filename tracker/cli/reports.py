"""`kaiji overdue`, `kaiji due`, `kaiji explain`: what is late, what is coming, and why."""

from __future__ import annotations

import functools

import click

from . import DATE, App, cli, pass_app, today, warn
from ..i18n import show_date
from .output import emit_list, format_option, terminal_width


# ---------------------------------------------------------------- what is late, what is coming

def _overdue_notes(r: dict) -> str:
    from ..reports import flags_ja

    from ..i18n import _

    return "、".join(filter(None, [_("appeal against inaction filed") if r["inaction_appeal_filed"] else "",
                                  flags_ja(r["flags"])]))


def _say_unknown(session) -> None:
    """A word on standard error for the waiting requests whose dates are unknown (no rule known for the body)."""
    from ..i18n import ngettext
    from ..reports import dates_unknown

    ids = dates_unknown(session)
    if ids:
        warn(ngettext("request {ids}: no deadline rule is known for its body, so its decision date is unknown and it "
                      "is not listed; add the rule with `kaiji rule add`.",
                      "requests {ids}: no deadline rule is known for their bodies, so their decision dates are unknown "
                      "and they are not listed; add the rules with `kaiji rule add`.", len(ids)).format(
                          ids=", ".join(map(str, ids))))


TABLE_LINES = 100   # the lines a table shows unless asked for more: a screenful or two, the most urgent first


def lines_options(f):
    """--limit and --all: how many lines of a long list to show."""
    f = click.option("--all", "every", is_flag=True, help="Every line, however many.")(f)
    return click.option("--limit", type=click.IntRange(min=1), metavar="N",
                        help="At most N lines, the most urgent first (default: 100 in the table; CSV and JSON have "
                             "every line).")(f)


def _wanted(limit: int | None, every: bool, fmt: str) -> int | None:
    """How many lines to read: None for all."""
    from ..errors import BadInput
    from ..i18n import _

    if limit is not None and every:
        raise BadInput(_("--limit and --all ask for different numbers of lines; give one of them."), field="limit")
    if every:
        return None
    return limit if limit is not None else TABLE_LINES if fmt == "table" else None


def _say_more(shown: int, total: int, fmt: str) -> None:
    """Below a list cut short: how many lines were left out, and how to see them."""
    from ..i18n import _

    if total > shown:
        if fmt != "table":   # only with --limit: the file holds the first lines
            return warn(_("{more} more not written ({total} in all): leave out --limit, or give --all, to have them "
                          "all.").format(more=f"{total - shown:,}", total=f"{total:,}"))
        said = _("… {more} more not shown ({total} in all): --all shows every one, --format csv writes them all "
                 "for a spreadsheet, --limit N shows N.").format(more=f"{total - shown:,}", total=f"{total:,}")
        from ..wrap import fold

        limit = terminal_width()
        click.echo("\n".join(fold(said, limit, "", "  ")) if limit else said)


@cli.command()
@click.option("--as-of", type=DATE, help="Judge as of this date (default: today).")
@lines_options
@format_option
@pass_app
def overdue(app: App, as_of, limit, every, fmt) -> None:
    """List requests whose decision is overdue, with the day an appeal against inaction opened.

    The longest overdue first; the table shows the first 100 and says how many more there are
    (--all for every one).

    \b
    Example:
      kaiji overdue --as-of 2025-01-11
    """
    from ..dates import iso
    from ..i18n import N_, _
    from ..reports import overdue_first
    from .output import Column

    as_of = as_of or today()
    wanted = _wanted(limit, every, fmt)
    with app.read() as s:
        _say_unknown(s)
        items, total = overdue_first(s, as_of, wanted)
        # The table's columns are read from plain rows (loading the mapped classes would cost more than the
        # listing); JSON and CSV give every field of each request too, as `request show --json` does.
        records = [{"id": i.request_id, "body": i.body, "body_name": i.body_name, "subject": i.subject,
                    "received_on": iso(i.received_on), "overdue_since": i.since.isoformat(),
                    "days_overdue": (as_of - i.since).days, "inaction_appeal_from": i.inaction_from.isoformat(),
                    "inaction_appeal_filed": i.inaction_appealed, "what": i.what, "flags": i.flags} for i in items]
        if fmt != "table":
            from .. import service

            records = [service.request_dict(r) | x
                       for r, x in zip(service.get_requests(s, [i.request_id for i in items]), records)]
    columns = [Column("id", N_("id"), right=True), Column("body_name", N_("body"), shrink=6),
               Column("subject", N_("subject"), shrink=10, text=True), Column("received_on", N_("received")),
               Column("overdue_since", N_("due")), Column("days_overdue", N_("days late"), right=True, shrink=4),
               Column("inaction_appeal_from", N_("inaction appeal from"), shrink=10)]
    if any(map(_overdue_notes, records)):
        columns.append(Column("flags", N_("!!"), shrink=6, text=True, show=_overdue_notes))
    emit_list(records, columns, fmt, empty=_("nothing overdue as of {day}.").format(day=show_date(as_of)))
    _say_more(len(items), total, fmt)


@functools.lru_cache(maxsize=4096)   # 82,000 lines at a million requests, a few hundred kinds of them
def _due_what(kind: str, detail: str, flags: tuple[str, ...], lang: str) -> str:
    """What a line of `due` is: its kind, its detail when it says more, its flags (`lang`: the cache's key)."""
    from ..reports import flags_ja, kind_label

    label = kind_label(kind)
    said = label if detail in ("", label) else f"{label} ({detail})"  # 決定期限, not 決定期限 (決定期限)
    return said + (f" !! {flags_ja(list(flags))}" if flags else "")


@cli.command()
@click.option("--within", type=click.IntRange(min=0, max=3660), default=90, show_default=True,
              help="Days ahead to look (an appeal window is 3 months).")
@click.option("--as-of", type=DATE, help="Count from this date (default: today).")
@lines_options
@format_option
@pass_app
def due(app: App, within, as_of, limit, every, fmt) -> None:
    """List every date coming up: decisions, extended decisions, disclosures, appeal windows, unpaid fees.

    The soonest first, the unpaid fees last; the table shows the first 100 lines and says how
    many more there are (--all for every one).

    \b
    Example:
      kaiji due --within 30 --as-of 令和7年2月1日
    """
    from ..dates import iso
    from ..i18n import N_, _, language
    from ..reports import due_first
    from .output import Column

    as_of = as_of or today()
    wanted = _wanted(limit, every, fmt)
    with app.read() as s:
        _say_unknown(s)
        items, total = due_first(s, as_of, within, wanted)
    # Made one at a time as they are written (a table keeps only its cells): 80,000 lines at a million requests,
    # whose dates, days and kinds repeat: each such text made once (a fifth of the command's memory).
    shown_iso, days_in = functools.lru_cache(maxsize=None)(iso), functools.lru_cache(maxsize=None)(
        lambda days: _("{days}d").format(days=days))
    lang = language()
    records = ({"on": shown_iso(i.on), "kind": i.kind, "kind_ja": i.kind_ja, "request": i.request_id,
                "body": i.body, "body_name": i.body_name, "subject": i.subject, "detail": i.detail,
                "days_left": i.days_left(as_of), "flags": i.flags} for i in items)
    columns = [Column("on", N_("date")),
               Column("days_left", N_("in"), right=True, show=lambda r: days_in(r["days_left"]) if r["on"] else ""),
               Column("kind_ja", N_("what"), shrink=14, show=lambda r: _due_what(r["kind"], r["detail"], tuple(r["flags"]), lang)),
               Column("request", N_("request"), right=True),
               Column("body_name", N_("body"), shrink=6), Column("subject", N_("subject"), shrink=10, text=True)]
    emit_list(records, columns, fmt,
              empty=_("nothing due between {day} and {days} days later.").format(day=show_date(as_of),
                                                                                  days=within))
    _say_more(len(items), total, fmt)


@cli.command()
@click.argument("request_id", type=int)
@format_option
@pass_app
def explain(app: App, request_id, fmt) -> None:
    """Explain how each date of a request was worked out, day by day.

    As JSON or CSV, a record a step: its day (if it has one) and its text.

    \b
    Example:
      kaiji explain 1
    """
    from .. import service
    from ..dates import iso
    from ..explain import explain as explain_lines

    with app.read() as s:
        req = service.get_request(s, request_id)
        lines = explain_lines(req, service.state(s, req), service.jurisdiction_lookup(s))
    if fmt == "table":
        return click.echo("\n".join(_folded(lines, terminal_width())))
    emit_list(({"on": iso(getattr(line, "on", None)), "text": getattr(line, "text", line.strip())}
               for line in lines if line.strip()), [], fmt)


def _folded(lines: list[str], limit: int | None) -> list[str]:
    """explain's lines folded to the terminal (None: kept whole), each under its own indent; a step's
    text goes on under its text, not under its date."""
    from ..table import width
    from ..wrap import fold

    if limit is None:
        return lines
    out: list[str] = []
    for line in lines:
        text = getattr(line, "text", None)
        for part in str(line).split("\n"):
            body = part.lstrip(" ")
            indent = part[:len(part) - len(body)]
            if not body:
                out.append("")
            elif text and body.endswith(text):   # a step: its date, then its text folded under the text
                head = indent + body[:len(body) - len(text)]
                out += fold(text, limit, head, " " * width(head))
            else:
                out += fold(body, limit, indent, indent + "  ")
    return out
