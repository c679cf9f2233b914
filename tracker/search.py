"""Search across every request's words: subjects, reasons, notes, decisions' reasons, withheld parts and
their grounds' reasons, and the text of received documents.

What is searched is kept in one table, search_entries (schema.py): one row per piece of text, with the
text as written (`content`, for the passage shown) and as compared (`folded`: each character in NFKC,
lower case, so that ＳＮＳ, SNS and sns are one word). This module keeps it in step: index_request()
after every write to a request (service.py calls it), index_document() / unindex_document() for
documents (documents.py); a voided request's rows stay, and every search leaves the request out.

Japanese has no spaces between words, so a query is matched as a substring of the folded text (every
word of it, in one piece of text). On SQLite an FTS5 table with the trigram tokenizer (search_fts, made by
migration 0006) finds the rows holding a word of three or more characters; a word of one or two
characters (議会, 店), which trigrams cannot find, is found through a second FTS5 table (search_fts_grams,
migration 0009) holding each row's pairs of characters (the last character alone), written as hex
tokens by grams() (a word of one character is a prefix of them). Both find exactly the rows holding the word
(tests/test_search.py checks it of the pairs), so that no row's text is read to find the hits. On PostgreSQL
a GIN index of each row's characters and pairs of characters (kaiji_grams(), migration 0009) narrows the rows
(exactly, for a word of one or two characters; by every pair of a longer word's) and strpos() tests each
word on the folded text (LIKE, which migration 0006's pg_trgm index served, rechecked each document at about
0.4 ms). Without the indexes (an SQLite older than 3.34) each row's text is tested (instr()): the same hits
either way.

The order of the hits is one an index gives: the newest request first (the highest number), and within a
request its places in the order of FIELDS (subject, reason, notes, event notes, decision's reason, withheld
parts, grounds' reasons, documents), then in the order they were written. How often the words occur
(Hit.matches) is counted for the hits shown only. Until issue 17 the hits were ranked by that count (a
subject thrice), which meant counting the words in every hit before the best 50 could be kept: 18,000 texts
read for 会議録 at 100,000 requests, 10,000 documents of 11,000 characters for 店 at a million, whose count
favoured a long document over the subject that names the matter. froide (FragDenStaat) ranks a search by
Elasticsearch's relevance and offers "newest first" as the other order, and lists requests newest first
when nothing is searched; kaiji has no relevance score to keep (a substring's count is not one) and a group
searches its own requests — which requests, lately, touched 民生委員, and where — so it gives the order its
request list has: newest first. When more than WALK_FROM rows hold the words (_many asks the indexes), the
rows are walked in that order (the index of request_id) and each tested (SQLite: against the rows the FTS5
indexes give; PostgreSQL: strpos(), its planner told not to use bitmaps), until there are enough; fewer are
read from the rows the indexes give and sorted. The order is the same on both databases, whichever way they
answer (tests/test_search.py asks both ways).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Sequence

from sqlalchemy import Text, bindparam, case, delete, func, insert, literal_column, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from . import schema
from .errors import BadInput
from .grams import hex_token as _hex
from .i18n import N_, _

T = schema.search_entries

# Where a piece of text comes from (search_entries.field), with how a hit names it.
FIELDS = {
    "subject": N_("subject"),
    "reason": N_("request's reason"),
    "notes": N_("request's notes"),
    "note": N_("event note"),
    "decision": N_("decision's reason"),
    "withheld": N_("withheld part"),
    "ground": N_("ground's reason"),
    "document": N_("document"),
}
# The groups --in chooses from, and the fields each covers.
GROUPS = {
    "requests": ("subject", "reason", "notes"),
    "notes": ("note",),
    "decisions": ("decision", "withheld", "ground"),
    "documents": ("document",),
}
# More rows holding the words than this, and search walks the rows in its order (_many).
WALK_FROM = {"sqlite": 2_000, "postgresql": 300}
# Characters shown before and after the match in a passage: few before, so that a table clipping the
# passage to the terminal's width still shows the match.
BEFORE, AFTER = 15, 45
TRIGRAM = 3               # the shortest word the trigram index finds
SEARCH_INDEXES = ("search_fts", "search_fts_grams")   # SQLite's FTS5 tables (migrations 0006 and 0009)


def fold_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch).lower()


class _Folded(dict):
    """fold_char of each character met so far, by its code point: a table for str.translate."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = fold_char(chr(code))
        return folded


