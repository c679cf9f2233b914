"""kaiji's commands on SQLite and on PostgreSQL holding the same data, side by side in one run (issue 17: each
PostgreSQL command within 1.5× of SQLite's time on the same data).

The SQLite benchmark database (bench/bench.py's cached one, or --sqlite FILE) is copied into the PostgreSQL
database at --pg by bench/topg.py; then each command runs as a subprocess against both, interleaved
round-robin with the floors as bench/bench.py does, and the table gives each database's median, its time
above the floor `python -c "import sqlalchemy.orm"` and the ratio PostgreSQL / SQLite. A script that prints
figures, not a test.

    python bench/pg.py --size 100000 --pg postgresql+psycopg://postgres@127.0.0.1:5432/bench
    python bench/pg.py --sqlite /tmp/kaiji-bench/kaiji-1000000-g4.sqlite3 --pg postgresql+psycopg://…/bench --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench  # noqa: E402
import topg  # noqa: E402


def commands(meta: dict, out: Path) -> list[tuple[str, list[str]]]:
    """(label, arguments after --db URL) of each command compared; those that write change both alike."""
    as_of = meta["ref"]
    return [
        ("kaiji overdue", ["overdue", "--as-of", as_of]),
        ("kaiji due", ["due", "--as-of", as_of]),
        ("kaiji request show ID", ["request", "show", str(meta["show_id"])]),
        ("kaiji explain ID", ["explain", str(meta["show_id"])]),
        ("kaiji request add", ["request", "add", "--body", "maizuru", "--received", as_of, "--requester",
                               meta["requester"], "--subject", "ベンチマークの請求", "--method", "copy", "--force"]),
        ("kaiji request list --format json", ["request", "list", "--format", "json"]),
        ("kaiji export requests (CSV)", ["export", "requests", "--format", "csv", "-o", str(out / "requests.csv"),
                                         "--force"]),
        ("kaiji stats", ["stats"]),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", required=True, help="a PostgreSQL URL (its kaiji tables are emptied and filled)")
    ap.add_argument("--size", type=int, default=100_000, help="bench/bench.py's cached database of this size")
    ap.add_argument("--sqlite", help="this SQLite benchmark database instead (with its .json beside it)")
    ap.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "kaiji-bench"))
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--slow-runs", type=int, default=3)
    ap.add_argument("--no-copy", action="store_true", help="PostgreSQL holds the same data already")
    args = ap.parse_args(argv)
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if args.sqlite:
        cache = Path(args.sqlite)
        meta = json.loads(cache.with_suffix(".json").read_text())
    else:
        cache, meta = bench.cached_database(workdir, args.size, date.today(), False)
    if not args.no_copy:
        print(f"copying {cache} into PostgreSQL …", flush=True)
        topg.copy(str(cache), args.pg)
    db = bench.fresh_copy(cache, workdir / f"pg-run-{meta['requests']}.sqlite3")
    out = workdir / "pg-out"
    out.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAIJI_")}
    kaiji = bench.kaiji_argv()
    bench.byte_compile(env)
    py = sys.executable
    group = [bench.Sample("python -c pass", [py, "-c", "pass"]),
             bench.Sample('python -c "import sqlalchemy.orm"', [py, "-c", "import sqlalchemy.orm"])]
    pairs = []
    for label, rest in commands(meta, out):
        lite = bench.Sample(f"{label} · SQLite", kaiji + ["--db", str(db), *rest])
        pg = bench.Sample(f"{label} · PostgreSQL", kaiji + ["--db", args.pg, *rest])
        group += [lite, pg]
        pairs.append((label, lite, pg))
    print(f"{meta['requests']:,} requests; {args.runs} runs each (slow commands {args.slow_runs})", flush=True)
    bench.measure(group, args.runs, env, workdir, args.slow_runs)
    floor = group[1]
    print("\n| command | SQLite | +floor | PostgreSQL | +floor | PG / SQLite | peak RSS (SQLite / PG) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, lite, pg in pairs:
        if lite.failed or pg.failed or not lite.times or not pg.times:
            print(f"| `{label}` | {lite.failed or ''} | | {pg.failed or ''} | | | |")
            continue
        plus = lambda s: f"{(s.median - floor.median) * 1000:+,.0f} ms"  # noqa: E731
        print(f"| `{label}` | {bench.fmt_ms(lite.median)} | {plus(lite)} | {bench.fmt_ms(pg.median)} | {plus(pg)} "
              f"| {pg.median / lite.median:.2f}× | {lite.max_rss_mb():.0f} / {pg.max_rss_mb():.0f} MB |")
    print(f"\nfloor `python -c \"import sqlalchemy.orm\"`: {bench.fmt_ms(floor.median)}")
    if bench.SPAWNER is not None:
        bench.SPAWNER.close()
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
