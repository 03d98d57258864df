"""Plain JSON-able dicts of catalog rows, as RPC methods return them."""
from __future__ import annotations

from datetime import date
from typing import Any

from services.common.events import isoformat
from services.common.markdown import render_markdown
from services.catalog.models import Contract, FaqEntry, Product, ProductVersion, Service, Site


def _iso_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def product_summary(product: Product) -> dict[str, Any]:
    """Return the public part of a product: what the vendor's catalogue shows to anyone."""
    return {"id": product.id, "name": product.name, "description": product.description}


def version(item: ProductVersion) -> dict[str, Any]:
    return {
        "id": item.id,
        "product_id": item.product_id,
        "name": item.name,
        "release_date": _iso_date(item.release_date),
        "supported": item.supported,
    }


def faq_entry(entry: FaqEntry, product_name: str | None = None) -> dict[str, Any]:
    return {
        "id": entry.id,
        "product_id": entry.product_id,
        "product_name": product_name if product_name is not None else entry.product.name,
        "category": entry.category,
        "question": entry.question,
        "answer_markdown": entry.answer_markdown,
        "answer_html": render_markdown(entry.answer_markdown),
        "position": entry.position,
        "updated_at": isoformat(entry.updated_at),
    }


def product_space(product: Product) -> dict[str, Any]:
    """Return a product with its space: presentation, links, versions and the whole FAQ.

    The FAQ of a product is tens of entries, so it travels with the space and the gateway pages it.
    """
    categories = list(dict.fromkeys(entry.category for entry in product.faq_entries))
    return {
        **product_summary(product),
        "presentation_markdown": product.presentation_markdown,
        "presentation_html": render_markdown(product.presentation_markdown),
        "links": [{"label": link.get("label", ""), "url": link.get("url", "")} for link in product.links or []],
        "versions": [version(item) for item in product.versions],
        "faq_categories": categories,
        "faq_entries": [faq_entry(entry, product.name) for entry in product.faq_entries],
    }


def service(item: Service) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "kind": item.kind.value,
        "description": item.description,
        "is_assistance": item.is_assistance,
    }


def site(item: Site) -> dict[str, Any]:
    return {
        "id": item.id,
        "organisation_id": item.organisation_id,
        "name": item.name,
        "address": item.address,
        "postal_code": item.postal_code,
        "city": item.city,
    }


def contract(item: Contract, today: date) -> dict[str, Any]:
    is_active = item.start_date <= today <= item.end_date
    has_assistance = any(covered.is_assistance for covered in item.services)
    return {
        "id": item.id,
        "number": item.number,
        "organisation_id": item.organisation_id,
        "start_date": _iso_date(item.start_date),
        "end_date": _iso_date(item.end_date),
        "support_level": item.support_level.value,
        "is_active": is_active,
        "opens_support": is_active and has_assistance,
        "services": [service(covered) for covered in item.services],
        "products": [product_summary(covered) for covered in item.products],
        "sites": [site(covered) for covered in item.sites],
    }
