"""What the statistics count, kept on each request (issue 17): the days counted by the rule up to the first
decision (days_counted), whether an extension notice is on record (extended), the yen charged (fee_total), the
appeal's outcome (appeal_outcome), the live decisions' kinds (decision_kinds) and the grounds they cite
(grounds). `kaiji stats` and the web's 統計 page then count by GROUP BY over the requests alone, instead of a
pass of Python over the events and a join of every decision and withheld part.

timeline.refresh keeps them from now on (timeline.statistics); here every request's are worked out by the same
timeline.compute, over plain rows read a batch of requests at a time (tracker/backfill.py), written by one
executemany per batch: no mapped objects. Then a partial index of the listed requests holding
every column the statistics read (ix_requests_listed_statistics), so that they read it instead of the table.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

BATCH = 20_000
COLUMNS = ('days_counted', 'extended', 'fee_total', 'appeal_outcome', 'decision_kinds', 'grounds')
# The index the statistics read instead of the table (schema.STATISTICS, as of this revision).
STATISTICS = ('body_id', 'requester_id', 'filed_on', 'received_on', 'status', 'decided_on', 'decision_due',
              'days_counted', 'extended', 'fee_total', 'appeal_outcome', 'decision_kinds', 'grounds')


def upgrade() -> None:
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('days_counted', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('extended', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('fee_total', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('appeal_outcome', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('decision_kinds', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('grounds', sa.Text(), nullable=True))
    backfill(op.get_bind())
    op.create_index('ix_requests_listed_statistics', 'requests', list(STATISTICS), unique=False,
                    sqlite_where=sa.text('voided = 0'), postgresql_where=sa.text('voided = false'))


def downgrade() -> None:
    op.drop_index('ix_requests_listed_statistics', table_name='requests')
    with op.batch_alter_table('requests', schema=None) as batch_op:
        for column in reversed(COLUMNS):
            batch_op.drop_column(column)


def backfill(conn) -> None:
    """Every request's statistics columns, as timeline.refresh stores them (timeline.statistics)."""
    from tracker.backfill import stored_columns

    stored_columns(conn, COLUMNS, BATCH)
