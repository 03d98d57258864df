"""The gateway: one GraphQL endpoint over the services, health checks, explorer and pages."""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Any, AsyncIterator
from urllib.parse import urlsplit

import graphene
from graphql import ExecutionResult, GraphQLError, execute
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from gateway.context import RequestContext
from gateway.errors import GatewayError, format_error
from gateway.documents import prepare
from gateway.limits import cost_errors
from gateway.plugins import discover_plugins
from gateway.rpc import RpcClient, RpcError
from gateway.schema import build_schema
from services.common import config
from services.common.caller import Caller
from services.common.errors import LocalizedText, Unauthenticated, text
from services.common.sizes import size_text

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
SESSION_COOKIE = "portail_session"
LANGUAGE_COOKIE = "portail_lang"
MAX_BODY_BYTES = 1_000_000
SUPPORTED_LANGUAGES = ("fr", "en")


def choose_language(request: Request, preferred: str | None = None) -> str:
    """Pick the reply language: explicit cookie, then the account's, then Accept-Language, then French."""
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in SUPPORTED_LANGUAGES:
        return cookie
    if preferred in SUPPORTED_LANGUAGES:
        return preferred  # type: ignore[return-value]
    header = request.headers.get("accept-language", "")
    first = header.split(",")[0].strip().lower()[:2]
    return first if first in SUPPORTED_LANGUAGES else "fr"


async def authenticate(context: RequestContext) -> None:
    """Fill the context's caller from a Bearer API token or the session cookie."""
    request = context.request
    authorization = request.headers.get("authorization", "")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise GatewayError.of(Unauthenticated, text(
                "En-tête Authorization invalide : utilisez « Bearer <jeton> ».",
                "Invalid Authorization header: use 'Bearer <token>'."))
        identity = await context.rpc.call("auth", "authenticate_token", token=token.strip())
        if identity is None:
            raise GatewayError.of(Unauthenticated, text(
                "Jeton d'API inconnu, expiré ou révoqué.", "Unknown, expired or revoked API token."))
        context.auth_method = "token"
    else:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return
        identity = await context.rpc.call("auth", "authenticate_session", token=token)
        if identity is None:
            context.cookie_changes.append(_expired_session_cookie())
            return
        context.auth_method = "session"
        context.session_token = token

    context.caller = Caller(
        user_id=identity["user_id"],
        organisation_id=identity.get("organisation_id"),
        role=identity.get("role"),
        scopes=tuple(identity["scopes"]) if identity.get("scopes") is not None else None,
        language=identity.get("language") or "fr",
        token_id=identity.get("token_id"),
    )
    context.must_change_password = bool(identity.get("must_change_password"))
    context.must_enrol_second_factor = bool(identity.get("must_enrol_second_factor"))
    context.language = choose_language(request, identity.get("language"))


def _expired_session_cookie() -> Any:
    from gateway.context import CookieChange

    return CookieChange(SESSION_COOKIE, None)


