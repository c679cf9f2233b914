"""The data model: jurisdictions and their rules, bodies, requesters, requests and their timelines.

No `from __future__ import annotations` here: SQLAlchemy would have to evaluate each of the 120
annotations from its string when the classes are declared, which every command pays for (~10 ms).
A relationship to a class declared further down names it in quotes.
"""

from datetime import date, datetime, timezone
from typing import Annotated, Any, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
Key = Annotated[str, mapped_column(String(40))]
Name = Annotated[str, mapped_column(String(200))]
LongText = Annotated[str, mapped_column(Text)]


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Jurisdiction(Base):
    """A city, prefecture or the state: whose ordinance (条例) or law governs a body's requests."""

    __tablename__ = "jurisdictions"
    id: Mapped[intpk]
    key: Mapped[Key] = mapped_column(unique=True)
    name: Mapped[Name]
    ordinance: Mapped[Name]                       # 舞鶴市情報公開条例
    year_end_closure: Mapped[bool] = mapped_column(Boolean, default=True)  # 12月29日〜1月3日 closed

    rules: Mapped[list["DeadlineRule"]] = relationship(back_populates="jurisdiction", order_by="DeadlineRule.id")
    closed_days: Mapped[list["ClosedDay"]] = relationship(back_populates="jurisdiction")
    grounds: Mapped[list["Ground"]] = relationship(back_populates="jurisdiction", order_by="Ground.code")
    bodies: Mapped[list["Body"]] = relationship(back_populates="jurisdiction")


class DeadlineRule(Base):
    """A decision-period rule, in force from a date; see deadlines.Rule for what each field means."""

    __tablename__ = "deadline_rules"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "effective_from"),
                      CheckConstraint("period_days > 0", name="period_positive"),
                      CheckConstraint("extension_from in ('period_end', 'request')", name="extension_from"))
    id: Mapped[intpk]
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    effective_from: Mapped[date | None] = mapped_column(Date)  # None: since before any request kaiji holds
    period_days: Mapped[int]
    counts_request_day: Mapped[bool]
    working_days: Mapped[bool]
    move_off_closed: Mapped[bool]
    extension_max_days: Mapped[int | None]
    extension_from: Mapped[str] = mapped_column(String(20))
    exclude_correction: Mapped[bool]
    source: Mapped[LongText]
    note: Mapped[LongText] = mapped_column(default="")

    jurisdiction: Mapped["Jurisdiction"] = relationship(back_populates="rules")


class ClosedDay(Base):
    """A day a jurisdiction's offices are closed beyond weekends, national holidays and 年末年始."""

    __tablename__ = "closed_days"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "day"),)
    id: Mapped[intpk]
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    day: Mapped[date]
    reason: Mapped[Name]

    jurisdiction: Mapped["Jurisdiction"] = relationship(back_populates="closed_days")


class Ground(Base):
    """A non-disclosure ground (不開示事由) a decision may cite, e.g. 第5条第2号."""

    __tablename__ = "grounds"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "code"),)
    id: Mapped[intpk]
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    code: Mapped[str] = mapped_column(String(60))
    summary: Mapped[LongText] = mapped_column(default="")

    jurisdiction: Mapped["Jurisdiction"] = relationship(back_populates="grounds")


class Body(Base):
    """An implementing body (実施機関): 舞鶴市長, 教育委員会, 議会 …"""

    __tablename__ = "bodies"
    id: Mapped[intpk]
    key: Mapped[Key] = mapped_column(unique=True)
    name: Mapped[Name]
    head: Mapped[Name]                        # the title a form is addressed to: 舞鶴市長
    head_name: Mapped[str | None] = mapped_column(String(200))  # the person: 鴨田 秋津
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))

    jurisdiction: Mapped["Jurisdiction"] = relationship(back_populates="bodies")
    departments: Mapped[list["Department"]] = relationship(back_populates="body")


