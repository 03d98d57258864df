"""Tables of the catalog service: products and their spaces, services, sites and contracts.

Organisations live in the auth service, so `organisation_id` columns hold its ids without a foreign key.
"""
from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Enum, ForeignKey, Integer, String, Table, Text, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.common.events import utc_now
from services.common.event_tables import OutboxRecord, ProcessedEventRecord
from services.catalog.search import SearchDocument


class Base(DeclarativeBase):
    pass


class Outbox(OutboxRecord, Base):
    pass


class ProcessedEvent(ProcessedEventRecord, Base):
    pass


def new_id() -> str:
    return str(uuid.uuid4())


class ServiceKind(str, enum.Enum):
    """What a service (« prestation ») provides; only assistance opens the support desk by default."""

    ASSISTANCE = "assistance"
    CORRECTIVE_MAINTENANCE = "corrective_maintenance"
    HOSTING = "hosting"
    TRAINING = "training"
    OTHER = "other"


class SupportLevel(str, enum.Enum):
    """Support level bought with a contract."""

    NONE = "none"
    STANDARD = "standard"
    PREMIUM = "premium"


contract_product = Table(
    "contract_product", Base.metadata,
    Column("contract_id", ForeignKey("contract.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
)

contract_service = Table(
    "contract_service", Base.metadata,
    Column("contract_id", ForeignKey("contract.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
)

contract_site = Table(
    "contract_site", Base.metadata,
    Column("contract_id", ForeignKey("contract.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("site.id", ondelete="CASCADE"), primary_key=True),
)


class Product(Base):
    """A software product of the vendor with its product space (presentation, links, FAQ)."""

    __tablename__ = "product"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    presentation_markdown: Mapped[str] = mapped_column(Text, default="")
    # A list of {"label": str, "url": str}, shown in the product space.
    links: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, onupdate=utc_now)

    versions: Mapped[list[ProductVersion]] = relationship(
        back_populates="product", order_by="ProductVersion.release_date.desc()", cascade="all, delete-orphan")
    faq_entries: Mapped[list[FaqEntry]] = relationship(
        back_populates="product", order_by="(FaqEntry.category, FaqEntry.position)", cascade="all, delete-orphan")


class ProductVersion(Base):
    __tablename__ = "product_version"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    product_id: Mapped[str] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    release_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    supported: Mapped[bool] = mapped_column(Boolean, default=True)

    product: Mapped[Product] = relationship(back_populates="versions")


class FaqEntry(Base):
    """A question and its answer in a product space, grouped by category.

    `search_text` holds the category, question and answer without accents and in lower case, filled
    by the service on every write, so that a plain LIKE finds « Échéance » from `echeance` on both
    SQLite and PostgreSQL.
    """

    __tablename__ = "faq_entry"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    product_id: Mapped[str] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(120))
    question: Mapped[str] = mapped_column(String(300))
    answer_markdown: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, onupdate=utc_now)

    product: Mapped[Product] = relationship(back_populates="faq_entries")


@event.listens_for(FaqEntry, "before_insert")
@event.listens_for(FaqEntry, "before_update")
def _fill_search_text(_mapper: Any, _connection: Any, entry: FaqEntry) -> None:
    # Every write path goes through the ORM, so the search column can never lag behind the text.
    entry.search_text = SearchDocument.of(entry.category, entry.question, entry.answer_markdown).search_text


class Service(Base):
    """A service (« prestation ») that a contract may include: assistance, hosting, training…"""

    __tablename__ = "service"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[ServiceKind] = mapped_column(Enum(ServiceKind, native_enum=False, length=30))
    description: Mapped[str] = mapped_column(String(500), default="")
    # A contract opens the support desk only when it includes a service with this flag.
    is_assistance: Mapped[bool] = mapped_column(Boolean, default=False)


class Site(Base):
    """A place of a customer organisation (town hall, technical annex…) that support may be asked for."""

    __tablename__ = "site"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(String(36), index=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class Contract(Base):
    """A customer contract: active from `start_date` to `end_date` inclusive, in Paris local dates."""

    __tablename__ = "contract"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    organisation_id: Mapped[str] = mapped_column(String(36), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    support_level: Mapped[SupportLevel] = mapped_column(Enum(SupportLevel, native_enum=False, length=20),
                                                        default=SupportLevel.STANDARD)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, onupdate=utc_now)

    products: Mapped[list[Product]] = relationship(secondary=contract_product, order_by="Product.name")
    services: Mapped[list[Service]] = relationship(secondary=contract_service, order_by="Service.name")
    sites: Mapped[list[Site]] = relationship(secondary=contract_site, order_by="Site.name")
