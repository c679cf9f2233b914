"""`kaiji body|rule|ground|holiday …`: bodies, their jurisdictions' rules, grounds and closed days."""

from __future__ import annotations

from datetime import date

import click

from . import DATE, App, Failure, KaijiGroup, cli, pass_app, today
from ..i18n import _, ngettext, show_date
from .output import emit_list, format_option, say


# ---------------------------------------------------------------- bodies and their rules

@cli.group(cls=KaijiGroup)
def body() -> None:
    """Implementing bodies (実施機関) and the rules their deadlines follow."""


def _rule_text(r) -> str:
    from ..timeline import to_rule

    return to_rule(r).summary()


@body.command("list")
@format_option
@pass_app
def body_list(app: App, fmt) -> None:
    """List bodies, with the deadline rule in force today and its source.

    \b
    Example:
      kaiji body list
    """
    from sqlalchemy import select

    from ..i18n import N_
    from ..models import Body
    from ..timeline import rule_row
    from .output import Column

    with app.read() as s:
        rows = []
        for b in s.scalars(select(Body).order_by(Body.key)):
            r = rule_row(b.jurisdiction, today())
            rows.append({"key": b.key, "name": b.name, "head": b.head, "appeal_authority": b.appeal_to,
                         "appeal_authority_derived": b.appeal_authority is None, "jurisdiction": b.jurisdiction.key,
                         "ordinance": b.jurisdiction.ordinance,
                         "rule": _rule_text(r) if r else _("unknown: no rule known, its dates are not worked out"),
                         "source": r.source if r else None,
                         "effective_from": r.effective_from.isoformat() if r and r.effective_from else None})
    emit_list(rows, [Column("key", N_("key"), shrink=8), Column("name", N_("body"), shrink=8),
                     Column("appeal_authority", N_("appeal to (審査庁)"), shrink=8),
                     Column("jurisdiction", N_("jurisdiction"), shrink=8),
                     Column("rule", N_("decision rule"), shrink=13, text=True),
                     Column("source", N_("source"), shrink=12, text=True)], fmt)


_RULE_OPTIONS = [
    click.option("--period", "period_days", type=int, help="Decision period in days."),
    click.option("--count-from", type=click.Choice(["request-day", "next-day"]),
                 help="request-day where the text says 「…の日から起算して」; next-day otherwise (民法第140条)."),
    click.option("--days", "day_kind", type=click.Choice(["calendar", "working"]), default="calendar",
                 show_default=True, help="Count calendar days or only open days."),
    click.option("--move/--no-move", "move_off_closed", default=True, show_default=True,
                 help="A last day on a closed day moves to the next open day."),
    click.option("--extension-max", type=int, help="Most days an extension may add (omit if none is known)."),
    click.option("--extension-from", type=click.Choice(["period-end", "request"]), default="period-end",
                 show_default=True, help="Where the extension limit is counted from."),
    click.option("--exclude-correction/--count-correction", default=False, show_default=True,
                 help="Days spent on a correction (補正) do not count."),
    click.option("--correction-days", type=click.Choice(["after-asked", "both"]), default="after-asked",
                 show_default=True, help="Which correction days are not counted: from the day after it was asked "
                                         "through the day it arrived, or the day it was asked as well."),
    click.option("--correction-extends-limit/--correction-keeps-limit", default=True, show_default=True,
                 help="Whether correction days also push back the extension limit."),
    click.option("--source", help="Where the rule comes from: a URL or a citation (required)."),
    click.option("--effective-from", type=DATE, help="The day the rule took effect."),
    click.option("--rule-note", default="", help="A note on how the rule reads."),
]


def _rule_options(f):
    for opt in reversed(_RULE_OPTIONS):
        f = opt(f)
    return f


def _add_rule(s, jur, period_days, count_from, day_kind, move_off_closed, extension_max, extension_from,
              exclude_correction, correction_days, correction_extends_limit, source, effective_from, rule_note):
    from .. import service

    if period_days is None or count_from is None or not source:
        raise Failure(_("a rule needs --period, --count-from and --source (where the rule comes from)."), 2)
    return service.add_rule(s, jur, period_days=period_days, counts_request_day=count_from == "request-day",
                            working_days=day_kind == "working", move_off_closed=move_off_closed,
                            extension_max_days=extension_max, extension_from=extension_from.replace("-", "_"),
                            exclude_correction=exclude_correction, correction_days=correction_days.replace("-", "_"),
                            correction_extends_limit=correction_extends_limit, source=source,
                            effective_from=effective_from, note=rule_note)


_APPEAL_HELP = ("Who an appeal (審査請求) against its decisions goes to, e.g. 舞鶴市教育委員会 (default: a 委員会 "
                "itself, else the head; 行政不服審査法第4条)")


