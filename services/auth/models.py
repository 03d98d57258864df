"""Tables of the auth service."""
from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from services.common.outbox import OutboxRecord, ProcessedEventRecord


class Base(DeclarativeBase):
    pass


class Outbox(OutboxRecord, Base):
    pass


class ProcessedEvent(ProcessedEventRecord, Base):
    pass
