"""`kaiji requester …`: the people and groups who file requests."""

from __future__ import annotations

import click

from ..i18n import N_, _
from . import App, KaijiGroup, cli, pass_app
from .output import emit_list, format_option


# ---------------------------------------------------------------- requesters

KINDS = {"person": N_("person"), "group": N_("group")}  # a requester's kind as the table shows it


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
    click.echo((_("requester {name} added (group).") if r.kind == "group" else _("requester {name} added (person).")
                ).format(name=r.name))


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
    click.echo(_("requester {name} updated.").format(name=name))


@requester.command("list")
@click.option("--with-contacts", is_flag=True, help="Include addresses and telephones (personal data).")
@format_option
@pass_app
def requester_list(app: App, with_contacts, fmt) -> None:
    """List requesters; addresses and telephones only with --with-contacts.

    \b
    Example:
      kaiji requester list --with-contacts
    """
    from sqlalchemy import select

    from ..i18n import N_
    from ..models import Requester
    from ..service import REQUESTER_FIELDS
    from .output import Column

    with app.read() as s:
        rows = []
        for r in s.scalars(select(Requester).order_by(Requester.name)):
            d = {"name": r.name, "kind": r.kind, "representative": r.representative, "contact_name": r.contact_name}
            if with_contacts:
                d |= {k: getattr(r, k) for k in REQUESTER_FIELDS}
            rows.append(d)
    columns = [Column("name", N_("name"), shrink=10, text=True),
               Column("kind", N_("kind"), show=lambda r: _(KINDS.get(r["kind"], r["kind"]))),
               Column("representative", N_("representative"), shrink=8),
               Column("contact_name", N_("contact name"), shrink=8)]
    if with_contacts:
        columns += [Column("address", N_("address"), shrink=10, text=True), Column("phone", N_("phone")),
                    Column("email", N_("e-mail"), shrink=10), Column("contact_phone", N_("contact phone"))]
    emit_list(rows, columns, fmt)
