"""How agents write the catalogue: products, their versions and their FAQ."""
from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.caller import Caller
from services.common.errors import field_error
from services.catalog import serializers
from services.catalog.access import require_administrator
from services.catalog.exceptions import (
    FaqEntryNotFound, InvalidFaqEntry, InvalidProduct, ProductNotFound, ProductVersionNotFound,
)
from services.catalog.models import FaqEntry, Product, ProductVersion
from services.catalog.products import get_product_space
from services.catalog.validation import links_errors, optional_text, parse_date, required_text

logger = logging.getLogger(__name__)

PRODUCT_FIELDS = ("name", "description", "presentation_markdown", "links")
FAQ_FIELDS = ("product_id", "category", "question", "answer_markdown", "position")


def _product_errors(session: Session, values: dict[str, Any], product_id: str | None) -> list[dict[str, Any]]:
    errors = required_text(values, "name", "name", "Le nom", "The name", 120)
    errors += optional_text(values, "description", "description", "La description", "The description", 500)
    errors += links_errors(values.get("links"))
    name = (values.get("name") or "").strip()
    if name and not errors:
        existing = session.scalar(select(Product).where(Product.name == name))
        if existing is not None and existing.id != product_id:
            errors.append(field_error("name", "ALREADY_EXISTS", f"Un produit s'appelle déjà « {name} ».",
                                      f"A product named '{name}' already exists."))
    return errors


def _apply_product(product: Product, values: dict[str, Any]) -> None:
    product.name = values["name"].strip()
    product.description = (values.get("description") or "").strip()
    product.presentation_markdown = values.get("presentation_markdown") or ""
    product.links = [{"label": link["label"].strip(), "url": link["url"]} for link in values.get("links") or []]


def create_product(session: Session, caller: Caller, values: dict[str, Any]) -> dict[str, Any]:
    """Create a product and its empty space; raises InvalidProduct with the failing fields."""
    require_administrator(caller)
    errors = _product_errors(session, values, None)
    if errors:
        raise InvalidProduct(fields=errors)
    product = Product()
    _apply_product(product, values)
    session.add(product)
    session.commit()
    logger.info("product %s created by %s", product.id, caller.user_id)
    return get_product_space(session, caller, product.id)