_FOLDED = _Folded()


def fold(s: str) -> str:
    """The text as search compares it: each character in NFKC, lower case (character by character, so
    that a position in the folded text maps back onto the text as written)."""
    return s.translate(_FOLDED)


def _gram_query(term: str) -> str:
    """The search_fts_grams query of a word of one or two characters."""
    return '"' + "".join(_hex(ch) for ch in term) + '"' + ("*" if len(term) == 1 else "")


def _entry(request_id: int, field: str, source_id: int | None, content: str | None) -> dict | None:
    if not content or not content.strip():
        return None
    return {"request_id": request_id, "field": field, "source_id": source_id, "content": content,
            "folded": fold(content)}


def request_entries(req) -> list[dict]:
    """The rows of search_entries a request's own words make (everything but its documents)."""
    found = [_entry(req.id, "subject", None, req.subject), _entry(req.id, "reason", None, req.reason),
             _entry(req.id, "notes", None, req.notes)]
    found += [_entry(req.id, "note", e.id, e.note) for e in req.events]
    for d in req.decisions:
        found.append(_entry(req.id, "decision", d.id, d.reason))
        for w in d.withheld:
            found += [_entry(req.id, "withheld", w.id, w.part), _entry(req.id, "ground", w.id, w.reason)]
    return [e for e in found if e is not None]


def index_requests(session: Session, reqs: Iterable, *, new: bool = False) -> None:
    """Put the requests' words (all but their documents') into the index afresh, in the caller's
    transaction; the requests must have their ids (flushed). new: they have no rows yet."""
    reqs = list(reqs)
    if not reqs:
        return
    if not new:
        for batch in schema.id_batches(r.id for r in reqs):
            session.execute(delete(T).where(T.c.request_id.in_(batch), T.c.field != "document"))
    rows = [e for r in reqs for e in request_entries(r)]
    if rows:
        session.execute(insert(T), rows)


def index_request(session: Session, req) -> None:
    index_requests(session, [req])


def document_content(title: str | None, filename: str, body: str | None) -> str:
    return "\n".join(p for p in (title or filename, body) if p)


def index_document(session: Session, doc, body: str | None) -> None:
    """Put a document's title (or file name) and text into the index."""
    row = _entry(doc.request_id, "document", doc.id, document_content(doc.title, doc.filename, body))
    if row is not None:
        session.execute(insert(T), [row])


def unindex_document(session: Session, doc_id: int) -> None:
    session.execute(delete(T).where(T.c.field == "document", T.c.source_id == doc_id))


def rebuild(conn) -> int:
    """Fill search_entries afresh from the records (migration 0006 does, on a connection): reads only the
    columns it needs, so that it works at the revision that made the table. Documents' text is not in
    the records: their rows are left as they are. Returns the rows written."""
    conn.execute(delete(T).where(T.c.field != "document"))
    r, e, d, w = schema.requests, schema.events, schema.decisions, schema.withheld_parts
    rows = []
    for rid, subject, reason, notes in conn.execute(select(r.c.id, r.c.subject, r.c.reason, r.c.notes)):
        rows += [_entry(rid, "subject", None, subject), _entry(rid, "reason", None, reason),
                 _entry(rid, "notes", None, notes)]
    for eid, rid, note in conn.execute(select(e.c.id, e.c.request_id, e.c.note).where(e.c.note.is_not(None))):
        rows.append(_entry(rid, "note", eid, note))
    for did, rid, reason in conn.execute(select(d.c.id, d.c.request_id, d.c.reason)):
        rows.append(_entry(rid, "decision", did, reason))
    for wid, rid, part, reason in conn.execute(
            select(w.c.id, d.c.request_id, w.c.part, w.c.reason).join(d, d.c.id == w.c.decision_id)):
        rows += [_entry(rid, "withheld", wid, part), _entry(rid, "ground", wid, reason)]
    rows = [x for x in rows if x is not None]
    for start in range(0, len(rows), 1000):
        conn.execute(insert(T), rows[start:start + 1000])
    return len(rows)


