"""Turn announcements into portal notifications, queued e-mails and digest items, once per event."""
from __future__ import annotations

import logging
from datetime import datetime
from email.utils import make_msgid
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.common import config
from services.common.events import utc_now
from services.common.idempotency import claim_event, is_applied
from services.notify.announcements import Announcement, status_label
from services.notify.deliveries import lease_end
from services.notify.messages import RenderedEmail, language_of, render_email
from services.notify.models import (DeliveryStatus, DigestItem, EmailDelivery, EmailFrequency, Notification,
                                    ProcessedEvent, new_id)
from services.notify.preferences import DEFAULT_CHOICE, choices_for, default_choice

logger = logging.getLogger(__name__)


def render(announcement: Announcement) -> RenderedEmail:
    language = language_of(announcement.language)
    context = {
        **announcement.context,
        "recipient_name": announcement.name,
        "status_label": status_label(announcement.context.get("status"), language),
    }
    if not announcement.transactional:
        context["preferences_link"] = f"{config.public_url()}/notifications/preferences"
    return render_email(announcement.kind.value, language, context)


def record(session: Session, envelope: dict[str, Any], handler: str, announcements: list[Announcement],
           mail_domain: str, not_before: datetime | None = None) -> list[EmailDelivery] | None:
    """Apply an event once: store its notifications and e-mails and commit.

    With `not_before` in the future (a news item published ahead of time), the notifications show and
    the e-mails go out from that time on.

    Returns the e-mails reserved for immediate sending (rows as committed, not attached to the
    session), or None when the event had already been applied (by an earlier delivery, or
    concurrently by another worker).
    """
    event_id = envelope.get("event_id")
    if not event_id:
        logger.warning("event of type %s without event_id ignored by %s", envelope.get("event_type"), handler)
        return None
    try:
        # The marker goes first: a second delivery of the event fails on it before any row is written.
        claim_event(session, ProcessedEvent, event_id, handler)
        reserved = _store(session, announcements, event_id, mail_domain, not_before)
        session.commit()
    except IntegrityError:
        session.rollback()
        if not is_applied(session, ProcessedEvent, event_id, handler):
            # Another constraint failed, not the marker's: the caller keeps the event for a retry.
            raise
        logger.info("event %s already applied by %s; skipped", event_id, handler)
        return None
    logger.info("event %s (%s): %d notification(s), %d immediate e-mail(s)",
                event_id, envelope.get("event_type"), len(announcements), len(reserved))
    return reserved


def _store(session: Session, announcements: list[Announcement], event_id: str | None,
           mail_domain: str, not_before: datetime | None) -> list[EmailDelivery]:
    """Insert the event's rows, each kind in one statement (the ORM's unit of work cost more than SQL)."""
    now = utc_now()
    deferred = not_before is not None and not_before > now
    visible_at = not_before if deferred and not_before is not None else now
    choices = choices_for(session, [(item.user_id, item.kind) for item in announcements if item.user_id])
    notifications: list[dict[str, Any]] = []
    digest_items: list[dict[str, Any]] = []
    deliveries: list[dict[str, Any]] = []
    for item in announcements:
        if item.transactional or not item.user_id:
            choice = DEFAULT_CHOICE
        else:
            choice = choices.get((item.user_id, item.kind.value), default_choice(item.kind))
        rendered = render(item)
        if item.user_id and not item.transactional and choice.in_app_enabled:
            notifications.append({"id": new_id(), "user_id": item.user_id, "kind": item.kind,
                                  "title": rendered.subject[:300], "body": item.excerpt, "link": item.link,
                                  "subject_id": item.subject_id, "event_id": event_id, "created_at": visible_at,
                                  "read_at": None})
        if not choice.email_enabled:
            continue
        if choice.email_frequency == EmailFrequency.DAILY and item.user_id and not item.transactional:
            digest_items.append({"id": new_id(), "user_id": item.user_id, "recipient": item.email,
                                 "language": language_of(item.language), "kind": item.kind,
                                 "title": rendered.subject[:300], "link": item.link, "event_id": event_id,
                                 "created_at": visible_at, "digested_at": None})
            continue
        deliveries.append({
            "id": new_id(), "user_id": item.user_id, "recipient": item.email.strip(), "subject": rendered.subject,
            "kind": item.kind, "language": language_of(item.language), "body_text": rendered.text,
            "body_html": rendered.html, "status": DeliveryStatus.QUEUED, "attempts": 0, "last_error": None,
            "event_id": event_id, "message_id": make_msgid(domain=mail_domain), "created_at": now,
            # A deferred row is left to the retry timer, which sends it once `visible_at` is due.
            "next_attempt_at": visible_at if deferred else lease_end(now), "sent_at": None, "updated_at": now,
        })
    for model, rows in ((Notification, notifications), (DigestItem, digest_items), (EmailDelivery, deliveries)):
        if rows:
            session.execute(insert(model), rows)
    return [] if deferred else [EmailDelivery(**row) for row in deliveries]
