"""The security audit log: who signed in, failed, changed a password or used a token, and from where."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from services.auth.models import AuditAction, AuditEntry, User
from services.common.caller import Caller
from services.common.errors import Forbidden, ValidationFailed, field_error
from services.common.events import isoformat
from services.common.pagination import paginate

logger = logging.getLogger(__name__)


def record(session: Session, action: AuditAction, *, user_id: str | None = None, actor_id: str | None = None,
           organisation_id: str | None = None, email: str | None = None, client_ip: str | None = None,
           **details: Any) -> None:
    """Add an entry to `session`; it is written with the caller's commit."""
    session.add(AuditEntry(action=action, user_id=user_id, actor_id=actor_id or user_id,
                           organisation_id=organisation_id, email=email, client_ip=client_ip, details=details))
    logger.info("audit %s user=%s actor=%s ip=%s", action.value, user_id, actor_id or user_id, client_ip)


def list_entries(session: Session, caller: Caller, filters: dict[str, Any], first: int | None,
                 after: str | None) -> dict[str, Any]:
    """Return a page of entries, newest first; admins only."""
    caller.require_authenticated()
    if not caller.is_admin or not caller.has_scope("admin"):
        raise Forbidden()
    query = select(AuditEntry)
    if filters.get("user_id"):
        query = query.where(AuditEntry.user_id == filters["user_id"])
    if filters.get("actions"):
        query = query.where(AuditEntry.action.in_([AuditAction(value) for value in filters["actions"]]))
    if filters.get("email"):
        # The e-mail typed at a sign-in, or the e-mail of the account concerned or of the actor.
        search = filters["email"].strip().lower()
        matching_users = select(User.id).where(User.email.contains(search, autoescape=True))
        query = query.where(or_(func.lower(AuditEntry.email).contains(search, autoescape=True),
                                AuditEntry.user_id.in_(matching_users), AuditEntry.actor_id.in_(matching_users)))
    if filters.get("occurred_after"):
        query = query.where(AuditEntry.occurred_at >= parse_instant(filters["occurred_after"], "occurredAfter"))
    if filters.get("occurred_before"):
        query = query.where(AuditEntry.occurred_at < parse_instant(filters["occurred_before"], "occurredBefore"))
    query = query.order_by(AuditEntry.occurred_at.desc(), AuditEntry.id)
    return paginate(session, query, first, after, serialize)


def parse_instant(value: str, field: str) -> datetime:
    """Return an aware UTC datetime from ISO 8601 with an offset; raise ValidationFailed otherwise."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValidationFailed(fields=[field_error(
            field, "INVALID", f"Date et heure « {value} » invalides : utilisez ISO 8601 avec un décalage horaire.",
            f"Invalid date and time '{value}': use ISO 8601 with a UTC offset.")])
    return moment.astimezone(timezone.utc)


def serialize(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "occurred_at": isoformat(entry.occurred_at),
        "action": entry.action.value,
        "user_id": entry.user_id,
        "actor_id": entry.actor_id,
        "organisation_id": entry.organisation_id,
        "email": entry.email,
        "client_ip": entry.client_ip,
        "details": entry.details or {},
    }
