"""`kaiji db …`: the database's schema, upgrades and checks."""

from __future__ import annotations

import sys

import click

from ..i18n import _
from . import App, Failure, KaijiGroup, cli, pass_app
from .output import emit_record, format_option


# ---------------------------------------------------------------- the database

@cli.group(cls=KaijiGroup)
def db() -> None:
    """Manage the database's schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="The revision to upgrade to.")
@pass_app
def db_upgrade(app: App, revision) -> None:
    """Upgrade the database to this kaiji's schema.

    A SQLite file is first copied beside itself (kaiji.before-upgrade-from-0001-….sqlite3); the
    command says where. For PostgreSQL, take a pg_dump first (see `kaiji db backup`).

    \b
    Example:
      kaiji db upgrade
    """
    from .. import db as dbm

    path = dbm.sqlite_path(app.url)
    if path is not None and not path.exists() and revision in ("head", dbm.HEAD):
        app.bare_engine(create=True)  # built whole under a temporary name, then given its name
        return click.echo(_("database at {database}: schema empty -> {after}.").format(
            database=dbm.describe(app.url), after=dbm.HEAD))
    engine = app.bare_engine()
    dbm.refuse_unknown(engine, revision)
    before = dbm.current_revision(engine)
    if before == (dbm.HEAD if revision == "head" else revision):
        dbm.upgrade(engine, revision, stdout=sys.stderr)  # changes no schema; adds presets a newer kaiji ships
        app.done = _("the database is up to date")
        return click.echo(_("database at {database}: schema {revision}, already up to date.").format(
            database=dbm.describe(app.url), revision=before))
    saved = dbm.backup_before_change(app.url, engine, "upgrade")
    if saved is not None:
        app.done = _("the backup {path} was written").format(path=saved)
        click.echo(_("backup of the database before the upgrade: {path}").format(path=saved))
    changed = dbm.upgrade(engine, revision, stdout=sys.stderr)
    app.done = (_("the database was upgraded (its backup: {path})").format(path=saved) if saved else
                _("the database was upgraded"))
    if changed:
        shown = ", ".join(map(str, changed[:20])) + (" …" if len(changed) > 20 else "")
        click.echo(_("this kaiji works out {count} request(s)' dates or flags differently; updated: {ids} "
                     "(`kaiji explain ID` shows why).").format(count=len(changed), ids=shown))
    after = dbm.current_revision(engine)
    click.echo((_("database at {database}: schema {before} -> {after}.") if before else
                _("database at {database}: schema empty -> {after}.")).format(
                    database=dbm.describe(app.url), before=before, after=after))


@db.command("downgrade")
@click.argument("revision")
@pass_app
def db_downgrade(app: App, revision) -> None:
    """Downgrade the schema to REVISION ('base' removes everything); a SQLite file is backed up first.

    \b
    Example:
      kaiji db downgrade 0002
    """
    from .. import db as dbm

    engine = app.bare_engine()
    dbm.refuse_unknown(engine, revision, allow_base=True)
    saved = dbm.backup_before_change(app.url, engine, "downgrade")
    if saved is not None:
        app.done = _("the backup {path} was written").format(path=saved)
        click.echo(_("backup of the database before the downgrade: {path}").format(path=saved))
    dbm.downgrade(engine, revision, stdout=sys.stderr)
    app.done = (_("the database was downgraded (its backup: {path})").format(path=saved) if saved else
                _("the database was downgraded"))
    after = dbm.current_revision(engine)
    click.echo((_("database at {database}: schema now {revision}.") if after else
                _("database at {database}: schema now empty.")).format(database=dbm.describe(app.url), revision=after))


@db.command("current")
@format_option
@pass_app
def db_current(app: App, fmt) -> None:
    """Print the database's schema revision and whether it is this kaiji's.

    \b
    Example:
      kaiji db current
    """
    from .. import db as dbm

    rev = dbm.current_revision(app.bare_engine())
    out = {"database": dbm.describe(app.url), "revision": rev, "expected": dbm.HEAD, "up_to_date": rev == dbm.HEAD}
    if rev == dbm.HEAD:
        line = _("{database}: schema {revision} (up to date)")
    elif rev:
        line = _("{database}: schema {revision} (this kaiji expects {head})")
    else:
        line = _("{database}: schema empty (this kaiji expects {head})")
    def text(width: int | None) -> str:
        from ..wrap import fold

        said = line.format(database=out["database"], revision=rev, head=dbm.HEAD)
        return "\n".join(fold(said, width, "", "  ")) if width else said

    emit_record(out, fmt, text)


@db.command("check")
@pass_app
def db_check(app: App) -> None:
    """Check that the database's schema matches this kaiji's models.

    \b
    Example:
      kaiji db check
    """
    from alembic.util import AutogenerateDiffsDetected

    from .. import db as dbm

    try:
        dbm.check(app.engine, stdout=sys.stderr)
    except AutogenerateDiffsDetected as exc:
        raise Failure(_("the schema differs from kaiji's models: {differences}").format(differences=exc)) from None
    click.echo(_("schema matches kaiji's models."))


@db.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--force", is_flag=True, help="Replace an existing FILE (never a database or another backup).")
@click.option("--with-files", is_flag=True, help="Copy the documents' files too, into FILE-files beside it.")
@pass_app
def db_backup(app: App, file, force, with_files) -> None:
    """Copy the SQLite database to FILE, consistently even while others are writing to it.

    \b
    FILE must not exist yet (--force replaces a file that is not a SQLite database); the copy is
    readable by you only. Restore by pointing --db at the copy, or by copying it over the
    database while no kaiji is running. For PostgreSQL, use pg_dump. With --with-files the
    documents' files (`kaiji doc add`) go into the folder FILE-files; restore both together.

    \b
    Example:
      kaiji db backup ~/kaiji-backups/kaiji-2025-01-31.sqlite3
      kaiji db backup --with-files ~/kaiji-backups/kaiji-2025-02-28.sqlite3
    """
    from .. import db as dbm
    from . import collect_again

    collect_again()
    dest = dbm.backup(app.url, file, force)
    app.done = _("the backup {path} was written").format(path=dest)
    click.echo(_("backup written to {path}").format(path=dest))
    if with_files:
        from ..documents import backup_files, files_folder
        from ..i18n import ngettext

        folder, n = backup_files(dest, files_folder(app.url))
        click.echo(ngettext("{n} document file copied to {folder}", "{n} document files copied to {folder}", n)
                   .format(n=n, folder=folder))
