"""Synthetic kaiji databases for the benchmark: many bodies and jurisdictions, requesters, and
timelines with every kind of event and decision, bulk-loaded.

Every stored derived column (status, decision_due, appeal_due, …) is computed by
`tracker.timeline.refresh`, the same function kaiji runs after each event, so the rows are what
kaiji itself would have stored; `verify` re-derives a sample through the ORM and compares.
Deadline logic is never duplicated here: where the generator needs a due date to place a later
event (an extension before the first period ends, say) it asks `timeline.compute`.

Fast enough to build 1,000,000 requests for every change (some 260 s of CPU, on two cores about half
that): the requests are made in chunks of CHUNK by worker processes, each chunk from its own random
stream, and one process writes them (SQLite: sqlite3's executemany with no journal during the load and
the indexes made after it; PostgreSQL: COPY); within a chunk each deadline is counted once
(_deadlines_once). The data do not depend on the number of workers or on the database.
"""

from __future__ import annotations

import collections
import itertools
import json
import multiprocessing
import os
import random
from contextlib import contextmanager
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload

from tracker import db as dbm
from tracker import deadlines, reports, service, timeline, users
from tracker.i18n import use_language
from tracker.schema import OPEN_STATUSES
from tracker.models import Body, Decision, DecisionDocument, Department, Event, Jurisdiction, Request, Requester, WithheldPart

# Bump when the generated data changes, so cached databases are rebuilt.
GENERATOR_VERSION = 4

DAY = timedelta(days=1)

# ---------------------------------------------------------------- vocabulary

