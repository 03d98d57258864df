"""Demo notifications in French, so the portal's notification centre is not empty in the one-command run."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common import config, demo
from services.common.events import utc_now
from services.notify.models import Notification, NotificationKind

# The news items below are those of the news service's demo data.
NEWS_NOTIFICATIONS = (
    ("news:maintenance-decembre", "Actualité : Maintenance planifiée le samedi 19 décembre",
     "Les services hébergés seront indisponibles de 8 h à 12 h.", timedelta(days=1)),
    ("news:carrus-5-2", "Actualité : Carrus 5.2 est disponible",
     "Nouvelle gestion des échéances et des relances automatiques.", timedelta(days=3)),
)


def is_loaded(session: Session) -> bool:
    return session.scalar(select(Notification.id).limit(1)) is not None


def load(session: Session) -> None:
    now = utc_now()
    for user_id in (demo.USER_JDUPONT, demo.USER_MLEROY):
        for news_key, title, summary, age in NEWS_NOTIFICATIONS:
            news_id = demo.demo_id(news_key)
            session.add(Notification(
                id=demo.demo_id(f"notification:{user_id}:{news_key}"), user_id=user_id,
                kind=NotificationKind.NEWS_PUBLISHED, title=title, body=summary,
                link=f"{config.public_url()}/actualites/{news_id}", subject_id=news_id, created_at=now - age,
            ))
