"""Apply the other services' events: find the recipients, then record what to tell them.

Directory calls happen before any write, so no transaction stays open while a worker waits on RPC.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session

from services.notify import announcements, dispatch, recipients
from services.notify.directory import active_agents, call_with_timeout, customers, users_by_id
from services.notify.models import EmailDelivery

logger = logging.getLogger(__name__)

# Messages that an auto-responder produced (out-of-office replies arriving by e-mail) trigger no
# notification, so two automatic systems cannot write to each other forever.
AUTOMATIC_SOURCES = frozenset({"auto_reply", "auto_submitted", "bounce"})


# Handler name -> (publishing service, event type). The names are also the `claim_event` keys.
HANDLED_EVENTS: dict[str, tuple[str, str]] = {
    "handle_ticket_created": ("tickets", "ticket_created"),
    "handle_ticket_status_changed": ("tickets", "ticket_status_changed"),
    "handle_ticket_message_posted": ("tickets", "ticket_message_posted"),
    "handle_ticket_assigned": ("tickets", "ticket_assigned"),
    "handle_ticket_suspension_reminded": ("tickets", "ticket_suspension_reminded"),
    "handle_user_invited": ("auth", "user_invited"),
    "handle_password_reset_requested": ("auth", "password_reset_requested"),
    "handle_news_published": ("news", "news_published"),
}


def apply_event(session: Session, directory: Any, catalog: Any, envelope: dict[str, Any], handler: str,
                mail_domain: str) -> list[EmailDelivery] | None:
    """Apply `envelope` as `handler` does; return the e-mails to send now (None: already applied)."""
    source, event_type = HANDLED_EVENTS[handler]
    if source == "tickets":
        return apply_ticket_event(session, directory, envelope, event_type, handler, mail_domain)
    if source == "auth":
        return apply_account_event(session, directory, envelope, event_type, handler, mail_domain)
    return apply_news_event(session, directory, catalog, envelope, handler, mail_domain)


def is_automatic(data: dict[str, Any]) -> bool:
    if data.get("auto_submitted") is True:
        return True
    return str(data.get("source") or "").lower() in AUTOMATIC_SOURCES


def apply_ticket_event(session: Session, directory: Any, envelope: dict[str, Any], event_type: str,
                       handler: str, mail_domain: str) -> list[EmailDelivery] | None:
    """Record the notifications of a ticket event; return the e-mails to send now (None: duplicate)."""
    data = envelope.get("data") or {}
    if event_type == "ticket_message_posted" and is_automatic(data):
        logger.info("event %s: automatic message on ticket %s; no notification written",
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
                        handler: str, mail_domain: str) -> list[EmailDelivery] | None:
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


def apply_news_event(session: Session, directory: Any, catalog: Any, envelope: dict[str, Any], handler: str,
                     mail_domain: str) -> list[EmailDelivery] | None:
    """Record a published news item for the customers of its audience, from its publication time."""
    data = envelope.get("data") or {}
    audience = str(data.get("audience") or "everyone").lower()
    organisation_ids = [str(item) for item in data.get("audience_organisation_ids") or []]
    readers = customers(directory, organisation_ids if audience == "organisations" else None)
    if audience == "organisations" and not organisation_ids:
        readers = []
    if audience == "products":
        readers = _covered_by_products(catalog, readers, {str(item) for item in data.get("audience_product_ids") or []})
    items = announcements.for_news_event(data, readers)
    return dispatch.record(session, envelope, handler, items, mail_domain, not_before=_instant(data.get("publish_at")))


def _covered_by_products(catalog: Any, readers: list[dict[str, Any]], product_ids: set[str]) -> list[dict[str, Any]]:
    """Keep the readers whose organisation's contracts cover one of `product_ids` (one call per organisation)."""
    covered: dict[str, bool] = {}
    for organisation_id in {str(reader.get("organisation_id")) for reader in readers if reader.get("organisation_id")}:
        organisation_products = call_with_timeout(catalog.list_organisation_product_ids,
                                                  organisation_id=organisation_id) or []
        covered[organisation_id] = bool(product_ids & {str(item) for item in organisation_products})
    return [reader for reader in readers if covered.get(str(reader.get("organisation_id")), False)]


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
