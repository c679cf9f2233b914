"""Server time of `kaiji serve`'s pages on a synthetic database (bench/synth.py), SQLite or PostgreSQL.

A benchmark, not a test: each page is asked for `--runs` times through Flask's test client (no network,
no browser: the time kaiji itself spends, queries and rendering), and the median and 95th percentile
are printed, for docs/benchmarks.md. The target (issue 14): under 100 ms at the 95th percentile on
100,000 requests.

    python bench/web.py --size 100000                        # SQLite, built once under /tmp/kaiji-bench
    python bench/web.py --size 100000 --db postgresql+psycopg://postgres@127.0.0.1:5432/bench
    python bench/web.py --size 1000000 --clients 4 --seconds 30   # under load (issue 17)

With --clients N, N processes (as N sync workers of gunicorn would) each ask for the pages of the issue-17
set one after another — dashboard, the list with any filter and page, the request page, each form's
answer — for --seconds, all at once; each page's server time is gathered from all of them.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

REF = date(2025, 6, 30)
FEW = "学校給食"    # bench/synth.py's TOPICS: one of thirty (学校給食センターの運営委託)
MANY = "会議録"     # bench/synth.py's DOCS: two to four of twenty-one in most subjects
SHORT = "給食"      # as few, but two characters: shorter than a trigram, so every index row is read
CAMPAIGN_BODIES = 20


def main(argv: list[str] | None = None) -> int:
    import synth

    from tracker.db import database_url
    from tracker.web import create_app

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--db", help="a PostgreSQL URL (emptied and filled); default: a cached SQLite file")
    ap.add_argument("--workdir", default="/tmp/kaiji-bench")
    ap.add_argument("--rebuild", action="store_true", help="fill the PostgreSQL database again even if it holds --size")
    ap.add_argument("--sqlite", help="an existing SQLite benchmark database to use (copied first: it is written to)")
    ap.add_argument("--clients", type=int, default=0, help="concurrent clients for --seconds (default: one, page by page)")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--only", metavar="WORD", help="only the pages whose name holds WORD (no campaign, no forms sent)")
    args = ap.parse_args(argv)
    if args.db:
        url = args.db
        if args.rebuild or not _count(url):   # built once; requests added since (bench/pg.py adds some) are kept
            synth.build(url, args.size, REF)
        _index_words(url)   # before the planner's statistics are gathered
        _analyze(url)
    elif args.sqlite:
        import shutil

        path = Path(args.workdir) / f"web-copy-{Path(args.sqlite).name}"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            shutil.copyfile(args.sqlite, path)
        url = database_url(str(path))
    else:
        path = Path(args.workdir) / f"web-{args.size}-g{synth.GENERATOR_VERSION}.sqlite3"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".building")
            tmp.unlink(missing_ok=True)
            synth.build(database_url(str(tmp)), args.size, REF)
            tmp.rename(path)
        url = database_url(str(path))
    _index_words(url)
    if args.clients:
        return _load(url, args.size, args.clients, args.seconds)
    app = create_app(url, REF, host="127.0.0.1", secret_key="bench")
    client = app.test_client()
    last = args.size
    pages = {
        "dashboard /": "/",
        "list, first page": "/requests",
        "list, page 1000": "/requests?page=1000",
        "list, sorted by receipt": "/requests?sort=received_on&order=asc",
        "list, sorted by status": "/requests?sort=status",
        "list, sorted by due, p. 300": "/requests?sort=decision_due&page=300",
        "list, by body and status": "/requests?body=maizuru&status=decided",
        "list, search, no match": "/requests?q=議事録",
        "list, search, many match": "/requests?q=交際費",
        "request page": f"/requests/{last}",
        "request page, old": "/requests/17",
        "event form": f"/requests/{last}/record/extend",
        "decision form": f"/requests/{last}/decide",
        "bodies": "/bodies",
        "統計 /stats": "/stats",
        "統計 chart, days taken": "/stats/days.svg",
        "統計 chart, decisions": "/stats/kinds.svg",
        "統計 chart, grounds": "/stats/grounds.svg",
        "統計, one body": "/stats?body=maizuru",
        "search, few hold the word": "/search?query=" + FEW,
        "search, many hold the word": "/search?query=" + MANY,
        "search, a two-character word": "/search?query=" + SHORT,
    }
    print(f"{args.size:,} requests, {args.runs} runs each, {app.extensions['kaiji.engine'].dialect.name}")
    print(f"{'page':<28} {'median':>8} {'p95':>8}")
    for name, path in pages.items():
        if args.only and args.only not in name:
            continue
        timed = [_timed(client.get, path) for _ in range(args.runs)]
        times = [ms for ms, _resp in timed]
        _report(name, times)
        if path.startswith("/stats"):   # figures (and charts) kept under stats.fingerprint: the first is computed
            print(f"{'  the first (computed)':<28} {times[0]:>6.1f}ms  ({len(timed[-1][1].get_data()):,} bytes)")
            if path == "/stats":        # the first view after a change: each run computes (a kept copy forgotten)
                first = []
                for _ in range(max(3, args.runs // 4)):
                    app.extensions["kaiji.stats"].clear()
                    first.append(_timed(client.get, path)[0])
                _report("  computed, each view", first)
                # The first view after a write (issue 14): a request logged and decided, then the page, which
                # shows the figures kept while the body written to is counted again in a thread (stats.Counted);
                # then how long until the new figures are kept, and the view that shows them. What was written
                # is deleted afterwards.
                client.get(path)
                after, ready, fresh = [], [], []
                try:
                    for i in range(max(3, args.runs // 4)):
                        _log_and_decide(app, i)
                        start = time.perf_counter()
                        after.append(_timed(client.get, path)[0])
                        app.extensions["kaiji.stats_recount"].join()
                        ready.append((time.perf_counter() - start) * 1000)
                        fresh.append(_timed(client.get, path)[0])
                finally:
                    _delete_beyond(url, args.size)
                _report("  after a write, each view", after)
                _report("  new figures kept after", ready)
                _report("  the next view", fresh)
    if args.only:
        return 0
    # 一斉請求: the synthetic database has none; one to CAMPAIGN_BODIES bodies is filed through the library for
    # the page, and removed afterwards with the requests it made.
    try:
        _campaign(app)
        _report(f"campaigns ({CAMPAIGN_BODIES} bodies)",
                [_timed(client.get, "/campaigns")[0] for _ in range(args.runs)])
    finally:
        _delete_beyond(url, args.size)
    # The forms' answers: each run logs a request, then records an event on it (a redirect each). What they
    # write is deleted afterwards, so that the database holds --size requests again.
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/requests/new").get_data(as_text=True))[1]
    added, recorded = [], []
    try:
        for i in range(args.runs):
            form = {"csrf": token, "body": "maizuru", "subject": f"ベンチマークの請求 {i}", "filed": "2025-06-20",
                    "received": "2025-06-23", "methods": "copy", "force": "1"}
            ms, resp = _timed(client.post, "/requests/new", data=form)
            added.append(ms)
            new_id = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])
            recorded.append(_timed(client.post, f"/requests/{new_id}/record/reference",
                                   data={"csrf": token, "on": "2025-06-24", "number": f"B{i}"})[0])
    finally:
        _delete_beyond(url, args.size)
    _report("request add (POST)", added)
    _report("event: reference (POST)", recorded)
    return 0


def _load_pages(size: int) -> dict[str, str]:
    """Issue 17's pages: the dashboard, the request list (filters, sorting, deep pages, the search box), the request
    page and the forms (their answers are timed separately)."""
    return {
        "dashboard /": "/",
        "list, first page": "/requests",
        "list, deep page": f"/requests?page={size // 100}",
        "list, sorted by due, deep": f"/requests?sort=decision_due&page={size // 300}",
        "list, sorted by receipt": "/requests?sort=received_on&order=asc",
        "list, by body and status": "/requests?body=maizuru&status=decided",
        "list, by requester": "/requests?requester=井上",
        "list, search box": "/requests?q=交際費",
        "request page": f"/requests/{size}",
        "request page, old": "/requests/17",
        "event form": f"/requests/{size}/record/extend",
        "decision form": f"/requests/{size}/decide",
    }


def _client(url: str, size: int, number: int, start_at: float, seconds: float) -> list[tuple[str, float]]:
    """One client's run: every page once to warm up, then page after page (starting at a different one per client)
    until start_at + seconds, a request logged and an event recorded on it every round; (page, ms) of each."""
    from tracker.web import create_app

    app = create_app(url, REF, host="127.0.0.1", secret_key="bench")
    client = app.test_client()
    pages = list(_load_pages(size).items())
    for _, path in pages:
        _timed(client.get, path)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/requests/new").get_data(as_text=True))[1]
    out: list[tuple[str, float]] = []
    i = number
    time.sleep(max(0.0, start_at - time.time()))
    while time.time() < start_at + seconds:
        name, path = pages[i % len(pages)]
        out.append((name, _timed(client.get, path)[0]))
        if i % len(pages) == len(pages) - 1:
            form = {"csrf": token, "body": "maizuru", "subject": f"ベンチマークの請求 {number}-{i}",
                    "filed": "2025-06-20", "received": "2025-06-23", "methods": "copy", "force": "1"}
            ms, resp = _timed(client.post, "/requests/new", data=form)
            out.append(("request add (POST)", ms))
            new_id = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])
            out.append(("event: reference (POST)", _timed(client.post, f"/requests/{new_id}/record/reference",
                                                         data={"csrf": token, "on": "2025-06-24",
                                                               "number": f"B{number}-{i}"})[0]))
        i += 1
    return out


def _load(url: str, size: int, clients: int, seconds: float) -> int:
    """--clients: that many processes at once for seconds; each page's median and 95th percentile over all."""
    import multiprocessing

    start_at = time.time() + 5 + clients    # every client's app made and its pages warmed first
    try:
        with multiprocessing.get_context("spawn").Pool(clients) as pool:
            runs = pool.starmap(_client, [(url, size, n, start_at, seconds) for n in range(clients)])
    finally:
        _delete_beyond(url, size)
    from sqlalchemy import create_engine

    dialect = create_engine(url).dialect.name
    by: dict[str, list[float]] = {}
    for run in runs:
        for name, ms in run:
            by.setdefault(name, []).append(ms)
    print(f"{size:,} requests, {clients} clients at once for {seconds:g} s, {dialect}; "
          f"{sum(map(len, by.values())):,} answers")
    print(f"{'page':<28} {'answers':>8} {'median':>8} {'p95':>8}")
    for name in [*_load_pages(size), "request add (POST)", "event: reference (POST)"]:
        if name in by:
            _report(name, by[name], count=len(by[name]))
    return 0