# Extra jurisdictions, each with its own rule (period, counting, working days, extension limit).
# The rules are plausible variants of the ones in DOMAIN.md, not transcriptions of these cities'
# ordinances: the benchmark needs variety, not legal accuracy.
EXTRA_JURISDICTIONS = [
    ("fukuchiyama", "福知山市"), ("miyazu", "宮津市"), ("kyotango", "京丹後市"), ("kameoka", "亀岡市"),
    ("uji", "宇治市"), ("joyo", "城陽市"), ("muko", "向日市"), ("nagaokakyo", "長岡京市"), ("yawata", "八幡市"),
    ("kyotanabe", "京田辺市"), ("nantan", "南丹市"), ("kizugawa", "木津川市"), ("osaka-city", "大阪市"),
    ("sakai", "堺市"), ("kobe", "神戸市"), ("nara-city", "奈良市"), ("otsu", "大津市"), ("yokohama", "横浜市"),
    ("kawasaki", "川崎市"), ("sagamihara", "相模原市"), ("nagoya", "名古屋市"), ("sapporo", "札幌市"),
    ("sendai", "仙台市"), ("niigata-city", "新潟市"), ("shizuoka-city", "静岡市"), ("hamamatsu", "浜松市"),
    ("hiroshima-city", "広島市"), ("okayama-city", "岡山市"), ("kitakyushu", "北九州市"), ("fukuoka-city", "福岡市"),
    ("kumamoto-city", "熊本市"), ("matsumoto", "松本市"), ("nagano-city", "長野市"), ("kyoto-pref", "京都府"),
    ("osaka-pref", "大阪府"), ("hyogo", "兵庫県"), ("shiga", "滋賀県"), ("nara-pref", "奈良県"),
    ("nagano-pref", "長野県"), ("kanagawa", "神奈川県"),
]
# Bodies under a municipality or prefecture: key suffix, name suffix, head suffix.
LOCAL_BODIES = [
    ("edu", "教育委員会", "教育委員会教育長"), ("council", "議会", "議会議長"), ("fire", "消防長", "消防長"),
    ("election", "選挙管理委員会", "選挙管理委員会委員長"), ("audit", "監査委員", "代表監査委員"),
    ("water", "上下水道事業管理者", "上下水道事業管理者"), ("hospital", "病院事業管理者", "病院事業管理者"),
    ("agri", "農業委員会", "農業委員会会長"),
]
NATIONAL_BODIES = [
    ("mlit", "国土交通大臣"), ("mhlw", "厚生労働大臣"), ("mod", "防衛大臣"), ("meti", "経済産業大臣"),
    ("mext", "文部科学大臣"), ("env", "環境大臣"), ("moj", "法務大臣"), ("maff", "農林水産大臣"),
    ("mof", "財務大臣"), ("mic", "総務大臣"), ("cao", "内閣府"), ("npa", "警察庁長官"),
]
DEPARTMENTS = [
    "総務課", "人事課", "財政課", "企画政策課", "秘書広報課", "契約検査課", "環境保全課", "廃棄物対策課", "都市計画課",
    "建築指導課", "道路河川課", "下水道課", "農林課", "商工観光課", "危機管理室", "福祉総務課", "障害福祉課",
    "子育て支援課", "健康づくり課", "保険年金課", "市民課", "税務課", "教育総務課", "学校教育課", "生涯学習課",
    "議会事務局", "選挙管理委員会事務局", "監査委員事務局", "消防本部総務課", "予防課", "情報政策課", "公共施設マネジメント課",
]
PERIODS = [
    "{era}{y}年度", "{era}{y}年4月1日から{era}{y1}年3月31日まで", "{era}{y}年中", "平成27年度から{era}{y}年度まで",
    "{era}{y}年{m}月", "直近5年間", "{era}{y}年{m}月から同年{m2}月まで",
]
TOPICS = [
    "カスタマーハラスメントに関する職員アンケート", "公用車の使用及び運行管理", "市長交際費の支出", "政務活動費の収支報告",
    "随意契約の締結", "指定管理者の選定", "学校給食センターの運営委託", "ごみ処理施設の整備計画", "防災行政無線の更新工事",
    "職員の時間外勤務", "会計年度任用職員の任用", "市有地の売却", "ふるさと納税の返礼品選定", "新庁舎建設基本計画",
    "保育所の民営化", "公共施設の統廃合", "住民監査請求への対応", "審議会の委員選任", "観光イベントの委託",
    "下水道使用料の改定", "いじめ重大事態の調査", "教科用図書の採択", "情報システムの調達", "議員の海外視察",
    "消防団員の報酬", "選挙事務の委託", "河川改修事業", "企業誘致に係る補助金", "ハラスメント相談窓口の運用",
    "新型コロナウイルス感染症対策の臨時交付金の執行",
]
DOCS = [
    "起案文書", "決裁文書", "復命書", "会議録", "議事要旨", "契約書", "見積書", "仕様書", "電子メール", "報告書",
    "会議資料", "集計表", "支出命令書", "請求書", "領収書", "業務日誌", "打合せ記録", "協議書", "調査票",
    "実施要領", "選定委員会の採点表",
]
EXTRAS = [
    "添付資料を含む", "電磁的記録を含む", "庁内の協議に用いたものを含む", "関係部局との調整に係るものを含む",
    "外部の事業者とのやり取りを含む",
]
REASONS = [
    "市民の税金がどのように使われているかを確認し、行政運営の透明性を高めるため。",
    "当該事業の意思決定過程を検証し、今後の政策提言に活かすため。",
    "報道で取り上げられた事案について、事実関係を市民自らが確認する必要があるため。",
    "同様の事業を行う他の自治体と比較し、費用の妥当性を検討するため。",
    "職員の労働環境の改善に向けた取組の実効性を確認するため。",
    "住民説明会での説明内容と実際の検討経過との間に齟齬がないかを確かめるため。",
    "公正な入札及び契約手続が行われているかを検証するため。",
]
NOTES = [
    "担当課から電話があり、対象文書の範囲について確認を受けた。", "窓口で受付印を押した写しを受け取った。",
    "開示の実施日程について担当課と調整中。", "文書の特定について補足説明を送付した。", "延長通知が郵送で届いた。",
    "会の定例会で進捗を報告した。", "担当者が異動したため、後任の連絡先を確認した。",
    "開示された写しの一部が不鮮明だったため、再交付を依頼した。",
]
WITHHELD_WHAT = [
    "個人の氏名、住所及び電話番号", "法人の印影及び口座番号", "店名の部分", "職員以外の個人の氏名", "見積単価及び内訳",
    "事業者の技術上のノウハウに関する部分", "検討途中の案に係る部分", "警備体制に関する部分", "回答者を識別できる記述",
]
WITHHELD_REASON = [
    "特定の個人を識別することができる情報であり、公にすることにより、個人の権利利益を害するおそれがあるため。",
    "法人の内部管理に関する情報であって、公にすることにより、当該法人の権利、競争上の地位その他正当な利益を害するおそれがあるため。",
    "審議、検討又は協議に関する情報であって、公にすることにより、率直な意見の交換若しくは意思決定の中立性が不当に損なわれるおそれがあるため。",
    "事務又は事業に関する情報であって、公にすることにより、当該事務又は事業の適正な遂行に支障を及ぼすおそれがあるため。",
    "公にすることにより、犯罪の予防その他の公共の安全と秩序の維持に支障を及ぼすおそれがあるため。",
]
DECISION_REASONS = {  # a decision's own reason (schema 0002): 不存在, 存否応答拒否, 却下
    "absent": ["当該行政文書は作成しておらず、保有していないため。", "文書の保存期間が満了し、既に廃棄しているため。",
               "請求に係る事務は所管外であり、当該行政文書を取得していないため。"],
    "neither": ["当該行政文書の存否を答えるだけで、特定の個人の病歴に関する情報を開示することとなるため。",
                "存否を答えることにより、犯罪の予防に支障を及ぼすおそれがある情報を開示することとなるため。"],
    "rejected": ["請求の対象が行政文書に該当しないため。", "補正の求めに期限までに応じなかったため。"],
}
SURNAMES = "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 斎藤 清水 山崎 森 池田 橋本 阿部 石川 前田 藤田 小川 岡田 後藤 長谷川 村上 近藤 石井".split()
GIVEN = "太郎 花子 一郎 美咲 健太 陽子 大輔 直子 翔太 由美 拓也 恵子 誠 裕子 亮 真由美 浩二 智子 秀樹 明美 和也 京子 達也 千尋".split()
PLACES = ["まいづる", "綾部", "京都", "福知山", "丹後", "大阪", "神戸", "奈良", "横浜", "名古屋", "札幌", "仙台", "広島",
          "福岡", "熊本", "松本", "安曇野", "長野", "滋賀", "川崎"]
GROUP_PATTERNS = ["市民オンブズマン{p}", "{p}の情報公開を進める会", "{p}市政を考える会", "{p}子どもの教育を守る会",
                  "{p}環境ネットワーク", "{p}の公共事業を監視する会", "{p}市民ジャーナル"]
TOWNS = "本町 栄町 中央 北条 南田辺 浜町 寺内 桜ケ丘 緑が丘 新町 東町 西町".split()


class _Request:
    """What timeline.compute and timeline.refresh read and write on a request, without the ORM."""

    __slots__ = ("id", "body_id", "filed_body_id", "events", "decisions", "status", "received_on", "reference", "decision_due",
                 "decided_on", "notified_on", "appeal_due", "disclosure_on", "rest_due", "fee_unpaid", "lawsuit_due",
                 "flags", "voided", "days_counted", "extended", "fee_total", "appeal_outcome", "decision_kinds", "grounds",
                 "days_calendar", "fee_paid", "appeal_on", "ruled_on", "withheld")

    def __init__(self, id: int, body_id: int):
        self.id, self.body_id, self.filed_body_id, self.events, self.decisions = id, body_id, body_id, [], []


class _Event:
    __slots__ = ("id", "kind", "on", "data", "note", "retracts_id")

    def __init__(self, id, kind, on, data=None, note=None, retracts_id=None):
        self.id, self.kind, self.on, self.data, self.note, self.retracts_id = id, kind, on, data or {}, note, retracts_id


