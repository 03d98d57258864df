"""News visibility for readers, and the agents' writing and publishing of news."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.common.caller import Caller
from services.common.errors import field_error
from services.common.events import isoformat, utc_now
from services.common.markdown import render_markdown
from services.common.outbox import stage_event
from services.common.pagination import paginate
from services.news.exceptions import ArticleNotFound, InvalidArticle
from services.news.models import Article, ArticleStatus, Audience, Outbox, ReadMarker

TITLE_MAX = 200
SUMMARY_MAX = 500


def _as_utc(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def is_visible_to(article: Article, caller: Caller, product_ids: list[str], now: datetime) -> bool:
    """Return whether a customer may read `article` now; agents read everything."""
    if caller.is_agent:
        return True
    if article.status != ArticleStatus.PUBLISHED:
        return False
    publish_at, unpublish_at = _as_utc(article.publish_at), _as_utc(article.unpublish_at)
    if publish_at is not None and publish_at > now:
        return False
    if unpublish_at is not None and unpublish_at <= now:
        return False
    if article.audience == Audience.PRODUCTS:
        return bool(set(article.audience_product_ids or []) & set(product_ids))
    if article.audience == Audience.ORGANISATIONS:
        return caller.organisation_id in (article.audience_organisation_ids or [])
    return True


def visible_query(caller: Caller, now: datetime) -> Any:
    """Select the articles a reader may see, before audience filtering on JSON lists."""
    query = select(Article)
    if not caller.is_agent:
        query = query.where(
            Article.status == ArticleStatus.PUBLISHED,
            or_(Article.publish_at.is_(None), Article.publish_at <= now),
            or_(Article.unpublish_at.is_(None), Article.unpublish_at > now),
        )
    return query.order_by(Article.pinned.desc(), Article.publish_at.desc().nulls_last(), Article.created_at.desc())


def list_articles(session: Session, caller: Caller, product_ids: list[str], first: int | None,
                  after: str | None) -> dict[str, Any]:
    now = utc_now()
    # Audience lists are JSON, which SQLite and PostgreSQL query differently; the candidate set
    # (published and in its window) is small, so the audience is checked in Python on ids only.
    candidates = session.execute(
        visible_query(caller, now).with_only_columns(Article.id, Article.audience, Article.audience_product_ids,
                                                     Article.audience_organisation_ids)
    ).all()
    allowed_ids = [
        row.id for row in candidates
        if caller.is_agent or _audience_allows(row.audience, row.audience_product_ids,
                                               row.audience_organisation_ids, caller, product_ids)
    ]
    read_ids = _read_ids(session, caller, allowed_ids)
    query = visible_query(caller, now).where(Article.id.in_(allowed_ids))
    return paginate(session, query, first, after, lambda article: serialize(article, article.id in read_ids))


def _audience_allows(audience: Audience, audience_products: list[str] | None,
                     audience_organisations: list[str] | None, caller: Caller, product_ids: list[str]) -> bool:
    if audience == Audience.PRODUCTS:
        return bool(set(audience_products or []) & set(product_ids))
    if audience == Audience.ORGANISATIONS:
        return caller.organisation_id in (audience_organisations or [])
    return True


def _read_ids(session: Session, caller: Caller, article_ids: list[str]) -> set[str]:
    if not caller.user_id or not article_ids:
        return set()
    return set(session.scalars(select(ReadMarker.article_id).where(
        ReadMarker.user_id == caller.user_id, ReadMarker.article_id.in_(article_ids))))


def get_article(session: Session, caller: Caller, product_ids: list[str], article_id: str) -> dict[str, Any]:
    article = session.get(Article, article_id)
    if article is None or not is_visible_to(article, caller, product_ids, utc_now()):
        raise ArticleNotFound()
    return serialize(article, bool(_read_ids(session, caller, [article.id])))


def mark_read(session: Session, caller: Caller, product_ids: list[str], article_id: str) -> dict[str, Any]:
    article = session.get(Article, article_id)
    if article is None or not is_visible_to(article, caller, product_ids, utc_now()):
        raise ArticleNotFound()
    if session.get(ReadMarker, (caller.user_id, article_id)) is None:
        session.add(ReadMarker(user_id=caller.user_id, article_id=article_id))
        session.commit()
    return serialize(article, True)


def validate_fields(values: dict[str, Any]) -> list[dict[str, Any]]:
    errors = []
    title = (values.get("title") or "").strip()
    if not title:
        errors.append(field_error("title", "REQUIRED", "Le titre est obligatoire.", "The title is required."))
    elif len(title) > TITLE_MAX:
        errors.append(field_error("title", "TOO_LONG", f"Le titre dépasse {TITLE_MAX} caractères.",
                                  f"The title exceeds {TITLE_MAX} characters."))
    if len(values.get("summary") or "") > SUMMARY_MAX:
        errors.append(field_error("summary", "TOO_LONG", f"Le résumé dépasse {SUMMARY_MAX} caractères.",
                                  f"The summary exceeds {SUMMARY_MAX} characters."))
    audience = values.get("audience") or Audience.EVERYONE.value
    if audience not in {item.value for item in Audience}:
        errors.append(field_error("audience", "INVALID_CHOICE", f"Audience « {audience} » inconnue.",
                                  f"Unknown audience '{audience}'."))
    elif audience == Audience.PRODUCTS.value and not values.get("audience_product_ids"):
        errors.append(field_error("audienceProductIds", "REQUIRED",
                                  "Choisissez au moins un produit pour cette audience.",
                                  "Choose at least one product for this audience."))
    elif audience == Audience.ORGANISATIONS.value and not values.get("audience_organisation_ids"):
        errors.append(field_error("audienceOrganisationIds", "REQUIRED",
                                  "Choisissez au moins une organisation pour cette audience.",
                                  "Choose at least one organisation for this audience."))
    return errors


def create_article(session: Session, caller: Caller, values: dict[str, Any]) -> dict[str, Any]:
    caller.require_agent()
    errors = validate_fields(values)
    if errors:
        raise InvalidArticle(fields=errors)
    article = Article(
        title=values["title"].strip(),
        summary=(values.get("summary") or "").strip(),
        body_markdown=values.get("body_markdown") or "",
        image_url=values.get("image_url"),
        pinned=bool(values.get("pinned")),
        audience=Audience(values.get("audience") or Audience.EVERYONE.value),
        audience_product_ids=list(values.get("audience_product_ids") or []),
        audience_organisation_ids=list(values.get("audience_organisation_ids") or []),
        publish_at=_parse_time(values.get("publish_at")),
        unpublish_at=_parse_time(values.get("unpublish_at")),
        author_id=caller.user_id,
    )
    session.add(article)
    session.commit()
    return serialize(article, False)


def update_article(session: Session, caller: Caller, article_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Change the given fields of an article (agents); the same checks as at creation apply."""
    caller.require_agent()
    article = session.get(Article, article_id)
    if article is None:
        raise ArticleNotFound()
    merged = {
        "title": article.title, "summary": article.summary, "audience": article.audience.value,
        "audience_product_ids": article.audience_product_ids, "audience_organisation_ids":
        article.audience_organisation_ids,
    }
    merged.update({key: value for key, value in changes.items() if value is not None})
    errors = validate_fields(merged)
    if errors:
        raise InvalidArticle(fields=errors)
    article.title = merged["title"].strip()
    article.summary = (merged.get("summary") or "").strip()
    article.audience = Audience(merged["audience"])
    article.audience_product_ids = list(merged.get("audience_product_ids") or [])
    article.audience_organisation_ids = list(merged.get("audience_organisation_ids") or [])
    for key in ("body_markdown", "image_url", "pinned"):
        if changes.get(key) is not None:
            setattr(article, key, changes[key])
    for key in ("publish_at", "unpublish_at"):
        if changes.get(key) is not None:
            setattr(article, key, _parse_time(changes[key]))
    session.commit()
    return serialize(article, False)


