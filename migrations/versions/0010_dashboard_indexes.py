"""Indexes for the dashboard and `overdue` at a million requests (`kaiji serve`, reports.py): each list is counted from
an index alone and its first lines read in order from it, rather than every matching row read to be counted.
Partial, with the very terms the lists ask (SQLite uses a partial index only when the query holds each of its
terms): the undecided requests not voided, by decision due (the overdue list and the decisions coming; it replaces
0008's index of status, decided_on and decision_due, which SQLite preferred to it), and the requests not voided that
have a disclosure appointment, an appeal's or a lawsuit's last day or a fee unpaid. The columns of their terms are
in them too, so that SQLite counts from the index alone.

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

LATER = ("disclosure_on", "appeal_due", "lawsuit_due", "fee_unpaid")


def upgrade() -> None:
    op.drop_index("ix_requests_status_decided_on_decision_due", table_name="requests")
    shown = "voided IS false" if op.get_context().dialect.name == "postgresql" else "voided IS 0"
    undecided = sa.text(f"{shown} AND decided_on IS NULL")
    op.create_index("ix_requests_undecided_decision_due", "requests", ["decision_due", "status", "decided_on", "voided"],
                    unique=False, sqlite_where=undecided, postgresql_where=undecided)
    for column in LATER:
        where = sa.text(f"{shown} AND {column} IS NOT NULL")
        op.create_index(f"ix_requests_shown_{column}", "requests", [column, "voided"], unique=False,
                        sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for column in LATER:
        op.drop_index(f"ix_requests_shown_{column}", table_name="requests")
    op.drop_index("ix_requests_undecided_decision_due", table_name="requests")
    op.create_index("ix_requests_status_decided_on_decision_due", "requests", ["status", "decided_on", "decision_due"],
                    unique=False)