def _index_words(url: str) -> None:
    """Fill the search index (search.rebuild, as migration 0006 does) when it is empty: bench/synth.py writes the
    records with bulk inserts, not through the library that keeps the index, and the search box and the search
    page would otherwise be timed over no rows at all."""
    from sqlalchemy import func, select

    from tracker import db as dbm
    from tracker import schema, search

    engine = dbm.open_database(url)   # kaiji's engine: on SQLite it registers what the index's triggers call
    with engine.begin() as conn:
        if conn.scalar(select(func.count()).select_from(schema.search_entries)) == 0:
            start = time.perf_counter()
            rows = search.rebuild(conn)
            print(f"search index filled: {rows:,} rows in {time.perf_counter() - start:.0f} s")
    engine.dispose()


def _campaign(app) -> None:
    from sqlalchemy import select

    from tracker import campaigns, db
    from tracker.models import Body

    with db.transaction(app.extensions["kaiji.engine"]) as s:
        keys = s.scalars(select(Body.key).order_by(Body.id).limit(CAMPAIGN_BODIES)).all()
        campaigns.add_campaign(s, name="bench-campaign", subject="市長交際費の支出に関する支出命令書", bodies=keys,
                               filed=REF)


def _timed(call, path: str, **kw):
    """(ms, response) of one request; a form sent must be accepted (a redirect)."""
    start = time.perf_counter()
    resp = call(path, **kw)
    ms = (time.perf_counter() - start) * 1000
    assert resp.status_code in (200, 302, 400), (path, resp.status_code)
    assert kw.get("data") is None or resp.status_code == 302, (path, resp.get_data(as_text=True)[:2000])
    return ms, resp


