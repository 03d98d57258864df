"""Tables of the tickets service."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (JSON, Boolean, Date, DateTime, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
                        event)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.events import utc_now
from services.common.event_tables import OutboxRecord, ProcessedEventRecord
from services.tickets.lifecycle import TicketState, TicketStatus
from services.tickets.search import ticket_search_text
from services.tickets.vocabulary import RequestNature, Severity


class Base(DeclarativeBase):
    pass


class Outbox(OutboxRecord, Base):
    pass


class ProcessedEvent(ProcessedEventRecord, Base):
    pass


def new_id() -> str:
    return str(uuid.uuid4())


def _enum(enum_class: type) -> Enum:
    return Enum(enum_class, native_enum=False, length=30, values_callable=lambda members: [m.value for m in members])


class TicketCounter(Base):
    """Last ticket number given out in a year; incremented under a row lock to stay unique."""

    __tablename__ = "ticket_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    """A support request of an organisation, with the form's four groups and its tracking dates.

    `version` grows by one on every change; a change is written only where the version is still the
    one that was read, so two people acting at once cannot both succeed.
    Names of the contract, product, site, version and services are copied from the catalog at
    creation, so that lists, events and exports never call back to the catalog.
    """

    __tablename__ = "ticket"
    __table_args__ = (
        Index("ix_ticket_organisation_status", "organisation_id", "status"),
        Index("ix_ticket_requester", "requester_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    organisation_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer, default=1)

    # « Contrat »
    contract_id: Mapped[str] = mapped_column(String(36))
    contract_number: Mapped[str] = mapped_column(String(100), default="")
    services: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    product_id: Mapped[str] = mapped_column(String(36), index=True)
    product_name: Mapped[str] = mapped_column(String(200), default="")
    site_id: Mapped[str] = mapped_column(String(36), index=True)
    site_name: Mapped[str] = mapped_column(String(200), default="")
    version_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    version_name: Mapped[str | None] = mapped_column(String(100), nullable=True)

    # « Contexte »
    nature: Mapped[RequestNature] = mapped_column(_enum(RequestNature))
    severity: Mapped[Severity] = mapped_column(_enum(Severity))
    desired_delivery_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    reference_1: Mapped[str] = mapped_column(String(100), default="")
    reference_2: Mapped[str] = mapped_column(String(100), default="")

    # « Descriptif »
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Title and references without accents and case-folded, matched by the list's text filter.
    # The ORM events below fill it, but an UPDATE statement that changes those fields must set it too.
    search_text: Mapped[str] = mapped_column(Text, default="")

    # « Contacts »: requester and followers, with a copy of their names and addresses for e-mails.
    requester_id: Mapped[str] = mapped_column(String(36))
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[str] = mapped_column(String(36))
    # The agent in charge, if any; notifications of customer actions go to them first.
    assignee_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)

    status: Mapped[TicketStatus] = mapped_column(_enum(TicketStatus), default=TicketStatus.NEW)
    state: Mapped[TicketState] = mapped_column(_enum(TicketState), default=TicketState.AWAITING_SUPPORT)
    suspension_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    suspended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    suspension_reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    duplicated_from_id: Mapped[str | None] = mapped_column(ForeignKey("ticket.id"), nullable=True)

    # « Suivi de la demande »: saisie, réception, intervention, résolution, clôture.
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)
    received_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    intervention_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    # Latest message of the thread, and latest one customers may see (internal notes excluded);
    # a ticket is unread for a user when the one they may see is later than their read marker.
    last_message_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_public_message_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


@event.listens_for(Ticket, "before_insert")
@event.listens_for(Ticket, "before_update")
def _fill_search_text(_mapper: Any, _connection: Any, ticket: Ticket) -> None:
    ticket.search_text = ticket_search_text(ticket.title, ticket.reference_1, ticket.reference_2)


class TicketFollower(Base):
    """A colleague of the requester who follows the ticket and sees it in their list."""

    __tablename__ = "ticket_follower"

    ticket_id: Mapped[str] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)


class TicketHistory(Base):
    """One change of a ticket: who, when, from which status to which, and why."""

    __tablename__ = "ticket_history"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[TicketStatus | None] = mapped_column(_enum(TicketStatus), nullable=True)
    to_status: Mapped[TicketStatus] = mapped_column(_enum(TicketStatus))
    reason: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class TicketMessage(Base):
    """A message of a ticket's thread; internal notes are written by agents for agents only."""

    __tablename__ = "ticket_message"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[str] = mapped_column(String(36))
    author_is_agent: Mapped[bool] = mapped_column(Boolean, default=False)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class TicketReadMarker(Base):
    """When a user last opened a ticket's thread; later messages of others are unread for them."""

    __tablename__ = "ticket_read_marker"

    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class TicketListColumns(Base):
    """The columns a user chose for their ticket list and its Excel export, in their order."""

    __tablename__ = "ticket_list_columns"

    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, onupdate=utc_now)


class TicketQueueView(Base):
    """A ticket list's filters, tab and sort saved under a name by one user (« vues enregistrées »)."""

    __tablename__ = "ticket_queue_view"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_ticket_queue_view_user_name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(36), index=True)
    name: Mapped[str] = mapped_column(String(80))
    tab: Mapped[str] = mapped_column(String(20))
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sort: Mapped[str | None] = mapped_column(String(30), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class TicketAttachment(Base):
    """Metadata of a file attached to a ticket; the file itself is in the attachment store under `storage_key`."""

    __tablename__ = "ticket_attachment"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    # The message the file was sent with; an attachment of an internal note is shown to agents only.
    message_id: Mapped[str | None] = mapped_column(ForeignKey("ticket_message.id", ondelete="CASCADE"),
                                                   nullable=True, index=True)
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
