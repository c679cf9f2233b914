"""What the requests export reads of the events and decisions, kept on each request (issue 17): the yen paid
(fee_paid), the day the appeal was filed (appeal_on) and ruled on (ruled_on), the live decisions' withheld parts
with their grounds (withheld). `kaiji export requests` is then one select of the requests, as `request list` is,
instead of three (the requests, the fee and appeal events, the decisions with every withheld part) merged in
Python with each request's events applied.

timeline.refresh keeps them from now on (timeline.exported); here every request's are worked out by the same
timeline.compute over plain rows (tracker/backfill.py, as 0011 does for the statistics).

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

COLUMNS = ('fee_paid', 'appeal_on', 'ruled_on', 'withheld')


def backfill(conn) -> None:
    """Every request's export columns, as timeline.refresh stores them (timeline.exported)."""
    from tracker.backfill import stored_columns

    stored_columns(conn, COLUMNS)


def upgrade() -> None:
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fee_paid', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('appeal_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ruled_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('withheld', sa.Text(), nullable=True))
    backfill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table('requests', schema=None) as batch_op:
        for column in reversed(COLUMNS):
            batch_op.drop_column(column)
