"""Run GraphQL operations for a page, with the visitor's cookie, exactly as `POST /graphql` would."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from gateway.app import authenticate, choose_language, execute_graphql
from gateway.context import RequestContext
from gateway.errors import GatewayError, format_error
from gateway.rpc import RpcError
from graphql import GraphQLError


@dataclass
class OperationResult:
    data: dict[str, Any] | None
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def first_code(self) -> str | None:
        return self.errors[0]["extensions"].get("code") if self.errors else None

    def field_errors(self) -> dict[str, str]:
        """Map each invalid input field to its messages, for display beside the field."""
        fields: dict[str, list[str]] = {}
        for error in self.errors:
            for item in error.get("extensions", {}).get("fields", []) or []:
                fields.setdefault(item["field"], []).append(item["message"])
        return {field: " ".join(messages) for field, messages in fields.items()}

    def messages(self) -> list[str]:
        """Return what the error summary lists: each field's message, or the errors' own messages."""
        field_messages = [item["message"] for error in self.errors
                          for item in error.get("extensions", {}).get("fields", []) or []]
        return field_messages or [error["message"] for error in self.errors]


class PageSession:
    """The visitor of one page request: their identity and the GraphQL context their operations run in."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.context = RequestContext(request=request, rpc=request.app.state.rpc,
                                      language=choose_language(request))
        self.authenticated = False
        self.auth_error: str | None = None

    @classmethod
    def of_context(cls, context: RequestContext) -> "PageSession":
        """Return the page session of a request whose context `authenticate` has already filled."""
        page = cls(context.request)
        page.context = context
        page.authenticated = context.caller.is_authenticated
        return page

    async def start(self) -> "PageSession":
        try:
            await authenticate(self.context)
            self.authenticated = self.context.caller.is_authenticated
        except (GatewayError, RpcError) as exc:
            self.auth_error = getattr(exc, "code", "SERVICE_UNAVAILABLE")
        return self

    @property
    def language(self) -> str:
        return self.context.language

    @property
    def must_change_password(self) -> bool:
        return self.context.must_change_password

    @property
    def must_enrol_second_factor(self) -> bool:
        return self.context.must_enrol_second_factor

    @property
    def restricted(self) -> bool:
        """True while the session may only change its password or enrol a second factor."""
        return self.must_change_password or self.must_enrol_second_factor

    async def run(self, query: str, variables: dict[str, Any] | None = None) -> OperationResult:
        result = await execute_graphql(self.request.app.state.schema, query, variables or {}, None, self.context)
        errors = [format_error(error, self.language, self.context.request_id) for error in (result.errors or [])]
        return OperationResult(result.data, errors)

    def service_error(self, exc: Exception) -> OperationResult:
        error = format_error(GraphQLError("page failed", original_error=exc), self.language,
                             self.context.request_id)
        return OperationResult(None, [error])
