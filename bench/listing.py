"""Time the long listings and exports (issue 17) as a user runs them, against their floor and, optionally, the
same commands of another kaiji checkout (main's), interleaved in one run; and check that both write the same
bytes.

    python bench/listing.py --db /tmp/kaiji-bench/kaiji-100000-g4.sqlite3 --base /path/to/main --check
    python bench/listing.py --db postgresql+psycopg://postgres@127.0.0.1:5432/bench --runs 3

The floor is what listing the requests costs without kaiji: Python's sqlite3 (or psycopg) reading the same
select and orjson (if installed; json otherwise) writing the same JSON, `--floor URL`: its output is
compared with `kaiji request list --json`'s. Commands run through bench/bench.py's spawner (peak RSS of
each process); a file they write goes to --workdir. A benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

# The floor's select: request_dict's fields (tracker/service.py LISTED), in its order.
FLOOR_SQL = ("SELECT r.id, b.key, b.name, r.subject, r.status, p.name, r.methods, r.mail, r.reason, r.reference, "
             "r.filed_on, r.received_on, r.decision_due, r.decided_on, r.notified_on, r.appeal_due, r.disclosure_on, "
             "r.rest_due, r.fee_unpaid, r.lawsuit_due, r.flags, r.voided FROM requests r JOIN bodies b ON "
             "b.id = r.body_id LEFT JOIN requesters p ON p.id = r.requester_id WHERE NOT r.voided ORDER BY r.id")
FLOOR_KEYS = ("id", "body", "body_name", "subject", "status", "requester", "methods", "mail", "reason", "reference",
              "filed_on", "received_on", "decision_due", "decided_on", "notified_on", "appeal_due", "disclosure_on",
              "rest_due", "fee_unpaid", "lawsuit_due", "flags", "voided")


def floor(url: str) -> None:
    """`kaiji request list --json` without kaiji: the driver and orjson (json if orjson is missing)."""
    if url.startswith("postgresql"):
        import psycopg

        conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        cur = conn.cursor(name="floor")
        cur.itersize = 2000
    else:
        import sqlite3

        conn = sqlite3.connect(f"file:{url.removeprefix('sqlite:///')}?mode=ro", uri=True)
        cur = conn.cursor()
    cur.execute(FLOOR_SQL)
    rows = []
    for v in cur:
        rec = dict(zip(FLOOR_KEYS, v))
        rec["methods"] = rec["methods"].split(",")
        rec["flags"] = rec["flags"].split(",") if rec["flags"] else []
        rec["mail"], rec["voided"] = bool(rec["mail"]), bool(rec["voided"])
        for k in FLOOR_KEYS[10:20]:
            if k != "fee_unpaid" and rec[k] is not None:
                rec[k] = str(rec[k])
        rows.append(rec)
    try:
        import orjson

        sys.stdout.buffer.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2) + b"\n")
    except ImportError:
        import json

        sys.stdout.buffer.write((json.dumps(rows, ensure_ascii=False, indent=2) + "\n").encode())


def commands(kaiji: list[str], url: str, out: Path) -> list[tuple[str, list[str]]]:
    """What is timed: (label, argv); files go under out."""
    base = kaiji + ["--db", url]
    return [
        ("request list --json", base + ["request", "list", "--json"]),
        ("request list --format csv", base + ["request", "list", "--format", "csv"]),
        ("request list (table, to a file)", base + ["request", "list"]),
        ("export requests (csv)", base + ["export", "requests", "-o", str(out / "r.csv"), "--force"]),
        ("export requests --format json", base + ["export", "requests", "--format", "json", "-o", str(out / "r.json"),
                                                  "--force"]),
        ("export requests --format xlsx", base + ["export", "requests", "--format", "xlsx", "-o", str(out / "r.xlsx"),
                                                  "--force"]),
        ("export deadlines (csv)", base + ["export", "deadlines", "-o", str(out / "d.csv"), "--force"]),
        ("export decisions (csv)", base + ["export", "decisions", "-o", str(out / "c.csv"), "--force"]),
        ("calendar --all", base + ["calendar", "--all", "-o", str(out / "k.ics"), "--force"]),  # every date
    ]


def kaiji_of(checkout: Path | None) -> list[str]:
    """kaiji as a command: this environment's, or the modules of another checkout (its tracker/) run with it."""
    if checkout is None:
        from bench import kaiji_argv

        return kaiji_argv()
    code = f"import sys; sys.path.insert(0, {str(checkout)!r}); from tracker.cli import main; main()"
    return [sys.executable, "-c", code]


