"""Tables of the notify service."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Enum, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.events import utc_now
from services.common.event_tables import OutboxRecord, ProcessedEventRecord


class Base(DeclarativeBase):
    pass


class Outbox(OutboxRecord, Base):
    pass


class ProcessedEvent(ProcessedEventRecord, Base):
    pass


def new_id() -> str:
    return str(uuid.uuid4())


class NotificationKind(str, enum.Enum):
    """Subject of a notification. Preferences are set per kind."""

    TICKET_CREATED = "ticket_created"
    TICKET_STATUS_CHANGED = "ticket_status_changed"
    TICKET_MESSAGE_POSTED = "ticket_message_posted"
    TICKET_ASSIGNED = "ticket_assigned"
    # The tickets service's reminder to the requester of a suspended ticket that still awaits information.
    TICKET_SUSPENSION_REMINDED = "ticket_suspension_reminded"
    NEWS_PUBLISHED = "news_published"
    # Account e-mails (invitation, password reset) carry a single-use link: they are always sent
    # immediately and never shown in the portal, whatever the preferences.
    USER_INVITED = "user_invited"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"
    DIGEST = "digest"


class EmailFrequency(str, enum.Enum):
    IMMEDIATE = "immediate"
    DAILY = "daily"


class DeliveryStatus(str, enum.Enum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class NotificationPreference(Base):
    """One user's choice for one kind of notification. Without a row, the defaults apply."""

    __tablename__ = "notification_preference"

    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[NotificationKind] = mapped_column(Enum(NotificationKind, native_enum=False, length=40),
                                                   primary_key=True)
    email_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    in_app_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    email_frequency: Mapped[EmailFrequency] = mapped_column(Enum(EmailFrequency, native_enum=False, length=20),
                                                            default=EmailFrequency.IMMEDIATE)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, onupdate=utc_now)


class Notification(Base):
    """An item of a user's notification centre in the portal."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[NotificationKind] = mapped_column(Enum(NotificationKind, native_enum=False, length=40))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # Id of the object the notification is about (ticket, news item), for clients that link to it.
    subject_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    event_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class EmailDelivery(Base):
    """One e-mail to one recipient: the message as rendered and the log of its sending.

    A queued row is sent when `next_attempt_at` is due. The sender first moves `next_attempt_at` a
    lease ahead, so two workers or instances never send the same row at once.
    """

    __tablename__ = "email_delivery"
    __table_args__ = (Index("ix_email_delivery_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    kind: Mapped[NotificationKind] = mapped_column(Enum(NotificationKind, native_enum=False, length=40))
    language: Mapped[str] = mapped_column(String(8), default="fr")
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(Enum(DeliveryStatus, native_enum=False, length=20),
                                                   default=DeliveryStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    event_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    message_id: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, onupdate=utc_now)


class DigestItem(Base):
    """A notification waiting for the recipient's daily digest e-mail."""

    __tablename__ = "digest_item"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(36), index=True)
    recipient: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(8), default="fr")
    kind: Mapped[NotificationKind] = mapped_column(Enum(NotificationKind, native_enum=False, length=40))
    title: Mapped[str] = mapped_column(String(300))
    link: Mapped[str | None] = mapped_column(String(500), nullable=True)
    event_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    # Set when the item went out in a digest; kept so the delivery log can be traced back.
    digested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)


class DeferredEvent(Base):
    """An event whose handling failed (a directory call timed out, say), kept to be applied again later.

    The row is deleted once the event is applied. After the last retry it stays with `next_attempt_at`
    empty, the error kept and any single-use token removed from the payload.
    """

    __tablename__ = "deferred_event"
    __table_args__ = (Index("ix_deferred_event_due", "next_attempt_at"),)

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    handler: Mapped[str] = mapped_column(String(120), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(80))
    payload: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
