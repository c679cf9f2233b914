"""`kaiji campaign …`: the same request filed with many bodies at once (一斉請求), and their answers side by side
(the library: tracker/campaigns.py)."""

from __future__ import annotations

import click

from ..i18n import N_, _, ngettext, show_date
from . import DATE, METHOD, App, KaijiGroup, cli, pass_app, today, warn
from .output import Column, emit_list, format_option, say


@cli.group(cls=KaijiGroup)
def campaign() -> None:
    """Campaigns (一斉請求): one request filed with many bodies at once, compared side by side."""


def _read_lines(path: str) -> list[str]:
    """The bodies of a --bodies-from file (UTF-8 or Shift_JIS, one a line), read as `request import` reads files."""
    import sys

    from .. import imports
    from ..campaigns import body_keys_from_text

    data, name = imports.read_file(path, sys.stdin.buffer)
    return body_keys_from_text(imports._decode(data, name))


def _chosen(s, bodies, bodies_from, body_set) -> list[str]:
    from .. import campaigns
    from ..errors import BadInput

    if sum(map(bool, (bodies, bodies_from, body_set))) > 1:
        raise BadInput(_("name the bodies one way: --body, --bodies-from or --set."), field="body")
    if bodies_from:
        return _read_lines(bodies_from)
    if body_set:
        return [m.body.key for m in campaigns.get_set(s, body_set).members]
    return list(bodies)


@campaign.command("add")
@click.argument("name")
@click.option("--subject", required=True, help="The documents requested (請求する行政文書の名称又は内容).")
@click.option("--reason", help="Why disclosure is in the public interest.")
@click.option("--method", "methods", type=METHOD, multiple=True, default=("copy",), show_default=True,
              help="inspect (閲覧), view (視聴) or copy (写しの交付); repeat for several.")
@click.option("--requester", help="Requester's name (created as a person if new).")
@click.option("--filed", type=DATE, help="The date on the forms (default: today).")
@click.option("--body", "bodies", multiple=True, metavar="BODY", help="A body to file with; repeat for each.")
@click.option("--bodies-from", metavar="FILE", help="A text file of bodies, one a line (# starts a comment).")
@click.option("--set", "body_set", metavar="SET", help="A saved set of bodies (kaiji body set list).")
@pass_app
def campaign_add(app: App, name, subject, reason, methods, requester, filed, bodies, bodies_from, body_set) -> None:
    """File one request with each body, grouped as a campaign: all or none.

    Each is an ordinary request, due by its own body's rule; an unknown body and nothing is written.

    \b
    Example:
      kaiji campaign add kosaihi-2025 --subject "令和6年度の交際費の支出がわかる文書" \\
          --filed 2025-04-01 --body maizuru --body ayabe --body tokyo
    """
    from .. import campaigns

    said: list[str] = []
    with app.write() as s:
        chosen = _chosen(s, bodies, bodies_from, body_set)
        c = campaigns.add_campaign(s, name=name, subject=subject, bodies=chosen, filed=filed or today(),
                                   reason=reason, methods=methods, requester=requester, warnings=said)
        made = [(r.filed_body.key, r.id) for r in campaigns.requests_of(s, c)]
    _filed(name, made, said)


def _filed(name: str, made: list[tuple[str, int]], said: list[str]) -> None:
    """What `campaign add` and `add-body` say once committed: the library's warnings, then each body's request."""
    for w in said:
        warn(w)
    say(ngettext("campaign {name}: {n} request filed ({requests}).",
                 "campaign {name}: {n} requests filed ({requests}).", len(made)).format(
        name=name, n=len(made), requests=_(", ").join(f"{k} #{i}" for k, i in made)))


@campaign.command("list")
@format_option
@pass_app
def campaign_list(app: App, fmt) -> None:
    """List campaigns with how many bodies have received and decided.

    \b
    Example:
      kaiji campaign list
    """
    from .. import campaigns

    with app.read() as s:
        rows = campaigns.list_campaigns(s)
    emit_list(rows, [Column("name", N_("campaign")), Column("subject", N_("subject"), shrink=10, text=True),
                     Column("filed_on", N_("filed")), Column("bodies", N_("bodies"), right=True),
                     Column("received", N_("received"), right=True), Column("decided", N_("decided"), right=True)],
              fmt, empty=_("no campaigns yet; `kaiji campaign add` files one."))


