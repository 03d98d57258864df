"""Events whose handling failed, applied again later with backoff.

A handler that cannot reach the directory would otherwise lose the event, because nameko
acknowledges a message whose handler raised. The envelope is stored instead, and the
`retry_deferred_events` timer applies it again; `claim_event` still guarantees a single application.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.common.events import utc_now
from services.notify.deliveries import ERROR_MAX_LENGTH, retry_delay
from services.notify.models import DeferredEvent

logger = logging.getLogger(__name__)

DUE_BATCH_SIZE = 20
# Longer than a directory call may take, so a row is never taken from a worker still applying it.
LEASE_SECONDS = 120
SECRET_FIELDS = ("token", "link", "url")


def defer(session: Session, envelope: dict[str, Any], handler: str, error: BaseException,
          delays: tuple[int, ...]) -> None:
    """Store a first failure of `handler` on `envelope`, to be applied again after the first delay."""
    event_id = str(envelope.get("event_id") or "")
    if not event_id or session.get(DeferredEvent, (event_id, handler)) is not None:
        session.commit()
        return
    first_delay = delays[0] if delays else 0
    session.add(DeferredEvent(event_id=event_id, handler=handler, event_type=str(envelope.get("event_type")),
                              payload=json.dumps(envelope), attempts=1, last_error=_describe(error),
                              next_attempt_at=utc_now() + timedelta(seconds=first_delay)))
    session.commit()
    logger.warning("event %s (%s) could not be applied by %s; retry in %ss: %s",
                   event_id, envelope.get("event_type"), handler, first_delay, _describe(error))


def claim_due(session: Session, now: datetime, limit: int = DUE_BATCH_SIZE) -> list[tuple[str, str, dict[str, Any]]]:
    """Reserve the rows whose retry is due; return `(event_id, handler, envelope)` for each."""
    due = session.execute(
        select(DeferredEvent.event_id, DeferredEvent.handler, DeferredEvent.next_attempt_at, DeferredEvent.payload)
        .where(DeferredEvent.next_attempt_at <= now).order_by(DeferredEvent.next_attempt_at).limit(limit)
    ).all()
    claimed = []
    for event_id, handler, previous, payload in due:
        result = session.execute(
            update(DeferredEvent)
            .where(DeferredEvent.event_id == event_id, DeferredEvent.handler == handler,
                   DeferredEvent.next_attempt_at == previous)
            .values(next_attempt_at=now + timedelta(seconds=LEASE_SECONDS))
        )
        if result.rowcount == 1:
            claimed.append((event_id, handler, json.loads(payload)))
    session.commit()
    return claimed


def mark_applied(session: Session, event_id: str, handler: str) -> None:
    row = session.get(DeferredEvent, (event_id, handler))
    if row is not None:
        logger.info("event %s applied by %s after %d failed attempt(s)", event_id, handler, row.attempts)
        session.delete(row)
    session.commit()


def mark_failed_again(session: Session, event_id: str, handler: str, error: BaseException,
                      delays: tuple[int, ...]) -> None:
    """Count one more failure; schedule the next try, or give up after the last delay."""
    row = session.get(DeferredEvent, (event_id, handler))
    if row is None:
        session.commit()
        return
    row.attempts += 1
    delay = retry_delay(row.attempts, delays)
    row.last_error = _describe(error)
    if delay is None:
        row.next_attempt_at = None
        row.payload = json.dumps(_without_secrets(json.loads(row.payload)))
        logger.error("event %s (%s) given up by %s after %d attempts: %s",
                     event_id, row.event_type, handler, row.attempts, row.last_error)
    else:
        row.next_attempt_at = utc_now() + timedelta(seconds=delay)
        logger.warning("event %s (%s) failed again in %s (attempt %d); retry in %ss: %s",
                       event_id, row.event_type, handler, row.attempts, delay, row.last_error)
    session.commit()


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]


def _without_secrets(envelope: dict[str, Any]) -> dict[str, Any]:
    data = dict(envelope.get("data") or {})
    for key in SECRET_FIELDS:
        if key in data:
            data[key] = "[removed]"
    return {**envelope, "data": data}