class Department(Base):
    """A body's department (担当部課), with its telephone and extension."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("body_id", "name"),)
    id: Mapped[intpk]
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"))
    name: Mapped[Name]
    phone: Mapped[str | None] = mapped_column(String(40))
    extension: Mapped[str | None] = mapped_column(String(20))

    body: Mapped["Body"] = relationship(back_populates="departments")


class Requester(Base):
    """A person or a group (市民オンブズマン) that files requests. Addresses and telephones are personal data."""

    __tablename__ = "requesters"
    __table_args__ = (CheckConstraint("kind in ('person', 'group')", name="kind"),)
    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[Name] = mapped_column(unique=True)
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    representative: Mapped[str | None] = mapped_column(String(200))  # 代表者 (groups)
    contact_name: Mapped[str | None] = mapped_column(String(200))    # 担当者 (groups)
    contact_phone: Mapped[str | None] = mapped_column(String(40))


class Request(Base):
    """A disclosure request (開示請求). The columns after `notes` are derived from the timeline by
    `timeline.refresh` and stored so that overdue and due lists are one indexed query."""

    __tablename__ = "requests"
    __table_args__ = (
        Index("ix_requests_status_decision_due", "status", "decision_due"),
        Index("ix_requests_appeal_due", "appeal_due"),
        Index("ix_requests_disclosure_on", "disclosure_on"),
        Index("ix_requests_rest_due", "rest_due"),
        Index("ix_requests_fee_unpaid", "fee_unpaid"),
    )
    id: Mapped[intpk]
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("requesters.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    subject: Mapped[LongText]
    methods: Mapped[str] = mapped_column(String(40))   # comma-separated: inspect, view, copy
    mail: Mapped[bool] = mapped_column(Boolean, default=False)  # 送付希望
    reason: Mapped[str | None] = mapped_column(Text)   # why disclosure is in the public interest
    filed_on: Mapped[date]                              # the date on the form
    received_on: Mapped[date | None]                    # 受付年月日; the clock runs from here
    reference: Mapped[str | None] = mapped_column(String(100))  # the body's current reference number
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    status: Mapped[str] = mapped_column(String(20), default="filed")
    decision_due: Mapped[date | None]
    decided_on: Mapped[date | None]
    notified_on: Mapped[date | None]
    appeal_due: Mapped[date | None]
    disclosure_on: Mapped[date | None]
    rest_due: Mapped[date | None]                       # 特例延長: the date for the remainder
    fee_unpaid: Mapped[int | None]                      # yen charged and not yet paid

    body: Mapped["Body"] = relationship()
    requester: Mapped[Optional["Requester"]] = relationship()
    department: Mapped[Optional["Department"]] = relationship()
    events: Mapped[list["Event"]] = relationship(back_populates="request", order_by="Event.id")
    decisions: Mapped[list["Decision"]] = relationship(back_populates="request", order_by="Decision.id")


class Event(Base):
    """One entry of a request's append-only timeline. Nothing is edited: a mistake is retracted
    by a later event (kind 'retraction', retracts_id) that says why."""

    __tablename__ = "events"
    id: Mapped[intpk]
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    on: Mapped[date]
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    retracts_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    request: Mapped["Request"] = relationship(back_populates="events")


class Decision(Base):
    """A decision (開示決定等) with its notice's details; recorded by an event of kind 'decision'."""

    __tablename__ = "decisions"
    __table_args__ = (CheckConstraint(
        "kind in ('full', 'partial', 'refusal', 'neither', 'absent', 'rejected')", name="kind"),)
    id: Mapped[intpk]
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    decided_on: Mapped[date]                  # the notice's date
    notified_on: Mapped[date | None]          # the day the requester learned of it
    notice_number: Mapped[str | None] = mapped_column(String(100))
    disclosure_on: Mapped[date | None]
    disclosure_time: Mapped[str | None] = mapped_column(String(40))
    disclosure_place: Mapped[str | None] = mapped_column(String(200))
    disclosure_methods: Mapped[str | None] = mapped_column(String(40))
    later_on: Mapped[date | None]             # 第10条後段: when the document could be disclosed
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    remarks: Mapped[str | None] = mapped_column(Text)
    fee: Mapped[int | None]                   # 写しの交付の実費 (yen)
    # Why, for a decision as a whole: why the document does not exist (不存在), why its existence
    # is neither confirmed nor denied (存否応答拒否), why the request was rejected (却下).
    reason: Mapped[str | None] = mapped_column(Text)

    request: Mapped["Request"] = relationship(back_populates="decisions")
    event: Mapped["Event"] = relationship()
    department: Mapped[Optional["Department"]] = relationship()
    documents: Mapped[list["DecisionDocument"]] = relationship(order_by="DecisionDocument.position")
    withheld: Mapped[list["WithheldPart"]] = relationship(order_by="WithheldPart.position")


class DecisionDocument(Base):
    __tablename__ = "decision_documents"
    id: Mapped[intpk]
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    position: Mapped[int]
    title: Mapped[LongText]


class WithheldPart(Base):
    """A part not disclosed (開示しない部分), the provision relied on (根拠規定) and the reason."""

    __tablename__ = "withheld_parts"
    id: Mapped[intpk]
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    position: Mapped[int]
    part: Mapped[LongText]
    ground: Mapped[str] = mapped_column(String(60))
    reason: Mapped[LongText]
