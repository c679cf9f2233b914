"""`kaiji request import` against its floor (issue 17): the same rows inserted by bench/import_floor.py.

    python bench/import_bench.py --db /path/kaiji-100000.sqlite3 [--pg postgresql+psycopg://…/TEMPLATE_DB [--pg-only]]
                                 [--rows 10000,100000] [--runs 3] [--workdir DIR] [--kaiji CMD]

For each size it writes bench.import_csv's CSV of that many rows, imports it once with kaiji into a copy
of the database (the warm-up), and dumps the rows that import wrote (requests, events, search_entries,
ids included) for the floor. Then, round after round, it times kaiji's import and the floor's insert of
the same rows, alternately, each into a fresh copy of the database (the copying is not timed): on
SQLite a copy of --db; on PostgreSQL a database made from the one --pg names as its template (which no
one may be connected to). Both are timed as whole processes, start-up included. It prints each run, then
the medians and their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench  # noqa: E402

TABLES = ("requesters", "departments", "requests", "events", "search_entries")  # in the order of their keys


class Sqlite:
    def __init__(self, source: Path, workdir: Path) -> None:
        self.source, self.copy = source, workdir / "import-run.sqlite3"

    def fresh(self) -> str:
        bench.fresh_copy(self.source, self.copy)
        return str(self.copy)

    def max_ids(self, target: str) -> dict[str, int]:
        import sqlite3

        with sqlite3.connect(target) as conn:
            return {t: conn.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0] for t in TABLES}

    def new_rows(self, target: str, after: dict[str, int]) -> dict:
        import sqlite3

        conn = sqlite3.connect(target)
        out = {}
        for t in TABLES:
            cur = conn.execute(f"SELECT * FROM {t} WHERE id > ? ORDER BY id", (after[t],))
            out[t] = ([d[0] for d in cur.description], [], cur.fetchall())
        conn.close()
        return out


class Postgres:
    def __init__(self, template_url: str) -> None:
        from sqlalchemy.engine import make_url

        self.template = make_url(template_url)
        self.run_url = self.template.set(database=f"{self.template.database}_run")

    def _admin(self, sql: str) -> None:
        import psycopg

        url = self.template.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql)

    def fresh(self) -> str:
        self._admin(f'DROP DATABASE IF EXISTS "{self.run_url.database}"')
        self._admin(f'CREATE DATABASE "{self.run_url.database}" TEMPLATE "{self.template.database}"')
        return self.run_url.render_as_string(hide_password=False)

    def _connect(self, target: str):
        import psycopg

        return psycopg.connect(target.replace("postgresql+psycopg://", "postgresql://"))

    def max_ids(self, target: str) -> dict[str, int]:
        with self._connect(target) as conn:
            return {t: conn.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0] for t in TABLES}

    def new_rows(self, target: str, after: dict[str, int]) -> dict:
        out = {}
        with self._connect(target) as conn:
            for t in TABLES:
                cur = conn.execute(f"SELECT * FROM {t} WHERE id > %s ORDER BY id", (after[t],))
                columns = [d.name for d in cur.description]
                json_columns = [d.name for d in cur.description if d.type_code in (114, 3802)]  # json, jsonb
                out[t] = (columns, json_columns, cur.fetchall())
        return out


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{shlex.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return took


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="the SQLite database imported into (copied, never written); its "
                                                "bench.py meta .json beside it gives the CSV's date and requester")
    ap.add_argument("--pg", help="also on PostgreSQL: the URL of a database built like --db, used as a template")
    ap.add_argument("--pg-only", action="store_true", help="time PostgreSQL alone (--db still gives the CSV's date "
                                                            "and requester): into 1M, where SQLite's were timed apart")
    ap.add_argument("--rows", default="10000,100000", help="comma-separated row counts (default: %(default)s)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs of each (default: %(default)s)")
    ap.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "kaiji-import-bench"))
    ap.add_argument("--kaiji", help="the kaiji command to time (default: this environment's)")
    args = ap.parse_args(argv)
    if args.pg_only and not args.pg:
        ap.error("--pg-only needs --pg")
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    source = Path(args.db)
    meta = json.loads(Path(str(source).removesuffix(".sqlite3") + ".json").read_text(encoding="utf-8"))
    env = dict(os.environ)
    kaiji = shlex.split(args.kaiji) if args.kaiji else bench.kaiji_argv()
    if not args.kaiji:
        bench.byte_compile(env)
    targets = {} if args.pg_only else {"sqlite": Sqlite(source, workdir)}
    if args.pg:
        targets["postgresql"] = Postgres(args.pg)
    sizes = [int(n) for n in args.rows.split(",")]
    floor = [sys.executable, str(HERE / "import_floor.py")]
    times: dict[tuple[str, int, str], list[float]] = {}
    plan = []
    for name, target in targets.items():
        for n in sizes:
            csv_path = bench.import_csv(workdir, meta, n)
            db = target.fresh()
            before = target.max_ids(db)
            took = timed(kaiji + ["--db", db, "request", "import", str(csv_path)], env)
            rows = target.new_rows(db, before)
            if len(rows["requests"][2]) != n:
                raise SystemExit(f"kaiji imported {len(rows['requests'][2])} of {n} rows on {name}")
            rows_path = workdir / f"floor-{name}-{n}.pickle"
            with open(rows_path, "wb") as f:
                pickle.dump(rows, f)
            print(f"{name} {n:,} rows: warm-up import {took:.2f} s; floor rows: "
                  + ", ".join(f"{t} {len(rows[t][2]):,}" for t in TABLES), flush=True)
            plan.append((name, n, [("kaiji", kaiji + ["--db", "{db}", "request", "import", str(csv_path)]),
                                   ("floor", floor + ["{db}", str(rows_path)])]))
    for run in range(args.runs):
        for name, n, commands in plan:
            for what, command in commands if run % 2 == 0 else commands[::-1]:
                db = targets[name].fresh()
                took = timed([a.replace("{db}", db) for a in command], env)
                times.setdefault((name, n, what), []).append(took)
                print(f"  run {run + 1}: {name} {n:,} rows {what}: {took:.2f} s", flush=True)
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f} (2 cores: {os.cpu_count()})")
    print(f"{'database':<11} {'rows':>8} {'kaiji':>9} {'floor':>9} {'ratio':>6}   (medians of {args.runs})")
    for name, n, _commands in plan:
        k = statistics.median(times[(name, n, "kaiji")])
        f = statistics.median(times[(name, n, "floor")])
        print(f"{name:<11} {n:>8,} {k:>8.2f}s {f:>8.2f}s {k / f:>5.2f}×")
    (workdir / "import-run.sqlite3").unlink(missing_ok=True)
    shutil.rmtree(workdir / "__pycache__", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
