"""Alembic environment: run by kaiji (tracker.db) with a connection in config.attributes, or by
the `alembic` command with a URL (`alembic -x url=sqlite:///file.sqlite3 upgrade head`)."""

from alembic import context
from sqlalchemy import create_engine

from tracker.models import Base

config = context.config
target_metadata = Base.metadata


def include_name(name, type_, parent_names) -> bool:
    """The search index's own objects (migrations 0006 and 0009: SQLite's FTS5 tables, PostgreSQL's GIN
    indexes) are not in the metadata: `alembic check` leaves them out."""
    return not (name or "").startswith("search_fts")


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, compare_type=True, include_name=include_name)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        with create_engine(url).connect() as conn:
            run(conn)
