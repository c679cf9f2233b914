"""Search (tracker/search.py) on the Maizuru case: the request, its decision, a note, and the papers the
city sent back added as a document; the same queries give the same hits on SQLite and PostgreSQL.

What each query should find is worked out here from the texts the test put in (NFKC and lower case
over the whole text, as a reader would compare them), never from the index itself."""

from __future__ import annotations

import json
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest

from tracker import db as dbm
from tracker import documents, search, service
from tracker.errors import BadInput

from .conftest import PG_URL

D = date.fromisoformat
PAPERS_FILE = Path(__file__).parent / "data" / "maizuru-2024-papers.txt"
PAPERS = PAPERS_FILE.read_text("utf-8")
SUBJECT = "舞鶴市が実施した「カスタマーハラスメント」アンケートの調査結果を請求します。"
REASON = "市の職員が受けている被害の実態を市民が知るため"
NOTE = "人事課に電話。決定は1月10日の予定とのこと"
WITHHELD = "店名の部分"
GROUND_REASON = ("法人その他の団体に関する情報又は事業を営む個人の当該事業に関する情報であって、当該法人等又は当該個人の"
                 "権利、競争上の地位その他正当な利益を害するおそれがあるため")
SUBJECT_2 = "市議会の政務活動費に関する領収書一式（令和５年度分）の写し"


@pytest.fixture
def case(engine, tmp_path):
    """The Maizuru request (1) with its note, decision and papers; a Kyoto request (2). Returns the texts
    put in, as (request, where, text)."""
    with dbm.transaction(engine) as s:
        rid = service.add_request(s, body="maizuru", subject=SUBJECT, received=D("2024-12-27"), reason=REASON).id
        service.record(s, rid, "note", D("2025-01-06"), {}, note=NOTE)
        service.decide(s, rid, kind="partial", on=D("2025-01-10"), notified=D("2025-01-20"),
                       withheld=[service.Withheld(WITHHELD, "第5条第2号", GROUND_REASON)], fee=190)
        documents.add(s, rid, [str(PAPERS_FILE)], folder=tmp_path / "files", kind="disclosed")
        other = service.add_request(s, body="kyoto-city", subject=SUBJECT_2, received=D("2025-03-03")).id
    assert (rid, other) == (1, 2)
    return [(1, "subject", SUBJECT), (1, "reason", REASON), (1, "note", NOTE), (1, "withheld", WITHHELD),
            (1, "ground", GROUND_REASON), (1, "document", "maizuru-2024-papers.txt\n" + PAPERS),
            (2, "subject", SUBJECT_2)]


def expected(texts, query: str) -> set[tuple[int, str]]:
    def norm(s: str) -> str:
        return unicodedata.normalize("NFKC", s).lower()
    return {(r, w) for r, w, t in texts if all(word in norm(t) for word in norm(query).split())}


def found(engine, query: str, **kw) -> list[search.Hit]:
    with dbm.reading(engine) as s:
        return search.search(s, query, **kw)


def where(hits) -> set[tuple[int, str]]:
    return {(h.request, h.field) for h in hits}


def test_the_maizuru_searches_find_the_papers(engine, case):
    assert "怒鳴" in PAPERS and "民生委員" in PAPERS and "SNS" in PAPERS   # the papers say so
    for query in ("怒鳴", "民生委員", "SNS"):
        hits = found(engine, query)
        assert where(hits) == {(1, "document")} == expected(case, query)
        assert hits[0].match == query and query in hits[0].passage
        assert hits[0].matches == PAPERS.count(query)
        # a whole number on both databases, so that --format json prints 3, not 3.0 (PostgreSQL's division)
        assert json.dumps(hits[0].as_dict()["matches"]) == str(PAPERS.count(query))
        # the passage is the text around the match, as written (line breaks as spaces)
        assert " ".join(hits[0].passage.strip("…").split()) in " ".join(PAPERS.split())


def test_a_one_and_a_two_character_query_are_found_too(engine, case):
    # 店 (one character) is in the withheld part and in the papers' copy of the notice; 議会 (two) only in
    # the Kyoto request's subject: the trigram index cannot find either, the fallback does.
    assert where(found(engine, "店")) == {(1, "withheld"), (1, "document")} == expected(case, "店")
    assert where(found(engine, "議会")) == {(2, "subject")} == expected(case, "議会")
    assert where(found(engine, "店", where=["decisions"])) == {(1, "withheld")}


def test_full_width_half_width_and_case_are_alike(engine, case):
    for query in ("sns", "ＳＮＳ", "ｓｎｓ"):
        assert where(found(engine, query)) == {(1, "document")}
    assert [h.match for h in found(engine, "令和5年度")] == ["令和５年度"]   # as written in the subject


