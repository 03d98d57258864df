"""Checks of the values agents submit, with messages in French and English."""
from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from services.common.errors import field_error


def required_text(values: dict[str, Any], key: str, field: str, label_fr: str, label_en: str,
                  max_length: int) -> list[dict[str, Any]]:
    """Check that `values[key]` is a non-blank string of at most `max_length` characters."""
    value = values.get(key)
    if not isinstance(value, str) or not value.strip():
        return [field_error(field, "REQUIRED", f"{label_fr} est obligatoire.", f"{label_en} is required.")]
    return optional_text(values, key, field, label_fr, label_en, max_length)


def optional_text(values: dict[str, Any], key: str, field: str, label_fr: str, label_en: str,
                  max_length: int) -> list[dict[str, Any]]:
    value = values.get(key)
    if value is not None and not isinstance(value, str):
        return [field_error(field, "INVALID", f"{label_fr} doit être un texte.", f"{label_en} must be text.")]
    if value is not None and len(value.strip()) > max_length:
        return [field_error(field, "TOO_LONG", f"{label_fr} dépasse {max_length} caractères.",
                            f"{label_en} exceeds {max_length} characters.")]
    return []


def parse_date(value: Any, field: str, label_fr: str, label_en: str) -> tuple[date | None, list[dict[str, Any]]]:
    """Return the date in an ISO 8601 string `value`, or None with the error saying what is wrong."""
    if not value:
        return None, [field_error(field, "REQUIRED", f"{label_fr} est obligatoire.", f"{label_en} is required.")]
    try:
        return date.fromisoformat(str(value)), []
    except ValueError:
        return None, [field_error(field, "INVALID_DATE",
                                  f"{label_fr} « {value} » est invalide : format attendu AAAA-MM-JJ.",
                                  f"{label_en} '{value}' is invalid: expected YYYY-MM-DD.")]


def links_errors(links: Any) -> list[dict[str, Any]]:
    """Check a list of `{label, url}` links: a label each and an http(s) URL."""
    if links is None:
        return []
    if not isinstance(links, list):
        return [field_error("links", "INVALID", "Les liens doivent être une liste.", "Links must be a list.")]
    errors = []
    for index, link in enumerate(links):
        label = (link or {}).get("label") if isinstance(link, dict) else None
        url = (link or {}).get("url") if isinstance(link, dict) else None
        if not isinstance(label, str) or not label.strip():
            errors.append(field_error(f"links.{index}.label", "REQUIRED", f"Le lien n° {index + 1} n'a pas de libellé.",
                                      f"Link {index + 1} has no label."))
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            errors.append(field_error(f"links.{index}.url", "INVALID_URL",
                                      f"L'adresse du lien n° {index + 1} doit commencer par http:// ou https://.",
                                      f"The URL of link {index + 1} must start with http:// or https://."))
    return errors
