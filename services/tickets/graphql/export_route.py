"""`GET /tickets/export.xlsx`: the caller's ticket list as an Excel file, downloaded as an attachment.

Query parameters: `tab` is in_progress, resolved, closed or all (the default). `sort` is a sort key
of the list RPC, such as `-entered_at`. `columns` lists column keys separated by commas; the user's
saved columns apply when it is absent. The filters are `product_id`, `site_id`, `severity`,
`status`, `requester_id` and `organisation_id` (each repeatable), `text` and `unread`. The caller
signs in as for GraphQL.
"""
from __future__ import annotations

import base64
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.errors import GatewayError
from gateway.rpc import RpcError
from services.tickets.graphql.http import authenticated_context, content_disposition, error_response

EXPORT_TIMEOUT_SECONDS = 120.0
LIST_FILTERS = ("product_id", "site_id", "severity", "status", "requester_id", "organisation_id")


def _export_arguments(request: Request) -> dict[str, Any]:
    params = request.query_params
    filters: dict[str, Any] = {key: params.getlist(key) for key in LIST_FILTERS if params.getlist(key)}
    if params.get("text"):
        filters["text"] = params["text"]
    if params.get("unread") in ("1", "true"):
        filters["unread"] = True
    columns = [key for key in (params.get("columns") or "").split(",") if key]
    return {"tab": params.get("tab") or "all", "sort": params.get("sort") or None, "filters": filters,
            "columns": columns or None}


async def export_tickets(request: Request) -> Response:
    request_id = uuid.uuid4().hex[:12]
    try:
        context = await authenticated_context(request, "tickets:read")
        request_id = context.request_id
        result = await context.rpc.call("tickets", "export_tickets", context=context.rpc_context(),
                                        timeout=EXPORT_TIMEOUT_SECONDS, **_export_arguments(request))
    except (GatewayError, RpcError) as exc:
        return error_response(request, exc, request_id)

    return Response(base64.b64decode(result["content_base64"]), media_type=result["content_type"], headers={
        "Content-Disposition": content_disposition(result["filename"]),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        "X-Row-Count": str(result["row_count"]),
    })


routes = [Route("/tickets/export.xlsx", export_tickets, methods=["GET"])]
