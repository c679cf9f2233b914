"""Eight writers doing the same thing at the same moment: the records' rules hold on PostgreSQL as on
SQLite (issue 10, items 1 and 2).

Each rule that allows a thing once (one receipt, one appeal, one ruling, a name or a closed day not
yet taken) is a check followed by a write. Eight processes, started and kept waiting, are given the
same operation at once; exactly one may do it, and the other seven must be refused with the rule's
own sentence, not by a constraint of the database, and never all succeed. SQLite serialises writers
(BEGIN IMMEDIATE); PostgreSQL does so through kaiji's write lock (db._postgresql_setup): without it,
READ COMMITTED let all eight check before any had written.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker import db as dbm
from tracker import service, timeline
from tracker.models import Body, ClosedDay, DeadlineRule, Event, Ground, Request, Requester

WORKER = r"""
import json, sys, traceback
from datetime import date
from tracker import db as dbm, service
from tracker.errors import KaijiError

engine = dbm.open_database(sys.argv[1])
print("ready", flush=True)

def run(s, op, a):
    d = lambda k: date.fromisoformat(a[k])
    jur = lambda: service.get_jurisdiction(s, a.get("jurisdiction", "maizuru"))
    if op == "record":
        service.record(s, a["id"], a["kind"], d("on"), a.get("data", {}))
    elif op == "retract":
        service.retract(s, a["id"], a["event"], "間違い", d("on"))
    elif op == "requester":
        service.add_requester(s, a["name"])
    elif op == "body":
        service.add_body(s, key=a["key"], name="舞鶴市教育委員会", head=None, jurisdiction=jur())
    elif op == "rule":
        service.add_rule(s, jur(), period_days=20, counts_request_day=False, working_days=False,
                         move_off_closed=True, extension_max_days=None, extension_from="period_end",
                         exclude_correction=False, source="条例改正", effective_from=d("from"))
    elif op == "ground":
        service.add_ground(s, jur(), a["code"], "テスト")
    elif op == "holiday":
        service.add_closed_day(s, jur(), d("day"), "臨時休庁")
    elif op == "add":
        # force: a writer adds the same request several times (the check for one entered twice is not tested here)
        return service.add_request(s, body="maizuru", subject=a["subject"], received=d("received"), force=True).id
    else:
        raise ValueError(op)

for line in sys.stdin:
    step = json.loads(line)
    try:
        for i in range(step.get("times", 1)):
            with dbm.transaction(engine) as s:
                run(s, step["op"], step)
        print("ok", flush=True)
    except KaijiError as exc:
        print("refused " + str(exc), flush=True)
    except Exception as exc:
        print("error " + type(exc).__name__ + " " + str(exc).splitlines()[0], flush=True)
"""


class Workers:
    """Processes that each open the database and then run, on a word from the test, one operation."""

    def __init__(self, url: str, n: int):
        self.procs = []
        for _ in range(n):
            p = subprocess.Popen([sys.executable, "-c", WORKER, url], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=tempfile.TemporaryFile("w+"), text=True)
            self.procs.append(p)
        for p in self.procs:
            line = p.stdout.readline()
            assert line == "ready\n", line + self.stderr(p)

    @staticmethod
    def stderr(p) -> str:
        p.stderr.seek(0)
        return p.stderr.read()

    def send(self, steps: list[dict]) -> list[str]:
        """Give worker i steps[i], all before any answer is read; return their answers."""
        for p, step in zip(self.procs, steps):
            p.stdin.write(json.dumps(step) + "\n")
            p.stdin.flush()
        return [p.stdout.readline().rstrip("\n") or self.stderr(p) for p, _ in zip(self.procs, steps)]

    def all(self, step: dict) -> list[str]:
        return self.send([step] * len(self.procs))

    def close(self) -> None:
        for p in self.procs:
            p.stdin.close()
            p.wait(timeout=60)
            p.stdout.close()


def tally(answers: list[str]) -> str:
    """'1 ok, 7 refused' for one of the eight doing it and the other seven refused by the rule's sentence."""
    ok, refused = sum(a == "ok" for a in answers), sum(a.startswith("refused ") for a in answers)
    others = [a for a in answers if a != "ok" and not a.startswith("refused ")]
    return f"{ok} ok, {refused} refused" + (f", {len(others)} failed: {others[0][:60]}" if others else "")


def count(url: str, model, *where) -> int:
    engine = dbm.make_engine(url)
    with dbm.reading(engine) as s:
        n = s.scalar(select(func.count()).select_from(model).where(*where))
    engine.dispose()
    return n


