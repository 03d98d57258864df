"""`GET /tickets/export.xlsx`: the caller's ticket list as an Excel file, downloaded as an attachment.

Query parameters: `tab` is in_progress, resolved, closed or all (the default). `sort` is a sort key
of the list RPC, such as `-entered_at`. `columns` lists column keys separated by commas; the user's
saved columns apply when it is absent. The filters are `product_id`, `site_id`, `severity`,
`status`, `requester_id` and `organisation_id` (each repeatable), `text` and `unread`. The caller
signs in as for GraphQL.
"""
from __future__ import annotations

import base64
import logging
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.app import authenticate, choose_language
from gateway.context import RequestContext
from gateway.errors import GatewayError, pick, to_gateway_error
from gateway.rpc import RpcError
from services.common.errors import Forbidden, PasswordChangeRequired, Unauthenticated

logger = logging.getLogger(__name__)

EXPORT_TIMEOUT_SECONDS = 120.0
LIST_FILTERS = ("product_id", "site_id", "severity", "status", "requester_id", "organisation_id")
STATUS_BY_CODE = {"UNAUTHENTICATED": 401, "PASSWORD_CHANGE_REQUIRED": 403, "FORBIDDEN": 403, "NOT_FOUND": 404,
                  "VALIDATION_FAILED": 400, "TIMEOUT": 504, "SERVICE_UNAVAILABLE": 503}


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


def content_disposition(filename: str) -> str:
    """Return an attachment header whose `filename*` keeps any Unicode name (RFC 6266 and 5987)."""
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


async def export_tickets(request: Request) -> Response:
    context = RequestContext(request=request, rpc=request.app.state.rpc, language=choose_language(request))
    try:
        await authenticate(context)
        if not context.caller.is_authenticated:
            raise GatewayError.of(Unauthenticated)
        if context.must_change_password:
            raise GatewayError.of(PasswordChangeRequired)
        if not context.caller.has_scope("tickets:read"):
            raise GatewayError.of(Forbidden)
        result = await context.rpc.call("tickets", "export_tickets", context=context.rpc_context(),
                                        timeout=EXPORT_TIMEOUT_SECONDS, **_export_arguments(request))
    except (GatewayError, RpcError) as exc:
        error = to_gateway_error(exc)
        if error is None:
            logger.exception("request %s: ticket export failed", context.request_id)
            return JSONResponse({"code": "INTERNAL", "requestId": context.request_id}, status_code=500)
        body = {"code": error.code, "message": pick(error.message, context.language),
                "fields": [{"field": item.get("field"), "code": item.get("code"),
                            "message": pick(item.get("message"), context.language)} for item in error.fields]}
        return JSONResponse(body, status_code=STATUS_BY_CODE.get(error.code, 400))

    return Response(base64.b64decode(result["content_base64"]), media_type=result["content_type"], headers={
        "Content-Disposition": content_disposition(result["filename"]),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        "X-Row-Count": str(result["row_count"]),
    })


routes = [Route("/tickets/export.xlsx", export_tickets, methods=["GET"])]