def test_every_query_finds_what_the_texts_hold(engine, case):
    """However the database answers (trigram index, instr, LIKE), a hit is a text holding every word."""
    queries = ["アンケート", "カスハラ 職員", "第5条", "ハラスメント", "競争上の地位", "人事課", "の", "1月10日",
               "政務活動費 写し", "存在しない言葉", "%", "_", "\"", "a\"b", "店名 部分"]
    for query in queries:
        assert where(found(engine, query, limit=None)) == expected(case, query), query


def test_the_answers_are_the_same_with_and_without_the_indexes(engine, case, monkeypatch):
    with dbm.reading(engine) as s:
        assert search.has_grams(s) and search.has_fts(s) == (engine.dialect.name == "sqlite")   # SQLite 3.34+
    queries = ["怒鳴", "民生委員", "SNS", "アンケート 調査", "店", "議会", "カスタマーハラスメント", "市 店", "s", "の 職員"]
    indexed = {q: [(h.request, h.field, h.passage) for h in found(engine, q)] for q in queries}
    with monkeypatch.context() as m:   # SQLite walking the rows in order, as for a word many rows hold
        m.setattr(search, "WALK_FROM", {"sqlite": 0, "postgresql": 0})
        assert {q: [(h.request, h.field, h.passage) for h in found(engine, q)] for q in queries} == indexed
    monkeypatch.setattr(search, "has_fts", lambda session: False)
    monkeypatch.setattr(search, "has_grams", lambda session: False)
    assert {q: [(h.request, h.field, h.passage) for h in found(engine, q)] for q in queries} == indexed


def test_hits_come_newest_request_first_then_by_place(engine, case):
    """The order worked out by hand from the texts: 市 is in request 2's subject (市議会), and in request 1's
    subject (舞鶴市), reason (市の職員, 市民) and papers (舞鶴市…), not in its note, withheld part or ground's reason.
    Request 2 is the newer; within request 1 the places come in their order (subject, reason, …, document)."""
    hits = found(engine, "市")
    assert [(h.request, h.field) for h in hits] == [(2, "subject"), (1, "subject"), (1, "reason"), (1, "document")]
    assert [h.rank for h in hits] == [1, 2, 3, 4]
    # occurrences, counted for the hits shown: 市議会; 舞鶴市; 市の職員 and 市民; the papers' own
    assert [h.matches for h in hits] == [1, 1, 2, ("maizuru-2024-papers.txt\n" + PAPERS).count("市")]
    assert [(h.request, h.field) for h in found(engine, "市", limit=2)] == [(2, "subject"), (1, "subject")]


def test_the_index_follows_every_write(engine, case, tmp_path):
    assert where(found(engine, "怒鳴")) == {(1, "document")}
    with dbm.transaction(engine) as s:
        service.record(s, 2, "note", D("2025-03-10"), {}, note="窓口で怒鳴られたと聞いた")
    assert where(found(engine, "怒鳴")) == {(1, "document"), (2, "note")}
    with dbm.transaction(engine) as s:
        documents.remove(s, 1, tmp_path / "files")
    assert where(found(engine, "怒鳴")) == {(2, "note")}
    with dbm.transaction(engine) as s:
        service.record(s, 2, "voided", D("2025-03-11"), {"reason": "二重登録"})
    assert found(engine, "怒鳴") == [] and found(engine, "議会") == []   # a voided request is left out


def test_a_body_narrows_the_search(engine, case):
    assert where(found(engine, "市", body="kyoto-city")) == {(2, "subject")}
    assert (1, "subject") in where(found(engine, "市", body="maizuru"))


def test_an_empty_query_or_an_unknown_place_is_refused(engine, case):
    with pytest.raises(BadInput) as e:
        found(engine, "  ")
    assert e.value.field == "query"
    with pytest.raises(BadInput) as e:
        found(engine, "店", where=["minutes"])
    assert e.value.field == "where" and "requests, notes, decisions, documents" in str(e.value)


def test_the_command_gives_json_hits_and_an_empty_list(kaiji, tmp_path):
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", SUBJECT, "--received", "令和6年12月27日")
    kaiji.ok("doc", "add", "1", PAPERS_FILE, "--kind", "開示文書")
    hits = json.loads(kaiji.ok("search", "民生委員", "--json").stdout)
    assert [(h["request"], h["where"], h["document"]) for h in hits] == [(1, "document", 1)]
    h = hits[0]
    assert h["passage"][h["match_start"]:h["match_end"]] == "民生委員"
    assert json.loads(kaiji.ok("search", "存在しない言葉", "--json").stdout) == []
    table = kaiji.ok("search", "民生委員").stdout
    assert "【民生委員】" in table
    assert kaiji.ok("search", "存在しない言葉").stdout.strip() == "nothing found for 存在しない言葉."
    bad = kaiji("search", "店", "--in", "minutes")
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_imported_requests_are_found(kaiji, engine, tmp_path):
    """request import adds its rows a batch at a time (service.add_request, flushed later): each is indexed."""
    sheet = tmp_path / "requests.csv"
    sheet.write_text("実施機関,件名,受付日,理由\nmaizuru,市議会の会議録,2025-01-06,\n"
                     "maizuru,公用車の運行記録,2025-01-07,議会で問われたため\n", "utf-8")
    kaiji.ok("request", "import", sheet)
    assert where(found(engine, "議会")) == {(1, "subject"), (2, "reason")}
    assert where(found(engine, "運行記録")) == {(2, "subject")}


