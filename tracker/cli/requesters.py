"""`kaiji requester …`: the people and groups who file requests."""

from __future__ import annotations

import click

from . import App, KaijiGroup, cli, emit_json, pass_app


# ---------------------------------------------------------------- requesters

@cli.group(cls=KaijiGroup)
def requester() -> None:
    """People and groups who file requests. Their addresses and telephones stay out of exports."""


_REQUESTER_OPTIONS = [
    click.option("--address", help="Address (a group's office address)."),
    click.option("--phone", help="Telephone."),
    click.option("--email", help="E-mail."),
    click.option("--representative", help="A group's representative (代表者)."),
    click.option("--contact-name", help="A group's contact person (担当者)."),
    click.option("--contact-phone", help="The contact person's telephone."),
]


def _requester_options(f):
    for opt in reversed(_REQUESTER_OPTIONS):
        f = opt(f)
    return f


@requester.command("add")
@click.argument("name")
@click.option("--group", "kind", flag_value="group", help="A group (団体).")
@click.option("--person", "kind", flag_value="person", default=True, help="A person (default).")
@_requester_options
@pass_app
def requester_add(app: App, name, kind, **fields) -> None:
    """Add a requester: a person, or a group with its representative and contact person.

    \b
    Example:
      kaiji requester add "市民オンブズマンまいづる" --group --representative "森本 隆" --phone 090-0000-0000
    """
    from .. import service

    with app.write() as s:
        r = service.add_requester(s, name, kind, **fields)
    click.echo(f"requester {r.name} added ({r.kind}).")


@requester.command("edit")
@click.argument("name")
@click.option("--group", "kind", flag_value="group", help="Make it a group.")
@click.option("--person", "kind", flag_value="person", help="Make it a person.")
@_requester_options
@pass_app
def requester_edit(app: App, name, kind, **fields) -> None:
    """Change a requester's details.

    \b
    Example:
      kaiji requester edit "市民オンブズマンまいづる" --contact-name "森本 隆" --contact-phone 090-0000-0000
    """
    from .. import service

    with app.write() as s:
        service.edit_requester(s, name, kind, **fields)
    click.echo(f"requester {name} updated.")


@requester.command("list")
@click.option("--with-contacts", is_flag=True, help="Include addresses and telephones (personal data).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def requester_list(app: App, with_contacts, as_json) -> None:
    """List requesters; addresses and telephones only with --with-contacts.

    \b
    Example:
      kaiji requester list --with-contacts
    """
    from sqlalchemy import select

    from ..models import Requester
    from ..service import REQUESTER_FIELDS
    from ..table import render

    with app.read() as s:
        rows = []
        for r in s.scalars(select(Requester).order_by(Requester.name)):
            d = {"name": r.name, "kind": r.kind, "representative": r.representative, "contact_name": r.contact_name}
            if with_contacts:
                d |= {k: getattr(r, k) for k in REQUESTER_FIELDS}
            rows.append(d)
    if as_json:
        return emit_json(rows)
    keys = list(rows[0]) if rows else ["name", "kind", "representative", "contact_name"]
    click.echo(render(keys, [[r[k] for k in keys] for r in rows]))