# How the side-by-side table lays out its columns (campaigns.columns says what they show).
_LAYOUT = {"days_calendar": {"right": True}, "extensions": {"right": True}, "withheld": {"shrink": 8, "text": True},
           "fee": {"right": True}, "ruling": {"shrink": 4}}


def _columns(rows: list[dict] | None = None) -> list[Column]:
    from .. import campaigns

    return [Column(key, head, show=show, **_LAYOUT.get(key, {})) for key, head, show in campaigns.columns(rows)]


@campaign.command("show")
@click.argument("name")
@click.option("--sort", type=click.Choice(["body", "days", "due", "kind"]), default="body", show_default=True,
              help="Order by body, days taken, decision date or decision kind.")
@click.option("--as-of", type=DATE, help="Judge lateness as of this date (default: today).")
@format_option
@pass_app
def campaign_show(app: App, name, sort, as_of, fmt) -> None:
    """The campaign's answers side by side, one body a row, with a summary line.

    Days are calendar days from receipt to decision and the day of the rule's own count.

    \b
    Example:
      kaiji campaign show kosaihi-2025 --sort days
    """
    from .. import campaigns

    with app.read() as s:
        cmp = campaigns.compare(s, name, as_of or today(), sort)
        rows = [campaigns.compared_dict(c) for c in cmp.rows]
        line = campaigns.summary_line(cmp.summary)
        head = _("campaign {name}: {subject} (filed {filed})").format(
            name=cmp.campaign.name, subject=cmp.campaign.subject, filed=show_date(cmp.campaign.filed_on))
    if fmt != "table":
        return emit_list(rows, _columns(), fmt)
    say(head)
    emit_list(rows, _columns(rows), fmt)
    say(line)


@campaign.command("add-body")
@click.argument("name")
@click.argument("bodies", nargs=-1, required=True)
@pass_app
def campaign_add_body(app: App, name, bodies) -> None:
    """File the campaign's request with more bodies, dated as the campaign.

    \b
    Example:
      kaiji campaign add-body kosaihi-2025 azumino
    """
    from .. import campaigns

    said: list[str] = []
    with app.write() as s:
        made = [(r.filed_body.key, r.id) for r in campaigns.add_bodies(s, name, bodies, said)]
    _filed(name, made, said)


@campaign.command("remove-body")
@click.argument("name")
@click.argument("body")
@click.option("--reason", help="Why it is taken out (default: taken out of the campaign).")
@pass_app
def campaign_remove_body(app: App, name, body, reason) -> None:
    """Take a body out while its request has not reached the office (nothing recorded but the form).

    Its request is voided (誤登録) with the reason; once received, withdraw it instead.

    \b
    Example:
      kaiji campaign remove-body kosaihi-2025 azumino
    """
    from .. import campaigns

    with app.write() as s:
        req = campaigns.remove_body(s, name, body, today(), reason)
        said = _("campaign {name}: {body} taken out (request {id} voided).").format(
            name=name, body=req.filed_body.key, id=req.id)
    say(said)


@campaign.command("receive")
@click.argument("name")
@click.option("--body", required=True, help="The body whose receipt date it is.")
@click.option("--on", "on", type=DATE, required=True, help="The receipt date (受付年月日).")
@pass_app
def campaign_receive(app: App, name, body, on) -> None:
    """Record the date a body received the campaign's request, as `kaiji request receive` does.

    \b
    Example:
      kaiji campaign receive kosaihi-2025 --body maizuru --on 2025-04-02
    """
    from .. import campaigns
    from ..timeline import status_label

    with app.write() as s:
        rec = campaigns.receive(s, name, body, on)
        st, rid = rec.state, rec.event.request_id
    for w in rec.warnings:
        warn(w)
    said = (_("request {id}: received {on}; decision due {due}.") if st.decision_due else
            _("request {id}: received {on}; its decision date is unknown: no deadline rule is known for the body.")
            if "rule_unknown" in st.flags else _("request {id}: received {on}; status {status}."))
    say(said.format(id=rid, on=show_date(on), due=show_date(st.decision_due), status=status_label(st.status)))