class _Decision:
    __slots__ = ("id", "event_id", "kind", "decided_on", "notified_on", "disclosure_on", "fee", "row", "docs", "withheld")

    def __init__(self, id, event_id, kind, decided_on, notified_on, disclosure_on, fee):
        self.id, self.event_id, self.kind = id, event_id, kind
        self.decided_on, self.notified_on, self.disclosure_on, self.fee = decided_on, notified_on, disclosure_on, fee
        self.withheld = []   # its withheld parts (what timeline.statistics and exported read: part, ground)


def _wareki_year(d: date) -> int:
    return d.year - 2018 if d >= date(2019, 5, 1) else d.year - 1988


# ---------------------------------------------------------------- the fixed part: bodies, rules, requesters

def _setup(engine, n: int, rng: random.Random) -> None:
    """Jurisdictions, rules, grounds, closed days, bodies and departments, through tracker.service."""
    with dbm.transaction(engine) as s:
        presets = {j.key: j for j in s.scalars(select(Jurisdiction).order_by(Jurisdiction.id))}
        jurs: list[Jurisdiction] = list(presets.values())
        for key, name in EXTRA_JURISDICTIONS:
            kind = "県" if name.endswith(("府", "県")) else "市"
            jur = service.add_jurisdiction(s, key=key, name=name, ordinance=f"{name}情報公開条例",
                                           year_end_closure=rng.random() < 0.95)
            base = dict(period_days=rng.choice([14, 14, 15, 15, 15, 30]), counts_request_day=rng.random() < 0.4,
                        working_days=rng.random() < 0.15, move_off_closed=rng.random() < 0.85,
                        extension_max_days=rng.choice([None, 30, 45, 60, 60]),
                        extension_from=rng.choice(["period_end", "period_end", "request"]),
                        exclude_correction=rng.random() < 0.5)
            service.add_rule(s, jur, **base, source=f"{name}情報公開条例 第11条 (benchmark data)", effective_from=None)
            if rng.random() < 0.3:  # the ordinance was amended: a second rule version
                service.add_rule(s, jur, **{**base, "period_days": base["period_days"] - 1,
                                            "working_days": not base["working_days"]},
                                 source=f"{name}情報公開条例 第11条 (令和3年改正, benchmark data)",
                                 effective_from=date(2021, 4, 1))
            for item in range(1, 8):
                service.add_ground(s, jur, f"第7条第{item}号", f"{kind}の条例が定める不開示情報 第{item}号 (benchmark data)")
            for _ in range(rng.randrange(0, 3)):  # 開庁記念日 and the like
                day = date(rng.randrange(2016, 2027), rng.randrange(1, 13), rng.randrange(1, 29))
                if all(c.day != day for c in jur.closed_days):
                    service.add_closed_day(s, jur, day, "市独自の休日 (benchmark data)")
            service.add_body(s, key=key, name=f"{name}{'知事' if kind == '県' else '長'}", head=None, jurisdiction=jur)
            jurs.append(jur)
        for jur in jurs:  # presets without a catalogue of grounds get one, so decisions can cite it
            if not jur.grounds:
                for item in range(1, 7):
                    service.add_ground(s, jur, f"第6条第{item}号", f"不開示情報 第{item}号 (benchmark data)")
            if jur.key == "national":
                for key, head in NATIONAL_BODIES:
                    service.add_body(s, key=f"national-{key}", name=head, head=head, jurisdiction=jur)
            else:
                for suffix, name, head in rng.sample(LOCAL_BODIES, rng.randrange(4, len(LOCAL_BODIES) + 1)):
                    service.add_body(s, key=f"{jur.key}-{suffix}", name=f"{jur.name}{name}",
                                     head=f"{jur.name}{head}", jurisdiction=jur)
        s.flush()
        for b in s.scalars(select(Body).order_by(Body.id)):  # in id order on every database, as below
            for dept in rng.sample(DEPARTMENTS, rng.randrange(3, 9)):
                s.add(Department(body=b, name=dept, phone=f"0{rng.randrange(11, 99)}-{rng.randrange(100, 999)}-"
                                                          f"{rng.randrange(1000, 9999)}",
                                 extension=str(rng.randrange(100, 999)) if rng.random() < 0.5 else None))
    # Requesters through Core: a few thousand rows.
    rows = []
    names: set[str] = set()
    for i in range(max(40, n // 40)):
        if rng.random() < 0.3:
            name = rng.choice(GROUP_PATTERNS).format(p=rng.choice(PLACES))
            kind = "group"
        else:
            name = rng.choice(SURNAMES) + " " + rng.choice(GIVEN)
            kind = "person"
        if name in names:
            name = f"{name}（{i}）"
        names.add(name)
        rows.append({
            "kind": kind, "name": name,
            "address": f"京都府{rng.choice(PLACES)}市{rng.choice(TOWNS)}{rng.randrange(1, 6)}丁目{rng.randrange(1, 30)}番"
                       f"{rng.randrange(1, 20)}号",
            "phone": f"0{rng.randrange(70, 90)}-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
            "email": f"member{i}@example.jp" if rng.random() < 0.6 else None,
            "representative": rng.choice(SURNAMES) + " " + rng.choice(GIVEN) if kind == "group" else None,
            "contact_name": rng.choice(SURNAMES) + " " + rng.choice(GIVEN) if kind == "group" else None,
            "contact_phone": f"090-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}" if kind == "group" else None,
        })
    with engine.begin() as conn:
        conn.execute(insert(Requester.__table__), rows)


class _Context:
    """What the generator needs to know about the fixed part, loaded once."""

    def __init__(self, session):
        self.jurisdiction: dict[int, Jurisdiction] = {}
        bodies = list(session.scalars(select(Body).order_by(Body.id).options(
            selectinload(Body.jurisdiction).selectinload(Jurisdiction.rules),
            selectinload(Body.jurisdiction).selectinload(Jurisdiction.closed_days),
            selectinload(Body.jurisdiction).selectinload(Jurisdiction.grounds),
            selectinload(Body.departments))))
        for b in bodies:
            self.jurisdiction[b.id] = b.jurisdiction
            b.jurisdiction.rules, b.jurisdiction.closed_days  # noqa: B018 - loaded now, read later
        self.bodies = bodies
        self.body_ids = [b.id for b in bodies]
        # A few bodies get most requests (the city hall of an active group), the long tail a few each.
        self.body_weights = [1.0 / (i + 1) ** 0.8 for i in range(len(bodies))]
        self.grounds = {b.id: [g.code for g in b.jurisdiction.grounds] for b in bodies}
        # By name, as SQLite's index on (body_id, name) gives them, on every database.
        self.departments = {b.id: sorted(((d.id, d.name) for d in b.departments), key=lambda d: d[1]) for b in bodies}
        self.body_name = {b.id: b.name for b in bodies}
        self.body_key = {b.id: b.key for b in bodies}
        self.requester_ids = list(session.scalars(select(Requester.id).order_by(Requester.id)))
        self.requester_weights = [1.0 / (i + 1) ** 0.7 for i in range(len(self.requester_ids))]
        # random.choices' own running sums, made once rather than at every draw (the same draws)
        self.body_cum = list(itertools.accumulate(self.body_weights))
        self.requester_cum = list(itertools.accumulate(self.requester_weights))
        self.entered_by = users.entered_by()  # what events.entered_by's default would write, asked once

    def jurisdiction_of(self, body_id: int) -> Jurisdiction:
        return self.jurisdiction[body_id]


# ---------------------------------------------------------------- one request's life

class _Ids:
    def __init__(self, request=0, event=0, decision=0, document=0, withheld=0):
        self.request, self.event, self.decision, self.document, self.withheld = request, event, decision, document, withheld

    def next(self, what: str) -> int:
        value = getattr(self, what) + 1
        setattr(self, what, value)
        return value


def _subject(rng: random.Random, filed: date) -> str:
    y = max(2, _wareki_year(filed) - rng.randrange(0, 3))
    m = rng.randrange(1, 10)
    era = "令和" if filed >= date(2019, 5, 1) else "平成"
    period = rng.choice(PERIODS).format(era=era, y=y, y1=y + 1, m=m, m2=m + rng.randrange(1, 4))
    docs = rng.sample(DOCS, rng.randrange(2, 5))
    text = f"{period}における{rng.choice(DEPARTMENTS)}の{rng.choice(TOPICS)}に関する{'、'.join(docs[:-1])}及び{docs[-1]}"
    if rng.random() < 0.5:
        text += f"（{rng.choice(EXTRAS)}）"
    if rng.random() < 0.3:
        text += f"並びに{rng.choice(TOPICS)}について{rng.choice(DEPARTMENTS)}と協議した記録の一切"
    return text


def _life(rng: random.Random, ctx: _Context, ids: _Ids, ref: date, age: int) -> tuple:
    """Generate one request filed `age` days before ref, with its timeline; return its row and its rows in the
    other tables (TABLES' order, COLUMNS' order within a row; dates as text, as SQLAlchemy stores them)."""
    rid = ids.next("request")
    body_id = rng.choices(ctx.body_ids, cum_weights=ctx.body_cum)[0]
    filed = ref - timedelta(days=age)
    req = _Request(rid, body_id)
    ev: list[_Event] = req.events

    def add(kind: str, on: date, data: dict | None = None, note: str | None = None, retracts: int | None = None):
        e = _Event(ids.next("event"), kind, on, data, note, retracts)
        ev.append(e)
        return e

    def state():
        return timeline.compute(req, ctx.jurisdiction_of)

    methods = rng.choice([["copy"], ["copy"], ["copy"], ["inspect"], ["inspect", "copy"], ["view"], ["inspect", "view"]])
    mail = "copy" in methods and rng.random() < 0.4
    add("filed", filed, {"body_id": body_id})
    decisions_rows: list[tuple] = []
    docs_rows: list[tuple] = []
    withheld_rows: list[tuple] = []

    received = None
    if age > 3 or rng.random() < 0.5:  # a form written in the last days may not be handed in yet
        received = min(ref, filed + timedelta(days=rng.choice([0, 0, 0, 1, 2, 3])))
        if rng.random() < 0.01:  # receipt typed wrong, retracted, typed again
            wrong = add("received", received + timedelta(days=rng.randrange(1, 4)))
            add("retraction", wrong.on, note="受付年月日を誤って記録したため取り消す。", retracts=wrong.id)
        add("received", received)
    if received is not None:
        if rng.random() < 0.5:
            add("reference", min(ref, received + timedelta(days=rng.randrange(0, 6))),
                {"number": f"{_wareki_year(received)}情第{rng.randrange(1, 3000)}号"})
        on = received
        if rng.random() < 0.01:  # 移送
            to = rng.choice(ctx.body_ids)
            if to != req.body_id:
                on = min(ref, received + timedelta(days=rng.randrange(2, 8)))
                add("transfer", on, {"to_body_id": to, "to": ctx.body_key[to]})
        if rng.random() < 0.05:  # 補正
            asked = min(ref, on + timedelta(days=rng.randrange(1, 6)))
            add("correction_asked", asked, {"what": "請求する行政文書の特定が不十分なため"})
            answered = asked + timedelta(days=rng.randrange(2, 15))
            if answered <= ref:
                add("correction_answered", answered)
        third_party = None
        if rng.random() < 0.08:  # 第三者意見照会
            third_party = add("third_party_asked", min(ref, received + timedelta(days=rng.randrange(3, 9))),
                              {"party": f"株式会社{rng.choice(SURNAMES)}{rng.choice(['建設', '商事', '設計', 'システム'])}"})
        s = state()
        first_due = s.first_due.due if s.first_due else None
        stuck = age > 60 and rng.random() < 0.015      # the body never answers: overdue
        withdrawn = rng.random() < 0.03
        if first_due is not None:
            decision_due = first_due
            special = None
            if rng.random() < 0.15 and (first_due - DAY) <= ref:  # 延長
                on = min(first_due, received + timedelta(days=rng.randrange(5, 15)), ref)
                limit = s.extension_limit.due if s.extension_limit else None
                new_due = first_due + timedelta(days=rng.randrange(10, 45))
                if limit is not None and new_due > limit and rng.random() < 0.9:
                    new_due = limit
                if new_due > first_due:
                    if rng.random() < 0.07:
                        part = new_due
                        rest = part + timedelta(days=rng.randrange(60, 180))
                        special = add("special_extension", on, {"part_due": part.isoformat(), "rest_due": rest.isoformat(),
                                                                "reason": "対象文書が著しく大量であるため"})
                    else:
                        add("extension", on, {"new_due": new_due.isoformat(),
                                              "reason": "対象文書の特定及び第三者への意見照会に時間を要するため"})
                    decision_due = new_due
            if third_party is not None:
                answered = third_party.on + timedelta(days=rng.randrange(7, 21))
                if answered <= ref and answered < decision_due:
                    add("third_party_answered", answered, {"party": third_party.data["party"], "objects": rng.random() < 0.3})
            if withdrawn:
                w = received + timedelta(days=rng.randrange(3, 30))
                if w <= ref:
                    add("withdrawn", w, note="請求者の都合により取り下げた。")
            elif not stuck:
                late = rng.random() < 0.1
                decided = (decision_due + timedelta(days=rng.randrange(1, 30)) if late
                           else decision_due - timedelta(days=rng.randrange(0, 10)))
                decided = max(decided, ev[-1].on)
                n_decisions = 2 if special is not None else 1
                for k in range(n_decisions):
                    if k == 1:
                        decided = date.fromisoformat(special.data["rest_due"]) - timedelta(days=rng.randrange(0, 20))
                    if decided > ref:
                        break
                    _decide(rng, ctx, ids, req, add, ref, decided, methods, mail, decisions_rows, docs_rows,
                            withheld_rows)
            elif rng.random() < 0.2:  # an appeal against inaction (不作為についての審査請求)
                filed_appeal = decision_due + timedelta(days=rng.randrange(10, 90))
                if filed_appeal <= ref:
                    add("appeal_filed", filed_appeal, {"against": "inaction"})
    for _ in range(rng.choices((0, 1, 2, 3), cum_weights=(75, 90, 97, 100))[0]):  # notes, recorded later
        start = ev[-1].on
        on = min(ref, start + timedelta(days=rng.randrange(0, 30)))
        note = add("note", on, note=rng.choice(NOTES) + rng.choice(["", "次回の定例会で報告する。", "要フォロー。"]))
        if rng.random() < 0.02:
            add("retraction", on, note="別の請求についてのメモだったため取り消す。", retracts=note.id)

    timeline.refresh(req, ctx.jurisdiction_of)
    dept = ctx.departments[body_id]
    created = rng.randrange(9, 18) * 60 + rng.randrange(60)  # minutes after midnight (SQLAlchemy's text for a DATETIME)
    request_row = (
        rid, req.body_id, req.filed_body_id,
        rng.choices(ctx.requester_ids, cum_weights=ctx.requester_cum)[0] if rng.random() < 0.95 else None,
        rng.choice(dept)[0] if dept and rng.random() < 0.6 else None,
        _subject(rng, filed), ",".join(methods), mail,
        rng.choice(REASONS) + (rng.choice(REASONS) if rng.random() < 0.4 else "") if rng.random() < 0.7 else None,
        filed.isoformat(), rng.choice(NOTES) if rng.random() < 0.1 else None, f"{filed} {created // 60:02d}:{created % 60:02d}:00.000000",
        _iso(req.received_on), req.reference, req.status, _iso(req.decision_due), _iso(req.decided_on),
        _iso(req.notified_on), _iso(req.appeal_due), _iso(req.disclosure_on), _iso(req.rest_due), req.fee_unpaid,
        _iso(req.lawsuit_due), req.flags, req.voided, req.days_counted, req.extended, req.fee_total,
        req.appeal_outcome, req.decision_kinds, req.grounds, req.days_calendar, req.fee_paid, _iso(req.appeal_on),
        _iso(req.ruled_on), req.withheld,
    )
    who = ctx.entered_by
    event_rows = [(e.id, rid, e.kind, e.on.isoformat(), _json(e.data), e.note, e.retracts_id,
                   f"{e.on} 20:00:00.000000", who) for e in ev]
    return request_row, event_rows, decisions_rows, docs_rows, withheld_rows


DECISION_WEIGHTS = {"full": 34, "partial": 36, "refusal": 7, "neither": 2, "absent": 18, "rejected": 3}
_DECISION_KINDS = tuple(DECISION_WEIGHTS)
_DECISION_CUM = tuple(itertools.accumulate(DECISION_WEIGHTS.values()))


def _decide(rng, ctx, ids, req, add, ref, decided, methods, mail, decisions_rows, docs_rows, withheld_rows) -> None:
    """A decision with its notice (documents, withheld parts, disclosure, fee) and what follows it."""
    kind = rng.choices(_DECISION_KINDS, cum_weights=_DECISION_CUM)[0]
    body_id = timeline.compute(req, ctx.jurisdiction_of).body_id if any(e.kind == "transfer" for e in req.events) \
        else req.body_id
    event = add("decision", decided, {"kind": kind})
    notified = decided + timedelta(days=rng.randrange(1, 7)) if rng.random() < 0.9 else None
    if notified is not None and notified > ref:
        notified = None
    discloses = kind in ("full", "partial")
    disclosure_on = decided + timedelta(days=rng.randrange(5, 21)) if discloses and rng.random() < 0.8 else None
    pages = rng.randrange(1, 400)
    fee = pages * 10 + (rng.choice([140, 180, 250]) if mail else 0) if discloses and "copy" in methods else None
    dept = ctx.departments[body_id]
    dept_id, dept_name = rng.choice(dept) if dept else (None, "総務課")
    d = _Decision(ids.next("decision"), event.id, kind, decided, notified, disclosure_on, fee)
    req.decisions.append(d)
    decisions_rows.append((
        d.id, req.id, event.id, kind, decided.isoformat(), _iso(notified),
        f"{_wareki_year(decided)}{dept_name[:2]}第{rng.randrange(1, 2000)}号",
        _iso(disclosure_on), rng.choice(["午前10時", "午後1時30分", "午後2時"]) if disclosure_on else None,
        f"{ctx.body_name[body_id]} {dept_name}" if disclosure_on else None,
        ",".join(methods) if discloses else None,
        (decided + timedelta(days=rng.randrange(60, 400))).isoformat() if kind == "refusal" and rng.random() < 0.1 else None,
        dept_id, "開示の日時に都合が悪い場合は担当課まで連絡してください。" if rng.random() < 0.3 else None,
        fee, rng.choice(DECISION_REASONS[kind]) if kind in DECISION_REASONS else None,
    ))
    for pos in range(1, rng.randrange(1, 5) + 1):
        docs_rows.append((ids.next("document"), d.id, pos,
                          f"{rng.choice(TOPICS)}に係る{rng.choice(DOCS)}（{rng.choice(DEPARTMENTS)}作成）"))
    if kind in ("partial", "refusal"):
        codes = ctx.grounds[body_id]
        for pos in range(1, rng.randrange(1, 4) + 1):
            row = (ids.next("withheld"), d.id, pos, f"{rng.choice(DOCS)}のうち{rng.choice(WITHHELD_WHAT)}",
                   rng.choice(codes), rng.choice(WITHHELD_REASON))   # drawn in this order: the same data as before
            withheld_rows.append(row)
            d.withheld.append(SimpleNamespace(part=row[3], ground=row[4]))
    last = decided
    if disclosure_on is not None and disclosure_on <= ref and rng.random() < 0.95:
        add("disclosed", disclosure_on)
        last = disclosure_on
    if fee is not None:
        paid_on = disclosure_on if disclosure_on else decided + timedelta(days=rng.randrange(3, 15))
        if rng.random() < 0.05:
            postage = rng.choice([120, 180, 250])
            add("fee_charged", min(ref, paid_on), {"amount": postage})
            fee += postage
        if paid_on <= ref and rng.random() < 0.995:
            add("fee_paid", paid_on, {"amount": fee})
            last = max(last, paid_on)
    if kind != "full" and notified is not None and rng.random() < 0.06:  # 審査請求 and the review board
        on = notified + timedelta(days=rng.randrange(20, 85))
        for step, gap, data in (("appeal_filed", 0, {"against": "decision"}), ("appeal_referred", (10, 40), {}),
                                ("board_report", (150, 400), {"outcome": "処分は妥当である"}),
                                ("ruling", (20, 60), {"outcome": rng.choice(["upheld", "partly-granted", "granted",
                                                                               "dismissed"])})):
            if gap:
                on += timedelta(days=rng.randrange(*gap))
            if on > ref:
                break
            add(step, max(on, last), data)


# ---------------------------------------------------------------- building and checking

TABLES = ("requests", "events", "decisions", "decision_documents", "withheld_parts")
_MODELS = {"requests": Request, "events": Event, "decisions": Decision, "decision_documents": DecisionDocument,
           "withheld_parts": WithheldPart}
# The columns of each table's rows as _life makes them, in order.
COLUMNS = {
    "requests": ("id", "body_id", "filed_body_id", "requester_id", "department_id", "subject", "methods", "mail",
                 "reason", "filed_on", "notes", "created_at", "received_on", "reference", "status", "decision_due",
                 "decided_on", "notified_on", "appeal_due", "disclosure_on", "rest_due", "fee_unpaid", "lawsuit_due",
                 "flags", "voided", "days_counted", "extended", "fee_total", "appeal_outcome", "decision_kinds", "grounds",
                 "days_calendar", "fee_paid", "appeal_on", "ruled_on", "withheld"),
    "events": ("id", "request_id", "kind", "on", "data", "note", "retracts_id", "recorded_at", "entered_by"),
    "decisions": ("id", "request_id", "event_id", "kind", "decided_on", "notified_on", "notice_number", "disclosure_on",
                  "disclosure_time", "disclosure_place", "disclosure_methods", "later_on", "department_id", "remarks",
                  "fee", "reason"),
    "decision_documents": ("id", "decision_id", "position", "title"),
    "withheld_parts": ("id", "decision_id", "position", "part", "ground", "reason"),
}
# A chunk's rows number their events, decisions, documents and withheld parts from 1; the writer adds the
# counts of the chunks before it. Per table: (column, the counter its value counts in).
LOCAL_IDS = {
    "requests": (),
    "events": (("id", "event"), ("retracts_id", "event")),
    "decisions": (("id", "decision"), ("event_id", "event")),
    "decision_documents": (("id", "document"), ("decision_id", "decision")),
    "withheld_parts": (("id", "withheld"), ("decision_id", "decision")),
}
COUNTERS = ("event", "decision", "document", "withheld")
CHUNK = 2000  # requests a chunk; each chunk has its own random stream, so the data do not depend on the workers


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


_json = json.JSONEncoder().encode  # json.dumps' own defaults, as SQLAlchemy's JSON type writes them


def build(url: str, n: int, ref: date, seed: int = 20250110, progress=None, workers: int | None = None) -> dict[str, Any]:
    """Create a database at url holding n requests whose timelines end on or before ref.

    The requests are made in chunks by `workers` processes (default: one per core, none for a small
    database) and written by this one: SQLite through sqlite3 with the indexes made after the load,
    PostgreSQL through COPY. The result is the same whatever the number of workers.
    """
    # The deadlines' explanations are never read here: one language chosen once, rather than the
    # environment's variables read for every line of every count.
    with use_language("en"):
        return _build(url, n, ref, seed, progress, workers)


# What the worker processes read: set before they start (fork), so nothing is sent to them but a chunk's number.
_JOB: dict[str, Any] = {}


def _build(url: str, n: int, ref: date, seed: int, progress, workers: int | None) -> dict[str, Any]:
    engine = dbm.open_database(url)  # the migrations and the presets, as a user's first command does
    rng = random.Random(seed)
    _setup(engine, n, rng)
    span = 10 * 365
    # Groups grow: each year holds more requests than the last. Ids follow the filing date, as they
    # do when a group logs each request as it files it, so recent requests sit together at the end.
    ages = sorted((int(span * (1 - rng.random() ** 0.5)) for _ in range(n)), reverse=True)
    with dbm.reading(engine) as session:
        ctx = _Context(session)  # detached when the session closes; everything it holds is loaded
    _JOB.update(ctx=ctx, ref=ref, seed=seed, ages=ages)
    chunks = range((n + CHUNK - 1) // CHUNK)
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if n >= 20 * CHUNK else 0
    write = _PostgresWriter(engine) if engine.dialect.name == "postgresql" else _SqliteWriter(engine)
    pool = multiprocessing.get_context("fork").Pool(workers) if workers > 0 else None
    try:
        made = _ahead(pool, chunks, 2 * workers) if pool else map(_chunk, chunks)
        done, step = 0, max(CHUNK, n // 20 // CHUNK * CHUNK)
        with write:
            for rows in made:
                write(rows)
                done += len(rows[0])
                if progress and (done % step == 0 or done == n):
                    progress(done, n)
    finally:
        _JOB.clear()
        if pool:
            pool.terminate()
            pool.join()
    meta = describe(engine, ref)
    engine.dispose()
    return meta


def _ahead(pool, chunks, ahead: int):
    """The chunks' rows in order, at most `ahead` chunks made before the writer takes them (so that a slow
    writer does not gather a million requests' rows in memory, as Pool.imap would)."""
    pending: collections.deque = collections.deque()
    for k in chunks:
        pending.append(pool.apply_async(_chunk, (k,)))
        if len(pending) > ahead:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def _chunk(k: int) -> tuple[list[tuple], ...]:
    """Requests CHUNK * k + 1 … of the build, each table's rows (events etc. numbered from 1 in the chunk)."""
    ctx, ref, ages = _JOB["ctx"], _JOB["ref"], _JOB["ages"]
    rng = random.Random(f"{_JOB['seed']}:{k}")
    ids = _Ids(request=k * CHUNK)
    out: tuple[list[tuple], ...] = tuple([] for _ in TABLES)
    with use_language("en"), _deadlines_once():
        for i in range(k * CHUNK, min(len(ages), (k + 1) * CHUNK)):
            request, *more = _life(rng, ctx, ids, ref, ages[i])
            out[0].append(request)
            for rows, new in zip(out[1:], more):
                rows.extend(new)
    return out


# The functions of tracker.deadlines that timeline.compute calls and whose answer only its arguments decide.
_REUSED = ("decision_due", "extension_limit", "appeal_due", "lawsuit_due", "day_numbers")


@contextmanager
def _deadlines_once():
    """Within the block, timeline.compute reuses a deadline it has counted already.

    tracker.deadlines counts a decision period day by day, with an explanation of each day, and most
    requests of a chunk share their jurisdiction and receipt date (or decision date) with another: the same
    arguments give the same deadline, so it is counted once and its date kept (the explanation, never read
    here, is dropped). The stored dates still come from kaiji's own functions, and `verify` re-derives a
    sample without this.
    """
    originals = (timeline.closed_days, timeline.to_rule) + tuple(getattr(deadlines, f) for f in _REUSED)
    closed_days, to_rule = originals[:2]
    known: dict[tuple, Any] = {}
    keep = []  # the objects whose id() is in a key, alive as long as the key

    def by_id(make):
        def one(obj):
            key = (make, id(obj))
            found = known.get(key)
            if found is None:
                found = known[key] = make(obj)
                keep.append(obj)
            return found
        return one

    def reuse(fn, key):  # key: the arguments as a key (a rule's and closed days' objects by id)
        def once(*args, **kw):
            k = (fn, *key(*args, **kw))
            found = known.get(k)
            if found is None:
                full = fn(*args, **kw)
                # A deadline's date without its explanation; day numbers (timeline.counted_days) as they are.
                found = known[k] = deadlines.Deadline(full.what, full.due) if isinstance(full, deadlines.Deadline) else full
                keep.append(args)
            return found
        return once

    keys = {
        "decision_due": lambda rule, days, received, pauses=(): (id(rule), id(days), received, tuple(pauses)),
        "extension_limit": lambda rule, days, received, first_due, pauses=(): (
            id(rule), id(days), received, first_due, tuple(pauses)),
        "appeal_due": lambda days, decided, notified: (id(days), decided, notified),
        "lawsuit_due": lambda decided, notified, after_ruling=False: (decided, notified, after_ruling),
        "day_numbers": lambda rule, days, first, last, pauses=(): (id(rule), id(days), first, last, tuple(pauses)),
    }
    timeline.closed_days, timeline.to_rule = by_id(closed_days), by_id(to_rule)  # one object per row: keys by id
    for name, fn in zip(_REUSED, originals[2:]):
        setattr(deadlines, name, reuse(fn, keys[name]))
    try:
        yield
    finally:
        timeline.closed_days, timeline.to_rule = originals[:2]
        for name, fn in zip(_REUSED, originals[2:]):
            setattr(deadlines, name, fn)


class _Writer:
    """Writes chunks in order, numbering each chunk's events etc. after the chunks before it."""

    def __init__(self, engine):
        self.engine = engine
        self.offset = dict.fromkeys(COUNTERS, 0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, rows: tuple[list[tuple], ...]) -> None:
        self.write(rows)
        for table, table_rows in zip(TABLES, rows):
            if LOCAL_IDS[table]:
                self.offset[LOCAL_IDS[table][0][1]] += len(table_rows)  # numbered 1 … len in the chunk

    def write(self, rows) -> None:
        raise NotImplementedError


class _SqliteWriter(_Writer):
    """sqlite3's executemany, the offsets added by SQLite (`? + 120000`), with no journal and no sync during
    the load and the five tables' indexes made after it; the file is then a normal kaiji database again."""

    def __enter__(self):
        import sqlite3

        path = self.engine.url.database
        self.engine.dispose()
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
        self.conn.execute("PRAGMA journal_mode = OFF")
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.execute("PRAGMA cache_size = -200000")
        marks = ",".join("?" * len(TABLES))
        self.indexes = self.conn.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks}) "
            "ORDER BY name", TABLES).fetchall()
        self.conn.execute("BEGIN")
        for name, _ in self.indexes:
            self.conn.execute(f'DROP INDEX "{name}"')
        return self

    def write(self, rows) -> None:
        for table, table_rows in zip(TABLES, rows):
            if not table_rows:
                continue
            local = dict(LOCAL_IDS[table])
            values = ",".join(f"? + {self.offset[local[c]]}" if c in local else "?" for c in COLUMNS[table])
            names = ",".join(f'"{c}"' for c in COLUMNS[table])
            self.conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({values})", table_rows)

    def __exit__(self, exc_type, *exc):
        try:
            if exc_type is None:
                for _, sql in self.indexes:
                    self.conn.execute(sql)
                self.conn.execute("COMMIT")
            else:
                self.conn.execute("ROLLBACK")
        finally:
            self.conn.execute(f"PRAGMA journal_mode = {self.mode}")
            self.conn.close()
        return False


class _PostgresWriter(_Writer):
    """COPY (psycopg's cursor.copy) in one transaction, the ids numbered here; the sequences moved past them."""

    def __enter__(self):
        self.raw = self.engine.raw_connection()
        self.cur = self.raw.driver_connection.cursor()
        return self

    def write(self, rows) -> None:
        for table, table_rows in zip(TABLES, rows):
            if not table_rows:
                continue
            shift = [(COLUMNS[table].index(c), self.offset[counter]) for c, counter in LOCAL_IDS[table]]
            names = ",".join(f'"{c}"' for c in COLUMNS[table])
            with self.cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in table_rows:
                    if shift:
                        row = list(row)
                        for i, by in shift:
                            if row[i] is not None:
                                row[i] += by
                    copy.write_row(row)

    def __exit__(self, exc_type, *exc):
        try:
            if exc_type is None:
                for table in TABLES + ("requesters",):  # explicit ids: move the sequences past them
                    self.cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT coalesce(max(id), 1) FROM {table}))")
                self.raw.commit()
            else:
                self.raw.rollback()
        finally:
            self.raw.close()
        return False


