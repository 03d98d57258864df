"""Offset pages for RPC list methods; the gateway turns them into Relay connections."""
from __future__ import annotations

import base64
from typing import Any, Callable

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from services.common.errors import ValidationFailed, field_error

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """Return the offset after `cursor`; raise ValidationFailed for a cursor this API never issued."""
    if not cursor:
        return 0
    try:
        prefix, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if prefix != "offset":
            raise ValueError(prefix)
        return int(value) + 1
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(fields=[field_error(
            "after", "INVALID_CURSOR",
            f"Curseur « {cursor} » invalide : reprenez un curseur renvoyé par la page précédente.",
            f"Invalid cursor '{cursor}': use a cursor returned by the previous page.")]) from None


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 0 or first > MAX_PAGE_SIZE:
        raise ValidationFailed(fields=[field_error(
            "first", "OUT_OF_RANGE",
            f"« first » vaut {first} : choisissez une valeur entre 0 et {MAX_PAGE_SIZE}.",
            f"'first' is {first}: choose a value between 0 and {MAX_PAGE_SIZE}.")])
    return first


def paginate(session: Session, query: Select[Any], first: int | None, after: str | None,
             serialize: Callable[[Any], dict[str, Any]], total: int | None = None,
             whole_rows: bool = False) -> dict[str, Any]:
    """Run one page of `query`; return `{items, total_count, start_offset, has_next_page}`.

    `total` is the number of rows `query` matches when the caller has already counted them.
    `serialize` gets each row's first column, or the whole row when `whole_rows` is true.
    """
    size = page_size(first)
    offset = decode_cursor(after)
    if total is None:
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page_query = query.offset(offset).limit(size)
    rows = list(session.execute(page_query) if whole_rows else session.scalars(page_query))
    return {
        "items": [serialize(row) for row in rows],
        "total_count": total,
        "start_offset": offset,
        "has_next_page": offset + len(rows) < total,
        "has_previous_page": offset > 0,
    }