def indexed(engine, word: str) -> set[int]:
    """The index rows the index of short words (migration 0009) gives for a word of one or two characters,
    asked directly (not through search, which tests each row's text afterwards)."""
    from sqlalchemy import text

    with dbm.reading(engine) as s:
        if engine.dialect.name == "sqlite":
            found = s.execute(text("SELECT rowid FROM search_fts_grams WHERE search_fts_grams MATCH :q"),
                              {"q": search._gram_query(word)})
        else:
            found = s.execute(text("SELECT id FROM search_entries WHERE kaiji_grams(folded) @> ARRAY[:w]"), {"w": word})
        return set(found.scalars())


def holding(engine, word: str) -> set[int]:
    """The index rows whose text, as written, holds the word (NFKC and lower case over the whole text)."""
    from sqlalchemy import select

    from tracker import schema

    with dbm.reading(engine) as s:
        rows = s.execute(select(schema.search_entries.c.id, schema.search_entries.c.content)).all()
    return {i for i, content in rows if word in unicodedata.normalize("NFKC", content).lower()}


def short_words(texts) -> set[str]:
    words = set()
    for t in texts:
        t = unicodedata.normalize("NFKC", t).lower()
        words |= {t[i:i + n] for i in range(len(t)) for n in (1, 2)}
    return {w for w in words if w.split() == [w]}   # no spaces: a query's word has none


def test_the_index_of_short_words_holds_every_text_that_holds_them_after_every_write(engine, case, tmp_path):
    words = short_words([SUBJECT, REASON, NOTE, WITHHELD, SUBJECT_2]) | {"ゑ", "ゑゐ", "sn", "s", "店名", "名の"}
    assert len(words) > 100

    def check():
        for w in sorted(words):
            assert indexed(engine, w) == holding(engine, w), w
    check()
    with dbm.transaction(engine) as s:   # a request written again (its rows deleted and put back), a note added
        service.record(s, 2, "note", D("2025-03-10"), {}, note="店名は議会で。ゑゐ")
    check()
    with dbm.transaction(engine) as s:
        documents.remove(s, 1, tmp_path / "files")
    check()
    assert indexed(engine, "ゑゐ") and not indexed(engine, "民生")   # the papers' words went with them


def test_short_words_are_found_and_ranked_as_the_texts_say(engine, monkeypatch):
    """Texts of a few characters (a space among them, Latin in both widths), every word of one and two
    characters searched: the hits and their order worked out from the texts (the newest request first, its
    subject before its note; occurrences as str.count counts them)."""
    import random

    rng = random.Random(17)
    alphabet = "会議録店のaＡ 1"
    texts = []
    with dbm.transaction(engine) as s:
        for n in range(40):
            subject = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))).strip() or "会"
            day = D("2025-01-06") + timedelta(days=n)
            req = service.add_request(s, body="maizuru", subject=subject, received=day)
            note = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))).strip()
            texts.append((req.id, "subject", subject))
            if note:
                service.record(s, req.id, "note", day, {}, note=note)
                texts.append((req.id, "note", note))
    norm = {(r, f): unicodedata.normalize("NFKC", t).lower() for r, f, t in texts}
    queries = sorted(short_words(t for _, _, t in texts)) + ["ａ会", "1 の", "a 店"]
    for query in queries:
        terms = list(dict.fromkeys(unicodedata.normalize("NFKC", query).lower().split()))
        hits = [(r, f, sum(t.count(w) for w in terms)) for (r, f), t in norm.items() if all(w in t for w in terms)]
        hits.sort(key=lambda h: (-h[0], h[1] != "subject"))
        assert [(h.request, h.field, h.matches) for h in found(engine, query, limit=None)] == hits, query
        assert [(h.request, h.field) for h in found(engine, query, limit=5)] == [h[:2] for h in hits[:5]], query
        # Walked in order (as for a word many rows hold) or read and sorted: the same hits in the same order.
        with monkeypatch.context() as m:
            m.setattr(search, "WALK_FROM", {"sqlite": 0, "postgresql": 0})
            assert [(h.request, h.field) for h in found(engine, query, limit=5)] == [h[:2] for h in hits[:5]], query
