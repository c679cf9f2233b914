"""bench/synth.py, the benchmark's data: its fast build (chunks made by worker processes, written through
sqlite3 or COPY, each deadline counted once a chunk) stores what kaiji itself stores, whatever the workers."""

from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tracker import db as dbm
from tracker import deadlines, schema, service, timeline

BENCH = Path(__file__).resolve().parent.parent / "bench"
N = 4500  # three chunks, the last one short


def _rows(url: str) -> dict[str, list[tuple]]:
    """Every row of the tables the build fills, read back through SQLAlchemy (dates as dates on both databases)."""
    engine = dbm.make_engine(url)
    try:
        with engine.connect() as conn:
            return {t: conn.execute(select(schema.metadata.tables[t]).order_by("id")).all()
                    for t in ("requests", "events", "decisions", "decision_documents", "withheld_parts", "requesters")}
    finally:
        engine.dispose()


@pytest.mark.slow  # starts worker processes, builds twice and re-derives every request
def test_a_build_stores_kaijis_own_dates_whatever_the_workers(db_url, tmp_path):
    sys.path.insert(0, str(BENCH))
    import synth

    before = (timeline.closed_days, timeline.to_rule, deadlines.decision_due, deadlines.extension_limit,
              deadlines.appeal_due, deadlines.lawsuit_due)
    meta = synth.build(db_url, N, date(2025, 6, 30), workers=2)
    # Every request re-derived through tracker.service, with no deadline reused: the stored columns match.
    assert synth.verify(db_url, sample=N) == 0
    assert (timeline.closed_days, timeline.to_rule, deadlines.decision_due, deadlines.extension_limit,
            deadlines.appeal_due, deadlines.lawsuit_due) == before
    # The same rows made in this process alone, written to SQLite: the workers and the database change nothing.
    alone = f"sqlite:///{tmp_path / 'alone.sqlite3'}"
    assert synth.build(alone, N, date(2025, 6, 30), workers=0) == meta
    have, want = _rows(db_url), _rows(alone)
    assert len(have["requests"]) == N and len(have["events"]) > 3 * N
    assert have == want
    # A normal kaiji database: the schema its models describe (the indexes made again after the load), and
    # new rows numbered after the loaded ones.
    engine = dbm.open_database(db_url)
    try:
        dbm.check(engine, io.StringIO())
        with dbm.transaction(engine) as s:
            recorded = service.record(s, N, "note", date(2025, 6, 30), note="after the load")
            assert recorded.event.id == len(have["events"]) + 1
    finally:
        engine.dispose()
