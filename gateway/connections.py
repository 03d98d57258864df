"""Relay connections built from the services' offset pages, and global ids."""
from __future__ import annotations

from typing import Any

from graphene import relay
from graphql_relay import from_global_id

from gateway.errors import GatewayError
from services.common.errors import NotFound, field_error
from services.common.pagination import encode_cursor


def connection_from_page(connection_class: type, page: dict[str, Any]) -> Any:
    """Build `connection_class` from `{items, total_count, start_offset, has_next_page}`."""
    start = page["start_offset"]
    edge_class = connection_class.Edge
    edges = [edge_class(node=item, cursor=encode_cursor(start + index)) for index, item in enumerate(page["items"])]
    page_info = relay.PageInfo(
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
        has_next_page=page["has_next_page"],
        has_previous_page=page.get("has_previous_page", start > 0),
    )
    return connection_class(edges=edges, page_info=page_info, total_count=page["total_count"])


def decode_global_id(global_id: str, expected_type: str, field: str = "id") -> str:
    """Return the service id inside `global_id`; an id of another type is NOT_FOUND, never leaked."""
    try:
        type_name, raw_id = from_global_id(global_id)
    except Exception:
        type_name, raw_id = "", ""
    if type_name != expected_type or not raw_id:
        raise GatewayError.of(NotFound, fields=[field_error(
            field, "INVALID_ID",
            f"Identifiant « {global_id} » invalide : un identifiant de {expected_type} est attendu.",
            f"Invalid id '{global_id}': a {expected_type} id is expected.")])
    return raw_id
