"""Daily digests: notifications a user chose to receive once a day, sent as one e-mail."""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from email.utils import make_msgid
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common import config
from services.common.events import utc_now
from services.notify.deliveries import lease_end
from services.notify.messages import language_of, render_email
from services.notify.models import DigestItem, EmailDelivery, NotificationKind

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")


def latest_cutoff(now: datetime, hour: int) -> datetime:
    """Return the latest `hour`:00 in Paris at or before `now`, as a UTC instant."""
    local = now.astimezone(PARIS)
    cutoff = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if cutoff > local:
        cutoff -= timedelta(days=1)
    # Re-attach the zone: across a DST change the offset of the previous day differs.
    cutoff = cutoff.replace(tzinfo=None).replace(tzinfo=PARIS)
    return cutoff.astimezone(timezone.utc)


def queue_digests(session: Session, cutoff: datetime, mail_domain: str) -> list[str]:
    """Queue one digest e-mail per user for items created before `cutoff`; return the reserved ids."""
    query = select(DigestItem).where(DigestItem.digested_at.is_(None), DigestItem.created_at < cutoff) \
        .order_by(DigestItem.user_id, DigestItem.created_at)
    if session.get_bind().dialect.name == "postgresql":
        # Several instances run the digest timer; each takes the rows the others have not locked.
        query = query.with_for_update(skip_locked=True)
    items = list(session.scalars(query))
    if not items:
        session.commit()
        return []
    by_user: dict[str, list[DigestItem]] = defaultdict(list)
    for item in items:
        by_user[item.user_id].append(item)

    now = utc_now()
    reserved = []
    for user_id, user_items in by_user.items():
        latest = user_items[-1]
        language = language_of(latest.language)
        rendered = render_email(NotificationKind.DIGEST.value, language, {
            "items": [{"title": item.title, "link": item.link} for item in user_items],
            "day": now.astimezone(PARIS).strftime("%d/%m/%Y"),
            "preferences_link": f"{config.public_url()}/notifications/preferences",
        })
        delivery = EmailDelivery(
            user_id=user_id, recipient=latest.recipient, subject=rendered.subject, kind=NotificationKind.DIGEST,
            language=language, body_text=rendered.text, body_html=rendered.html,
            message_id=make_msgid(domain=mail_domain), created_at=now, next_attempt_at=lease_end(now))
        session.add(delivery)
        session.flush()
        reserved.append(delivery.id)
        for item in user_items:
            item.digested_at = now
    session.commit()
    logger.info("queued %d digest(s) covering %d item(s) before %s", len(reserved), len(items), cutoff.isoformat())
    return reserved
