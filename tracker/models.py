"""The data model: jurisdictions and their rules, bodies, requesters, requests and their timelines.

The tables themselves are in schema.py; each class here is mapped onto its table (SQLAlchemy's
declarative mapping with an imperative table). The annotations type each column's attribute;
SQLAlchemy refuses one that names no column of the table. A relationship to a class declared
further down names it in quotes.

No `from __future__ import annotations` here: SQLAlchemy would have to evaluate each annotation
from its string when the classes are declared, which every command pays for.
"""

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy.orm import DeclarativeBase, Mapped, relationship

from . import schema


class Base(DeclarativeBase):
    metadata = schema.metadata


class Jurisdiction(Base):
    """A city, prefecture or the state: whose ordinance (条例) or law governs a body's requests."""

    __table__ = schema.jurisdictions
    id: Mapped[int]
    key: Mapped[str]
    name: Mapped[str]
    ordinance: Mapped[str]
    year_end_closure: Mapped[bool]
    transfer_to: Mapped[str]

    rules: Mapped[list["DeadlineRule"]] = relationship(back_populates="jurisdiction", order_by="DeadlineRule.id")
    closed_days: Mapped[list["ClosedDay"]] = relationship(back_populates="jurisdiction")
    grounds: Mapped[list["Ground"]] = relationship(back_populates="jurisdiction", order_by="Ground.code")
    bodies: Mapped[list["Body"]] = relationship(back_populates="jurisdiction")


class DeadlineRule(Base):
    """A decision-period rule, in force from a date; see deadlines.Rule for what each field means."""

    __table__ = schema.deadline_rules
    id: Mapped[int]
    jurisdiction_id: Mapped[int]
    effective_from: Mapped[date | None]
    period_days: Mapped[int]
    counts_request_day: Mapped[bool]
    working_days: Mapped[bool]
    move_off_closed: Mapped[bool]
    extension_max_days: Mapped[int | None]
    extension_from: Mapped[str]
    exclude_correction: Mapped[bool]
    source: Mapped[str]
    note: Mapped[str]
    correction_days: Mapped[str]
    correction_extends_limit: Mapped[bool]

    jurisdiction: Mapped["Jurisdiction"] = relationship(back_populates="rules")


class ClosedDay(Base):
    """A day a jurisdiction's offices are closed beyond weekends, national holidays and 年末年始."""

    __table__ = schema.closed_days
    id: Mapped[int]
    jurisdiction_id: Mapped[int]
    day: Mapped[date]
    reason: Mapped[str]

    jurisdiction: Mapped["Jurisdiction"] = relationship(back_populates="closed_days")


class Ground(Base):
    """A non-disclosure ground (不開示事由) a decision may cite, e.g. 第5条第2号."""

    __table__ = schema.grounds
    id: Mapped[int]
    jurisdiction_id: Mapped[int]
    code: Mapped[str]
    summary: Mapped[str]

    jurisdiction: Mapped["Jurisdiction"] = relationship(back_populates="grounds")


class Body(Base):
    """An implementing body (実施機関): 舞鶴市長, 教育委員会, 議会 …"""

    __table__ = schema.bodies
    id: Mapped[int]
    key: Mapped[str]
    name: Mapped[str]
    head: Mapped[str]
    head_name: Mapped[str | None]
    appeal_authority: Mapped[str | None]
    jurisdiction_id: Mapped[int]

    jurisdiction: Mapped["Jurisdiction"] = relationship(back_populates="bodies")
    departments: Mapped[list["Department"]] = relationship(back_populates="body")

    @property
    def appeal_to(self) -> str:
        """The 審査庁 an appeal (審査請求) against this body's decisions goes to: the one set, else derived.

        行政不服審査法第4条: a municipal body has no 上級行政庁, so the appeal goes to the body that
        decided (処分庁). For a 委員会 (教育委員会, 選挙管理委員会 …) that is the 委員会 itself, not its
        教育長 the forms are addressed to; for the others, the head (舞鶴市長).
        """
        if self.appeal_authority:
            return self.appeal_authority
        return self.name if self.name.endswith("委員会") else self.head


class Department(Base):
    """A body's department (担当部課), with its telephone and extension."""

    __table__ = schema.departments
    id: Mapped[int]
    body_id: Mapped[int]
    name: Mapped[str]
    phone: Mapped[str | None]
    extension: Mapped[str | None]

    body: Mapped["Body"] = relationship(back_populates="departments")


class Requester(Base):
    """A person or a group (市民オンブズマン) that files requests. Addresses and telephones are personal data."""

    __table__ = schema.requesters
    id: Mapped[int]
    kind: Mapped[str]
    name: Mapped[str]
    address: Mapped[str | None]
    phone: Mapped[str | None]
    email: Mapped[str | None]
    representative: Mapped[str | None]
    contact_name: Mapped[str | None]
    contact_phone: Mapped[str | None]


