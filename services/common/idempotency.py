"""Apply each delivered event once, although RabbitMQ may deliver it again."""
from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from services.common.events import utc_now


def claim_event(session: Session, processed_model: type, event_id: str, handler: str) -> None:
    """Insert the marker saying that `handler` applies event `event_id`, inside the caller's transaction.

    The marker commits with the handler's own rows, so a crash between them cannot apply the event
    twice. An event already applied, or being applied by another worker, makes this insert (or the
    commit) raise IntegrityError: the caller rolls back and writes nothing. Inserting without first
    looking for the marker saves a round trip on every event; duplicates are the rare case.
    """
    session.execute(insert(processed_model).values(event_id=event_id, handler=handler, processed_at=utc_now()))


def is_applied(session: Session, processed_model: type, event_id: str, handler: str) -> bool:
    """Return whether the marker of `handler` for event `event_id` is committed.

    After an IntegrityError, it distinguishes a duplicate event from the failure of another constraint.
    """
    return session.scalar(select(processed_model.event_id).where(
        processed_model.event_id == event_id, processed_model.handler == handler)) is not None