def archive_article(session: Session, caller: Caller, article_id: str) -> dict[str, Any]:
    """Withdraw an article from every reader; agents still see it, marked archived."""
    caller.require_agent()
    article = session.get(Article, article_id)
    if article is None:
        raise ArticleNotFound()
    article.status = ArticleStatus.ARCHIVED
    session.commit()
    return serialize(article, False)


def publish_article(session: Session, caller: Caller, article_id: str) -> dict[str, Any]:
    """Publish a draft; it shows from `publish_at` (now when empty) and announces `news_published`."""
    caller.require_agent()
    article = session.get(Article, article_id)
    if article is None:
        raise ArticleNotFound()
    article.status = ArticleStatus.PUBLISHED
    if article.publish_at is None:
        article.publish_at = utc_now()
    stage_event(session, Outbox, "news_published", {
        "article_id": article.id,
        "title": article.title,
        "summary": article.summary,
        "publish_at": isoformat(article.publish_at),
        "audience": article.audience.value,
        "audience_product_ids": article.audience_product_ids,
        "audience_organisation_ids": article.audience_organisation_ids,
    }, actor={"type": "user", "user_id": caller.user_id})
    session.commit()
    return serialize(article, False)


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return _as_utc(datetime.fromisoformat(value))
    except ValueError:
        raise InvalidArticle(fields=[field_error("publishAt", "INVALID_DATETIME",
                                                 f"Date « {value} » invalide (format ISO 8601 attendu).",
                                                 f"Invalid date '{value}' (ISO 8601 expected).")]) from None


def serialize(article: Article, read: bool) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "summary": article.summary,
        "body_markdown": article.body_markdown,
        "body_html": render_markdown(article.body_markdown),
        "image_url": article.image_url,
        "status": article.status.value,
        "publish_at": isoformat(article.publish_at) if article.publish_at else None,
        "unpublish_at": isoformat(article.unpublish_at) if article.unpublish_at else None,
        "pinned": article.pinned,
        "audience": article.audience.value,
        "audience_product_ids": article.audience_product_ids or [],
        "audience_organisation_ids": article.audience_organisation_ids or [],
        "read": read,
    }