def check(kaiji: list[str], base: list[str], url: str, work: Path, only: set[str]) -> None:
    """Each command's output (standard output or its file) by both, compared byte for byte."""
    for (label, argv), (_l, old) in zip(commands(kaiji, url, work / "new"), commands(base, url, work / "old")):
        if only and label not in only:
            continue
        outs = []
        for which, args in (("new", argv), ("old", old)):
            (work / which).mkdir(parents=True, exist_ok=True)
            with open(work / which / "stdout", "wb") as f:
                subprocess.run(args, stdout=f, check=True, env={**os.environ, "COLUMNS": ""})
            target = next((Path(a) for a in args if a.startswith(str(work))), work / which / "stdout")
            outs.append(target)
        same = filecmp.cmp(*outs, shallow=False)
        print(f"  {label:<34} {'same bytes' if same else 'DIFFERENT'} ({outs[0].stat().st_size:,} bytes)", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="a SQLite file (not written to) or a PostgreSQL URL")
    ap.add_argument("--base", type=Path, help="another kaiji checkout (main) to time and compare with")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", default="", help="labels to run, separated by commas (default: all)")
    ap.add_argument("--check", action="store_true", help="compare the outputs with --base's before timing")
    ap.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "kaiji-bench-listing"))
    ap.add_argument("--floor", metavar="URL", help=argparse.SUPPRESS)  # the floor itself, run as a command
    args = ap.parse_args(argv)
    if args.floor:
        floor(args.floor)
        return 0
    from bench import Sample, measure, run_once

    url = args.db if "://" in args.db else f"sqlite:///{Path(args.db).resolve()}"
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    kaiji = kaiji_of(None)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAIJI_")}
    run_once([sys.executable, "-c", "pass"], env, work)  # start the spawner while this process is small
    # The floor writes what `request list --json` writes: checked once.
    with open(work / "floor.json", "wb") as f:
        subprocess.run([sys.executable, __file__, "--floor", url], stdout=f, check=True)
    with open(work / "list.json", "wb") as f:
        subprocess.run(kaiji + ["--db", url, "request", "list", "--json"], stdout=f, check=True)
    print("floor's output is `request list --json`'s, byte for byte:",
          filecmp.cmp(work / "floor.json", work / "list.json", shallow=False), flush=True)
    if args.check and args.base:
        check(kaiji, kaiji_of(args.base), url, work, only)
    samples = [Sample('python -c "import sqlalchemy.orm"', [sys.executable, "-c", "import sqlalchemy.orm"]),
               Sample("floor: driver + orjson, the list's JSON", [sys.executable, __file__, "--floor", url])]
    for label, argv_ in commands(kaiji, url, work / "new"):
        if not only or label in only:
            samples.append(Sample(label, argv_))
            if args.base:
                samples.append(Sample("main: " + label, commands(kaiji_of(args.base), url, work / "old")[
                    [lab for lab, _a in commands(kaiji, url, work)].index(label)][1]))
    for d in ("new", "old"):
        (work / d).mkdir(parents=True, exist_ok=True)
    measure(samples, args.runs, env, work, slow_runs=args.runs)
    fl = next(s for s in samples if s.label.startswith("floor") and s.times)
    # CPU time too: on a busy machine the wall time mostly says how long the process waited for a core.
    print("\n| command | median | × floor | CPU | × floor's CPU | peak RSS | runs |\n|---|---:|---:|---:|---:|---:|---:|")
    for s in samples:
        if s.times:
            print(f"| `{s.label}` | {s.median:.2f} s | {s.median / fl.median:.1f} | {s.cpu_median:.2f} s | "
                  f"{s.cpu_median / fl.cpu_median:.1f} | {s.max_rss_mb():.0f} MB | {len(s.times)} |")
        elif s.failed:
            print(f"| `{s.label}` | failed: {s.failed} | | | | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