# ---------------------------------------------------------------- searching

@dataclass
class Hit:
    rank: int
    request: int
    subject: str
    field: str
    source_id: int | None
    matches: int
    before: str       # the passage: text before the match, the match, the text after
    match: str
    after: str

    @property
    def passage(self) -> str:
        return self.before + self.match + self.after

    def as_dict(self) -> dict:
        return {"rank": self.rank, "request": self.request, "subject": self.subject, "where": self.field,
                "where_label": _(FIELDS[self.field]), "passage": self.passage,
                "match_start": len(self.before), "match_end": len(self.before) + len(self.match),
                "matches": self.matches, "document": self.source_id if self.field == "document" else None}


def words(query: str) -> list[str]:
    """The query's words, folded; several words must all occur in one piece of text."""
    found = list(dict.fromkeys(fold(query).split()))
    if not found:
        raise BadInput(_("give a word to search for, e.g. kaiji search 民生委員."), field="query")
    return found


def fields_in(groups: Sequence[str] | None) -> list[str]:
    """The fields of the --in groups (all when none are given)."""
    if not groups:
        return list(FIELDS)
    out: list[str] = []
    for g in groups:
        key = g.strip().lower()
        if key not in GROUPS:
            raise BadInput(_("{value} is not a place kaiji searches; use one or more of {choices}, separated by "
                             "commas.").format(value=repr(g), choices=", ".join(GROUPS)), field="where")
        out += GROUPS[key]
    return list(dict.fromkeys(out))


def _sqlite_indexes(session: Session) -> set[str]:
    """Which of SEARCH_INDEXES the SQLite database has (none on PostgreSQL)."""
    if session.get_bind().dialect.name != "sqlite":
        return set()
    return set(session.execute(text("SELECT name FROM sqlite_master WHERE name IN ('search_fts', "
                                    "'search_fts_grams')")).scalars())


def has_fts(session: Session) -> bool:
    """Whether the SQLite database has the trigram index (SQLite 3.34 or later made it)."""
    return "search_fts" in _sqlite_indexes(session)


def has_grams(session: Session) -> bool:
    """Whether the database has an index of words of one or two characters: SQLite's search_fts_grams (where
    SQLite has FTS5), PostgreSQL's index of kaiji_grams() (always, from migration 0009)."""
    if session.get_bind().dialect.name == "postgresql":
        return True
    return "search_fts_grams" in _sqlite_indexes(session)


def _pairs(terms: Sequence[str]) -> list[str]:
    """What PostgreSQL's kaiji_grams() holds of every text holding the words: a word of one character, of two, and
    each pair of characters of a longer word (then a narrowing only)."""
    return sorted({t[i:i + 2] for t in terms for i in range(max(1, len(t) - 1))})


