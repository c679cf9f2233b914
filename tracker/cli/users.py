"""`kaiji user …`: the accounts of `kaiji serve` on a shared server (tracker/users.py)."""

from __future__ import annotations

import click

from ..i18n import N_, _
from . import App, KaijiGroup, cli, pass_app
from .output import Column, emit_list, format_option

_PASSWORD = click.option("--password", envvar="KAIJI_NEW_PASSWORD",
                         help="The password (asked for when left out; also KAIJI_NEW_PASSWORD). At least 10 "
                              "characters.")


def _ask_password() -> str:
    """Typed twice, not shown (a password on the command line would stay in the shell's history)."""
    return click.prompt(_("Password"), hide_input=True, confirmation_prompt=_("Repeat for confirmation"))


@cli.group(cls=KaijiGroup)
def user() -> None:
    """Manage the accounts of `kaiji serve` on a shared server."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["viewer", "editor", "admin"]), required=True,
              help="viewer (reads), editor (reads and records) or admin (also manages accounts).")
@_PASSWORD
@pass_app
def user_add(app: App, name, role, password) -> None:
    """Add an account (its password is kept as an Argon2id hash).

    \b
    Example:
      kaiji user add hanako --role editor
    """
    from .. import users

    password = password or _ask_password()
    with app.write() as s:
        out = users.add_user(s, name, role, password)
    click.echo(_("user {name} added ({role}).").format(name=out["name"], role=_(users.ROLES[out["role"]])))


@user.command("passwd")
@click.argument("name")
@_PASSWORD
@pass_app
def user_passwd(app: App, name, password) -> None:
    """Set an account's password.

    \b
    Example:
      kaiji user passwd hanako
    """
    from .. import users

    password = password or _ask_password()
    with app.write() as s:
        users.set_password(s, name, password)
    click.echo(_("the password of {name} was changed.").format(name=name.strip()))


@user.command("disable")
@click.argument("name")
@pass_app
def user_disable(app: App, name) -> None:
    """Stop an account from logging in (it stays, so that what it entered still names it).

    \b
    Example:
      kaiji user disable hanako
    """
    from .. import users

    with app.write() as s:
        users.disable_user(s, name)
    click.echo(_("user {name} can no longer log in.").format(name=name.strip()))


@user.command("list")
@format_option
@pass_app
def user_list(app: App, fmt) -> None:
    """List the accounts with their roles.

    \b
    Example:
      kaiji user list
    """
    from .. import users

    with app.read() as s:
        records = users.list_users(s)
    emit_list(records, [Column("name", N_("name"), shrink=8), Column("role", N_("role")),
                        Column("disabled", N_("disabled"), show=lambda r: _("yes") if r["disabled"] else ""),
                        Column("created_at", N_("created"))], fmt)
