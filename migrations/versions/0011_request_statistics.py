"""What the statistics count, kept on each request (issue 17): the days counted by the rule up to the first
decision (days_counted), whether an extension notice is on record (extended), the yen charged (fee_total), the
appeal's outcome (appeal_outcome), the live decisions' kinds (decision_kinds) and the grounds they cite
(grounds). `kaiji stats` and the web's 統計 page then count by GROUP BY over the requests alone, instead of a
pass of Python over the events and a join of every decision and withheld part.

timeline.refresh keeps them from now on (timeline.statistics); here every request's are worked out by the same
timeline.compute, over plain rows read a batch of requests at a time (their events, decisions and withheld
parts in three ordered selects), with the periods counted once per rule and receipt day (compute's `counted`),
and written by one executemany per batch: no mapped objects. Then a partial index of the listed requests holding
every column the statistics read (ix_requests_listed_statistics), so that they read it instead of the table.

Revision ID: 0011
Revises: 0010
"""
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

BATCH = 20_000
COLUMNS = ('days_counted', 'extended', 'fee_total', 'appeal_outcome', 'decision_kinds', 'grounds')
# The index the statistics read instead of the table (schema.STATISTICS, as of this revision).
STATISTICS = ('body_id', 'requester_id', 'filed_on', 'received_on', 'status', 'decided_on', 'decision_due',
              'days_counted', 'extended', 'fee_total', 'appeal_outcome', 'decision_kinds', 'grounds')


def upgrade() -> None:
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('days_counted', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('extended', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('fee_total', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('appeal_outcome', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('decision_kinds', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('grounds', sa.Text(), nullable=True))
    backfill(op.get_bind())
    op.create_index('ix_requests_listed_statistics', 'requests', list(STATISTICS), unique=False,
                    sqlite_where=sa.text('voided = 0'), postgresql_where=sa.text('voided = false'))


def downgrade() -> None:
    op.drop_index('ix_requests_listed_statistics', table_name='requests')
    with op.batch_alter_table('requests', schema=None) as batch_op:
        for column in reversed(COLUMNS):
            batch_op.drop_column(column)


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


def backfill(conn) -> None:
    """Every request's statistics columns, as timeline.refresh stores them (timeline.statistics)."""
    from tracker import deadlines as dl
    from tracker import timeline
    from tracker.schema import (bodies, closed_days, deadline_rules, decisions, events, jurisdictions, requests,
                                withheld_parts)

    rules, closed = {}, {}
    for r in conn.execute(sa.select(deadline_rules.c.id, deadline_rules.c.jurisdiction_id, deadline_rules.c.effective_from,
                                    *[deadline_rules.c[f] for f in dl.RULE_FIELDS])):
        rules.setdefault(r.jurisdiction_id, []).append(r)
    for c in conn.execute(sa.select(closed_days.c.jurisdiction_id, closed_days.c.day, closed_days.c.reason)):
        closed.setdefault(c.jurisdiction_id, []).append(c)
    jurs = {j.id: SimpleNamespace(id=j.id, name=j.name, year_end_closure=j.year_end_closure,
                                  rules=rules.get(j.id, []), closed_days=closed.get(j.id, []))
            for j in conn.execute(sa.select(jurisdictions.c.id, jurisdictions.c.name, jurisdictions.c.year_end_closure))}
    jur_of = {b.id: jurs[b.jurisdiction_id] for b in conn.execute(sa.select(bodies.c.id, bodies.c.jurisdiction_id))}
    counted: dict = {}
    r, e, d, w = requests.c, events.c, decisions.c, withheld_parts.c
    update = sa.update(requests).where(r.id == sa.bindparam('rid')).values(
        **{c: sa.bindparam('v_' + c) for c in COLUMNS})
    last = 0
    while True:
        batch = conn.execute(sa.select(r.id, r.filed_body_id).where(r.id > last).order_by(r.id).limit(BATCH)).all()
        if not batch:
            return
        lo, hi = batch[0].id, batch[-1].id
        events_of = _grouped(conn.execute(
            sa.select(e.id, e.request_id, e.kind, e.on, e.data, e.note, e.retracts_id)
            .where(e.request_id.between(lo, hi)).order_by(e.request_id, e.id)), 'request_id')
        decisions_of = _grouped(conn.execute(
            sa.select(d.id, d.request_id, d.event_id, d.kind, d.decided_on, d.notified_on, d.disclosure_on, d.fee)
            .where(d.request_id.between(lo, hi)).order_by(d.request_id, d.id)), 'request_id')
        withheld_of = _grouped(conn.execute(
            sa.select(d.request_id, w.decision_id, w.ground).select_from(withheld_parts.join(decisions, w.decision_id == d.id))
            .where(d.request_id.between(lo, hi)).order_by(d.request_id, w.decision_id, w.id)), 'request_id')
        values = []
        for row in batch:
            made = {x.id: SimpleNamespace(**x._mapping, withheld=[]) for x in decisions_of(row.id)}
            for part in withheld_of(row.id):
                made[part.decision_id].withheld.append(part)
            plain = SimpleNamespace(filed_body_id=row.filed_body_id, events=events_of(row.id), decisions=list(made.values()))
            st = timeline.compute(plain, jur_of.__getitem__, counted)
            values.append({'rid': row.id, **{'v_' + k: v for k, v in timeline.statistics(st).items() if k in COLUMNS}})
        conn.execute(update, values)
        last = hi
        if len(counted) > 200_000:   # a million requests span many receipt days: memory stays flat
            counted.clear()