def _report(name: str, times: list[float], count: int | None = None) -> None:
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    answers = f" {count:>8}" if count is not None else ""
    print(f"{name:<28}{answers} {statistics.median(times):>6.1f}ms {p95:>6.1f}ms")


def _log_and_decide(app, i: int) -> None:
    """A write as a member makes one: a request logged and its decision recorded, in one transaction."""
    from tracker import db, service

    with db.transaction(app.extensions["kaiji.engine"]) as s:
        rid = service.add_request(s, body="maizuru", subject=f"ベンチマークの請求 {i}", received=REF, force=True).id
        service.decide(s, rid, kind="full", on=REF)


def _delete_beyond(url: str, size: int) -> None:
    """Remove the requests the benchmark's forms added (numbers above size) with every row that refers to them
    (their events, their words in the search index, …)."""
    from sqlalchemy import text

    from tracker.db import make_engine
    from tracker.schema import metadata

    engine = make_engine(url)   # kaiji's connection: the search index's triggers call its kaiji_grams()
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if "request_id" in table.c:
                conn.execute(text(f"DELETE FROM {table.name} WHERE request_id > :n"), {"n": size})
        conn.execute(text("DELETE FROM requests WHERE id > :n"), {"n": size})
        conn.execute(text("DELETE FROM campaigns"))   # the synthetic database has none but the benchmark's
    engine.dispose()


def _count(url: str) -> int | None:
    """How many requests the PostgreSQL database holds (None if it holds no kaiji tables yet)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM requests")).scalar()
    except Exception:
        return None
    finally:
        engine.dispose()


def _analyze(url: str) -> None:
    """The planner's statistics after a bulk fill, and the visibility map, as autovacuum would gather them
    on a server in use."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))  # and the visibility map, which lets a count read only an index
    engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