def describe(engine, ref: date) -> dict[str, Any]:
    """Counts that the report prints beside the timings, and ids the commands use."""
    with dbm.reading(engine) as s:
        def count(q):
            return s.scalar(q)
        meta: dict[str, Any] = {"ref": ref.isoformat()}
        for table in TABLES + ("requesters",):
            model = _MODELS.get(table, Requester)
            meta[table] = count(select(func.count()).select_from(model))
        meta["bodies"] = count(select(func.count()).select_from(Body))
        meta["jurisdictions"] = count(select(func.count()).select_from(Jurisdiction))
        meta["open"] = count(select(func.count()).select_from(Request).where(Request.status.in_(OPEN_STATUSES)))
        meta["overdue"] = len(reports.overdue(s, ref))
        meta["due"] = len(reports.due(s, ref, 90))
        meta["status"] = dict(s.execute(select(Request.status, func.count()).group_by(Request.status)).all())
        meta["event_kinds"] = dict(s.execute(select(Event.kind, func.count()).group_by(Event.kind)).all())
        meta["decision_kinds"] = dict(s.execute(select(Decision.kind, func.count()).group_by(Decision.kind)).all())
        # A request worth showing: decided in part, withheld parts, an appeal; the most events among a few.
        rich = s.execute(select(Event.request_id, func.count()).where(Event.request_id.in_(
            select(Event.request_id).where(Event.kind == "appeal_filed").limit(50)))
            .group_by(Event.request_id).order_by(func.count().desc(), Event.request_id).limit(1)).first()
        meta["show_id"] = rich[0] if rich else 1
        meta["requester"] = s.scalar(select(Requester.name).order_by(Requester.id).limit(1))
    return meta