def update_product(session: Session, caller: Caller, product_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """Change the given fields of a product; fields left out keep their value."""
    require_administrator(caller)
    product = session.get(Product, product_id)
    if product is None:
        raise ProductNotFound()
    merged = {key: getattr(product, key) for key in PRODUCT_FIELDS}
    merged.update({key: value for key, value in values.items() if key in PRODUCT_FIELDS and value is not None})
    errors = _product_errors(session, merged, product_id)
    if errors:
        raise InvalidProduct(fields=errors)
    _apply_product(product, merged)
    session.commit()
    logger.info("product %s updated by %s", product.id, caller.user_id)
    return get_product_space(session, caller, product.id)


def _version_errors(product: Product, values: dict[str, Any],
                    version_id: str | None) -> tuple[list[dict[str, Any]], date | None]:
    errors = required_text(values, "name", "name", "Le numéro de version", "The version name", 40)
    release_date = None
    if values.get("release_date"):
        release_date, date_errors = parse_date(values["release_date"], "releaseDate", "La date de sortie",
                                               "The release date")
        errors += date_errors
    name = values["name"].strip() if not errors else ""
    if name and any(item.name == name and item.id != version_id for item in product.versions):
        errors.append(field_error("name", "ALREADY_EXISTS", f"La version {name} de {product.name} existe déjà.",
                                  f"Version {name} of {product.name} already exists."))
    return errors, release_date


def create_version(session: Session, caller: Caller, values: dict[str, Any]) -> dict[str, Any]:
    """Add a version to a product; raises InvalidProduct when the name or release date is invalid."""
    require_administrator(caller)
    product = session.get(Product, values.get("product_id") or "")
    if product is None:
        raise ProductNotFound()
    errors, release_date = _version_errors(product, values, None)
    if errors:
        raise InvalidProduct(fields=errors)
    version = ProductVersion(product_id=product.id, name=values["name"].strip(), release_date=release_date,
                             supported=values.get("supported", True) is not False)
    session.add(version)
    session.commit()
    return serializers.version(version)


def update_version(session: Session, caller: Caller, version_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """Change a version's name, release date or support; fields left out keep their value.

    An empty `release_date` string clears the date. Raises ProductVersionNotFound or InvalidProduct.
    """
    require_administrator(caller)
    version = session.get(ProductVersion, version_id)
    if version is None:
        raise ProductVersionNotFound()
    merged: dict[str, Any] = {
        "name": version.name,
        "release_date": version.release_date.isoformat() if version.release_date else None,
        "supported": version.supported,
    }
    merged.update({key: value for key, value in values.items() if key in merged and value is not None})
    errors, release_date = _version_errors(version.product, merged, version.id)
    if errors:
        raise InvalidProduct(fields=errors)
    version.name = merged["name"].strip()
    version.release_date = release_date
    version.supported = merged["supported"] is not False
    session.commit()
    logger.info("version %s of product %s updated by %s", version.id, version.product_id, caller.user_id)
    return serializers.version(version)


def _faq_errors(session: Session, values: dict[str, Any]) -> list[dict[str, Any]]:
    errors = required_text(values, "category", "category", "La catégorie", "The category", 120)
    errors += required_text(values, "question", "question", "La question", "The question", 300)
    errors += required_text(values, "answer_markdown", "answerMarkdown", "La réponse", "The answer", 20_000)
    position = values.get("position")
    if position is not None and (not isinstance(position, int) or position < 0):
        errors.append(field_error("position", "INVALID", "La position doit être un entier positif ou nul.",
                                  "The position must be a non-negative integer."))
    if session.get(Product, values.get("product_id") or "") is None:
        errors.append(field_error("productId", "PRODUCT_NOT_FOUND", "Produit introuvable.", "Product not found."))
    return errors


def _apply_faq(entry: FaqEntry, values: dict[str, Any]) -> None:
    entry.product_id = values["product_id"]
    entry.category = values["category"].strip()
    entry.question = values["question"].strip()
    entry.answer_markdown = values["answer_markdown"]
    entry.position = values.get("position") or 0


def create_faq_entry(session: Session, caller: Caller, values: dict[str, Any]) -> dict[str, Any]:
    """Add a question and its answer to a product space; raises InvalidFaqEntry with the failing fields."""
    require_administrator(caller)
    errors = _faq_errors(session, values)
    if errors:
        raise InvalidFaqEntry(fields=errors)
    entry = FaqEntry()
    _apply_faq(entry, values)
    session.add(entry)
    session.commit()
    logger.info("FAQ entry %s created by %s", entry.id, caller.user_id)
    return serializers.faq_entry(entry)


def update_faq_entry(session: Session, caller: Caller, entry_id: str, values: dict[str, Any]) -> dict[str, Any]:
    require_administrator(caller)
    entry = session.get(FaqEntry, entry_id)
    if entry is None:
        raise FaqEntryNotFound()
    merged = {key: getattr(entry, key) for key in FAQ_FIELDS}
    merged.update({key: value for key, value in values.items() if key in FAQ_FIELDS and value is not None})
    errors = _faq_errors(session, merged)
    if errors:
        raise InvalidFaqEntry(fields=errors)
    _apply_faq(entry, merged)
    session.commit()
    return serializers.faq_entry(entry)


def delete_faq_entry(session: Session, caller: Caller, entry_id: str) -> str:
    """Delete an FAQ entry and return its id; raises FaqEntryNotFound when it does not exist."""
    require_administrator(caller)
    entry = session.get(FaqEntry, entry_id)
    if entry is None:
        raise FaqEntryNotFound()
    session.delete(entry)
    session.commit()
    logger.info("FAQ entry %s deleted by %s", entry_id, caller.user_id)
    return entry_id
