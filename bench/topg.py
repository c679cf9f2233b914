"""Copy a SQLite benchmark database (bench/synth.py's) into PostgreSQL, row for row, so that both databases
hold the same data for a side-by-side run (issue 17: PostgreSQL within 1.5× of SQLite on the same data).

The PostgreSQL database is brought to kaiji's schema by kaiji's own migrations, emptied, and filled with
COPY (psycopg's copy protocol, a table at a time, in one transaction); the id sequences are moved past
the copied ids and the planner's statistics gathered (VACUUM ANALYZE, as autovacuum would on a server in
use). A script, not a test.

A PostgreSQL database at an older schema is emptied whole (its public schema dropped) and made anew.

    python bench/topg.py /tmp/kaiji-bench/kaiji-100000-g4.sqlite3 postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def copy(sqlite_file: str, url: str) -> dict[str, int]:
    """Fill the PostgreSQL database at url with every row of sqlite_file's kaiji tables; {table: rows}."""
    from sqlalchemy import Boolean, create_engine

    from tracker import db as dbm
    from tracker.schema import metadata

    src = sqlite3.connect(f"file:{sqlite_file}?mode=ro", uri=True)
    (rev,) = src.execute("SELECT version_num FROM alembic_version").fetchone()
    if rev != dbm.HEAD:
        raise SystemExit(f"{sqlite_file} is at schema {rev}, this kaiji at {dbm.HEAD}: build it again")
    engine = dbm.make_engine(url)
    if dbm.current_revision(engine) not in (None, dbm.HEAD):   # a benchmark database of an older kaiji: made anew
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    engine.dispose()
    dbm.open_database(url).dispose()   # kaiji's schema, by its migrations
    engine = create_engine(url)
    counts = {}
    tables = list(metadata.sorted_tables)
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        names = ", ".join(t.name for t in tables)
        conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        for table in tables:
            cols = [f'"{c.name}"' for c in table.columns]   # quoted: a column may be named "on"
            # SQLite keeps dates and times as text and booleans as 0/1: COPY's text format reads ISO dates as they
            # are, and booleans are given as PostgreSQL spells them.
            bools = {i for i, c in enumerate(table.columns) if isinstance(c.type, Boolean)}
            cur = src.execute(f"SELECT {', '.join(cols)} FROM {table.name}")
            n = 0
            with raw.cursor() as pg, pg.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as cp:
                for row in cur:
                    if bools:
                        row = tuple((None if v is None else bool(v)) if i in bools else v for i, v in enumerate(row))
                    cp.write_row(row)
                    n += 1
            counts[table.name] = n
            if "id" in table.c and n:
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                     f"(SELECT max(id) FROM {table.name}))")
    engine.dispose()
    src.close()
    vac = create_engine(url, isolation_level="AUTOCOMMIT")
    with vac.connect() as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    vac.dispose()
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sqlite_file")
    ap.add_argument("url", help="a PostgreSQL URL (its kaiji tables are emptied and filled)")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    counts = copy(args.sqlite_file, args.url)
    print(f"copied {sum(counts.values()):,} rows of {len(counts)} tables in {time.perf_counter() - start:.0f} s "
          f"({counts.get('requests', 0):,} requests)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