@body.command("add")
@click.argument("key")
@click.option("--name", required=True, help="The body's name, e.g. 福知山市教育委員会.")
@click.option("--head", help="The title forms are addressed to, e.g. 福知山市教育委員会教育長 (default: the name).")
@click.option("--head-name", help="The head's name, for notices.")
@click.option("--appeal-authority", help=_APPEAL_HELP)
@click.option("--jurisdiction", help="An existing jurisdiction's key (kaiji body list); or create one with "
                                      "--jurisdiction-name, --ordinance and the rule options.")
@click.option("--jurisdiction-name", help="Name of a new jurisdiction, e.g. 福知山市.")
@click.option("--ordinance", help="The new jurisdiction's ordinance, e.g. 福知山市情報公開条例.")
@_rule_options
@pass_app
def body_add(app: App, key, name, head, head_name, appeal_authority, jurisdiction, jurisdiction_name, ordinance,
             **rule) -> None:
    """Add a body, under an existing jurisdiction or a new one with its own rule.

    \b
    Examples:
      kaiji body add maizuru-edu --name 舞鶴市教育委員会 --jurisdiction maizuru
      kaiji body add fukuchiyama --name 福知山市長 --jurisdiction-name 福知山市 \\
          --ordinance 福知山市情報公開条例 --period 15 --count-from next-day \\
          --extension-max 30 --source "福知山市情報公開条例第11条"
    """
    from .. import service

    with app.write() as s:
        if jurisdiction:
            if rule.get("period_days") is not None or jurisdiction_name:
                raise Failure(_("{jurisdiction} has its rules already; add a new version with `kaiji rule add "
                                "{jurisdiction}`, or drop --jurisdiction to create a new jurisdiction.").format(
                                    jurisdiction=jurisdiction), 2)
            jur = service.get_jurisdiction(s, jurisdiction)
        else:
            if not jurisdiction_name or not ordinance:
                raise Failure(_("name an existing --jurisdiction, or give --jurisdiction-name, --ordinance and the "
                                "rule (--period, --count-from, --source) for a new one."), 2)
            jur = service.add_jurisdiction(s, key=key, name=jurisdiction_name, ordinance=ordinance)
            _add_rule(s, jur, **rule)
        b = service.add_body(s, key=key, name=name, head=head, head_name=head_name, jurisdiction=jur,
                             appeal_authority=appeal_authority)
    click.echo(_("body {key} added under {jurisdiction} ({jurisdiction_key}).").format(
        key=b.key, jurisdiction=jur.name, jurisdiction_key=jur.key))


@body.command("edit")
@click.argument("key")
@click.option("--name", help="The body's name.")
@click.option("--head", help="The title forms are addressed to, e.g. 舞鶴市長.")
@click.option("--head-name", help="The head's name printed on notices, e.g. 鴨田 秋津 (\"\" clears it).")
@click.option("--appeal-authority", help=_APPEAL_HELP + " (\"\" derives it again).")
@pass_app
def body_edit(app: App, key, name, head, head_name, appeal_authority) -> None:
    """Change a body's name, head, head's name or appeal authority (審査庁).

    \b
    Example:
      kaiji body edit maizuru --head-name "鴨田 秋津"
    """
    from .. import service

    if name is None and head is None and head_name is None and appeal_authority is None:
        raise Failure(_("nothing to change: give --name, --head, --head-name or --appeal-authority."), 2)
    with app.write() as s:
        b = service.edit_body(s, key, name=name, head=head, head_name=head_name, appeal_authority=appeal_authority)
        said = (_("body {key}: {name}, addressed to {head} ({head_name}); appeals to {appeal_to}.") if b.head_name
                else _("body {key}: {name}, addressed to {head}; appeals to {appeal_to}."))
        said = said.format(key=b.key, name=b.name, head=b.head, head_name=b.head_name, appeal_to=b.appeal_to)
    click.echo(said)


@cli.group(cls=KaijiGroup)
def rule() -> None:
    """Deadline rules, versioned by the day they took effect."""


@rule.command("add")
@click.argument("jurisdiction")
@_rule_options
@pass_app
def rule_add(app: App, jurisdiction, **rule) -> None:
    """Add a new version of a jurisdiction's rule (e.g. after the ordinance changed).

    Requests received on or after --effective-from follow it; their stored dates are recomputed.

    \b
    Example:
      kaiji rule add maizuru --period 15 --count-from request-day --extension-max 60 \\
          --source "舞鶴市情報公開条例第10条" --effective-from 2026-04-01
    """
    from .. import service

    if rule.get("effective_from") is None:
        raise Failure(_("a new rule version needs --effective-from (the day the change took effect)."), 2)
    with app.write() as s:
        jur = service.get_jurisdiction(s, jurisdiction)
        r = _add_rule(s, jur, **rule)
    click.echo(_("{jurisdiction}: rule in force from {day} added: {rule}.").format(
        jurisdiction=jur.name, day=show_date(r.effective_from), rule=_rule_text(r)))


