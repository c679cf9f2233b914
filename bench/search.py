"""How long `kaiji search` takes on a synthetic database (bench/synth.py), with its index filled by
search.rebuild (as migration 0006 does), and the Maizuru papers added as a document to every 100th
request. A benchmark, not a test: it prints figures.

For each query: the median of --runs searches in one process (the library call, not a subprocess),
on SQLite through its indexes (trigrams, and pairs of characters for shorter words) and without them
(instr over every row, as an SQLite older than 3.34 answers), and on PostgreSQL when --pg URL is given (LIKE, with pg_trgm's index if it was made).
Both ways must give the same hits: the script says so, or stops.

    python bench/search.py --size 10000
    python bench/search.py --size 10000 --pg postgresql+psycopg://postgres@127.0.0.1:5432/bench
    python bench/search.py --db /tmp/kaiji-bench/kaiji-1000000-g4.sqlite3 --runs 20   # issue 17: p95 at 1M
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

QUERIES = ["怒鳴", "民生委員", "SNS", "店", "議会", "会議録", "交際費 領収書", "存在しない言葉", "行政文書開示請求"]
PAPERS = HERE.parent / "tests" / "data" / "maizuru-2024-papers.txt"


def fill(url: str, n: int, build: bool = True) -> None:
    from sqlalchemy import insert, select

    import synth
    from tracker import db as dbm
    from tracker import schema, search

    if build:
        synth.build(url, n, date(2025, 6, 30))
    engine = dbm.open_database(url)
    papers = PAPERS.read_text("utf-8")
    with engine.begin() as conn:
        search.rebuild(conn)
        ids = list(conn.execute(select(schema.requests.c.id).where(schema.requests.c.id % 100 == 0)).scalars())
        conn.execute(insert(schema.search_entries), [
            {"request_id": i, "field": "document", "source_id": None, "content": papers, "folded": search.fold(papers)}
            for i in ids])
    engine.dispose()


def timed_cli(url: str, runs: int, limit: int = 50) -> dict[str, tuple[float, float, int]]:
    """What `kaiji search QUERY` asks of the library (its first `limit` hits): median and 95th percentile of `runs`
    searches of each query, in ms, and the hits."""
    from tracker import db as dbm
    from tracker import search

    engine = dbm.open_database(url)
    out = {}
    try:
        for q in QUERIES:
            times = []
            for _ in range(runs):
                with dbm.reading(engine) as s:
                    start = time.perf_counter()
                    found = search.search(s, q, limit=limit)
                    times.append(time.perf_counter() - start)
            ordered = sorted(times)
            out[q] = (statistics.median(times) * 1000, ordered[max(0, -(-95 * len(ordered) // 100) - 1)] * 1000,
                      len(found))
    finally:
        engine.dispose()
    return out


def timed(url: str, runs: int, fts: bool | None = None) -> dict[str, tuple[float, set]]:
    from tracker import db as dbm
    from tracker import search

    real = search.has_fts, search.has_grams
    if fts is False:
        search.has_fts = search.has_grams = lambda session: False
    engine = dbm.open_database(url)
    out = {}
    try:
        for q in QUERIES:
            times, hits = [], set()
            for _ in range(runs):
                with dbm.reading(engine) as s:
                    start = time.perf_counter()
                    found = search.search(s, q, limit=None)
                    times.append(time.perf_counter() - start)
                hits = {(h.request, h.field, h.source_id) for h in found}
            out[q] = (statistics.median(times), hits)
    finally:
        search.has_fts, search.has_grams = real
        engine.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pg", help="a PostgreSQL URL to fill and search as well (its tables are replaced)")
    ap.add_argument("--db", metavar="FILE", help="search a copy of this SQLite database (bench/bench.py's cached one) "
                    "instead of building one: its index is filled once into --keep and kept; only `kaiji search`'s "
                    "first 50 hits are timed (median and 95th percentile of --runs)")
    ap.add_argument("--keep", metavar="FILE", help="with --db: where the copy with its index filled is kept")
    args = ap.parse_args()
    from tracker import db as dbm

    if args.db:
        kept = Path(args.keep or f"{args.db}.search")
        if not kept.exists():
            import shutil

            part = kept.with_name(kept.name + ".filling")
            shutil.copyfile(args.db, part)
            start = time.perf_counter()
            fill(dbm.database_url(str(part)), 0, build=False)
            print(f"index filled in {time.perf_counter() - start:.0f} s", flush=True)
            part.rename(kept)
        figures = timed_cli(dbm.database_url(str(kept)), args.runs)
        print(f"{kept}: `kaiji search QUERY` (first 50 hits), {args.runs} runs: median / p95 ms, hits")
        for q, (median, p95, hits) in figures.items():
            print(f"{q:<16}{len(q):>3} chars {median:>9.1f} {p95:>9.1f} {hits:>6}")
        return

    folder = Path(tempfile.mkdtemp(prefix="kaiji-search-bench-"))
    url = dbm.database_url(str(folder / "bench.sqlite3"))
    fill(url, args.size)
    columns = {"SQLite, indexes": timed(url, args.runs), "SQLite, no index": timed(url, args.runs, fts=False)}
    if args.pg:
        from sqlalchemy import text

        engine = dbm.make_engine(args.pg)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        fill(args.pg, args.size)
        columns["PostgreSQL"] = timed(args.pg, args.runs)
    first = next(iter(columns.values()))
    print(f"{args.size} requests, {args.size // 100} copies of the Maizuru papers; median of {args.runs} (ms), hits")
    print(f"{'query':<16}" + "".join(f"{name:>24}" for name in columns))
    for q in QUERIES:
        cells = [f"{columns[name][q][0] * 1000:>15.1f} ms {len(columns[name][q][1]):>5}" for name in columns]
        print(f"{q:<16}" + "".join(f"{c:>24}" for c in cells))
        for name, results in columns.items():
            if results[q][1] != first[q][1]:
                sys.exit(f"{name} found other hits than {next(iter(columns))} for {q!r}")
    print("every way found the same hits")


if __name__ == "__main__":
    main()
