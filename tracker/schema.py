"""The database's tables: what kaiji stores, column by column. models.py maps its classes onto them.

The tables are declared here as plain SQLAlchemy Core, apart from the classes, so that a command
that only reads a few columns (`kaiji due`, `kaiji overdue`) can query them without declaring and
configuring the ORM's mapped classes, which costs a command some 60 ms. The migrations
(migrations/versions) build these tables; `alembic check` (tests/test_migrations.py) keeps the two
in step.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timezone

from sqlalchemy import (
    and_,
    false,
    true,
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

# The statuses (requests.status, set by timeline.refresh) of a request waiting for a decision.
OPEN_STATUSES = ("received", "correction", "extended")
# The statuses a request may have while it waits for a decision: those above, and after an appeal against
# inaction (不作為についての審査請求) and its ruling, when it is still undecided and still late
# (requests.decided_on tells them apart from appeals against a decision).
WAITING_STATUSES = OPEN_STATUSES + ("appealed", "ruled")
# What requests.flags may hold (timeline.compute sets them): a code, then what it means in Japanese and English.
FLAGS = {
    "extension_past_limit": ("延長期限超過", "the extension notice gives a date past the rule's limit; the limit "
                                       "is taken as the due date"),
    "extension_late": ("延長通知の遅れ", "an extension was notified after the date then due, so it has no effect"),
    "special_extension_late": ("特例延長通知の遅れ", "the special extension (特例延長) was notified after the "
                                              "original period, so it has no effect"),
    "received_on_closed_day": ("閉庁日の受付", "the receipt date recorded is a day the office is closed"),
    "rule_unknown": ("期限規則不明", "no deadline rule is known for the body's jurisdiction, so its dates are unknown, "
                                  "not guessed; add the rule with `kaiji rule add`"),
    "disclosed_within_two_weeks": ("2週間以内の開示", "a third party objected, but the disclosure is set or done less "
                                                "than two weeks after the decision"),
}


def flag_text(code: str) -> str:
    """What a flag means in the reader's language: FLAGS' Japanese in Japanese, its English otherwise."""
    from .i18n import language

    ja, en = FLAGS[code]
    return ja if language() == "ja" else en


def flag_codes(stored: str | None) -> list[str]:
    """requests.flags as the list of codes it stores."""
    return stored.split(",") if stored else []


# How the requester wants the documents (requests.methods, comma-separated), with their names on the forms.
METHODS = {"inspect": "閲覧", "view": "視聴", "copy": "写しの交付"}
MAX_ID = 2**31 - 1          # the largest id an INTEGER column holds on PostgreSQL
ID_BATCH = 500              # ids a query asks for at once: well within any database's limit on parameters


def id_batches(ids: Iterable[int]) -> Iterator[list[int]]:
    """ids without repeats, in lists of ID_BATCH, leaving out those no id column can hold (a driver
    would fail on them, not answer "none")."""
    wanted = [i for i in dict.fromkeys(ids) if 0 < i <= MAX_ID]
    for start in range(0, len(wanted), ID_BATCH):
        yield wanted[start:start + ID_BATCH]


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _id() -> Column:
    return Column("id", Integer, primary_key=True)


def _required(name: str, type_, *args, **kw) -> Column:
    return Column(name, type_, *args, nullable=False, **kw)


def _ref(name: str, target: str, *, required: bool = True, **kw) -> Column:
    return Column(name, Integer, ForeignKey(target), nullable=not required, **kw)


# A city, prefecture or the state: whose ordinance (条例) or law governs a body's requests.
jurisdictions = Table(
    "jurisdictions", metadata,
    _id(),
    _required("key", String(40), unique=True),
    _required("name", String(200)),
    _required("ordinance", String(200)),                          # 舞鶴市情報公開条例
    _required("year_end_closure", Boolean, default=True),         # 12月29日〜1月3日 closed
    # Keys of the other jurisdictions whose bodies may receive a transfer (移送) from this one's,
    # comma-separated; transfers between a jurisdiction's own bodies are always allowed.
    _required("transfer_to", Text, default="", server_default=""),
)

# A decision-period rule, in force from a date; see deadlines.Rule for what each field means.
deadline_rules = Table(
    "deadline_rules", metadata,
    _id(),
    _ref("jurisdiction_id", "jurisdictions.id"),
    Column("effective_from", Date),              # None: since before any request kaiji holds
    _required("period_days", Integer),
    _required("counts_request_day", Boolean),
    _required("working_days", Boolean),
    _required("move_off_closed", Boolean),
    Column("extension_max_days", Integer),
    _required("extension_from", String(20)),
    _required("exclude_correction", Boolean),
    _required("source", Text),
    _required("note", Text, default=""),
    # Points the sources leave open, settings of the rule (shown by `kaiji explain`):
    # which days of a correction (補正) are not counted: "after_asked" (from the day after it was
    # asked through the day the corrected request arrived) or "both" (the day asked as well);
    _required("correction_days", String(20), default="after_asked", server_default="after_asked"),
    # whether the days of a correction also push back the extension limit.
    _required("correction_extends_limit", Boolean, default=True, server_default=true()),
    UniqueConstraint("jurisdiction_id", "effective_from"),
    CheckConstraint("period_days > 0", name="period_positive"),
    CheckConstraint("extension_from in ('period_end', 'request')", name="extension_from"),
    CheckConstraint("correction_days in ('after_asked', 'both')", name="correction_days"),
)

# A day a jurisdiction's offices are closed beyond weekends, national holidays and 年末年始.
closed_days = Table(
    "closed_days", metadata,
    _id(),
    _ref("jurisdiction_id", "jurisdictions.id"),
    _required("day", Date),
    _required("reason", String(200)),
    UniqueConstraint("jurisdiction_id", "day"),
)

# A non-disclosure ground (不開示事由) a decision may cite, e.g. 第5条第2号.
grounds = Table(
    "grounds", metadata,
    _id(),
    _ref("jurisdiction_id", "jurisdictions.id"),
    _required("code", String(60)),
    _required("summary", Text, default=""),
    UniqueConstraint("jurisdiction_id", "code"),
)

# An implementing body (実施機関): 舞鶴市長, 教育委員会, 議会 …
bodies = Table(
    "bodies", metadata,
    _id(),
    _required("key", String(40), unique=True),
    _required("name", String(200)),
    _required("head", String(200)),               # the title a form is addressed to: 舞鶴市長
    Column("head_name", String(200)),             # the person: 鴨田 秋津
    Column("appeal_authority", String(200)),      # 審査庁 (行政不服審査法第4条); None: derived from the body
    _ref("jurisdiction_id", "jurisdictions.id"),
)

# A body's department (担当部課), with its telephone and extension.
departments = Table(
    "departments", metadata,
    _id(),
    _ref("body_id", "bodies.id"),
    _required("name", String(200)),
    Column("phone", String(40)),
    Column("extension", String(20)),
    UniqueConstraint("body_id", "name"),
)

# A person or a group (市民オンブズマン) that files requests. Addresses and telephones are personal data.
requesters = Table(
    "requesters", metadata,
    _id(),
    _required("kind", String(10)),
    _required("name", String(200), unique=True),
    Column("address", Text),
    Column("phone", String(40)),
    Column("email", String(200)),
    Column("representative", String(200)),        # 代表者 (groups)
    Column("contact_name", String(200)),          # 担当者 (groups)
    Column("contact_phone", String(40)),
    CheckConstraint("kind in ('person', 'group')", name="kind"),
)

# A campaign (一斉請求): the same request filed with many bodies at once, to compare their answers. It only
# groups requests (requests.campaign_id); each is an ordinary request with its own timeline and deadline.
# What it keeps is what each request of it is made with, so that a body added later gets the same request.
campaigns = Table(
    "campaigns", metadata,
    _id(),
    _required("name", String(40), unique=True),
    _required("subject", Text),
    Column("reason", Text),
    _required("methods", String(40)),
    _ref("requester_id", "requesters.id", required=False),
    _required("filed_on", Date),
    _required("created_at", DateTime, default=utcnow),
)

# A saved set of bodies (all the prefectures, a region's cities), to file a campaign with them.
body_sets = Table(
    "body_sets", metadata,
    _id(),
    _required("name", String(40), unique=True),
)

body_set_members = Table(
    "body_set_members", metadata,
    _id(),
    _ref("body_set_id", "body_sets.id", index=True),
    _ref("body_id", "bodies.id"),
    _required("position", Integer),
    UniqueConstraint("body_set_id", "body_id"),
)

# A disclosure request (開示請求). The columns from `status` on are derived from the timeline by
# timeline.refresh and stored, so that the overdue and due lists are one indexed query.
requests = Table(
    "requests", metadata,
    _id(),
    _ref("body_id", "bodies.id", index=True),         # the body the request is with now (transfers move it)
    _ref("filed_body_id", "bodies.id"),               # the body it was filed with: its form's addressee
    _ref("requester_id", "requesters.id", required=False, index=True),
    _ref("department_id", "departments.id", required=False),
    _required("subject", Text),
    _required("methods", String(40)),             # comma-separated: inspect, view, copy
    _required("mail", Boolean, default=False),    # 送付希望
    Column("reason", Text),                       # why disclosure is in the public interest
    _required("filed_on", Date),                  # the date on the form
    Column("received_on", Date),                  # 受付年月日; the clock runs from here
    Column("reference", String(100)),             # the body's current reference number
    Column("notes", Text),
    _required("created_at", DateTime, default=utcnow),

    _required("status", String(20), default="filed"),
    Column("decision_due", Date),
    Column("decided_on", Date),
    Column("notified_on", Date),
    Column("appeal_due", Date),
    Column("disclosure_on", Date),
    Column("rest_due", Date),                     # 特例延長: the date for the remainder
    Column("fee_unpaid", Integer),                # yen charged and not yet paid; stored only when above 0
    Column("lawsuit_due", Date),                  # 取消訴訟: the last day to sue, once a decision or ruling is known
    Column("flags", String(200)),                 # comma-separated codes (timeline.FLAGS); None: none
    # Entered by mistake (誤登録, a live "voided" event): kept with its timeline, left out of every list.
    _required("voided", Boolean, default=False, server_default=false()),
    # The campaign (一斉請求) the request was filed under, with the same request to other bodies; None: on its own.
    _ref("campaign_id", "campaigns.id", required=False, index=True),
    # What the statistics count by (tracker/stats.py, GROUP BY), kept by timeline.refresh (timeline.statistics):
    Column("days_counted", Integer),              # the first decision's day in the rule's count; None: unknown
    Column("days_calendar", Integer),             # receipt to first decision in calendar days; None: either missing
    _required("extended", Boolean, default=False, server_default=false()),  # an extension notice on record
    Column("fee_total", Integer),                 # yen charged (decisions' fees and fee events); None: none
    Column("appeal_outcome", String(20)),         # 審査請求: its ruling's outcome, "filed" while none; None: none
    Column("decision_kinds", String(100)),        # the live decisions' kinds in order, comma-separated
    Column("grounds", Text),                      # the grounds each live decision cites, once a decision, a line each
    # What the requests export reads besides (tracker/exports.py), kept by timeline.refresh (timeline.exported):
    Column("fee_paid", Integer),                  # yen paid (fee events); None: none
    Column("appeal_on", Date),                    # 審査請求: the day the appeal the outcome answers was filed
    Column("ruled_on", Date),                     # 裁決: the day of its ruling
    Column("withheld", Text),                     # the live decisions' withheld parts in order (timeline.NEXT_PART)
    Index("ix_requests_status_decision_due", "status", "decision_due"),
    Index("ix_requests_appeal_due", "appeal_due"),
    Index("ix_requests_disclosure_on", "disclosure_on"),
    Index("ix_requests_rest_due", "rest_due"),
    Index("ix_requests_fee_unpaid", "fee_unpaid"),
    Index("ix_requests_lawsuit_due", "lawsuit_due"),
    Index("ix_requests_body_id_received_on", "body_id", "received_on"),  # the same request entered twice?
)

# The web list's orders (`kaiji serve`, 100,000 requests): indexes of the listed requests only (partial: not
# voided, as every list asks), so that a page, a deep page (OFFSET) and the count read an index, not the
# table. Not a voided column in an index: that made SQLite prefer it to the date indexes (0004).
LISTED = requests.c.voided == false()
_r = requests.c
Index("ix_requests_listed_id", _r.id, sqlite_where=LISTED, postgresql_where=LISTED)
Index("ix_requests_listed_received_on", _r.received_on, _r.id, sqlite_where=LISTED, postgresql_where=LISTED)
Index("ix_requests_listed_decision_due", _r.decision_due, _r.id, sqlite_where=LISTED, postgresql_where=LISTED)
Index("ix_requests_listed_status", _r.status, _r.id, sqlite_where=LISTED, postgresql_where=LISTED)
# One body's requests in one state, newest first, and their count (0012: at a million requests a body holds 1 in
# 340 of them, found otherwise by reading the listed requests in number order). Status first: in body order, SQLite
# took it for the statistics' scans by body, and read the table's row for every request.
Index("ix_requests_listed_status_body", _r.status, _r.body_id, _r.id, sqlite_where=LISTED, postgresql_where=LISTED)
# The statistics (tracker/stats.py): every column its GROUP BY queries read, so that they read this index of the
# listed requests alone, in body order, not the table's rows with their text (0011).
STATISTICS = ("body_id", "requester_id", "filed_on", "received_on", "status", "decided_on", "decision_due",
              "days_counted", "extended", "fee_total", "appeal_outcome", "decision_kinds", "grounds", "days_calendar")
Index("ix_requests_listed_statistics", *[_r[c] for c in STATISTICS], sqlite_where=LISTED, postgresql_where=LISTED)
# The statistics by body (`kaiji stats`, the 統計 page, at a million requests; 0012): each of stats._cells' four
# GROUP BY queries reads an index of its own whose columns start with its GROUP BY's, so that SQLite groups the rows
# as they come, in order, rather than sorting a million of them into a temporary B-tree (0.1–0.5 s a query, not
# 1.0). Partial with the queries' own terms.
STATISTICS_BY_BODY = {
    "kinds": (("body_id", "decision_kinds", "appeal_outcome", "status", "decided_on", "decision_due", "extended"),
              None),
    "days": (("body_id", "days_calendar", "days_counted"), _r.days_calendar.is_not(None)),
    "fees": (("body_id", "fee_total"), _r.fee_total > 0),
    "grounds": (("body_id", "grounds"), _r.grounds.is_not(None)),
}
for _name, (_columns, _term) in STATISTICS_BY_BODY.items():
    _where = LISTED if _term is None else and_(LISTED, _term)
    Index(f"ix_requests_statistics_{_name}", *[_r[c] for c in _columns], sqlite_where=_where, postgresql_where=_where)

# The dashboard and `overdue` at a million requests (reports.py): each list counted from an index alone, and its
# first lines read in order from it. Partial with the very terms the lists ask (SHOWN, "voided IS false", as
# reports' _SHOWN says it; SQLite uses a partial index only when the query holds each of its terms): the undecided
# requests by decision due (some 60,000 of a million; it replaced 0008's index of status, decided_on and
# decision_due, which SQLite preferred to it), and the requests with each later date or a fee unpaid. The columns of
# their terms are in them too, the same in every entry: SQLite (before 3.42) reads a row for a column an index
# lacks, even one its terms fix, and a count would read every row it counts.
SHOWN = requests.c.voided.is_(false())
UNDECIDED = and_(SHOWN, _r.decided_on.is_(None))
Index("ix_requests_undecided_decision_due", _r.decision_due, _r.status, _r.decided_on, _r.voided,
      sqlite_where=UNDECIDED, postgresql_where=UNDECIDED)
for _col in (_r.disclosure_on, _r.appeal_due, _r.lawsuit_due, _r.fee_unpaid):
    Index(f"ix_requests_shown_{_col.name}", _col, _r.voided, sqlite_where=and_(SHOWN, _col.is_not(None)),
          postgresql_where=and_(SHOWN, _col.is_not(None)))

# One entry of a request's append-only timeline. Nothing is edited: a mistake is retracted by a
# later event (kind 'retraction', retracts_id) that says why.
events = Table(
    "events", metadata,
    _id(),
    _ref("request_id", "requests.id", index=True),
    _required("kind", String(30)),
    _required("on", Date),
    _required("data", JSON, default=dict),
    Column("note", Text),
    _ref("retracts_id", "events.id", required=False),
    _required("recorded_at", DateTime, default=utcnow),
    Column("entered_by", String(100), default=lambda: _entered_by()),  # who typed it (tracker/users.py)
)

# A decision (開示決定等) with its notice's details; recorded by an event of kind 'decision'.
decisions = Table(
    "decisions", metadata,
    _id(),
    _ref("request_id", "requests.id", index=True),
    _ref("event_id", "events.id", unique=True),
    _required("kind", String(20)),
    _required("decided_on", Date),                # the notice's date
    Column("notified_on", Date),                  # the day the requester learned of it
    Column("notice_number", String(100)),
    Column("disclosure_on", Date),
    Column("disclosure_time", String(40)),
    Column("disclosure_place", String(200)),
    Column("disclosure_methods", String(40)),
    Column("later_on", Date),                     # 第10条後段: when the document could be disclosed
    _ref("department_id", "departments.id", required=False),
    Column("remarks", Text),
    Column("fee", Integer),                       # 写しの交付の実費 (yen)
    # Why, for a decision as a whole: why the document does not exist (不存在), why its existence
    # is neither confirmed nor denied (存否応答拒否), why the request was rejected (却下).
    Column("reason", Text),
    CheckConstraint("kind in ('full', 'partial', 'refusal', 'neither', 'absent', 'rejected')", name="kind"),
)

decision_documents = Table(
    "decision_documents", metadata,
    _id(),
    _ref("decision_id", "decisions.id", index=True),
    _required("position", Integer),
    _required("title", Text),
)

# A part not disclosed (開示しない部分), the provision relied on (根拠規定) and the reason.
withheld_parts = Table(
    "withheld_parts", metadata,
    _id(),
    _ref("decision_id", "decisions.id", index=True),
    _required("position", Integer),
    _required("part", Text),
    _required("ground", String(60)),
    _required("reason", Text),
)


def _entered_by() -> str | None:
    from .users import entered_by

    return entered_by()


# Accounts for `kaiji serve` on a shared server (tracker/users.py): Argon2id hashes, never passwords.
users = Table(
    "users", metadata,
    _id(),
    _required("name", String(100), unique=True),
    _required("role", String(10)),
    _required("password_hash", String(200)),
    _required("disabled", Boolean, default=False, server_default=false()),
    _required("created_at", DateTime, default=utcnow),
    # The SHA-256 of the secret in the account's calendar subscription URL (the URL itself is shown once).
    Column("calendar_token_hash", String(64), unique=True),
    CheckConstraint("role in ('viewer', 'editor', 'admin')", name="role"),
)


# A file received for a request (a notice, the documents disclosed, a letter): the file itself is kept
# in the files folder under its SHA-256 (tracker/documents.py), so a file added twice is stored once
# and several records may name it.
DOCUMENT_KINDS = ("notice", "disclosed", "letter", "other")
documents = Table(
    "documents", metadata,
    _id(),
    _ref("request_id", "requests.id", index=True),
    _ref("decision_id", "decisions.id", required=False),
    _required("kind", String(20)),
    Column("title", Text),
    _required("filename", Text),                  # the file's name when it was added
    _required("sha256", String(64), index=True),  # the stored file's name
    _required("size", Integer),                   # bytes
    Column("pages", Integer),                     # a PDF's pages; None: not a PDF, or unreadable
    _required("media_type", String(100)),
    Column("received_on", Date),
    # What search knows of its words: "read" (text extracted), "none" (a kind kaiji reads no text
    # from: images, Office files), "unreadable" (a damaged or encrypted PDF, an undecodable text).
    _required("text_status", String(20)),
    _required("added_at", DateTime, default=utcnow),
    CheckConstraint("kind in ('notice', 'disclosed', 'letter', 'other')", name="kind"),
    CheckConstraint("text_status in ('read', 'none', 'unreadable')", name="text_status"),
)

# What `kaiji search` searches (tracker/search.py keeps it in step with every write): one row per
# piece of text, `folded` being its text as search compares it (NFKC, lower case). On SQLite an FTS5
# table with the trigram tokenizer (search_fts, outside this metadata: made by migration 0006) indexes
# `folded`; on PostgreSQL a pg_trgm GIN index (search_fts_trgm) does, where the extension is allowed.
# Words of one or two characters: SQLite's FTS5 table search_fts_grams (contentless, its triggers calling
# kaiji_grams(), grams.grams), PostgreSQL's GIN index search_fts_grams over kaiji_grams(folded), an SQL
# function; both made by migration 0009, outside this metadata too.
search_entries = Table(
    "search_entries", metadata,
    _id(),
    _ref("request_id", "requests.id", index=True),
    # subject, reason, notes (the request's); note (an event's); decision (its reason), withheld (a part),
    # ground (a withheld part's reason); document (a document's title and text).
    _required("field", String(20)),
    Column("source_id", Integer),                 # the event, decision, withheld part or document
    _required("content", Text),
    _required("folded", Text),
    Index("ix_search_entries_field_source_id", "field", "source_id"),
)
# The tables SQLite's FTS5 makes for search_fts (external content: no _content table).
FTS_TABLES = ("search_fts", "search_fts_data", "search_fts_idx", "search_fts_docsize", "search_fts_config",
              "search_fts_grams", "search_fts_grams_data", "search_fts_grams_idx", "search_fts_grams_config")
