"""Requests entered by mistake (誤登録): requests.voided, derived from the timeline's "voided" event.

The lists and reports leave a voided request out with `voided = false`. The column is not indexed on
purpose: nearly every row is false, and an index on it made SQLite prefer it to the date indexes
`due` and `overdue` search by (every row read at 100,000 requests). No request is voided before this
revision (the event did not exist), so every row starts false.
An index on (body_id, received_on) lets `request add` find the same request entered before.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voided', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_requests_body_id_received_on', ['body_id', 'received_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_index('ix_requests_body_id_received_on')
        batch_op.drop_column('voided')
