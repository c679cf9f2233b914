"""The floor of `kaiji request import` (issue 17): the rows an import writes, already checked and worked
out, inserted with the database driver's own executemany in one transaction, and nothing else.

    python bench/import_floor.py DATABASE ROWS.pickle

DATABASE is a SQLite file or a PostgreSQL URL (postgresql://… or postgresql+psycopg://…); ROWS.pickle
is what bench/import_bench.py dumps after a kaiji import: for each table kaiji writes (requests, events,
search_entries), its columns and its new rows as the database stores them, ids included. The script
holds the database's write lock as kaiji does (SQLite: BEGIN IMMEDIATE; PostgreSQL: the transaction)
and keeps SQLite's settings of kaiji's connections (foreign keys on, synchronous NORMAL, the function kaiji_grams
that the search index's triggers call: tracker/grams.py, which imports nothing).
"""

from __future__ import annotations

import pickle
import sys


def main(database: str, rows_file: str) -> None:
    with open(rows_file, "rb") as f:
        tables = pickle.load(f)
    if database.startswith("postgresql"):
        import psycopg
        from psycopg.types.json import Json

        conn = psycopg.connect(database.replace("postgresql+psycopg://", "postgresql://"))
        with conn.transaction(), conn.cursor() as cur:
            for table, (columns, json_columns, rows) in tables.items():
                if json_columns:
                    at = [columns.index(c) for c in json_columns]
                    rows = [tuple(Json(v) if i in at else v for i, v in enumerate(r)) for r in rows]
                cur.executemany(f'INSERT INTO {table} ({", ".join(f"{c!r}" for c in columns)}) VALUES '
                                f'({", ".join(["%s"] * len(columns))})'.replace("'", '"'), rows)
        conn.close()
    else:
        import sqlite3

        from tracker.grams import grams   # what the search index's triggers call, as kaiji registers it (db.py)

        conn = sqlite3.connect(database, isolation_level=None)
        conn.create_function("kaiji_grams", 1, grams, deterministic=True)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("BEGIN IMMEDIATE")
        for table, (columns, _json_columns, rows) in tables.items():
            conn.executemany(f'INSERT INTO {table} ({", ".join(f"{c!r}" for c in columns)}) VALUES '
                             f'({", ".join("?" * len(columns))})'.replace("'", '"'), rows)
        conn.execute("COMMIT")
        conn.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