def _holding(session: Session, q, terms: Sequence[str], *, in_order: bool = False):
    """q narrowed to the index rows holding every term. SQLite: through its FTS5 tables, each of which finds
    exactly the rows holding its words (the trigram index a word of three or more characters, the index of pairs
    a word of one or two; tests/test_search.py checks that the pairs' holds every text holding them and no
    other), else by each row's text (instr()). PostgreSQL: the GIN index of kaiji_grams() narrows (exact for a
    word of one or two characters), strpos() tests each word on the text (where the planner walks the rows
    rather than use the index, it tests strpos() first, far cheaper than kaiji_grams() of every row). in_order:
    the rows are to be walked in search's order and each tested, not looked up through the indexes (SQLite: id
    + 0 keeps it from looking them up by id; PostgreSQL: strpos() alone)."""
    if session.get_bind().dialect.name == "postgresql":
        if not in_order:
            q = q.where(func.kaiji_grams(T.c.folded, type_=ARRAY(Text)).contains(_pairs(terms)))
        return q.where(*[func.strpos(T.c.folded, t) > 0 for t in terms])
    row_id = T.c.id + literal_column("0") if in_order else T.c.id
    long_terms = [t for t in terms if len(t) >= TRIGRAM]
    short_terms = [t for t in terms if len(t) < TRIGRAM]
    rest = list(terms)
    if long_terms and has_fts(session):
        phrase = " AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms)
        q = q.where(row_id.in_(text("SELECT rowid FROM search_fts WHERE search_fts MATCH :phrase")
                               .bindparams(bindparam("phrase", phrase))))
        rest = short_terms
    if short_terms and has_grams(session):
        q = q.where(row_id.in_(text("SELECT rowid FROM search_fts_grams WHERE search_fts_grams MATCH :grams")
                               .bindparams(bindparam("grams", " AND ".join(map(_gram_query, short_terms))))))
        rest = [t for t in rest if t not in short_terms]
    return q.where(*[func.instr(T.c.folded, t) > 0 for t in rest])


def matching_requests(session: Session, query: str, fields: Sequence[str], request_id):
    """A condition on request_id, a column of the caller's query (a list that filters by it, as the web list's
    search box does): the request's text in one of fields holds every word of query, read from the search index
    as search reads it. For a word many rows hold (_many), each request is asked in turn (EXISTS), so that the
    caller's list, walked in its order, stops at its page; for a rarer one the requests holding it are listed."""
    terms = words(query)
    if _many(session, terms, fields):
        return _holding(session, select(T.c.id).where(T.c.request_id == request_id, T.c.field.in_(fields)), terms,
                        in_order=True).exists()
    return request_id.in_(_holding(session, select(T.c.request_id).where(T.c.field.in_(fields)), terms))


def _many(session: Session, terms: Sequence[str], fields: Sequence[str] = tuple(FIELDS)) -> bool:
    """Whether more than WALK_FROM rows of fields hold the words, as the indexes say (counted no further; on
    PostgreSQL the rows kaiji_grams() narrows to): then the first hits are sooner found by walking the rows in
    order (the index of search_entries.request_id, newest first), each tested, than by reading every hit and
    sorting them; a word few rows hold is the other way round. PostgreSQL reads each hit's text to test it and
    SQLite does not, so PostgreSQL walks from fewer rows."""
    dialect = session.get_bind().dialect.name
    held = select(T.c.id)
    if set(fields) != set(FIELDS):   # tested on the rows the indexes give (|| '': SQLite is not to read all of fields)
        held = held.where((T.c.field + literal_column("''")).in_(fields))
    if dialect == "postgresql":
        held = held.where(func.kaiji_grams(T.c.folded, type_=ARRAY(Text)).contains(_pairs(terms)))
    elif has_fts(session) and has_grams(session):
        held = _holding(session, held, terms)
    else:
        return False
    held = held.limit(WALK_FROM[dialect] + 1).subquery()
    return session.scalar(select(func.count()).select_from(held)) > WALK_FROM[dialect]


