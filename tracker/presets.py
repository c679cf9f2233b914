"""The jurisdictions kaiji ships with (data/presets.toml), and loading them into a database."""

from __future__ import annotations

from datetime import date
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .compat import tomllib
from .deadlines import RULE_DEFAULTS, RULE_FIELDS
from .models import Body, DeadlineRule, Ground, Jurisdiction

def rule_values(r: dict[str, Any]) -> dict[str, Any]:
    """A preset rule's fields, with the defaults for those a preset may leave out."""
    unknown = set(r) - set(RULE_FIELDS) - {"effective_from"}
    if unknown:
        raise ValueError(f"presets.toml: a rule has fields kaiji does not know: {', '.join(sorted(unknown))}")
    return {k: r.get(k, RULE_DEFAULTS.get(k)) for k in RULE_FIELDS}


def load() -> list[dict[str, Any]]:
    return tomllib.loads(resources.files("tracker.data").joinpath("presets.toml").read_text("utf-8"))["jurisdiction"]


def seed(session: Session) -> None:
    """Add every preset jurisdiction, rule version, ground and default body the database lacks.

    Nothing present is changed: a group's own edits and added rule versions stay as they are.
    """
    for j in load():
        jur = session.scalar(select(Jurisdiction).where(Jurisdiction.key == j["key"]))
        if jur is None:
            jur = Jurisdiction(key=j["key"], name=j["name"], ordinance=j["ordinance"],
                               year_end_closure=j.get("year_end_closure", True),
                               transfer_to=",".join(j.get("transfer_to", [])))
            session.add(jur)
            session.flush()
        for r in j.get("rule", []):
            eff = r.get("effective_from")
            eff = date.fromisoformat(str(eff)) if eff else None
            if not any(x.effective_from == eff for x in jur.rules):
                jur.rules.append(DeadlineRule(effective_from=eff, **rule_values(r)))
        have = {g.code for g in jur.grounds}
        for g in j.get("ground", []):
            if g["code"] not in have:
                jur.grounds.append(Ground(code=g["code"], summary=g.get("summary", "")))
        if session.scalar(select(Body).where(Body.key == j["key"])) is None:
            session.add(Body(key=j["key"], name=j["body"]["name"], head=j["body"]["head"], jurisdiction=jur))
