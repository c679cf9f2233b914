"""Columns that timeline.refresh keeps on each request, worked out for every request of a database at once: what
a migration that adds such columns runs (0011: the statistics', 0013: the export's), without mapped objects.

Every request's timeline.compute, over plain rows read a batch of requests at a time (their events, decisions and
withheld parts in three ordered selects), with the periods counted once per rule and receipt day (compute's
`counted`), written by one executemany per batch. Only the columns asked for are written: the rest of the row is
left as the revision being migrated has it.
"""
from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa

BATCH = 20_000


def _grouped(rows, key):
    """Rows ordered by `key`, as a function giving those of one key (asked in that order)."""
    rows = iter(rows)
    pending = [next(rows, None)]

    def of(k):
        out = []
        while pending[0] is not None and getattr(pending[0], key) == k:
            out.append(pending[0])
            pending[0] = next(rows, None)
        return out
    return of


def _jurisdictions(conn) -> dict:
    """{body id: its jurisdiction} as timeline.compute reads it: rules and closed days as plain rows."""
    from . import deadlines as dl
    from .schema import bodies, closed_days, deadline_rules, jurisdictions

    rules, closed = {}, {}
    for r in conn.execute(sa.select(deadline_rules.c.id, deadline_rules.c.jurisdiction_id,
                                    deadline_rules.c.effective_from, *[deadline_rules.c[f] for f in dl.RULE_FIELDS])):
        rules.setdefault(r.jurisdiction_id, []).append(r)
    for c in conn.execute(sa.select(closed_days.c.jurisdiction_id, closed_days.c.day, closed_days.c.reason)):
        closed.setdefault(c.jurisdiction_id, []).append(c)
    jurs = {j.id: SimpleNamespace(id=j.id, name=j.name, year_end_closure=j.year_end_closure,
                                  rules=rules.get(j.id, []), closed_days=closed.get(j.id, []))
            for j in conn.execute(sa.select(jurisdictions.c.id, jurisdictions.c.name,
                                            jurisdictions.c.year_end_closure))}
    return {b.id: jurs[b.jurisdiction_id] for b in conn.execute(sa.select(bodies.c.id, bodies.c.jurisdiction_id))}


def stored_columns(conn, columns: tuple[str, ...], batch: int = BATCH) -> None:
    """Every request's `columns` (keys of timeline.statistics and timeline.exported), as timeline.refresh
    stores them."""
    from . import timeline
    from .schema import decisions, events, requests, withheld_parts

    jur_of = _jurisdictions(conn)
    counted: dict = {}
    r, e, d, w = requests.c, events.c, decisions.c, withheld_parts.c
    update = sa.update(requests).where(r.id == sa.bindparam('rid')).values(
        **{c: sa.bindparam('v_' + c) for c in columns})
    last = 0
    while True:
        rows = conn.execute(sa.select(r.id, r.filed_body_id).where(r.id > last).order_by(r.id).limit(batch)).all()
        if not rows:
            return
        lo, hi = rows[0].id, rows[-1].id
        events_of = _grouped(conn.execute(
            sa.select(e.id, e.request_id, e.kind, e.on, e.data, e.note, e.retracts_id)
            .where(e.request_id.between(lo, hi)).order_by(e.request_id, e.id)), 'request_id')
        decisions_of = _grouped(conn.execute(
            sa.select(d.id, d.request_id, d.event_id, d.kind, d.decided_on, d.notified_on, d.disclosure_on, d.fee)
            .where(d.request_id.between(lo, hi)).order_by(d.request_id, d.id)), 'request_id')
        withheld_of = _grouped(conn.execute(
            sa.select(d.request_id, w.decision_id, w.part, w.ground)
            .select_from(withheld_parts.join(decisions, w.decision_id == d.id))
            .where(d.request_id.between(lo, hi)).order_by(d.request_id, w.decision_id, w.position, w.id)),
            'request_id')
        values = []
        for row in rows:
            made = {x.id: SimpleNamespace(**x._mapping, withheld=[]) for x in decisions_of(row.id)}
            for part in withheld_of(row.id):
                made[part.decision_id].withheld.append(part)
            plain = SimpleNamespace(filed_body_id=row.filed_body_id, events=events_of(row.id),
                                    decisions=list(made.values()))
            st = timeline.compute(plain, jur_of.__getitem__, counted)
            worked = {**timeline.statistics(st), **timeline.exported(st)}
            values.append({'rid': row.id, **{'v_' + c: worked[c] for c in columns}})
        conn.execute(update, values)
        last = hi
        if len(counted) > 200_000:   # a million requests span many receipt days: memory stays flat
            counted.clear()
