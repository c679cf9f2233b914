"""The schema is declared once (tracker/schema.py); the mapped classes' annotations, the deadline rule's
fields and the migrations must agree with it. (The migrations' agreement: test_migrations.py runs
Alembic's own comparison.)"""

from __future__ import annotations

import types
import typing
from datetime import date

import pytest
from sqlalchemy import JSON
from sqlalchemy.orm import Mapped

from tracker import deadlines, models, schema

MAPPED = [c for c in vars(models).values() if isinstance(c, type) and issubclass(c, models.Base) and c is not models.Base]


def problems(hints: dict[str, object], table) -> list[str]:
    """Where the column annotations `hints` ({attribute: Mapped[…]}) disagree with the table."""
    found, out = {}, []
    for name, hint in hints.items():
        if typing.get_origin(hint) is not Mapped or name not in table.c:
            continue
        (inner,) = typing.get_args(hint)
        args = typing.get_args(inner)
        optional = typing.get_origin(inner) in (typing.Union, types.UnionType) and type(None) in args
        base = next(a for a in args if a is not type(None)) if optional else inner
        found[name] = (typing.get_origin(base) or base, optional)
    for col in table.c:
        if col.key not in found:
            out.append(f"{col.key}: no annotation")
            continue
        python_type, optional = found[col.key]
        want = dict if isinstance(col.type, JSON) else col.type.python_type
        if python_type is not want:
            out.append(f"{col.key}: annotated {python_type.__name__}, the column holds {want.__name__}")
        if optional != col.nullable:
            out.append(f"{col.key}: {'Optional' if optional else 'required'}, the column is "
                       f"{'nullable' if col.nullable else 'NOT NULL'}")
    return out


@pytest.mark.parametrize("cls", MAPPED, ids=lambda c: c.__name__)
def test_each_class_annotates_every_column_of_its_table_with_its_type(cls):
    assert problems(typing.get_type_hints(cls, vars(models)), cls.__table__) == []


def test_the_check_finds_a_wrong_type_a_wrong_optional_and_a_missing_column():
    hints = {name: Mapped[date | None] for name in schema.requests.c.keys()}  # right for the date columns only
    hints["reason"] = Mapped[int]          # a nullable text column
    hints["subject"] = Mapped[str | None]  # NOT NULL
    del hints["notes"]
    found = problems(hints, schema.requests)
    assert "reason: annotated int, the column holds str" in found
    assert "reason: required, the column is nullable" in found
    assert "subject: Optional, the column is NOT NULL" in found
    assert "notes: no annotation" in found
    assert not any(p.startswith("decision_due") for p in found)


def test_a_rules_fields_are_the_columns_of_its_table():
    cols = set(schema.deadline_rules.c.keys()) - {"id", "jurisdiction_id", "effective_from"}
    assert set(deadlines.RULE_FIELDS) == cols