def cross_site_rejection(request: Request) -> LocalizedText | None:
    """Return why a cookie-authenticated POST looks cross-site (in French and English), or None when acceptable.

    Browsers cannot send `application/json` cross-site without a CORS preflight, which this server
    never grants; a present Origin header must also name this server.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return text("le type de contenu doit être application/json", "content type must be application/json")
    origin = request.headers.get("origin")
    if origin and origin != "null":
        origin_host = urlsplit(origin).netloc
        allowed = {request.headers.get("host", ""), urlsplit(config.public_url()).netloc}
        if origin_host not in allowed:
            return text(f"l'origine {origin} n'est pas ce serveur", f"origin {origin} is not this server")
    return None


def apply_cookies(response: Response, context: RequestContext) -> None:
    secure = context.request.url.scheme == "https" or config.public_url().startswith("https://")
    for change in context.cookie_changes:
        if change.value is None:
            response.delete_cookie(change.name, path="/", httponly=True, samesite="lax", secure=secure)
        else:
            response.set_cookie(change.name, change.value, max_age=change.max_age, path="/",
                                httponly=True, samesite="lax", secure=secure)


async def graphql_post(request: Request) -> Response:
    app_state = request.app.state
    context = RequestContext(request=request, rpc=app_state.rpc, language=choose_language(request))

    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        limit = size_text(MAX_BODY_BYTES)
        return _error_response(context, "BAD_REQUEST", text(
            f"Requête trop volumineuse (plus de {limit['fr']}).",
            f"Request too large (over {limit['en']})."), status=413)
    try:
        payload = json.loads(body or b"{}")
    except ValueError as exc:
        line, column = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        return _error_response(context, "BAD_REQUEST", text(
            f"Corps de requête invalide : ce n'est pas du JSON (ligne {line}, colonne {column}). "
            "Envoyez un objet JSON avec « query », en Content-Type application/json.",
            f"Invalid request body: not JSON (line {line}, column {column}). "
            "Send a JSON object with 'query', as Content-Type application/json."))
    query = payload.get("query") if isinstance(payload, dict) else None
    if not isinstance(query, str) or not isinstance(payload.get("variables") or {}, dict):
        return _error_response(context, "BAD_REQUEST", text(
            "Corps de requête GraphQL invalide : envoyez un objet JSON dont « query » est un texte et "
            "« variables », s'il est présent, un objet.",
            "Invalid GraphQL request body: send a JSON object whose 'query' is a string and whose "
            "'variables', if present, is an object."))
    variables = payload.get("variables") or {}
    operation_name = payload.get("operationName")

    try:
        await authenticate(context)
    except GatewayError as exc:
        return _error_response(context, exc.code, exc.message, status=401 if exc.code == "UNAUTHENTICATED" else 200)
    except RpcError as exc:
        error = GraphQLError("authentication failed", original_error=exc)
        return _json(context, {"errors": [format_error(error, context.language, context.request_id)]}, 503)

    if context.auth_method == "session":
        reason = cross_site_rejection(request)
        if reason:
            logger.warning("request %s rejected as cross-site: %s", context.request_id, reason["en"])
            return _error_response(context, "FORBIDDEN", text(
                f"Requête refusée : {reason['fr']}.", f"Request rejected: {reason['en']}."), status=403)

    result = await execute_graphql(app_state.schema, query, variables, operation_name, context)
    response_body: dict[str, Any] = {"data": result.data}
    if result.errors:
        response_body["errors"] = [format_error(e, context.language, context.request_id) for e in result.errors]
    return _json(context, response_body, 200)


async def execute_graphql(schema: graphene.Schema, query: str, variables: dict[str, Any],
                          operation_name: str | None, context: RequestContext) -> ExecutionResult:
    document, validation_errors = prepare(schema.graphql_schema, query)
    if document is None or validation_errors:
        return ExecutionResult(data=None, errors=list(validation_errors))
    over_cost = cost_errors(document, variables or {})
    if over_cost:
        return ExecutionResult(data=None, errors=over_cost)
    result = execute(schema.graphql_schema, document, context_value=context,
                     variable_values=variables, operation_name=operation_name)
    if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
        result = await result
    return result  # type: ignore[return-value]


def _error_response(context: RequestContext, code: str, message: Any, status: int = 400) -> Response:
    error = GraphQLError("request rejected", original_error=GatewayError(code, message))
    return _json(context, {"data": None, "errors": [format_error(error, context.language, context.request_id)]},
                 status)


def _json(context: RequestContext, body: dict[str, Any], status: int) -> Response:
    response = JSONResponse(body, status_code=status, headers={"X-Request-Id": context.request_id})
    apply_cookies(response, context)
    return response


async def graphql_explorer(request: Request) -> Response:
    html = (STATIC_DIR / "graphiql" / "index.html").read_text(encoding="utf-8")
    return HTMLResponse(html)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Report the broker and each service, with status 200 only when every service replies to ping."""
    rpc: RpcClient = request.app.state.rpc
    services = request.app.state.rpc_services

    async def ping(service: str) -> tuple[str, str]:
        try:
            await rpc.call(service, "ping", timeout=2.0)
            return service, "ok"
        except RpcError as exc:
            return service, f"unavailable: {exc}"

    checks = dict(await asyncio.gather(*(ping(name) for name in services)))
    broker = "ok" if rpc.is_connected else "unreachable"
    ready = broker == "ok" and all(status == "ok" for status in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "broker": broker, "services": checks},
                        status_code=200 if ready else 503)


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    timeout = float(os.environ.get("PORTAIL_RPC_TIMEOUT", "5"))
    app.state.rpc = RpcClient(config.amqp_uri(), timeout=timeout)
    try:
        await app.state.rpc.connect()
    except RpcError as exc:
        # Start anyway: /readyz reports the broker, and calls connect again when it is back.
        logger.warning("broker not reachable at start (%s); will retry on each request", exc)
    yield
    await app.state.rpc.close()


def create_app() -> Starlette:
    plugins = discover_plugins()
    schema = build_schema(plugins)
    routes = [
        Route("/graphql", graphql_post, methods=["POST"]),
        Route("/graphql", graphql_explorer, methods=["GET"]),
        # Browsers ask for /favicon.ico on pages that name no icon, such as the explorer.
        Route("/favicon.ico", lambda request: RedirectResponse("/static/portal/favicon.svg", 301)),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    for plugin in plugins:
        routes.extend(plugin.routes)
    # Imported here because the portal's views import this module.
    from gateway.portal.pages import page_not_found
    from gateway.portal.routes import portal_routes

    routes.extend(portal_routes())
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={404: page_not_found})
    app.state.schema = schema
    app.state.rpc_services = [plugin.rpc_service for plugin in plugins if plugin.rpc_service]
    return app
