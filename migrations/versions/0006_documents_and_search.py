"""Documents received for a request (the files themselves are kept in the files folder, by SHA-256),
and the search index (search_entries), filled here from the records already kept.

On SQLite the index is an FTS5 table with the trigram tokenizer over search_entries.folded (SQLite
3.34 or later; an older SQLite gets none, and search reads search_entries directly), kept in step by
two triggers. On PostgreSQL a pg_trgm GIN index, if the role may create the extension (otherwise
search answers the same queries without it). Neither is in schema.py's metadata: migrations/env.py
leaves the names search_fts* out of `alembic check`.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('decision_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('title', sa.Text(), nullable=True),
        sa.Column('filename', sa.Text(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('pages', sa.Integer(), nullable=True),
        sa.Column('media_type', sa.String(length=100), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=True),
        sa.Column('text_status', sa.String(length=20), nullable=False),
        sa.Column('added_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind in ('notice', 'disclosed', 'letter', 'other')", name=op.f('ck_documents_kind')),
        sa.CheckConstraint("text_status in ('read', 'none', 'unreadable')", name=op.f('ck_documents_text_status')),
        sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_documents_decision_id_decisions')),
        sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_documents_request_id_requests')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    )
    op.create_index(op.f('ix_documents_request_id'), 'documents', ['request_id'], unique=False)
    op.create_index(op.f('ix_documents_sha256'), 'documents', ['sha256'], unique=False)
    op.create_table(
        'search_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=20), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=True),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('folded', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_search_entries_request_id_requests')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries')),
    )
    op.create_index('ix_search_entries_field_source_id', 'search_entries', ['field', 'source_id'], unique=False)
    op.create_index(op.f('ix_search_entries_request_id'), 'search_entries', ['request_id'], unique=False)

    conn = op.get_bind()
    if conn.dialect.name == 'sqlite':
        import sqlite3

        if sqlite3.sqlite_version_info >= (3, 34):  # the trigram tokenizer came with 3.34.0
            op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(folded, content='search_entries', "
                       "content_rowid='id', tokenize='trigram case_sensitive 1')")
            op.execute("CREATE TRIGGER search_fts_insert AFTER INSERT ON search_entries BEGIN "
                       "INSERT INTO search_fts(rowid, folded) VALUES (new.id, new.folded); END")
            op.execute("CREATE TRIGGER search_fts_delete AFTER DELETE ON search_entries BEGIN "
                       "INSERT INTO search_fts(search_fts, rowid, folded) VALUES ('delete', old.id, old.folded); END")
    elif conn.dialect.name == 'postgresql':
        from sqlalchemy.exc import DBAPIError

        try:
            with conn.begin_nested():  # a role that may not create it: the rest of the migration goes on
                op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DBAPIError:
            pass
        else:
            op.execute("CREATE INDEX search_fts_trgm ON search_entries USING gin (folded gin_trgm_ops)")

    from tracker import search

    search.rebuild(conn)  # the triggers fill search_fts as the rows go in


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == 'sqlite':
        op.execute("DROP TRIGGER IF EXISTS search_fts_insert")
        op.execute("DROP TRIGGER IF EXISTS search_fts_delete")
        op.execute("DROP TABLE IF EXISTS search_fts")
    elif conn.dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS search_fts_trgm")
    op.drop_index(op.f('ix_search_entries_request_id'), table_name='search_entries')
    op.drop_index('ix_search_entries_field_source_id', table_name='search_entries')
    op.drop_table('search_entries')
    op.drop_index(op.f('ix_documents_sha256'), table_name='documents')
    op.drop_index(op.f('ix_documents_request_id'), table_name='documents')
    op.drop_table('documents')