def verify(url: str, sample: int = 300, seed: int = 1) -> int:
    """Re-derive a sample of requests through the ORM and tracker.service; return how many differ."""
    engine = dbm.open_database(url)
    fields = ("status", "body_id", "received_on", "reference", "decision_due", "decided_on", "notified_on",
              "appeal_due", "disclosure_on", "rest_due", "fee_unpaid", "lawsuit_due", "flags", "voided")
    bad = 0
    with dbm.reading(engine) as s:
        n = s.scalar(select(func.max(Request.id)))
        rng = random.Random(seed)
        for rid in rng.sample(range(1, n + 1), min(sample, n)):
            req = service.get_request(s, rid)
            st = service.state(s, req)
            want = {"status": st.status, "body_id": st.body_id, "received_on": st.received_on,
                    "reference": st.reference, "decision_due": st.decision_due, "decided_on": st.decided_on,
                    "notified_on": st.notified_on, "appeal_due": st.appeal_due, "disclosure_on": st.disclosure_on,
                    "rest_due": st.rest_due, "fee_unpaid": st.fee_unpaid, "lawsuit_due": st.lawsuit_due,
                    "flags": ",".join(st.flags) or None, "voided": st.voided is not None}
            have = {f: getattr(req, f) for f in fields}
            if want != have:
                bad += 1
    engine.dispose()
    return bad
