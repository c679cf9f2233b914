"""Indexes for the web list's orders at 100,000 requests (`kaiji serve`): by number, receipt date,
decision due and status, each of the requests that are listed (partial: `voided = false`, as every
list asks), so that a page, a deep page and the count read a small index rather than the table; and one
for the overdue list (the waiting statuses' undecided requests), which read the decided ones too.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

INDEXES = {"id": ["id"], "received_on": ["received_on", "id"], "decision_due": ["decision_due", "id"],
           "status": ["status", "id"]}


def upgrade() -> None:
    listed = sa.text("voided = false") if op.get_context().dialect.name == "postgresql" else sa.text("voided = 0")
    for name, columns in INDEXES.items():
        op.create_index(f"ix_requests_listed_{name}", "requests", columns, unique=False,
                        sqlite_where=listed, postgresql_where=listed)
    op.create_index("ix_requests_status_decided_on_decision_due", "requests", ["status", "decided_on", "decision_due"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_requests_status_decided_on_decision_due", table_name="requests")
    for name in INDEXES:
        op.drop_index(f"ix_requests_listed_{name}", table_name="requests")
