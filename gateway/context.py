"""Per-request state shared by every resolver, and the one authorisation layer they all use.

Resolvers never read cookies or headers: they call `authorize(info, ...)`, which returns the
`Caller` or raises a GraphQL error with a stable code, and `call(info, ...)`, which forwards the
caller's identity to the service so that the service checks it again.
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from aiodataloader import DataLoader
from graphql import GraphQLResolveInfo
from starlette.requests import Request

from gateway.errors import GatewayError
from gateway.rpc import RpcClient
from services.common.caller import CONTEXT_KEY, Caller
from services.common.errors import Forbidden, PasswordChangeRequired, SecondFactorEnrolmentRequired, Unauthenticated


# Batch methods whose result is the same for every caller (public reference data) and changes
# rarely. Their items are kept for SHARED_ITEM_SECONDS in each gateway process, so that a page of
# tickets does not request the same product names from the catalog on every request.
SHARED_BATCH_METHODS = frozenset({("catalog", "get_products")})
SHARED_ITEM_SECONDS = 30.0
_shared_items: dict[tuple[str, str, str], tuple[float, Any]] = {}


def forget_shared_items(service: str, method: str) -> None:
    """Drop what this process keeps of `service.method`, after a change made through it."""
    for key in [key for key in _shared_items if key[:2] == (service, method)]:
        _shared_items.pop(key, None)


async def _load_shared(context: "RequestContext", service: str, method: str, ids: list[str]) -> list[Any]:
    now = time.monotonic()
    cached = {item_id: _shared_items.get((service, method, item_id)) for item_id in ids}
    missing = [item_id for item_id, entry in cached.items() if entry is None or entry[0] < now]
    if missing:
        results = await context.rpc.call(service, method, context=context.rpc_context(), ids=missing)
        for item_id, item in zip(missing, results):
            # Unknown ids are not cached: an item created a moment later must be found.
            if item is not None:
                _shared_items[(service, method, item_id)] = (now + SHARED_ITEM_SECONDS, item)
            cached[item_id] = (now, item)
    return [cached[item_id][1] for item_id in ids]


@dataclass
class CookieChange:
    name: str
    value: str | None
    max_age: int | None = None


@dataclass
class RequestContext:
    request: Request
    rpc: RpcClient
    caller: Caller = field(default_factory=Caller)
    language: str = "fr"
    auth_method: str | None = None
    session_token: str | None = None
    must_change_password: bool = False
    # Staff without a second factor while admins require one: only enrolment, `me` and sign-out.
    must_enrol_second_factor: bool = False
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    cookie_changes: list[CookieChange] = field(default_factory=list)
    loaders: dict[tuple[str, str], DataLoader] = field(default_factory=dict)
    # Operations counted once per request, whatever the number of aliases (sign-in attempts).
    counted_operations: dict[str, int] = field(default_factory=dict)
    # Set by portal pages once their form's CSRF token matched, since their posts are not JSON.
    csrf_verified: bool = False

    def rpc_context(self) -> dict[str, str]:
        return {CONTEXT_KEY: self.caller.to_header(), "language": self.language}


def request_context(info: GraphQLResolveInfo) -> RequestContext:
    return info.context


def authorize(info: GraphQLResolveInfo, *, scope: str | None = None, agent: bool = False,
              admin: bool = False, allow_password_change: bool = False,
              allow_second_factor_enrolment: bool = False) -> Caller:
    """Return the caller if allowed, otherwise raise the matching GraphQL error.

    `scope` is checked for API tokens only (a person's session is limited by role instead);
    `allow_password_change` lets an account that must change its password reach this field, and
    `allow_second_factor_enrolment` one that must enrol a second factor. The password comes first: an
    account under both restrictions reaches only the fields allowed for the password change.
    """
    context = request_context(info)
    caller = context.caller
    if not caller.is_authenticated:
        raise GatewayError.of(Unauthenticated)
    if context.must_change_password:
        if not allow_password_change:
            raise GatewayError.of(PasswordChangeRequired)
    elif context.must_enrol_second_factor and not allow_second_factor_enrolment:
        raise GatewayError.of(SecondFactorEnrolmentRequired)
    if scope is not None and not caller.has_scope(scope):
        raise GatewayError.of(Forbidden)
    if admin and not caller.is_admin:
        raise GatewayError.of(Forbidden)
    if agent and not caller.is_agent:
        raise GatewayError.of(Forbidden)
    return caller


async def call(info: GraphQLResolveInfo, service: str, method: str, **kwargs: Any) -> Any:
    """Call a service method with the caller's identity in the RPC context."""
    context = request_context(info)
    return await context.rpc.call(service, method, context=context.rpc_context(), **kwargs)


def loader(info: GraphQLResolveInfo, service: str, method: str) -> DataLoader:
    """Return the request's DataLoader for a batch method `method(ids=[...]) -> [item | None]`.

    All loads of one tick become one RPC call, so a list of N objects costs one call per kind of
    related object instead of N.
    """
    context = request_context(info)
    key = (service, method)
    if key not in context.loaders:
        async def batch(ids: list[str]) -> list[Any]:
            if key in SHARED_BATCH_METHODS:
                return await _load_shared(context, service, method, list(ids))
            results = await context.rpc.call(service, method, context=context.rpc_context(), ids=list(ids))
            return list(results)

        batch_fn: Callable[[list[str]], Awaitable[list[Any]]] = batch
        context.loaders[key] = DataLoader(batch_fn, max_batch_size=100)
    return context.loaders[key]
