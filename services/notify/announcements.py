"""What to say about each event: the kind, the link and the template values, per recipient.

Event data is read defensively: every field may be missing, and unknown fields are ignored, because
the publishing services evolve on their own schedule.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo
from urllib.parse import quote

from services.common import config
from services.notify.messages import clean_header
from services.notify.models import NotificationKind

EXCERPT_MAX_LENGTH = 600
PARIS = ZoneInfo("Europe/Paris")

STATUS_LABELS: dict[str, dict[str, str]] = {
    "new": {"fr": "Nouvelle", "en": "New"},
    "open": {"fr": "Ouverte", "en": "Open"},
    "acknowledged": {"fr": "Prise en compte", "en": "Acknowledged"},
    "received": {"fr": "Prise en compte", "en": "Acknowledged"},
    "in_progress": {"fr": "En cours de traitement", "en": "In progress"},
    "suspended": {"fr": "Suspendue", "en": "Suspended"},
    "awaiting_customer": {"fr": "En attente de votre réponse", "en": "Awaiting your reply"},
    "resume_requested": {"fr": "Reprise demandée par le client", "en": "Resumption requested by the customer"},
    "resumed": {"fr": "Reprise", "en": "Resumed"},
    "reopened": {"fr": "Rouverte", "en": "Reopened"},
    "resolved": {"fr": "Résolue", "en": "Resolved"},
    "closed": {"fr": "Clôturée", "en": "Closed"},
    "cancelled": {"fr": "Annulée", "en": "Cancelled"},
}


@dataclass(frozen=True)
class Announcement:
    """One notification for one recipient, before preferences and language are applied."""

    kind: NotificationKind
    user_id: str | None
    email: str
    name: str | None
    language: str
    context: dict[str, Any]
    link: str | None
    subject_id: str | None = None
    # Account e-mails carry a single-use link: never in the portal, never in a digest.
    transactional: bool = False
    excerpt: str = field(default="")


def status_label(status: Any, language: str) -> str:
    key = str(status or "").strip().lower()
    labels = STATUS_LABELS.get(key)
    if labels is None:
        return key.replace("_", " ") or "?"
    return labels.get(language, labels["fr"])


def ticket_link(number: Any) -> str:
    return f"{config.public_url()}/support/tickets/{quote(str(number), safe='')}"


def _excerpt(data: dict[str, Any]) -> str:
    for key in ("excerpt", "body_text", "body", "body_markdown"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            text = value.strip()
            if len(text) > EXCERPT_MAX_LENGTH:
                text = text[: EXCERPT_MAX_LENGTH - 1].rstrip() + "…"
            return text
    return ""


def for_ticket_event(event_type: str, data: dict[str, Any], recipients: list[dict[str, Any]],
                     actor: dict[str, Any] | None) -> list[Announcement]:
    """Build the announcements of a ticket event for the recipients already chosen."""
    kind = NotificationKind(event_type)
    number = clean_header(data.get("number") or data.get("ticket_number") or data.get("ticket_id") or "?", 40)
    context = {
        "ticket": {"number": number, "title": clean_header(data.get("title") or "", 200)},
        "actor_name": clean_header(actor.get("display_name"), 120) if actor else None,
        "organisation_name": clean_header(data.get("organisation_name"), 200) or None,
        "status": data.get("status") or data.get("new_status"),
        "reason": _reason(data),
        "internal": bool(data.get("internal") or data.get("is_internal")),
        "excerpt": _excerpt(data) if event_type == "ticket_message_posted" else "",
        "link": ticket_link(number),
        "auto_close_at": _paris_time(data.get("auto_close_at")),
    }
    return [
        Announcement(kind=kind, user_id=user.get("id"), email=user["email"], name=user.get("display_name"),
                     language=user.get("language") or "fr", context=context, link=context["link"],
                     subject_id=data.get("ticket_id"), excerpt=context["excerpt"])
        for user in recipients
    ]


def _reason(data: dict[str, Any]) -> str | None:
    for key in ("reason", "suspension_reason", "comment"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:EXCERPT_MAX_LENGTH]
    return None


def account_link(data: dict[str, Any], path: str) -> str | None:
    """Return the single-use link of an invitation or reset: the one given, or one built from the token."""
    link = data.get("link") or data.get("url")
    if isinstance(link, str) and link.startswith(("http://", "https://")):
        return link
    token = data.get("token")
    if not token:
        return None
    return f"{config.public_url()}{path}?token={quote(str(token), safe='')}"


def _paris_time(value: Any) -> str | None:
    """Format an ISO 8601 instant as the recipient reads it in France; None when absent or invalid."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


def for_account_event(event_type: str, data: dict[str, Any], user: dict[str, Any],
                      actor: dict[str, Any] | None) -> Announcement | None:
    """Build the invitation or password reset e-mail; None when the event carries no link."""
    path = "/invitation" if event_type == "user_invited" else "/mot-de-passe/reinitialiser"
    link = account_link(data, path)
    if link is None:
        return None
    context = {
        "link": link,
        "actor_name": clean_header(actor.get("display_name"), 120) if actor else None,
        "organisation_name": clean_header(data.get("organisation_name"), 200) or None,
        "expires_at": _paris_time(data.get("expires_at")),
    }
    return Announcement(kind=NotificationKind(event_type), user_id=user.get("id"), email=user["email"],
                        name=user.get("display_name"), language=user.get("language") or "fr",
                        context=context, link=None, transactional=True)


def for_news_event(data: dict[str, Any], recipients: list[dict[str, Any]]) -> list[Announcement]:
    article_id = data.get("article_id") or data.get("news_id")
    link = f"{config.public_url()}/actualites/{quote(str(article_id), safe='')}" if article_id else config.public_url()
    context = {
        "news": {"title": clean_header(data.get("title") or "", 200),
                 "summary": str(data.get("summary") or "")[:EXCERPT_MAX_LENGTH]},
        "link": link,
    }
    return [
        Announcement(kind=NotificationKind.NEWS_PUBLISHED, user_id=user.get("id"), email=user["email"],
                     name=user.get("display_name"), language=user.get("language") or "fr", context=context,
                     link=link, subject_id=article_id, excerpt=context["news"]["summary"])
        for user in recipients
    ]
