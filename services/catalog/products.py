"""The vendor's public catalogue, the product spaces customers see, and the FAQ search."""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from services.common.caller import Caller
from services.common.pagination import paginate
from services.catalog import serializers
from services.catalog.access import contract_today, organisation_filter, require_reader
from services.catalog.contracts import active_product_ids
from services.catalog.exceptions import ProductNotFound
from services.catalog.models import FaqEntry, Product, ProductVersion
from services.catalog.paging import page_of_list
from services.catalog.search import SearchDocument, score, search_terms

logger = logging.getLogger(__name__)


def list_products(session: Session, first: int | None, after: str | None) -> dict[str, Any]:
    """Return a page of the public catalogue, by name; anyone may read it."""
    query = select(Product).order_by(Product.name, Product.id)
    return paginate(session, query, first, after, serializers.product_summary)


def get_products(session: Session, ids: list[str]) -> list[dict[str, Any] | None]:
    products = {product.id: product for product in session.scalars(select(Product).where(Product.id.in_(ids)))}
    return [serializers.product_summary(products[i]) if i in products else None for i in ids]


def get_versions(session: Session, ids: list[str]) -> list[dict[str, Any] | None]:
    versions = {item.id: item for item in session.scalars(select(ProductVersion).where(ProductVersion.id.in_(ids)))}
    return [serializers.version(versions[i]) if i in versions else None for i in ids]


def get_faq_entries(session: Session, caller: Caller, ids: list[str]) -> list[dict[str, Any] | None]:
    """Return FAQ entries per id, in order; None for an unknown id or one outside the caller's spaces."""
    visible_ids = space_product_ids(session, caller)
    query = select(FaqEntry).options(selectinload(FaqEntry.product)).where(FaqEntry.id.in_(ids))
    found = {entry.id: entry for entry in session.scalars(query)
             if visible_ids is None or entry.product_id in visible_ids}
    return [serializers.faq_entry(found[i]) if i in found else None for i in ids]


def space_product_ids(session: Session, caller: Caller, organisation_id: str | None = None) -> list[str] | None:
    """Return the ids of the products whose spaces the caller may open; None means every product.

    A customer gets the products that their organisation's active contracts cover. An agent gets every
    product, or those of `organisation_id` when given.
    """
    scoped = organisation_filter(caller, organisation_id)
    if scoped is None:
        return None
    return active_product_ids(session, scoped, contract_today())


def _space_query(product_ids: list[str] | None) -> Any:
    query = select(Product).options(selectinload(Product.versions), selectinload(Product.faq_entries))
    if product_ids is not None:
        query = query.where(Product.id.in_(product_ids))
    return query.order_by(Product.name, Product.id)


def list_product_spaces(session: Session, caller: Caller, organisation_id: str | None, first: int | None,
                        after: str | None) -> dict[str, Any]:
    product_ids = space_product_ids(session, caller, organisation_id)
    return paginate(session, _space_query(product_ids), first, after, serializers.product_space)


def get_product_space(session: Session, caller: Caller, product_id: str) -> dict[str, Any]:
    """Return one product space; raises ProductNotFound when it does not exist or is not the caller's."""
    product_ids = space_product_ids(session, caller)
    if product_ids is not None and product_id not in product_ids:
        raise ProductNotFound()
    product = session.scalar(_space_query([product_id]))
    if product is None:
        raise ProductNotFound()
    return serializers.product_space(product)


def search_faq(session: Session, caller: Caller, query: str, product_id: str | None, first: int | None,
               after: str | None) -> dict[str, Any]:
    """Return a page of the FAQ entries matching `query`, best first, in the caller's product spaces.

    Each item carries its `score`. Accents and case are ignored; stop words are dropped.
    """
    require_reader(caller)
    terms = search_terms(query)
    if not terms:
        return page_of_list([], first, after)

    statement = select(FaqEntry).options(selectinload(FaqEntry.product)).where(
        or_(*(FaqEntry.search_text.like(f"%{term}%") for term in terms)))
    visible_ids = space_product_ids(session, caller)
    if visible_ids is not None:
        statement = statement.where(FaqEntry.product_id.in_(visible_ids))
    if product_id:
        statement = statement.where(FaqEntry.product_id == product_id)

    # NOTE: ranking runs in Python over every matching entry. That suits FAQs of a few hundred entries
    # per product, but a large FAQ would need the database's own full-text ranking.
    ranked = []
    for entry in session.scalars(statement):
        relevance = score(terms, SearchDocument.of(entry.category, entry.question, entry.answer_markdown))
        if relevance > 0:
            ranked.append((relevance, entry))
    ranked.sort(key=lambda pair: (-pair[0], pair[1].product.name, pair[1].category, pair[1].position, pair[1].id))
    logger.debug("FAQ search for %s terms matched %d entries", len(terms), len(ranked))
    items = [{**serializers.faq_entry(entry), "score": relevance} for relevance, entry in ranked]
    return page_of_list(items, first, after)
