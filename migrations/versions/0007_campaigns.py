"""Campaigns (一斉請求) and saved sets of bodies: campaigns, requests.campaign_id, body_sets, body_set_members.

A campaign only groups requests (each keeps its own timeline and deadline); a request made before this
revision belongs to none, so requests.campaign_id starts empty.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'campaigns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.Text(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('methods', sa.String(length=40), nullable=False),
        sa.Column('requester_id', sa.Integer(), nullable=True),
        sa.Column('filed_on', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['requester_id'], ['requesters.id'],
                                name=op.f('fk_campaigns_requester_id_requesters')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns')),
        sa.UniqueConstraint('name', name=op.f('uq_campaigns_name')),
    )
    op.create_table(
        'body_sets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_body_sets')),
        sa.UniqueConstraint('name', name=op.f('uq_body_sets_name')),
    )
    op.create_table(
        'body_set_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('body_set_id', sa.Integer(), nullable=False),
        sa.Column('body_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_body_set_members_body_id_bodies')),
        sa.ForeignKeyConstraint(['body_set_id'], ['body_sets.id'],
                                name=op.f('fk_body_set_members_body_set_id_body_sets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_body_set_members')),
        sa.UniqueConstraint('body_set_id', 'body_id', name=op.f('uq_body_set_members_body_set_id')),
    )
    with op.batch_alter_table('body_set_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_body_set_members_body_set_id'), ['body_set_id'], unique=False)
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_requests_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_requests_campaign_id_campaigns'), 'campaigns', ['campaign_id'],
                                    ['id'])


def downgrade() -> None:
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_requests_campaign_id_campaigns'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_requests_campaign_id'))
        batch_op.drop_column('campaign_id')
    with op.batch_alter_table('body_set_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_body_set_members_body_set_id'))
    op.drop_table('body_set_members')
    op.drop_table('body_sets')
    op.drop_table('campaigns')
