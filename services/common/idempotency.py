"""Apply each delivered event once, although RabbitMQ may deliver it again."""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)


def claim_event(session: Session, processed_model: type, envelope: dict[str, Any], handler: str) -> bool:
    """Record that `handler` applies this event, inside the caller's transaction.

    Returns False when the event was already applied: the caller then does nothing. Because the marker
    commits with the handler's own changes, a crash between them cannot apply the event twice.
    """
    event_id = envelope.get("event_id")
    if not event_id:
        logger.warning("event of type %s without event_id ignored by %s", envelope.get("event_type"), handler)
        return False
    existing = session.scalar(select(processed_model).where(
        processed_model.event_id == event_id, processed_model.handler == handler))
    if existing is not None:
        logger.info("event %s already applied by %s; skipped", event_id, handler)
        return False
    session.add(processed_model(event_id=event_id, handler=handler))
    session.flush()
    return True