class Request(Base):
    """A disclosure request (開示請求); the columns from `status` on are derived from its timeline."""

    __table__ = schema.requests
    id: Mapped[int]
    body_id: Mapped[int]
    filed_body_id: Mapped[int]
    requester_id: Mapped[int | None]
    department_id: Mapped[int | None]
    subject: Mapped[str]
    methods: Mapped[str]
    mail: Mapped[bool]
    reason: Mapped[str | None]
    filed_on: Mapped[date]
    received_on: Mapped[date | None]
    reference: Mapped[str | None]
    notes: Mapped[str | None]
    created_at: Mapped[datetime]

    status: Mapped[str]
    decision_due: Mapped[date | None]
    decided_on: Mapped[date | None]
    notified_on: Mapped[date | None]
    appeal_due: Mapped[date | None]
    disclosure_on: Mapped[date | None]
    rest_due: Mapped[date | None]
    fee_unpaid: Mapped[int | None]
    lawsuit_due: Mapped[date | None]
    voided: Mapped[bool]
    flags: Mapped[str | None]
    campaign_id: Mapped[int | None]
    days_counted: Mapped[int | None]
    days_calendar: Mapped[int | None]
    extended: Mapped[bool]
    fee_total: Mapped[int | None]
    appeal_outcome: Mapped[str | None]
    decision_kinds: Mapped[str | None]
    grounds: Mapped[str | None]
    fee_paid: Mapped[int | None]
    appeal_on: Mapped[date | None]
    ruled_on: Mapped[date | None]
    withheld: Mapped[str | None]

    body: Mapped["Body"] = relationship(foreign_keys=[schema.requests.c.body_id])
    filed_body: Mapped["Body"] = relationship(foreign_keys=[schema.requests.c.filed_body_id])
    requester: Mapped[Optional["Requester"]] = relationship()
    department: Mapped[Optional["Department"]] = relationship()
    events: Mapped[list["Event"]] = relationship(back_populates="request", order_by="Event.id")
    decisions: Mapped[list["Decision"]] = relationship(back_populates="request", order_by="Decision.id")


class Campaign(Base):
    """A campaign (一斉請求): the same request filed with many bodies at once; it only groups the requests."""

    __table__ = schema.campaigns
    id: Mapped[int]
    name: Mapped[str]
    subject: Mapped[str]
    reason: Mapped[str | None]
    methods: Mapped[str]
    requester_id: Mapped[int | None]
    filed_on: Mapped[date]
    created_at: Mapped[datetime]

    requester: Mapped[Optional["Requester"]] = relationship()
    requests: Mapped[list["Request"]] = relationship(order_by="Request.id")


class BodySet(Base):
    """A saved set of bodies to file a campaign with."""

    __table__ = schema.body_sets
    id: Mapped[int]
    name: Mapped[str]

    members: Mapped[list["BodySetMember"]] = relationship(order_by="BodySetMember.position",
                                                          cascade="all, delete-orphan")


class BodySetMember(Base):
    __table__ = schema.body_set_members
    id: Mapped[int]
    body_set_id: Mapped[int]
    body_id: Mapped[int]
    position: Mapped[int]

    body: Mapped["Body"] = relationship()


class Event(Base):
    """One entry of a request's append-only timeline. Nothing is edited: a mistake is retracted
    by a later event (kind 'retraction', retracts_id) that says why."""

    __table__ = schema.events
    id: Mapped[int]
    request_id: Mapped[int]
    kind: Mapped[str]
    on: Mapped[date]
    data: Mapped[dict[str, Any]]
    note: Mapped[str | None]
    retracts_id: Mapped[int | None]
    recorded_at: Mapped[datetime]
    entered_by: Mapped[str | None]

    request: Mapped["Request"] = relationship(back_populates="events")


class Decision(Base):
    """A decision (開示決定等) with its notice's details; recorded by an event of kind 'decision'."""

    __table__ = schema.decisions
    id: Mapped[int]
    request_id: Mapped[int]
    event_id: Mapped[int]
    kind: Mapped[str]
    decided_on: Mapped[date]
    notified_on: Mapped[date | None]
    notice_number: Mapped[str | None]
    disclosure_on: Mapped[date | None]
    disclosure_time: Mapped[str | None]
    disclosure_place: Mapped[str | None]
    disclosure_methods: Mapped[str | None]
    later_on: Mapped[date | None]
    department_id: Mapped[int | None]
    remarks: Mapped[str | None]
    fee: Mapped[int | None]
    reason: Mapped[str | None]

    request: Mapped["Request"] = relationship(back_populates="decisions")
    event: Mapped["Event"] = relationship()
    department: Mapped[Optional["Department"]] = relationship()
    documents: Mapped[list["DecisionDocument"]] = relationship(order_by="DecisionDocument.position")
    withheld: Mapped[list["WithheldPart"]] = relationship(order_by="WithheldPart.position")


class DecisionDocument(Base):
    __table__ = schema.decision_documents
    id: Mapped[int]
    decision_id: Mapped[int]
    position: Mapped[int]
    title: Mapped[str]


class WithheldPart(Base):
    """A part not disclosed (開示しない部分), the provision relied on (根拠規定) and the reason."""

    __table__ = schema.withheld_parts
    id: Mapped[int]
    decision_id: Mapped[int]
    position: Mapped[int]
    part: Mapped[str]
    ground: Mapped[str]
    reason: Mapped[str]


class Document(Base):
    """A file received for a request, kept under its SHA-256 in the files folder (tracker/documents.py)."""

    __table__ = schema.documents
    id: Mapped[int]
    request_id: Mapped[int]
    decision_id: Mapped[int | None]
    kind: Mapped[str]
    title: Mapped[str | None]
    filename: Mapped[str]
    sha256: Mapped[str]
    size: Mapped[int]
    pages: Mapped[int | None]
    media_type: Mapped[str]
    received_on: Mapped[date | None]
    text_status: Mapped[str]
    added_at: Mapped[datetime]