@rule.command("list")
@click.argument("jurisdiction")
@format_option
@pass_app
def rule_list(app: App, jurisdiction, fmt) -> None:
    """Show every version of a jurisdiction's rule with its source.

    \b
    Example:
      kaiji rule list maizuru
    """
    from .. import service
    from ..deadlines import RULE_FIELDS
    from ..i18n import N_
    from .output import Column

    with app.read() as s:
        jur = service.get_jurisdiction(s, jurisdiction)
        rows = [{"jurisdiction": jur.key, "effective_from": r.effective_from.isoformat() if r.effective_from else None,
                 "rule": _rule_text(r), **{k: getattr(r, k) for k in RULE_FIELDS}, "source": r.source,
                 "note": r.note or None}
                for r in sorted(jur.rules, key=lambda r: r.effective_from or date.min)]
    emit_list(rows, [Column("effective_from", N_("in force from"),
                            show=lambda r: r["effective_from"] or _("from the start")),
                     Column("rule", N_("rule"), shrink=12, text=True), Column("source", N_("source"), shrink=12),
                     Column("note", N_("note"), shrink=8, text=True)], fmt)


@cli.group(cls=KaijiGroup)
def ground() -> None:
    """Each jurisdiction's catalogue of non-disclosure grounds (不開示事由)."""


@ground.command("list")
@click.argument("jurisdiction")
@format_option
@pass_app
def ground_list(app: App, jurisdiction, fmt) -> None:
    """List the grounds a decision may cite.

    \b
    Example:
      kaiji ground list maizuru
    """
    from .. import service
    from ..i18n import N_
    from .output import Column

    with app.read() as s:
        jur = service.get_jurisdiction(s, jurisdiction)
        rows = [{"jurisdiction": jur.key, "ordinance": jur.ordinance, "code": g.code, "summary": g.summary}
                for g in jur.grounds]
    emit_list(rows, [Column("code", N_("ground"), show=lambda g: f"{g['ordinance']}{g['code']}", shrink=12),
                     Column("summary", N_("summary"), shrink=12, text=True)], fmt)


@ground.command("add")
@click.argument("jurisdiction")
@click.argument("code")
@click.option("--summary", help="What the ground protects.")
@pass_app
def ground_add(app: App, jurisdiction, code, summary) -> None:
    """Add a ground to a jurisdiction's catalogue, e.g. kaiji ground add maizuru 第5条第1号.

    \b
    Example:
      kaiji ground add maizuru 第5条第1号 --summary "個人に関する情報"
    """
    from .. import service

    with app.write() as s:
        g = service.add_ground(s, service.get_jurisdiction(s, jurisdiction), code, summary)
    click.echo(_("{jurisdiction}: ground {code} added.").format(jurisdiction=jurisdiction, code=g.code))


@cli.group(cls=KaijiGroup)
def holiday() -> None:
    """Extra closed days of a jurisdiction (national holidays and 12/29–1/3 are known already)."""


@holiday.command("add")
@click.argument("jurisdiction")
@click.argument("day", type=DATE)
@click.option("--reason", required=True, help="Why the offices are closed.")
@pass_app
def holiday_add(app: App, jurisdiction, day, reason) -> None:
    """Add a closed day; the dates of the jurisdiction's requests are recomputed.

    \b
    Example:
      kaiji holiday add maizuru 2025-08-13 --reason "庁舎の停電"
    """
    from .. import service

    with app.write() as s:
        service.add_closed_day(s, service.get_jurisdiction(s, jurisdiction), day, reason)
    click.echo(_("{jurisdiction}: {day} is a closed day ({reason}).").format(jurisdiction=jurisdiction,
                                                                            day=show_date(day), reason=reason))


@holiday.command("list")
@click.argument("jurisdiction")
@format_option
@pass_app
def holiday_list(app: App, jurisdiction, fmt) -> None:
    """List a jurisdiction's extra closed days.

    \b
    Example:
      kaiji holiday list maizuru
    """
    from .. import service
    from ..i18n import N_
    from .output import Column

    with app.read() as s:
        jur = service.get_jurisdiction(s, jurisdiction)
        rows = [{"jurisdiction": jur.key, "day": c.day.isoformat(), "reason": c.reason}
                for c in sorted(jur.closed_days, key=lambda c: c.day)]
    emit_list(rows, [Column("day", N_("day")), Column("reason", N_("reason"), shrink=12, text=True)], fmt)


