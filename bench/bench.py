"""Time kaiji's commands as a user runs them, on synthetic databases of 1,000 to 100,000 requests.

A benchmark, not a test: it prints figures and writes them to docs/benchmarks.md. Each command
runs as a subprocess (`kaiji --db FILE …`), several times, interleaved round-robin with the floors
(`python -c pass`, `python -c "import sqlalchemy.orm"`) so that a slow moment of the machine hits
every row alike. Reported: median wall time, min–max, interquartile range, peak RSS of the process.

    python bench/bench.py                      # 1k, 10k and 100k requests (the 100k build is cached)
    python bench/bench.py --sizes 1000 --runs 5 --no-write

Needs only what `pip install -e '.[test]'` installs (pypdf checks the PDFs) and the standard library.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

BEGIN, END = "<!-- bench:begin (written by bench/bench.py; edit outside these markers) -->", "<!-- bench:end -->"
MB = 1024 * 1024

# Targets from issue 5, in milliseconds and megabytes.
STARTUP_MAX_MS, STARTUP_OVER_PASS_MS = 150, 100
OVER_SQLA_MS = 150
LIST_RSS_MB = 150
PDF_BATCH_S, PDF_MAX_KB = 20, 100


# ---------------------------------------------------------------- running one command

@dataclass
class Sample:
    """The runs of one command: wall times (s) and peak RSS (bytes) of each."""

    label: str
    argv: list[str]
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    failed: str | None = None
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    def quartiles(self) -> tuple[float, float]:
        if len(self.times) < 4:
            return min(self.times), max(self.times)
        q = statistics.quantiles(self.times, n=4, method="inclusive")
        return q[0], q[2]

    def max_rss_mb(self) -> float:
        return max(self.rss) / MB if self.rss else float("nan")

    def as_dict(self) -> dict:
        return {"label": self.label, "argv": self.argv, "times": self.times, "cpu": self.cpu, "rss": self.rss, "failed": self.failed,
                "note": self.note}


class Spawner:
    """Starts commands through bench/spawn.py, a small process, so that each one's peak RSS is its own."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-S", "-E", str(HERE / "spawn.py")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.err = Path(tempfile.mkstemp(prefix="kaiji-bench-", suffix=".stderr")[1])

    def run(self, argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int, int, str]:
        """Run argv to the end; return wall and CPU seconds, peak RSS in bytes, exit code and the end of stderr."""
        self.proc.stdin.write(json.dumps({"argv": argv, "env": env, "cwd": str(cwd), "stderr": str(self.err)}) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        return answer["seconds"], answer["cpu"], answer["rss"], answer["code"], answer["stderr"]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()
        self.err.unlink(missing_ok=True)


SPAWNER: Spawner | None = None


def run_once(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int, int, str]:
    global SPAWNER
    if SPAWNER is None:
        SPAWNER = Spawner()
    return SPAWNER.run(argv, env, cwd)


def measure(samples: list[Sample], runs: int, env: dict[str, str], cwd: Path, slow_runs: int,
            slow_after: float = 3.0, before=None) -> None:
    """One warm-up run of each, then `runs` rounds round-robin (`slow_runs` for commands over slow_after s,
    one for commands over ten times that: a command of minutes, at 1,000,000 requests)."""
    live = []
    for s in samples:
        if before:
            before(s)
        elapsed, cpu, rss, code, tail = run_once(s.argv, env, cwd)
        if code != 0:
            s.failed = f"exit {code}: {tail.strip().splitlines()[-1] if tail.strip() else ''}"
            print(f"  {s.label}: FAILED ({s.failed})", flush=True)
            continue
        if elapsed >= 10 * slow_after:
            # A command of minutes (the calendar or the workbook at 1,000,000 requests): what a warm-up would
            # warm is a small part of it, so its warm-up is its one run.
            s.times.append(elapsed)
            s.cpu.append(cpu)
            s.rss.append(rss)
            s.note = "its warm-up run is its one run"
            continue
        live.append((s, runs if elapsed < slow_after else slow_runs))
    for i in range(max((n for _, n in live), default=0)):
        for s, n in live:
            if i >= n or s.failed:
                continue
            if before:
                before(s)
            elapsed, cpu, rss, code, tail = run_once(s.argv, env, cwd)
            if code != 0:
                s.failed = f"exit {code}: {tail.strip().splitlines()[-1] if tail.strip() else ''}"
                continue
            s.times.append(elapsed)
            s.cpu.append(cpu)
            s.rss.append(rss)
    for s, _ in live:
        if s.times:
            print(f"  {s.label:<44} {fmt_ms(s.median):>9}  {s.max_rss_mb():>6.0f} MB  ({len(s.times)} runs)", flush=True)


def fmt_ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    ms = seconds * 1000
    return f"{ms:,.0f} ms" if ms < 10_000 else f"{seconds:,.1f} s"


# ---------------------------------------------------------------- what exists in this kaiji

def kaiji_argv() -> list[str]:
    script = Path(sys.executable).parent / "kaiji"
    if script.exists():
        return [str(script)]
    found = shutil.which("kaiji")
    return [found] if found else [sys.executable, "-c", "from tracker.cli import main; main()"]


def byte_compile(env: dict[str, str]) -> None:
    """Compile kaiji's modules to .pyc, as `pip install` does, in the environment the commands run in.

    An editable install run with PYTHONDONTWRITEBYTECODE=1 (set on the machines this project is
    developed on) would otherwise compile every module of kaiji from source on every run, some
    35 ms that no installed kaiji spends.
    """
    code = "import compileall, pathlib, tracker; compileall.compile_dir(pathlib.Path(tracker.__file__).parent, quiet=1)"
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def available(kaiji: list[str], *words: str, env) -> str | None:
    """The help text of `kaiji WORDS --help`, or None if this kaiji has no such command."""
    proc = subprocess.run(kaiji + list(words) + ["--help"], capture_output=True, text=True, env=env, check=False)
    return proc.stdout if proc.returncode == 0 else None


def startup_imports(env) -> dict[str, list[str]]:
    """Which heavy packages `kaiji --help` and `kaiji --version` import (they should import none)."""
    code = ("import sys\nsys.argv = ['kaiji', {arg!r}]\nfrom tracker.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "heavy = sorted({{m.split('.')[0] for m in sys.modules}} & {{'sqlalchemy', 'reportlab', 'alembic', "
            "'psycopg', 'jpholiday'}})\nsys.stderr.write('HEAVY=' + ','.join(heavy))")
    out = {}
    for arg in ("--help", "--version"):
        proc = subprocess.run([sys.executable, "-c", code.format(arg=arg)], capture_output=True, text=True, env=env,
                              check=False)
        line = next((x for x in proc.stderr.splitlines() if x.startswith("HEAVY=")), "HEAVY=?")
        out[arg] = [m for m in line[6:].split(",") if m]
    return out


# ---------------------------------------------------------------- databases

def cached_database(workdir: Path, n: int, ref: date, rebuild: bool) -> tuple[Path, dict]:
    """The synthetic database of n requests, built once and kept under workdir."""
    import synth

    path = workdir / f"kaiji-{n}-g{synth.GENERATOR_VERSION}.sqlite3"
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists() and not rebuild:
        meta = json.loads(meta_path.read_text())
        if meta.get("schema") == _schema_head():
            return path, meta
    for p in (path, meta_path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    print(f"building a database of {n:,} requests in {path} …", flush=True)
    start = time.perf_counter()
    tmp = path.with_name(path.name + ".building")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    meta = synth.build(f"sqlite:///{tmp}", n, ref,
                       progress=lambda done, total: print(f"  {done:,}/{total:,} requests "
                                                          f"({time.perf_counter() - start:.0f} s)", flush=True))
    bad = synth.verify(f"sqlite:///{tmp}")
    if bad:
        raise SystemExit(f"{bad} sampled requests have stored dates that differ from timeline.compute; "
                         "the generator or kaiji has a bug.")
    meta["build_seconds"] = round(time.perf_counter() - start, 1)
    meta["schema"] = _schema_head()
    tmp.rename(path)
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1))
    print(f"  built in {meta['build_seconds']} s; {meta['events']:,} events; verified a sample against "
          "timeline.compute", flush=True)
    return path, meta


def _schema_head() -> str:
    from tracker.db import HEAD

    return HEAD


def fresh_copy(cache: Path, dest: Path) -> Path:
    """A copy to run commands on, so that `request add` does not change the cached database."""
    for p in (dest, Path(f"{dest}-wal"), Path(f"{dest}-shm")):
        p.unlink(missing_ok=True)
    shutil.copyfile(cache, dest)
    os.chmod(dest, 0o600)
    return dest


def import_csv(workdir: Path, meta: dict, rows: int) -> Path:
    """A CSV for `kaiji request import`, in the columns its help names (body, subject, received, …)."""
    path = workdir / f"import-{rows}.csv"
    ref = meta["ref"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["body", "subject", "filed", "received", "requester", "method", "mail", "reason", "reference",
                    "department"])
        for i in range(rows):
            w.writerow(["maizuru", f"令和6年度における人事課のカスタマーハラスメントに関する職員アンケートの調査結果及び集計表（一括登録 {i}）",
                        ref, ref, meta["requester"], "copy", "yes" if i % 3 == 0 else "no",
                        "市民の税金がどのように使われているかを確認し、行政運営の透明性を高めるため。",
                        f"R8情第{i + 1}号", "人事課"])
    return path


# ---------------------------------------------------------------- PDFs

def check_pdfs(files: list[Path]) -> dict:
    """Sizes of the PDFs, and whether each embeds its fonts as subsets (pypdf, from the test extras)."""
    sizes = [f.stat().st_size for f in files]
    out = {"count": len(files), "max_kb": max(sizes) / 1024 if sizes else None,
           "median_kb": statistics.median(sizes) / 1024 if sizes else None, "subset": None, "fonts": []}
    try:
        from pypdf import PdfReader
    except ImportError:
        out["subset"] = "pypdf not installed: not checked"
        return out
    ok = True
    fonts: set[str] = set()
    for f in files[:50] + files[-50:]:
        for page in PdfReader(f).pages:
            for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values():
                font = font.get_object()
                name = str(font.get("/BaseFont", ""))
                fonts.add(name)
                desc = font.get("/FontDescriptor")
                if desc is None and "/DescendantFonts" in font:
                    desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
                desc = desc.get_object() if desc is not None else None
                embedded = desc is not None and any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                subset = len(name) > 8 and name[7] == "+" and name[1:7].isupper()
                if not (embedded and subset):
                    ok = False
    out["subset"] = ok
    out["fonts"] = sorted(fonts)
    return out


# ---------------------------------------------------------------- the run

def machine() -> dict[str, str]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    import sqlalchemy

    from tracker import __version__

    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        commit = commit + (" + uncommitted changes" if dirty else "") if commit else "?"
    except OSError:
        commit = "?"
    return {"cpu": cpu, "cores": str(os.cpu_count()), "memory": mem, "os": platform.platform(),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "sqlalchemy": sqlalchemy.__version__,
            "kaiji": __version__, "commit": commit, "date": datetime.now().strftime("%Y-%m-%d %H:%M")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated request counts (default: %(default)s)")
    ap.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "kaiji-bench"),
                    help="where built databases are cached and commands write (default: %(default)s)")
    ap.add_argument("--runs", type=int, default=15, help="timed runs of each command (default: %(default)s)")
    ap.add_argument("--slow-runs", type=int, default=3,
                    help="timed runs of a command whose warm-up took over 3 s (default: %(default)s)")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the cached databases")
    ap.add_argument("--build-only", action="store_true",
                    help="build (or find) the databases of --sizes, print how long each build took, and stop")
    ap.add_argument("--ref", type=date.fromisoformat,
                    help="the day a database is built for (YYYY-MM-DD; default: today); commands judge as of it")
    ap.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"), help="the Markdown file to update")
    ap.add_argument("--no-write", action="store_true", help="print the table only")
    ap.add_argument("--json", dest="json_out", help="also write the raw figures to this JSON file")
    ap.add_argument("--render", metavar="RUN.json",
                    help="write the table from a run saved with --json, without measuring again")
    ap.add_argument("--compare", nargs=2, metavar=("BEFORE.json", "AFTER.json"),
                    help="print a before/after table of two runs' --json files, and run nothing")
    ap.add_argument("--all-batches", action="store_true",
                    help="time the 1,000-PDF command at every size, not only the largest")
    args = ap.parse_args(argv)
    if args.render:
        saved = json.loads(Path(args.render).read_text())
        saved["groups"] = [(title, [Sample(**x) for x in samples]) for title, samples in saved["groups"]]
        for key in ("sizes", "pdf"):   # JSON made their int keys strings
            saved[key] = {int(k): v for k, v in saved.get(key, {}).items()}
        text = render(saved, sorted(saved["sizes"]))
        print(text)
        if not args.no_write:
            write(Path(args.out), text)
            print(f"\nwritten to {args.out}")
        return 0
    if args.compare:
        print(compare(*(json.loads(Path(p).read_text()) for p in args.compare)))
        return 0
    run_once([sys.executable, "-c", "pass"], dict(os.environ), HERE)  # start the spawner while this process is small

    sizes = [int(x.replace("_", "")) for x in args.sizes.split(",") if x.strip()]
    workdir = Path(args.workdir).expanduser().resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    if args.build_only:
        for n in sizes:
            path, meta = cached_database(workdir, n, args.ref or date.today(), args.rebuild)
            print(f"{path}: {n:,} requests, {meta['events']:,} events, built in {meta['build_seconds']} s "
                  f"(schema {meta['schema']}, for {meta['ref']})", flush=True)
        return 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAIJI_")}
    env["PYTHONUNBUFFERED"] = "0"
    kaiji = kaiji_argv()
    byte_compile(env)
    py = sys.executable
    floors = lambda: [Sample("python -c pass", [py, "-c", "pass"]),  # noqa: E731
                      Sample('python -c "import sqlalchemy.orm"', [py, "-c", "import sqlalchemy.orm"])]
    ref = args.ref or date.today()
    started = time.perf_counter()

    # What this kaiji has: PDFs and the bulk import are built in parallel and may not be there yet.
    pdf_help = available(kaiji, "pdf", "request", env=env)
    import_help = available(kaiji, "request", "import", env=env)
    stats_help = available(kaiji, "stats", env=env)
    missing = []
    if pdf_help is None:
        missing.append("`kaiji pdf request` (one PDF, and 1,000 PDFs in one command)")
    if import_help is None:
        missing.append("`kaiji request import` (bulk import)")
    for m in missing:
        print(f"not available in this kaiji, not measured: {m}")

    report: dict = {"machine": machine(), "groups": [], "missing": missing, "sizes": {}, "pdf": {}}
    print(f"machine: {report['machine']['cpu']}, {report['machine']['cores']} cores, Python "
          f"{report['machine']['python']}, SQLite {report['machine']['sqlite']}", flush=True)

    # Start-up: no database is opened.
    print("\nstart-up", flush=True)
    group = floors() + [Sample("kaiji --help", kaiji + ["--help"]), Sample("kaiji --version", kaiji + ["--version"])]
    measure(group, args.runs, env, workdir, args.slow_runs)
    report["groups"].append(("start-up (no database)", group))
    report["startup_imports"] = startup_imports(env)

    for n in sizes:
        cache, meta = cached_database(workdir, n, ref, args.rebuild)
        if meta["ref"] != ref.isoformat():
            print(f"  (the cached database was built for {meta['ref']}; commands judge as of that day with --as-of)")
        db = fresh_copy(cache, workdir / f"run-{n}.sqlite3")
        report["sizes"][n] = meta
        as_of = meta["ref"]
        base = kaiji + ["--db", str(db)]
        print(f"\n{n:,} requests ({meta['open']:,} open, {meta['overdue']:,} overdue, {meta['events']:,} events)",
              flush=True)
        group = floors() + [
            Sample("kaiji overdue", base + ["overdue", "--as-of", as_of]),
            Sample("kaiji due", base + ["due", "--as-of", as_of]),
            # The table shows the first 100 lines by default (and how many more there are): every line as well.
            Sample("kaiji overdue --all", base + ["overdue", "--as-of", as_of, "--all"]),
            Sample("kaiji due --all", base + ["due", "--as-of", as_of, "--all"]),
            Sample("kaiji request list --json", base + ["request", "list", "--json"]),
            Sample("kaiji request show ID", base + ["request", "show", str(meta["show_id"])]),
            Sample("kaiji request add", base + [
                "request", "add", "--body", "maizuru", "--received", as_of, "--requester", meta["requester"],
                "--subject", "令和6年度における人事課のカスタマーハラスメントに関する職員アンケートの調査票、集計表及び"
                             "分析結果報告書（自由記述欄を含む）", "--method", "copy", "--mail",
                "--department", "人事課", "--reason", "職員の労働環境の改善に向けた取組の実効性を確認するため。",
                "--force"]),  # run many times on one copy: the same request again each time
        ]
        if stats_help is not None:  # every request read, and the rule's days counted (one count per rule)
            group.append(Sample("kaiji stats", base + ["stats"]))
        # Issue 17: explain, and the exports every request goes through (to standard output, or a file for xlsx).
        group += [
            Sample("kaiji explain ID", base + ["explain", str(meta["show_id"])]),
            Sample("kaiji export requests (CSV)", base + ["export", "requests"]),
            Sample("kaiji export requests --format json", base + ["export", "requests", "--format", "json"]),
            Sample("kaiji export requests --format xlsx", base + ["export", "requests", "--format", "xlsx", "-o",
                                                                  str(workdir / f"export-{n}.xlsx"), "--force"]),
            # The calendar as it runs by default on the day the database is built for: the dates from 30 days
            # before it on (the command takes its today from the clock: --since gives the same first day).
            Sample("kaiji calendar", base + ["calendar", "--since", (date.fromisoformat(as_of) - timedelta(
                days=30)).isoformat()]),
        ]
        if n < 1_000_000:   # every date (some three minutes a run at 1,000,000 requests: left out there)
            group.append(Sample("kaiji calendar --all", base + ["calendar", "--all"]))
        pdf_dir = workdir / f"pdf-{n}"
        if pdf_help is not None:
            one = pdf_dir / "one" / "request.pdf"
            group.append(Sample("kaiji pdf request ID", base + ["pdf", "request", str(meta["show_id"]), "-o", str(one)]))
            ids = [str(i) for i in range(max(1, meta["requests"] - 999), meta["requests"] + 1)]  # the latest 1,000
            batch = pdf_batch_argv(pdf_help, pdf_dir / "batch")
            if n != max(sizes) and not args.all_batches:
                pass  # 20 to 40 s a run: at the largest size only (its time hardly depends on the database's size)
            elif batch is not None:
                group.append(Sample(f"kaiji pdf request ({len(ids):,} ids, one PDF each)",
                                    base + ["pdf", "request", *ids, *batch]))
            else:
                group.append(Sample(f"kaiji pdf request ({len(ids):,} ids, one file)",
                                    base + ["pdf", "request", *ids, "-o", str(pdf_dir / "batch" / "all.pdf")]))
        import_db = workdir / f"import-{n}.sqlite3"
        if import_help is not None:
            # Each run imports into a fresh copy, so the other commands' database does not grow by 1,000 a run.
            csv_path = import_csv(workdir, meta, 1000)
            group.append(Sample("kaiji request import (1,000 rows)",
                                kaiji + ["--db", str(import_db), "request", "import", str(csv_path)]))

        def before(s: Sample, pdf_dir=pdf_dir, cache=cache, import_db=import_db) -> None:
            if s.label.startswith("kaiji pdf"):  # each PDF command writes into a folder of its own, emptied first
                out = pdf_dir / ("one" if s.label == "kaiji pdf request ID" else "batch")
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir(parents=True)
            elif s.label.startswith("kaiji request import"):
                fresh_copy(cache, import_db)
        measure(group, args.runs, env, workdir, args.slow_runs, before=before)
        report["groups"].append((f"{n:,} requests", group))
        if pdf_help is not None:
            files = sorted((pdf_dir / "batch").glob("*.pdf"))
            one = pdf_dir / "one" / "request.pdf"
            report["pdf"][n] = check_pdfs(files) if files else {"count": 0}
            if one.exists():
                report["pdf"][n]["one_kb"] = one.stat().st_size / 1024
        for p in (db, import_db):
            for q in (p, Path(f"{p}-wal"), Path(f"{p}-shm")):
                q.unlink(missing_ok=True)

    report["seconds"] = round(time.perf_counter() - started)
    if SPAWNER is not None:
        SPAWNER.close()
    text = render(report, sizes)
    print("\n" + text)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(
            {**report, "groups": [(g, [s.as_dict() for s in ss]) for g, ss in report["groups"]]},
            ensure_ascii=False, indent=1, default=str))
    if not args.no_write:
        write(Path(args.out), text)
        print(f"\nwritten to {args.out}")
    return 0


def pdf_batch_argv(help_text: str, out_dir: Path) -> list[str] | None:
    """The options for one PDF per request into a folder, read off `kaiji pdf request --help`."""
    for opt in ("--each", "--one-per-request", "--split", "--per-request", "--separate"):
        if opt in help_text:
            return [opt, "-o", str(out_dir)]
    for opt in ("--out-dir", "--output-dir", "--dir", "-d"):
        if opt in help_text:
            return [opt, str(out_dir)]
    return None


# ---------------------------------------------------------------- the report

def render(report: dict, sizes: list[int]) -> str:
    m = report["machine"]
    lines = [f"Run of {m['date']} on {m['cpu']}, {m['cores']} cores, {m['memory']} memory; {m['os']}; Python "
             f"{m['python']}, SQLite {m['sqlite']}, SQLAlchemy {m['sqlalchemy']}; kaiji {m['kaiji']} at "
             f"{m['commit']}. Whole run: {report['seconds'] // 60} min {report['seconds'] % 60} s.", ""]
    if report["missing"]:
        lines += ["Not available in this kaiji, so not measured: " + "; ".join(report["missing"]) + ".", ""]
    lines += ["Each command ran as a subprocess (`kaiji --db FILE …`, output to /dev/null, kaiji's modules "
              "byte-compiled first as `pip install` leaves them) after one warm-up run, "
              "interleaved with the floors; median, min–max and interquartile range of the wall time, and the "
              "largest peak RSS over the runs. “+floor” is the median minus the median of "
              "`python -c \"import sqlalchemy.orm\"` in the same group (minus `python -c pass` for start-up). "
              "CPU is the median user + system time of the process (on a shared machine it moves with the wall "
              "time: the processes are slowed, not kept waiting); the targets are judged on wall time.", ""]
    for title, group in report["groups"]:
        floor_pass = next((s for s in group if s.label == "python -c pass" and s.times), None)
        floor_sqla = next((s for s in group if s.label.startswith('python -c "import') and s.times), None)
        lines += [f"### {title}", ""]
        if title.endswith("requests"):
            n = int(title.split()[0].replace(",", ""))
            meta = report["sizes"][n]
            lines += [f"{meta['requests']:,} requests ({meta['open']:,} open, {meta['overdue']:,} overdue; "
                      f"`due` lists {meta['due']:,} items), {meta['events']:,} events, {meta['decisions']:,} decisions, "
                      f"{meta['withheld_parts']:,} withheld parts, {meta['requesters']:,} requesters, "
                      f"{meta['bodies']} bodies in {meta['jurisdictions']} jurisdictions.", ""]
        lines += ["| command | median | min–max | IQR | +floor | CPU (+floor) | peak RSS | runs |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for s in group:
            if s.failed:
                lines.append(f"| `{s.label}` | failed: {s.failed} | | | | | | |")
                continue
            if not s.times:
                continue
            base = floor_pass if title.startswith("start-up") else floor_sqla
            plus = "" if s.label.startswith("python") or base is None else \
                f"{(s.median - base.median) * 1000:+,.0f} ms"
            cpu = fmt_ms(s.cpu_median) + ("" if s.label.startswith("python") or base is None else
                                          f" ({(s.cpu_median - base.cpu_median) * 1000:+,.0f})")
            q1, q3 = s.quartiles()
            lines.append(f"| `{s.label}` | {fmt_ms(s.median)} | {min(s.times) * 1000:,.0f}–{max(s.times) * 1000:,.0f} "
                         f"| {(q3 - q1) * 1000:,.0f} ms | {plus} | {cpu} | {s.max_rss_mb():,.0f} MB | {len(s.times)} |")
        lines.append("")
    lines += scaling(report, sizes)
    lines += targets(report, sizes)
    return "\n".join(lines).rstrip() + "\n"


def _sample(report: dict, title_prefix: str, label_prefix: str,
            exact: bool = False) -> tuple[Sample | None, Sample | None, Sample | None]:
    for title, group in report["groups"]:
        if title == title_prefix:
            s = next((x for x in group if (x.label == label_prefix if exact else x.label.startswith(label_prefix))
                      and x.times), None)
            p = next((x for x in group if x.label == "python -c pass" and x.times), None)
            q = next((x for x in group if x.label.startswith('python -c "import') and x.times), None)
            return s, p, q
    return None, None, None


def scaling(report: dict, sizes: list[int]) -> list[str]:
    if len(sizes) < 2:
        return []
    head = "| | " + " | ".join(f"{n:,}" for n in sizes) + " |"
    lines = ["### Growth with the database", "", head, "|---|" + "---:|" * len(sizes)]
    lines.append("| open requests | " + " | ".join(f"{report['sizes'][n]['open']:,}" for n in sizes) + " |")
    lines.append("| overdue rows | " + " | ".join(f"{report['sizes'][n]['overdue']:,}" for n in sizes) + " |")
    lines.append("| `due` items | " + " | ".join(f"{report['sizes'][n]['due']:,}" for n in sizes) + " |")
    labels: list[str] = []   # every command measured at some size, in the order measured
    for title, group in report["groups"]:
        if title.endswith("requests"):
            labels += [s.label for s in group if not s.label.startswith("python") and s.label not in labels]
    for label in labels:
        cells = []
        for n in sizes:
            s, _, q = _sample(report, f"{n:,} requests", label, exact=True)
            cells.append("—" if s is None or q is None else
                         f"{fmt_ms(s.median)} ({(s.median - q.median) * 1000:+,.0f}), {s.max_rss_mb():,.0f} MB")
        lines.append(f"| `{label}` | " + " | ".join(cells) + " |")
    lines += ["", "Each cell: the median, its difference from the floor `python -c \"import sqlalchemy.orm\"` in ms, "
              "and the peak RSS.", ""]
    return lines


def targets(report: dict, sizes: list[int]) -> list[str]:
    rows = []

    def row(what: str, figure: str, ok: bool | None) -> None:
        rows.append(f"| {what} | {figure} | {'met' if ok else 'not judged' if ok is None else '**missed**'} |")

    imports = report.get("startup_imports", {})
    for label in ("kaiji --help", "kaiji --version"):
        s, p, _ = _sample(report, "start-up (no database)", label)
        if s and p:
            heavy = imports.get(label.split()[-1], ["?"])
            row(f"`{label}`: under {STARTUP_MAX_MS} ms, within {STARTUP_OVER_PASS_MS} ms of `python -c pass`, "
                "imports neither SQLAlchemy nor ReportLab",
                f"{fmt_ms(s.median)}, {(s.median - p.median) * 1000:+,.0f} ms; heavy imports: {', '.join(heavy) or 'none'}",
                s.median * 1000 < STARTUP_MAX_MS and (s.median - p.median) * 1000 <= STARTUP_OVER_PASS_MS
                and not ({"sqlalchemy", "reportlab"} & set(heavy)))
    big = max(sizes)
    title = f"{big:,} requests"
    at_scale = big >= 100_000  # the targets name 100,000 requests: a smaller run shows figures, judges nothing
    note = "" if at_scale else f" (run only up to {big:,}: not judged)"
    for label in ("kaiji overdue", "kaiji due"):
        s, _, q = _sample(report, title, label)
        if s and q:
            row(f"`{label}` at 100,000 requests{note}: within {OVER_SQLA_MS} ms of the SQLAlchemy floor, "
                f"under {LIST_RSS_MB} MB",
                f"{fmt_ms(s.median)}, {(s.median - q.median) * 1000:+,.0f} ms, {s.max_rss_mb():.0f} MB",
                (s.median - q.median) * 1000 <= OVER_SQLA_MS and s.max_rss_mb() < LIST_RSS_MB if at_scale else None)
        if len(sizes) >= 2 and s and q:
            small = min(sizes)
            s0, _, q0 = _sample(report, f"{small:,} requests", label)
            if s0 and q0:
                # The command's own time, not its time above the floor: a command that runs below the
                # floor at the small size (kaiji avoids some of the floor's cost) would make that ratio
                # meaningless. Each group's time is taken relative to its own floor, as the machine drifts.
                o0, o1 = report["sizes"][small]["open"], report["sizes"][big]["open"]
                t0, t1 = s0.median / q0.median, s.median / q.median
                row(f"`{label}`: time grows no faster than open requests",
                    f"{small:,}→{big:,}: open ×{o1 / max(o0, 1):,.0f}, time ×{t1 / t0:,.2f} (relative to each "
                    f"size's floor; {(s.median - q.median - s0.median + q0.median) * 1000:+,.0f} ms above it)",
                    t1 / t0 <= o1 / max(o0, 1))
    s, _, q = _sample(report, title, "kaiji request add")
    if s and q:
        row(f"`kaiji request add` at 100,000 requests{note}: within {OVER_SQLA_MS} ms of the floor",
            f"{fmt_ms(s.median)}, {(s.median - q.median) * 1000:+,.0f} ms",
            (s.median - q.median) * 1000 <= OVER_SQLA_MS if at_scale else None)
    s, _, q = _sample(report, title, "kaiji pdf request ID")
    if s and q:
        row(f"one request PDF: within {OVER_SQLA_MS} ms of the floor", f"{fmt_ms(s.median)}, "
            f"{(s.median - q.median) * 1000:+,.0f} ms", (s.median - q.median) * 1000 <= OVER_SQLA_MS)
    else:
        row("one request PDF: within 150 ms of the floor", "`kaiji pdf request` not available", None)
    s, _, _ = _sample(report, title, "kaiji pdf request (")
    pdf = report["pdf"].get(big, {})
    if s:
        row(f"1,000 PDFs in one command: under {PDF_BATCH_S} s", fmt_ms(s.median), s.median < PDF_BATCH_S)
        if pdf.get("count"):
            row(f"each PDF under {PDF_MAX_KB} KB with its font subset embedded",
                f"{pdf['count']:,} files, largest {pdf['max_kb']:.0f} KB; subset fonts: {pdf['subset']} "
                f"({', '.join(pdf.get('fonts', [])) or '?'})",
                pdf["max_kb"] < PDF_MAX_KB and pdf["subset"] is True)
    else:
        row("1,000 PDFs in one command: under 20 s", "not available", None)
    return (["### Targets (issue 5)", "", "| target | measured | |", "|---|---|---|"] + rows + [""]
            + targets_17(report, sizes))


# Issue 17's targets of the commands this script runs: (label, size, seconds over the floor or None, seconds in all
# or None, MB or None). The web pages, search, PostgreSQL and the import at 10k and 100k rows have scripts of their
# own (web.py, search.py, pg.py, import_bench.py).
TARGETS_17 = (
    ("kaiji overdue", 1_000_000, 0.300, None, 150),
    ("kaiji due", 1_000_000, 0.300, None, 150),
    ("kaiji request show ID", 1_000_000, 0.150, None, None),
    ("kaiji request add", 1_000_000, 0.150, None, None),
    ("kaiji explain ID", 1_000_000, 0.150, None, None),
    ("kaiji request list --json", 100_000, None, 1.5, None),
    ("kaiji request list --json", 1_000_000, None, 15, 100),
    ("kaiji export requests (CSV)", 100_000, None, 1.5, None),
    ("kaiji export requests (CSV)", 1_000_000, None, 15, 100),
    ("kaiji export requests --format json", 100_000, None, 1.5, None),
    ("kaiji export requests --format json", 1_000_000, None, 15, 100),
    ("kaiji export requests --format xlsx", 100_000, None, 10, None),
    ("kaiji calendar", 100_000, None, 3, None),
    ("kaiji stats", 1_000_000, None, 2, None),
)


def targets_17(report: dict, sizes: list[int]) -> list[str]:
    rows = []
    for label, n, over, within, mb in TARGETS_17:
        if n not in sizes:
            continue
        s, _, q = _sample(report, f"{n:,} requests", label, exact=True)
        if s is None or q is None:
            continue
        aims, ok = [], True
        if over is not None:
            aims.append(f"floor + {over * 1000:,.0f} ms")
            ok &= s.median - q.median <= over
        if within is not None:
            aims.append(f"≤ {within:g} s")
            ok &= s.median <= within
        if mb is not None:
            aims.append(f"≤ {mb} MB")
            ok &= s.max_rss_mb() <= mb
        rows.append(f"| `{label}` at {n:,}: {', '.join(aims)} | {fmt_ms(s.median)} ({(s.median - q.median) * 1000:+,.0f} "
                    f"ms), CPU {fmt_ms(s.cpu_median)}, {s.max_rss_mb():,.0f} MB | {'met' if ok else '**missed**'} |")
    if not rows:
        return []
    return ["### Targets (issue 17) of the commands above", "", "| target | measured (+floor) | |", "|---|---|---|"] + rows + [""]


def compare(before: dict, after: dict) -> str:
    """A Markdown table of two runs side by side: median, time above the floor, peak RSS."""
    def index(run: dict) -> dict[tuple[str, str], dict]:
        out = {}
        for title, samples in run["groups"]:
            floor = next((s for s in samples if s["label"].startswith('python -c "import') and s["times"]), None)
            if title.startswith("start-up"):
                floor = next((s for s in samples if s["label"] == "python -c pass" and s["times"]), None)
            for s in samples:
                if s["times"] and not s["label"].startswith("python"):
                    med = statistics.median(s["times"])
                    out[(title, s["label"])] = {"median": med, "rss": max(s["rss"]) / MB,
                                                "plus": med - statistics.median(floor["times"]) if floor else None}
        return out

    b, a = index(before), index(after)
    lines = ["| size | command | before | after | +floor before | +floor after | peak RSS before | after |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for key in a:
        if key not in b:
            continue
        x, y = b[key], a[key]
        plus = [f"{v['plus'] * 1000:+,.0f} ms" if v["plus"] is not None else "" for v in (x, y)]
        lines.append(f"| {key[0]} | `{key[1]}` | {fmt_ms(x['median'])} | {fmt_ms(y['median'])} | {plus[0]} | {plus[1]} "
                     f"| {x['rss']:,.0f} MB | {y['rss']:,.0f} MB |")
    return "\n".join(lines)


def write(path: Path, text: str) -> None:
    block = f"{BEGIN}\n{text}{END}"
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if BEGIN in old and END in old:
            new = old[:old.index(BEGIN)] + block + old[old.index(END) + len(END):]
        else:
            new = old.rstrip() + "\n\n## Latest run\n\n" + block + "\n"
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        new = ("# Benchmarks\n\nWritten by `python bench/bench.py` (see the README's Benchmarks section).\n\n## Latest run\n\n"
               + block + "\n")
    path.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
