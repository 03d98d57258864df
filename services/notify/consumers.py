"""Apply the other services' events: find the recipients, then record what to tell them.

Directory calls happen before any write, so no transaction stays open while a worker waits on RPC.
"""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.notify import announcements, dispatch, recipients
from services.notify.directory import active_agents, users_by_id
from services.notify.models import ProcessedEvent

logger = logging.getLogger(__name__)

# Messages that an auto-responder produced (out-of-office replies arriving by e-mail) are never
# answered with a notification, so two automatic systems cannot write to each other forever.
AUTOMATIC_SOURCES = frozenset({"auto_reply", "auto_submitted", "bounce"})


def already_applied(session: Session, envelope: dict[str, Any], handler: str) -> bool:
    """Return whether the event was applied, so a redelivery costs no directory call."""
    event_id = envelope.get("event_id")
    found = event_id is not None and session.scalar(select(ProcessedEvent.event_id).where(
        ProcessedEvent.event_id == event_id, ProcessedEvent.handler == handler)) is not None
    session.commit()
    return found


def is_automatic(data: dict[str, Any]) -> bool:
    if data.get("auto_submitted") is True:
        return True
    return str(data.get("source") or "").lower() in AUTOMATIC_SOURCES


def apply_ticket_event(session: Session, directory: Any, envelope: dict[str, Any], event_type: str,
                       handler: str, mail_domain: str) -> list[str] | None:
    """Record the notifications of a ticket event; return the e-mails to send now (None: duplicate)."""
    data = envelope.get("data") or {}
    if event_type == "ticket_message_posted" and is_automatic(data):
        logger.info("event %s: automatic message on ticket %s; nobody notified",
                    envelope.get("event_id"), data.get("ticket_id"))
        return dispatch.record(session, envelope, handler, [], mail_domain)

    actor_id = recipients.actor_id_of(envelope)
    users = users_by_id(directory, [actor_id, recipients.assignee_id_of(data), *recipients.ticket_party_ids(data)])
    agents = active_agents(directory)
    chosen = recipients.ticket_recipients(event_type, data, actor_id, users, agents)
    actor = users.get(actor_id) if actor_id else None
    items = announcements.for_ticket_event(event_type, data, chosen, actor)
    return dispatch.record(session, envelope, handler, items, mail_domain)


def apply_account_event(session: Session, directory: Any, envelope: dict[str, Any], event_type: str,
                        handler: str, mail_domain: str) -> list[str] | None:
    """Record the invitation or password reset e-mail; the token is never logged."""
    data = envelope.get("data") or {}
    user = _account_user(directory, data)
    actor_id = recipients.actor_id_of(envelope)
    actor = users_by_id(directory, [actor_id]).get(actor_id or "") if event_type == "user_invited" else None
    item = announcements.for_account_event(event_type, data, user, actor) if user else None
    if item is None:
        logger.warning("event %s (%s) for user %s has no address or no link; no e-mail written",
                       envelope.get("event_id"), event_type, data.get("user_id"))
    return dispatch.record(session, envelope, handler, [item] if item else [], mail_domain)


def _account_user(directory: Any, data: dict[str, Any]) -> dict[str, Any] | None:
    user_id = data.get("user_id")
    user: dict[str, Any] = {}
    if user_id and not data.get("email"):
        user = users_by_id(directory, [user_id]).get(str(user_id), {})
    email = data.get("email") or user.get("email")
    if not email:
        return None
    name = data.get("display_name") or " ".join(
        part for part in (data.get("first_name"), data.get("last_name")) if part) or user.get("display_name")
    return {"id": user_id, "email": email, "display_name": name or None,
            "language": data.get("language") or user.get("language") or "fr"}
