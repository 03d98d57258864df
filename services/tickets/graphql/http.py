"""Shared steps of the tickets plugin's plain HTTP routes: sign-in as for GraphQL, errors as JSON."""
from __future__ import annotations

import logging
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway.app import authenticate, choose_language
from gateway.context import RequestContext
from gateway.errors import GatewayError, pick, to_gateway_error
from services.common.errors import (Forbidden, PasswordChangeRequired, SecondFactorEnrolmentRequired,
                                    Unauthenticated, text)

logger = logging.getLogger(__name__)

STATUS_BY_CODE = {"UNAUTHENTICATED": 401, "PASSWORD_CHANGE_REQUIRED": 403, "SECOND_FACTOR_ENROLMENT_REQUIRED": 403,
                  "FORBIDDEN": 403, "NOT_FOUND": 404,
                  "VALIDATION_FAILED": 400, "CONFLICT": 409, "TIMEOUT": 504, "SERVICE_UNAVAILABLE": 503}


async def authenticated_context(request: Request, scope: str) -> RequestContext:
    """Return the request's context with its caller; raise GatewayError when not signed in or not allowed."""
    context = RequestContext(request=request, rpc=request.app.state.rpc, language=choose_language(request))
    await authenticate(context)
    if not context.caller.is_authenticated:
        raise GatewayError.of(Unauthenticated)
    if context.must_change_password:
        raise GatewayError.of(PasswordChangeRequired)
    if context.must_enrol_second_factor:
        raise GatewayError.of(SecondFactorEnrolmentRequired)
    if not context.caller.has_scope(scope):
        raise GatewayError.of(Forbidden)
    if request.method == "POST" and context.auth_method == "session" and not request.headers.get("x-requested-with"):
        # A custom header cannot be sent cross-site without a CORS preflight, which is never granted,
        # so a cookie-authenticated upload that carries one comes from the portal's own pages.
        raise GatewayError.of(Forbidden, text(
            "Envoi refusé : l'en-tête X-Requested-With manque (envoyez le fichier depuis le portail).",
            "Upload rejected: the X-Requested-With header is missing (send the file from the portal)."))
    return context


def error_response(request: Request, exc: Exception, request_id: str, status: int | None = None) -> JSONResponse:
    """Return `{code, message, fields}` for a known error, or an INTERNAL error logged with the request id."""
    error = to_gateway_error(exc)
    if error is None:
        logger.error("request %s: %s %s failed", request_id, request.method, request.url.path, exc_info=exc)
        return JSONResponse({"code": "INTERNAL", "requestId": request_id}, status_code=500)
    language = choose_language(request)
    body = {"code": error.code, "message": pick(error.message, language),
            "fields": [{"field": item.get("field"), "code": item.get("code"),
                        "message": pick(item.get("message"), language)} for item in error.fields]}
    return JSONResponse(body, status_code=status or STATUS_BY_CODE.get(error.code, 400))


def content_disposition(filename: str) -> str:
    """Return an attachment header whose `filename*` keeps any Unicode name (RFC 6266 and 5987)."""
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