def search(session: Session, query: str, *, where: Sequence[str] | None = None, body: str | None = None,
           limit: int | None = 50) -> list[Hit]:
    """The pieces of text holding every word of query, newest request first (at most limit); voided requests left
    out."""
    from .service import get_body

    terms = words(query)
    fields = fields_in(where)
    r = schema.requests
    walk = body is None and set(fields) == set(FIELDS) and limit is not None and _many(session, terms)
    q = select(T.c.id, T.c.request_id, T.c.field, T.c.source_id)
    if set(fields) != set(FIELDS):   # (every row's is one of them: asked, it only misleads the planners)
        q = q.where(T.c.field.in_(fields))
    # Voided requests left out, each hit's request looked up in the index of the listed ones (a small one:
    # the requests' rows are wide) unless a body is asked for; a request's subject is read for the hits shown.
    if body is not None:
        q = q.where(select(r.c.id).where(r.c.id == T.c.request_id, r.c.voided.is_(False),
                                         r.c.body_id == get_body(session, body, field="body").id).exists())
    elif session.get_bind().dialect.name == "sqlite":
        q = q.where(text("EXISTS (SELECT 1 FROM requests INDEXED BY ix_requests_listed_id "
                         "WHERE requests.id = search_entries.request_id AND requests.voided = 0)"))
    else:
        q = q.where(select(r.c.id).where(r.c.id == T.c.request_id, r.c.voided == False).exists())  # noqa: E712
    q = _holding(session, q, terms, in_order=walk)
    # The order (module docstring): the newest request first, its places in the order of FIELDS, then as written.
    place = case({f: i for i, f in enumerate(FIELDS)}, value=T.c.field)
    q = q.order_by(T.c.request_id.desc(), place, T.c.id).limit(limit)
    if walk and session.get_bind().dialect.name == "postgresql":
        # Its planner cannot tell how many rows a substring's test lets through: told not to read the rows the
        # indexes give (bitmaps) nor every row (a sequential scan), it walks the index of request_id.
        session.execute(text("SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off"))
        found = session.execute(q).all()
        session.execute(text("RESET enable_bitmapscan; RESET enable_seqscan"))
    else:
        found = session.execute(q).all()
    texts = {}
    for batch in schema.id_batches(row[0] for row in found):
        texts.update({i: (c, f, subject) for i, c, f, subject in session.execute(
            select(T.c.id, T.c.content, T.c.folded, r.c.subject).join(r, r.c.id == T.c.request_id)
            .where(T.c.id.in_(batch)))})
    hits = []
    for rank, (entry, rid, field, source_id) in enumerate(found, 1):
        content, folded, subject = texts[entry]
        before, match, after = passage(content, folded, terms)
        # How often the words occur, counted for the hits shown only (non-overlapping, as str.count counts).
        hits.append(Hit(rank, rid, subject, field, source_id, sum(folded.count(t) for t in terms),
                        before, match, after))
    return hits


def _squash(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def _written(content: str, offset: int) -> tuple[int, int]:
    """The fewest characters of content whose fold is at least offset characters long (fold() folds each
    character to one or more, in order), and that fold's length: the beginning folded once, then a binary search
    among the last characters, as far back as the characters folded to more than one leave it."""
    top = min(offset, len(content))
    length = len(fold(content[:top]))
    lo, hi = max(0, top - (length - top)), top
    while lo < hi:
        mid = (lo + hi) // 2
        if length - len(fold(content[mid:top])) >= offset:
            hi = mid
        else:
            lo = mid + 1
    return lo, length - len(fold(content[lo:top]))


def passage(content: str, folded: str, terms: Sequence[str]) -> tuple[str, str, str]:
    """The text around the first match of a word, as written: (before, match, after), cut to BEFORE and
    AFTER characters (… where cut) and with runs of spaces and line breaks made one space."""
    found = [(folded.find(t), t) for t in terms if t in folded]
    pos, term = min(found) if found else (0, "")
    if len(folded) == len(content):   # every character folded to one (nearly always): the same positions
        first, last = pos, pos + len(term)
    else:
        last, n = _written(content, pos + 1)   # just after the character whose fold holds the match's start
        first = last - 1
        while n < pos + len(term):             # then the characters the match spans
            n += len(fold_char(content[last]))
            last += 1
    lo, hi = max(0, first - BEFORE), min(len(content), last + AFTER)
    before = ("…" if lo else "") + _squash(content[lo:first]).lstrip()
    after = _squash(content[last:hi]).rstrip() + ("…" if hi < len(content) else "")
    return before, _squash(content[first:last]), after
