#!/bin/sh
# Issue 17's whole set, in one run, on one machine: the 1M database built, every command at 1k, 10k, 100k and 1M
# (bench.py: the growth table and the targets it judges), kaiji search at 1M with 10,000 documents, PostgreSQL
# beside SQLite at 100k and 1M, the web pages at 1M under four clients on both, and the import against its floor.
# Each step's figures go to a text file of its own in OUT; docs/benchmarks.md quotes them. A benchmark: it prints
# figures and asserts nothing. About two hours on a quiet two-core machine (the search index of the 1M copy takes
# 20 minutes to fill, copying it into PostgreSQL 17), some 35 GB of disk with PostgreSQL's.
#
#     sh bench/issue17.sh [OUT]        # KAIJI_BENCH_WORKDIR (default /tmp/kaiji-bench), KAIJI_BENCH_PG (a server)
set -eu
W=${KAIJI_BENCH_WORKDIR:-/tmp/kaiji-bench}
PG=${KAIJI_BENCH_PG:-postgresql+psycopg://postgres@127.0.0.1:5432}
REF=2025-01-10
OUT=${1:-$W/issue17-$(date -u +%Y%m%d-%H%M)}
mkdir -p "$OUT"
cd "$(dirname "$0")"
step() { echo "== $1 ($(date -u +%H:%M:%S))"; }
M=$W/kaiji-1000000-g4
S=$W/kaiji-1000000-g4-search

step "the 1M database, built anew (target: 5 minutes)"
python bench.py --sizes 1000000 --ref $REF --rebuild --build-only --workdir "$W" | tee "$OUT/build.txt"
step "every command at 1k, 10k, 100k and 1M"
python bench.py --sizes 1000,10000,100000,1000000 --ref $REF --runs 5 --slow-runs 3 --workdir "$W" \
    --json "$OUT/bench.json" --no-write | tee "$OUT/bench.txt"
step "kaiji search at 1M with 10,000 documents (the index filled once into a copy)"
python search.py --db "$M.sqlite3" --keep "$S.sqlite3" --runs 20 | tee "$OUT/search.txt"
cp "$M.json" "$S.json"
step "PostgreSQL beside SQLite, 100k and 1M (the same rows, copied)"
for db in bench100k bench1m; do psql "$(echo "$PG" | sed 's/+psycopg//')/postgres" -qc "CREATE DATABASE $db" 2>/dev/null || true; done
python topg.py "$W/kaiji-100000-g4.sqlite3" "$PG/bench100k"
python topg.py "$S.sqlite3" "$PG/bench1m"
python pg.py --sqlite "$W/kaiji-100000-g4.sqlite3" --pg "$PG/bench100k" --no-copy --runs 5 --workdir "$W" | tee "$OUT/pg-100k.txt"
python pg.py --sqlite "$S.sqlite3" --pg "$PG/bench1m" --no-copy --runs 3 --slow-runs 1 --workdir "$W" | tee "$OUT/pg-1m.txt"
step "the web pages at 1M, four clients for 30 s, SQLite then PostgreSQL"
python web.py --size 1000000 --sqlite "$S.sqlite3" --clients 4 --seconds 30 --workdir "$W" | tee "$OUT/web-1m-sqlite.txt"
python web.py --size 1000000 --db "$PG/bench1m" --clients 4 --seconds 30 | tee "$OUT/web-1m-pg.txt"
step "the import against its floor, into 100k and 1M"
python import_bench.py --db "$W/kaiji-100000-g4.sqlite3" --pg "$PG/bench100k" --runs 3 | tee "$OUT/import-100k.txt"
python import_bench.py --db "$M.sqlite3" --runs 3 | tee "$OUT/import-1m.txt"
# Into 1M on PostgreSQL one round: each run copies the 1M database (some 6 GB) as its template.
python import_bench.py --db "$M.sqlite3" --pg "$PG/bench1m" --pg-only --runs 1 | tee "$OUT/import-1m-pg.txt"
step "done"
