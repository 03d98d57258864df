"""Offset pages over lists already in memory, in the same shape as `services.common.pagination`."""
from __future__ import annotations

from typing import Any

from services.common.pagination import decode_cursor, page_size


def page_of_list(items: list[dict[str, Any]], first: int | None, after: str | None) -> dict[str, Any]:
    """Return one page of `items`: `{items, total_count, start_offset, has_next_page, has_previous_page}`."""
    size = page_size(first)
    offset = decode_cursor(after)
    selected = items[offset:offset + size]
    return {
        "items": selected,
        "total_count": len(items),
        "start_offset": offset,
        "has_next_page": offset + len(selected) < len(items),
        "has_previous_page": offset > 0,
    }
