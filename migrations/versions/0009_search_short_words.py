"""An index of the search index's words of one or two characters (議会, 店), which the trigram index
cannot find: a search for one read every row of search_entries (300 to 450 ms at 100,000 requests).

On SQLite an FTS5 table, search_fts_grams: contentless (the tokens are worked out from
search_entries.folded, which it does not copy), holding only which rows hold a token (detail=none), with a
prefix index of six hex digits (one character); the tokens of a text are grams.grams()'s, which kaiji
registers on every connection as kaiji_grams(), so that two triggers keep the table in step with every
insert and delete, as search_fts's do. On PostgreSQL an SQL function, kaiji_grams(text), the text's
characters and pairs of characters as an array (regexp_matches, string_to_array), and a GIN index over it (search_fts_grams). Both are filled
here from the rows already indexed. Neither is in schema.py's metadata (migrations/env.py leaves the names
search_fts* out of `alembic check`).

Revision ID: 0009
Revises: 0008
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# The characters (string_to_array with no separator), then the pairs at even and at odd offsets (regular
# expressions, in one pass each: substr() at each offset walks the text from its start, hours for long
# documents). Each pair and character once is GIN's affair (it keeps each key of a row once).
PG_FUNCTION = """CREATE OR REPLACE FUNCTION kaiji_grams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT
PARALLEL SAFE AS $$
    SELECT string_to_array(t, NULL) || ARRAY(SELECT m[1] FROM regexp_matches(t, '..', 'g') AS m
                                             UNION ALL SELECT m[1] FROM regexp_matches(substr(t, 2), '..', 'g') AS m)
$$"""


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == 'sqlite':
        from sqlalchemy.exc import OperationalError

        from tracker.grams import grams

        # kaiji's connections have it already (db.py); the `alembic` command's do not.
        conn.connection.dbapi_connection.create_function("kaiji_grams", 1, grams, deterministic=True)
        try:
            op.execute("CREATE VIRTUAL TABLE search_fts_grams USING fts5(grams, content='', detail='none', "
                       "columnsize=0, prefix='6', tokenize='ascii')")
        except OperationalError:  # an SQLite built without FTS5: search reads search_entries instead
            return
        op.execute("CREATE TRIGGER search_fts_grams_insert AFTER INSERT ON search_entries BEGIN "
                   "INSERT INTO search_fts_grams(rowid, grams) VALUES (new.id, kaiji_grams(new.folded)); END")
        op.execute("CREATE TRIGGER search_fts_grams_delete AFTER DELETE ON search_entries BEGIN "
                   "INSERT INTO search_fts_grams(search_fts_grams, rowid, grams) "
                   "VALUES ('delete', old.id, kaiji_grams(old.folded)); END")
        op.execute("INSERT INTO search_fts_grams(rowid, grams) SELECT id, kaiji_grams(folded) FROM search_entries")
    elif conn.dialect.name == 'postgresql':
        op.execute(PG_FUNCTION)
        op.execute("SET LOCAL maintenance_work_mem = '256MB'")   # GIN builds in fewer, larger runs
        op.execute("CREATE INDEX search_fts_grams ON search_entries USING gin (kaiji_grams(folded))")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == 'sqlite':
        op.execute("DROP TRIGGER IF EXISTS search_fts_grams_insert")
        op.execute("DROP TRIGGER IF EXISTS search_fts_grams_delete")
        op.execute("DROP TABLE IF EXISTS search_fts_grams")
    elif conn.dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS search_fts_grams")
        op.execute("DROP FUNCTION IF EXISTS kaiji_grams(text)")
