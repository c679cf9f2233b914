"""Rule settings the sources leave open, transfers, the appeal authority, and derived flags.

- deadline_rules.correction_days, .correction_extends_limit: which days of a correction (補正)
  are not counted, and whether they push back the extension limit (shown by `kaiji explain`).
- jurisdictions.transfer_to: the other jurisdictions a transfer (移送) may go to.
- bodies.appeal_authority: the 審査庁 (行政不服審査法第4条) where it is not the body's own head.
- requests.lawsuit_due, requests.flags: derived from the timeline (kaiji recomputes every request's
  stored dates after an upgrade).
- requests.filed_body_id: the body a request was filed with (its form's addressee), which until now
  was kept only in its first event's data; filled in from there.

The shipped presets whose facts changed are updated where a group has not changed them: 東京都's
extension limit is not pushed back by corrections (第12条第2項 has no such clause), 京都市 gains its
extension limit (第11条, secondary source), 綾部市's note says which of its pages kaiji follows, and
the national law allows transfers to 独立行政法人等 (第12条の2).

Revision ID: 0003
Revises: 0002
"""
import json

from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

KYOTO_SOURCE = "https://www.city.kyoto.lg.jp/sogo/page/0000084660.html"
KYOTO_NEW_SOURCE = (KYOTO_SOURCE + "; extension: 京都市情報公開条例第11条 「期間満了日の翌日から起算して30日を限度」 "
                    "(secondary source)")
KYOTO_NOTE = ("14 days from the day after receipt. Extension: up to 30 days counted from the day after the first "
              "period ends (京都市情報公開条例第11条, as quoted by a secondary source; the city's page gives no limit).")
AYABE_SOURCE = "https://www.city.ayabe.lg.jp/0000003051.html"
AYABE_NOTE = ("「請求があった日から起算して15日以内」 as the city's rules page says; its overview page says 「翌日から15日」, "
              "one day later. kaiji follows the rules page (the earlier date). Extension up to 60 days counted from the "
              "day after the first period ends. The source does not say that correction days are excluded.")
TOKYO_SOURCE = "東京都情報公開条例 第12条 (secondary source)"


def upgrade() -> None:
    with op.batch_alter_table('bodies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appeal_authority', sa.String(length=200), nullable=True))
    with op.batch_alter_table('deadline_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('correction_days', sa.String(length=20), server_default='after_asked',
                                      nullable=False))
        batch_op.add_column(sa.Column('correction_extends_limit', sa.Boolean(), server_default=sa.true(),
                                      nullable=False))
        batch_op.create_check_constraint(op.f('ck_deadline_rules_correction_days'),
                                         "correction_days in ('after_asked', 'both')")
    with op.batch_alter_table('jurisdictions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transfer_to', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lawsuit_due', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('flags', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('filed_body_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_requests_lawsuit_due', ['lawsuit_due'], unique=False)

    conn = op.get_bind()
    # The filed body: the body a request is with, unless a transfer moved it; then the first "filed"
    # event's body_id (read in Python: JSON is read differently by each database).
    conn.execute(sa.text("UPDATE requests SET filed_body_id = body_id"))
    moved = conn.execute(sa.text(
        "SELECT e.request_id, e.data FROM events e WHERE e.kind = 'filed' AND e.request_id IN "
        "(SELECT request_id FROM events WHERE kind = 'transfer') ORDER BY e.id")).all()
    seen = set()
    for request_id, data in moved:
        if request_id in seen:
            continue
        seen.add(request_id)
        body_id = (json.loads(data) if isinstance(data, str) else data or {}).get("body_id")
        if body_id is not None:
            conn.execute(sa.text("UPDATE requests SET filed_body_id = :b WHERE id = :r"), {"b": body_id, "r": request_id})
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.alter_column('filed_body_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(op.f('fk_requests_filed_body_id_bodies'), 'bodies', ['filed_body_id'], ['id'])

    jur = "(SELECT id FROM jurisdictions WHERE key = :key)"
    conn.execute(sa.text(f"UPDATE deadline_rules SET correction_extends_limit = :no "
                         f"WHERE jurisdiction_id = {jur} AND effective_from IS NULL AND source = :source"),
                 {"no": False, "key": "tokyo", "source": TOKYO_SOURCE})
    conn.execute(sa.text(f"UPDATE deadline_rules SET extension_max_days = 30, extension_from = 'period_end', "
                         f"source = :new, note = :note WHERE jurisdiction_id = {jur} AND effective_from IS NULL "
                         f"AND source = :source AND extension_max_days IS NULL"),
                 {"key": "kyoto-city", "source": KYOTO_SOURCE, "new": KYOTO_NEW_SOURCE, "note": KYOTO_NOTE})
    conn.execute(sa.text(f"UPDATE deadline_rules SET note = :note "
                         f"WHERE jurisdiction_id = {jur} AND effective_from IS NULL AND source = :source"),
                 {"key": "ayabe", "source": AYABE_SOURCE, "note": AYABE_NOTE})
    conn.execute(sa.text("UPDATE jurisdictions SET transfer_to = 'dokuritsu' WHERE key = 'national'"))


def downgrade() -> None:
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_requests_filed_body_id_bodies'), type_='foreignkey')
        batch_op.drop_column('filed_body_id')
        batch_op.drop_index('ix_requests_lawsuit_due')
        batch_op.drop_column('flags')
        batch_op.drop_column('lawsuit_due')
    with op.batch_alter_table('jurisdictions', schema=None) as batch_op:
        batch_op.drop_column('transfer_to')
    with op.batch_alter_table('deadline_rules', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_deadline_rules_correction_days'), type_='check')
        batch_op.drop_column('correction_extends_limit')
        batch_op.drop_column('correction_days')
    with op.batch_alter_table('bodies', schema=None) as batch_op:
        batch_op.drop_column('appeal_authority')
