"""`GET /tickets/export.xlsx`: the caller's ticket list as an Excel file, downloaded as an attachment.

Query parameters: `tab` is in_progress, resolved, closed or all (the default). `sort` is a sort key
of the list RPC, such as `-entered_at`. `columns` lists column keys separated by commas; the user's
saved columns apply when it is absent. The filters are `product_id`, `site_id`, `severity`,
`status`, `requester_id` and `organisation_id` (each repeatable), `text` and `unread`. The caller
signs in as for GraphQL. A portal visitor (session cookie) without access to the support desk gets
the portal's 403 page, like the other support pages. API token callers skip this check.
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from starlette.background import BackgroundTask
from starlette.concurrency import iterate_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from gateway.errors import GatewayError
from gateway.portal.operations import PageSession
from gateway.portal.support_views import support_closed
from gateway.rpc import RpcError
from services.common.errors import NotFound, text
from services.tickets.attachment_store import export_store
from services.tickets.graphql.http import authenticated_context, content_disposition, error_response

logger = logging.getLogger(__name__)

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
        if context.auth_method == "session":
            # A portal visitor whose support desk is closed (no contract, no support right) gets the
            # portal's refusal page, as on every /support page, instead of an empty workbook.
            closed = await support_closed(PageSession.of_context(context))
            if closed:
                return closed
        result = await context.rpc.call("tickets", "export_tickets", context=context.rpc_context(),
                                        timeout=EXPORT_TIMEOUT_SECONDS, language=context.language,
                                        **_export_arguments(request))
    except (GatewayError, RpcError) as exc:
        return error_response(request, exc, request_id)

    # The tickets service wrote the file to the export store; stream it out, then delete it.
    store = export_store()
    key = result["storage_key"]
    try:
        chunks = store.open(key)
        first = await asyncio.to_thread(next, chunks, b"")
    except FileNotFoundError:
        logger.error("request %s: export %s missing from the store", request_id, key)
        return error_response(request, GatewayError.of(NotFound, text("Fichier introuvable.", "File not found.")),
                              request_id)

    async def body() -> Any:
        yield first
        async for chunk in iterate_in_threadpool(chunks):
            yield chunk

    return StreamingResponse(body(), media_type=result["content_type"], headers={
        "Content-Disposition": content_disposition(result["filename"]),
        "Content-Length": str(result["size"]),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        "X-Row-Count": str(result["row_count"]),
    }, background=BackgroundTask(asyncio.to_thread, store.delete, key))


routes = [Route("/tickets/export.xlsx", export_tickets, methods=["GET"])]
