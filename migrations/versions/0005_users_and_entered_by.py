"""Accounts for `kaiji serve` (users, with a calendar subscription's token hash) and who entered each
event (events.entered_by).

Events recorded before this revision say nobody: entered_by stays empty for them.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('role', sa.String(length=10), nullable=False),
        sa.Column('password_hash', sa.String(length=200), nullable=False),
        sa.Column('disabled', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('calendar_token_hash', sa.String(length=64), nullable=True),
        sa.CheckConstraint("role in ('viewer', 'editor', 'admin')", name=op.f('ck_users_role')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
        sa.UniqueConstraint('calendar_token_hash', name=op.f('uq_users_calendar_token_hash')),
        sa.UniqueConstraint('name', name=op.f('uq_users_name')),
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entered_by', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('entered_by')
    op.drop_table('users')