# ---------------------------------------------------------------- bodies in bulk, saved sets

@body.command("import")
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--rule", "rule_choice", type=click.Choice(["unknown"]),
              help="unknown: new jurisdictions without a rule are allowed, their dates shown as unknown.")
@click.option("--dry-run", is_flag=True, help="Check every row and say what would be added; write nothing.")
@pass_app
def body_import(app: App, file, rule_choice, dry_run) -> None:
    """Add bodies from an Excel workbook (.xlsx) or a CSV file: all rows or none.

    \b
    Columns: key,name,head,jurisdiction (required: key, name, jurisdiction);
    for a new jurisdiction also jurisdiction_name,ordinance and its rule:
      period_days,counts_request_day,working_days,move_off_closed,
      exclude_correction,source (required), extension_max_days,
      extension_from,correction_days,correction_extends_limit,note,
      effective_from. A rule not known: unknown in a rule column, or --rule unknown.
    Example:
      kaiji body import prefectures.csv --dry-run
    """
    import sys

    from .. import campaigns, imports

    rows = imports.read_table(*imports.read_file(file, sys.stdin.buffer), campaigns.BODY_HEADERS,
                              campaigns.BODY_REQUIRED, records="bodies")

    class DryRun(Exception):
        pass

    try:
        with app.write() as s:
            added = [b.key for b in campaigns.import_bodies(s, rows, rule_unknown=rule_choice == "unknown")]
            if dry_run:
                raise DryRun  # rolls the transaction back: nothing is written
    except DryRun:
        return say(ngettext("{n} body would be added ({keys}); nothing was written.",
                                   "{n} bodies would be added ({keys}); nothing was written.", len(added)).format(
            n=len(added), keys=_(", ").join(added)))
    say(ngettext("{n} body added ({keys}).", "{n} bodies added ({keys}).", len(added)).format(
        n=len(added), keys=_(", ").join(added)))


@body.group("set", cls=KaijiGroup)
def body_set() -> None:
    """Saved sets of bodies, to file a campaign with (kaiji campaign add --set)."""


@body_set.command("add")
@click.argument("name")
@click.argument("bodies", nargs=-1, required=True)
@pass_app
def body_set_add(app: App, name, bodies) -> None:
    """Save a set of bodies, or add bodies to a saved set.

    \b
    Example:
      kaiji body set add kyoto maizuru ayabe kyoto-city
    """
    from .. import campaigns

    with app.write() as s:
        keys = [m.body.key for m in campaigns.add_to_set(s, name, bodies).members]
    say(ngettext("body set {name}: {n} body ({keys}).", "body set {name}: {n} bodies ({keys}).",
                        len(keys)).format(name=name, n=len(keys), keys=_(", ").join(keys)))


@body_set.command("list")
@format_option
@pass_app
def body_set_list(app: App, fmt) -> None:
    """List the saved sets of bodies.

    \b
    Example:
      kaiji body set list
    """
    from .. import campaigns
    from ..i18n import N_
    from .output import Column

    with app.read() as s:
        rows = [{"name": b.name, "bodies": [m.body.key for m in b.members]} for b in campaigns.list_sets(s)]
    emit_list(rows, [Column("name", N_("set")), Column("bodies", N_("bodies"), shrink=10, text=True,
                                                       show=lambda r: _(", ").join(r["bodies"]))],
              fmt, empty=_("no body sets yet; `kaiji body set add` saves one."))


@body_set.command("show")
@click.argument("name")
@format_option
@pass_app
def body_set_show(app: App, name, fmt) -> None:
    """List the bodies of a saved set.

    \b
    Example:
      kaiji body set show kyoto
    """
    from .. import campaigns
    from ..i18n import N_
    from .output import Column

    with app.read() as s:
        rows = [{"key": m.body.key, "name": m.body.name, "jurisdiction": m.body.jurisdiction.name}
                for m in campaigns.get_set(s, name).members]
    emit_list(rows, [Column("key", N_("key")), Column("name", N_("body"), shrink=8),
                     Column("jurisdiction", N_("jurisdiction"), shrink=8)], fmt)


@body_set.command("remove")
@click.argument("name")
@pass_app
def body_set_remove(app: App, name) -> None:
    """Forget a saved set (its bodies and campaigns stay).

    \b
    Example:
      kaiji body set remove kyoto
    """
    from .. import campaigns

    with app.write() as s:
        campaigns.remove_set(s, name)
    say(_("body set {name} removed.").format(name=name))