def test_eight_writers_of_the_same_event_leave_one(db_url):
    engine = dbm.open_database(db_url)
    with dbm.transaction(engine) as s:
        rid = service.add_request(s, body="maizuru", subject="議会の会議録", filed=date(2025, 1, 6)).id
    workers = Workers(db_url, 8)
    seen = {}
    once = lambda answers, what: seen.setdefault(what, tally(answers))
    try:
        ev = lambda kind, on, **data: {"op": "record", "id": rid, "kind": kind, "on": on, "data": data}
        steps = [
            ("received", ev("received", "2025-01-06")),
            ("correction_asked", ev("correction_asked", "2025-01-08")),
            ("correction_answered", ev("correction_answered", "2025-01-09")),
            ("extension", ev("extension", "2025-01-10", new_due="2025-02-28")),
        ]
        for kind, step in steps:
            once(workers.all(step), kind)
        with dbm.transaction(engine) as s:  # a transfer goes to another body of the same city (issue 9, item 4)
            service.add_body(s, key="maizuru-gikai", name="舞鶴市議会", head="舞鶴市議会議長",
                             jurisdiction=service.get_jurisdiction(s, "maizuru"))
        once(workers.all(ev("transfer", "2025-01-10", to="maizuru-gikai")), "transfer")
        with dbm.transaction(engine) as s:
            service.decide(s, rid, kind="full", on=date(2025, 1, 20), notified=date(2025, 1, 21), fee=300)
        steps = [
            ("fee_paid", ev("fee_paid", "2025-01-22", amount=300)),
            ("appeal_filed", ev("appeal_filed", "2025-01-25")),
            ("appeal_referred", ev("appeal_referred", "2025-02-01")),
            ("board_report", ev("board_report", "2025-03-01", outcome="棄却")),
            ("ruling", ev("ruling", "2025-04-01", outcome="upheld")),
        ]
        for kind, step in steps:
            once(workers.all(step), kind)
        with dbm.reading(engine) as s:
            ruling = s.scalar(select(Event.id).where(Event.request_id == rid, Event.kind == "ruling"))
        once(workers.all({"op": "retract", "id": rid, "event": ruling, "on": "2025-04-02"}), "retraction")
        once(workers.all(ev("withdrawn", "2025-04-10")), "withdrawn")
        # Names and calendar entries that must be unique: refused by kaiji's check, not by a constraint.
        once(workers.all({"op": "requester", "name": "市民オンブズマンまいづる"}), "requester add")
        once(workers.all({"op": "body", "key": "maizuru-kyoiku"}), "body add")
        once(workers.all({"op": "rule", "from": "2026-04-01"}), "rule add")
        once(workers.all({"op": "ground", "code": "第7条第9号"}), "ground add")
        once(workers.all({"op": "holiday", "day": "2025-08-13"}), "holiday add")
    finally:
        workers.close()
    wrong = [f"{what}: {t}" for what, t in seen.items() if t != "1 ok, 7 refused"]
    assert not wrong, "; ".join(wrong)
    for kind in ("received", "correction_asked", "correction_answered", "extension", "transfer", "fee_paid",
                 "appeal_filed", "appeal_referred", "board_report", "ruling", "retraction", "withdrawn"):
        assert count(db_url, Event, Event.request_id == rid, Event.kind == kind) == 1, kind
    assert count(db_url, Requester, Requester.name == "市民オンブズマンまいづる") == 1
    assert count(db_url, Body, Body.key == "maizuru-kyoiku") == 1
    assert count(db_url, DeadlineRule, DeadlineRule.effective_from == date(2026, 4, 1)) == 1
    assert count(db_url, Ground, Ground.code == "第7条第9号") == 1
    assert count(db_url, ClosedDay, ClosedDay.day == date(2025, 8, 13)) == 1
    engine.dispose()


def test_a_holiday_added_while_requests_are_added_moves_every_due_date(db_url):
    """Requests received 2025-01-06 at maizuru are due 2025-01-20 (15 days, counting the first), moved
    to the 21st once the 20th is closed. Eight writers add six requests each while a ninth closes the
    20th: whichever commits first, every stored due date must count the closed day."""
    workers = Workers(db_url, 9)
    try:
        adds = [{"op": "add", "subject": f"writer{w}", "received": "2025-01-06", "times": 6} for w in range(8)]
        answers = workers.send(adds + [{"op": "holiday", "day": "2025-01-20"}])
    finally:
        workers.close()
    assert answers == ["ok"] * 9, answers
    engine = dbm.open_database(db_url)
    with dbm.reading(engine) as s:
        reqs = list(s.scalars(select(Request).options(selectinload(Request.events),
                                                      selectinload(Request.decisions))))
        assert len(reqs) == 48
        stale = [r.id for r in reqs if r.decision_due != date(2025, 1, 21)]
        worked_out = {timeline.compute(r, service.jurisdiction_lookup(s)).decision_due for r in reqs}
    engine.dispose()
    assert stale == [], f"{len(stale)} of 48 requests keep a due date that ignores the closed day"
    assert worked_out == {date(2025, 1, 21)}
