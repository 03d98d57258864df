"""The caller's notification centre in the portal: list, unread count, mark read."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.common.caller import Caller
from services.common.errors import field_error
from services.common.events import isoformat, utc_now
from services.common.pagination import paginate
from services.notify.exceptions import InvalidNotificationFilter, NotificationNotFound
from services.notify.models import Notification


def list_notifications(session: Session, caller: Caller, first: int | None, after: str | None,
                       unread_only: bool = False) -> dict[str, Any]:
    """Return a page of the caller's notifications, newest first."""
    caller.require_authenticated()
    query = select(Notification).where(Notification.user_id == caller.user_id, Notification.created_at <= utc_now())
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    query = query.order_by(Notification.created_at.desc(), Notification.id)
    return paginate(session, query, first, after, serialize)


def count_unread(session: Session, caller: Caller) -> int:
    caller.require_authenticated()
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == caller.user_id, Notification.read_at.is_(None),
        Notification.created_at <= utc_now())) or 0


def get_notification(session: Session, caller: Caller, notification_id: str) -> dict[str, Any]:
    """Return one of the caller's notifications; another user's is NotificationNotFound."""
    return serialize(_owned(session, caller, notification_id))


def _owned(session: Session, caller: Caller, notification_id: str) -> Notification:
    caller.require_authenticated()
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != caller.user_id:
        raise NotificationNotFound()
    return notification


def mark_read(session: Session, caller: Caller, notification_id: str) -> dict[str, Any]:
    """Mark one of the caller's notifications read; another user's is NotificationNotFound."""
    notification = _owned(session, caller, notification_id)
    if notification.read_at is None:
        notification.read_at = utc_now()
        session.commit()
    return serialize(notification)


def mark_all_read(session: Session, caller: Caller, before: str | None = None) -> int:
    """Mark the caller's unread notifications created up to `before` (all when None) read; return how many."""
    caller.require_authenticated()
    limit = min(_parse_time(before), utc_now()) if before else utc_now()
    query = update(Notification).where(Notification.user_id == caller.user_id, Notification.read_at.is_(None),
                                       Notification.created_at <= limit)
    result = session.execute(query.values(read_at=utc_now()))
    session.commit()
    return result.rowcount or 0


def _parse_time(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidNotificationFilter(fields=[field_error(
            "before", "INVALID_DATETIME", f"Date « {value} » invalide (format ISO 8601 attendu).",
            f"Invalid date '{value}' (ISO 8601 expected).")]) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    # SQLite stores instants without their offset, so every comparison is made in UTC.
    return moment.astimezone(timezone.utc)


def serialize(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.id,
        "kind": notification.kind.value,
        "title": notification.title,
        "body": notification.body,
        "link": notification.link,
        "subject_id": notification.subject_id,
        "created_at": isoformat(notification.created_at),
        "read_at": isoformat(notification.read_at) if notification.read_at else None,
    }
