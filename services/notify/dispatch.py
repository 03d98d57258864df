"""Turn announcements into portal notifications, queued e-mails and digest items, once per event."""
from __future__ import annotations

import logging
from datetime import datetime
from email.utils import make_msgid
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.common import config
from services.common.events import utc_now
from services.common.idempotency import claim_event
from services.notify.announcements import Announcement, status_label
from services.notify.deliveries import lease_end
from services.notify.messages import RenderedEmail, language_of, render_email
from services.notify.models import (DigestItem, EmailDelivery, EmailFrequency, Notification, ProcessedEvent,
                                    new_id)
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
           mail_domain: str, not_before: datetime | None = None) -> list[str] | None:
    """Apply an event once: store its notifications and e-mails and commit.

    With `not_before` in the future (a news item published ahead of time), the notifications show and
    the e-mails go out from that time on.

    Returns the ids of the e-mails reserved for immediate sending, or None when the event had already
    been applied (by an earlier delivery, or concurrently by another worker).
    """
    event_id = envelope.get("event_id")
    try:
        if not claim_event(session, ProcessedEvent, envelope, handler):
            session.rollback()
            return None
        reserved = _store(session, announcements, event_id, mail_domain, not_before)
        session.commit()
    except IntegrityError:
        # Another worker applied the same event between our check and our commit.
        session.rollback()
        logger.info("event %s applied concurrently by another %s worker; skipped", event_id, handler)
        return None
    logger.info("event %s (%s): %d notification(s), %d immediate e-mail(s)",
                event_id, envelope.get("event_type"), len(announcements), len(reserved))
    return reserved


def _store(session: Session, announcements: list[Announcement], event_id: str | None,
           mail_domain: str, not_before: datetime | None) -> list[str]:
    now = utc_now()
    deferred = not_before is not None and not_before > now
    visible_at = not_before if deferred and not_before is not None else now
    choices = choices_for(session, [(item.user_id, item.kind) for item in announcements if item.user_id])
    reserved = []
    for item in announcements:
        if item.transactional or not item.user_id:
            choice = DEFAULT_CHOICE
        else:
            choice = choices.get((item.user_id, item.kind.value), default_choice(item.kind))
        rendered = render(item)
        if item.user_id and not item.transactional and choice.in_app_enabled:
            session.add(Notification(user_id=item.user_id, kind=item.kind, title=rendered.subject[:300],
                                     body=item.excerpt, link=item.link, subject_id=item.subject_id,
                                     event_id=event_id, created_at=visible_at))
        if not choice.email_enabled:
            continue
        if choice.email_frequency == EmailFrequency.DAILY and item.user_id and not item.transactional:
            session.add(DigestItem(user_id=item.user_id, recipient=item.email, language=language_of(item.language),
                                   kind=item.kind, title=rendered.subject[:300], link=item.link,
                                   event_id=event_id, created_at=visible_at))
            continue
        delivery = EmailDelivery(
            # The id is set here rather than at flush, so the rows are inserted together at commit.
            id=new_id(), user_id=item.user_id, recipient=item.email.strip(), subject=rendered.subject, kind=item.kind,
            language=language_of(item.language), body_text=rendered.text, body_html=rendered.html,
            event_id=event_id, message_id=make_msgid(domain=mail_domain), created_at=now,
            # A deferred row is left to the retry timer, which sends it once `visible_at` is due.
            next_attempt_at=visible_at if deferred else lease_end(now),
        )
        session.add(delivery)
        if not deferred:
            reserved.append(delivery.id)
    return reserved
