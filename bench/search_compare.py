"""`kaiji search`, the search page and the list's search box on an existing database, this checkout against
another (main's), interleaved in one run. A benchmark, not a test: it prints figures.

Each checkout answers in a process of its own (its own Python and `tracker`), started once; the queries go to
them in turn, one at a time, round after round, so that a slow moment of the machine falls on both alike.
Timed: `search.search` as `kaiji search` calls it (limit 50; the library call, not a subprocess), the page
`/search?query=…` and the list's search box `/requests?q=…` through Flask's test client (server time).
Before timing, both checkouts' hits with no limit are compared as sets (the same hits, whatever the order).

    python bench/search_compare.py --db /tmp/copy.sqlite3 --base /work/main --base-python /work/main/.venv/bin/python
    python bench/search_compare.py --db postgresql+psycopg://postgres@127.0.0.1:5432/h_search --base /work/main ...

The database's search index must be filled (bench/web.py `_index_words`, or bench/search.py's way).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# 1, 2, 3 and 8 characters; words many texts hold and words few hold (bench/synth.py's texts, the Maizuru papers
# on every 100th request when bench/search.py's way filled the index), and one no text holds.
QUERIES = ["店", "鶴", "議会", "給食", "会議録", "民生委", "怒鳴", "学校給食", "事業に関する情報", "る選挙管理委員会",
           "存在しない言葉"]
KINDS = ("lib", "page", "box")


def worker(url: str) -> None:
    """Answer lines of `kind<TAB>query` with `ms<TAB>hits` (hits: a JSON list, for `all` only)."""
    from datetime import date

    from tracker import db as dbm
    from tracker import search
    from tracker.web import create_app

    app = create_app(url, date(2025, 1, 10), host="127.0.0.1", secret_key="bench")
    client = app.test_client()
    engine = app.extensions["kaiji.engine"]
    from urllib.parse import quote

    for line in sys.stdin:
        kind, query = line.rstrip("\n").split("\t")
        hits: list = []
        start = time.perf_counter()
        if kind in ("lib", "all"):
            with dbm.reading(engine) as s:
                found = search.search(s, query, limit=None if kind == "all" else 50)
            hits = sorted([h.request, h.field, h.source_id or 0] for h in found) if kind == "all" else []
        else:
            resp = client.get(("/search?query=" if kind == "page" else "/requests?q=") + quote(query))
            assert resp.status_code == 200, resp.status_code
        ms = (time.perf_counter() - start) * 1000
        print(f"{ms:.3f}\t{json.dumps(hits)}", flush=True)


class Worker:
    def __init__(self, python: str, checkout: Path, url: str):
        env = dict(os.environ, PYTHONPATH=str(checkout))
        self.proc = subprocess.Popen([python, str(HERE / "search_compare.py"), "--worker", url], cwd=checkout, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, kind: str, query: str) -> tuple[float, list]:
        self.proc.stdin.write(f"{kind}\t{query}\n")
        self.proc.stdin.flush()
        ms, hits = self.proc.stdout.readline().split("\t")
        return float(ms), json.loads(hits)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def p95(times: list[float]) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]


def main() -> int:
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="a SQLite file or a PostgreSQL URL, its search index filled")
    ap.add_argument("--base", type=Path, required=True, help="the other checkout (main)")
    ap.add_argument("--base-python", default=sys.executable)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--queries", help="comma-separated (default: the built-in set)")
    args = ap.parse_args()
    url = args.db if "://" in args.db else "sqlite:///" + str(Path(args.db).resolve())
    queries = args.queries.split(",") if args.queries else QUERIES
    kinds = args.kinds.split(",")
    sides = {"main": Worker(args.base_python, args.base.resolve(), url),
             "this": Worker(sys.executable, HERE.parent, url)}
    try:
        for q in queries:   # the same hits (as sets), and a warm-up
            found = {name: w.ask("all", q)[1] for name, w in sides.items()}
            if found["main"] != found["this"]:
                sys.exit(f"other hits for {q!r}: main {len(found['main'])}, this {len(found['this'])}")
            print(f"{q}: {len(found['this'])} hits, the same on both", flush=True)
        times: dict = {}
        for _ in range(args.runs):
            for q in queries:
                for kind in kinds:
                    for name, w in sides.items():
                        times.setdefault((q, kind, name), []).append(w.ask(kind, q)[0])
    finally:
        for w in sides.values():
            w.close()
    print(f"{url.split('://')[0]}, {args.runs} runs each, interleaved; median / p95 in ms (main | this)")
    for q in queries:
        cells = [f"{kind}: {statistics.median(times[q, kind, 'main']):7.1f} /{p95(times[q, kind, 'main']):7.1f} | "
                 f"{statistics.median(times[q, kind, 'this']):6.1f} /{p95(times[q, kind, 'this']):6.1f}"
                 for kind in kinds]
        print(f"{q:<10}" + "   ".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
