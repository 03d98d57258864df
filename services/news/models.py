"""Tables of the news service."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Enum, ForeignKey, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.events import utc_now
from services.common.event_tables import OutboxRecord, ProcessedEventRecord


class Base(DeclarativeBase):
    pass


class Outbox(OutboxRecord, Base):
    pass


class ProcessedEvent(ProcessedEventRecord, Base):
    pass


class ArticleStatus(str, enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Audience(str, enum.Enum):
    EVERYONE = "everyone"
    PRODUCTS = "products"
    ORGANISATIONS = "organisations"


def new_id() -> str:
    return str(uuid.uuid4())


class Article(Base):
    """A news item. It is visible once published and inside its window [publish_at, unpublish_at)."""

    __tablename__ = "article"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    image_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    status: Mapped[ArticleStatus] = mapped_column(Enum(ArticleStatus, native_enum=False, length=20),
                                                  default=ArticleStatus.DRAFT)
    publish_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    unpublish_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    audience: Mapped[Audience] = mapped_column(Enum(Audience, native_enum=False, length=20),
                                               default=Audience.EVERYONE)
    audience_product_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    audience_organisation_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    author_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, onupdate=utc_now)


class ReadMarker(Base):
    __tablename__ = "read_marker"

    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
