"""GraphQL errors with stable codes, and the one table that maps service exceptions to them.

Every error a client sees has `extensions.code`; anything unexpected becomes `INTERNAL` with a generic
message, while the details go to the log with the request id.
"""
from __future__ import annotations

import importlib
import logging
from typing import Any

from graphql import GraphQLError

from gateway.rpc import RemoteError, RpcTimeout, ServiceUnavailable
from services.common import errors as service_errors
from services.common.errors import LocalizedText, text

logger = logging.getLogger(__name__)

# Service exception base -> GraphQL code. Order matters only for subclasses of several bases.
SERVICE_ERROR_CODES: list[tuple[type[service_errors.ServiceError], str]] = [
    (service_errors.NotFound, "NOT_FOUND"),
    (service_errors.Forbidden, "FORBIDDEN"),
    (service_errors.Unauthenticated, "UNAUTHENTICATED"),
    (service_errors.ValidationFailed, "VALIDATION_FAILED"),
    (service_errors.Conflict, "CONFLICT"),
    (service_errors.RateLimited, "RATE_LIMITED"),
    (service_errors.PasswordChangeRequired, "PASSWORD_CHANGE_REQUIRED"),
    (service_errors.SecondFactorEnrolmentRequired, "SECOND_FACTOR_ENROLMENT_REQUIRED"),
    (service_errors.ServiceError, "BAD_REQUEST"),
]

MESSAGES: dict[str, LocalizedText] = {
    "SERVICE_UNAVAILABLE": text(
        "Le service est momentanément indisponible ; réessayez dans quelques instants.",
        "The service is unavailable for a moment; try again shortly.",
    ),
    "TIMEOUT": text(
        "Le service n'a pas répondu à temps ; réessayez dans quelques instants.",
        "The service did not answer in time; try again shortly.",
    ),
    "INTERNAL": text(
        "Une erreur interne est survenue ; elle a été enregistrée.",
        "An internal error occurred; it has been logged.",
    ),
}


class GatewayError(Exception):
    """An error raised by a resolver with its code and its message in both languages."""

    def __init__(self, code: str, message: LocalizedText, fields: list[dict[str, Any]] | None = None):
        super().__init__(message["en"])
        self.code = code
        self.message = message
        self.fields = fields or []

    @classmethod
    def of(cls, exc_class: type[service_errors.ServiceError], message: LocalizedText | None = None,
           fields: list[dict[str, Any]] | None = None) -> "GatewayError":
        return cls(code_for_class(exc_class), message or exc_class.default_message, fields)


def code_for_class(exc_class: type) -> str:
    """Return the class's own `code` when it sets one, otherwise the code of its first base in the table."""
    own_code = getattr(exc_class, "code", None)
    if isinstance(own_code, str):
        return own_code
    for base, code in SERVICE_ERROR_CODES:
        if issubclass(exc_class, base):
            return code
    return "INTERNAL"


def _service_exception_class(exc_path: str) -> type | None:
    # Only the project's own service exceptions are imported; any other path is unknown.
    if not exc_path.startswith("services."):
        return None
    module_name, _, class_name = exc_path.rpartition(".")
    try:
        exc_class = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError):
        return None
    return exc_class if isinstance(exc_class, type) else None


def to_gateway_error(exc: BaseException) -> GatewayError | None:
    """Translate an exception raised in a resolver; None when it is unexpected."""
    if isinstance(exc, GatewayError):
        return exc
    if isinstance(exc, ServiceUnavailable):
        return GatewayError("SERVICE_UNAVAILABLE", MESSAGES["SERVICE_UNAVAILABLE"])
    if isinstance(exc, RpcTimeout):
        return GatewayError("TIMEOUT", MESSAGES["TIMEOUT"])
    if isinstance(exc, service_errors.ServiceError):
        return GatewayError(code_for_class(type(exc)), exc.message, exc.fields)
    if isinstance(exc, RemoteError):
        exc_class = _service_exception_class(exc.exc_path)
        if exc_class is None or not issubclass(exc_class, service_errors.ServiceError):
            return None
        args = exc.exc_args
        message = args[0] if args and isinstance(args[0], dict) else exc_class.default_message
        fields = args[1] if len(args) > 1 and isinstance(args[1], list) else []
        return GatewayError(code_for_class(exc_class), message, fields)
    return None


def format_error(error: GraphQLError, language: str, request_id: str) -> dict[str, Any]:
    """Turn an execution error into the JSON a client receives."""
    original = error.original_error
    formatted: dict[str, Any] = {"message": error.message}
    if error.locations:
        formatted["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        formatted["path"] = error.path

    if original is None:
        formatted["extensions"] = {"code": "GRAPHQL_VALIDATION_FAILED"}
        return formatted

    translated = to_gateway_error(original)
    if translated is None:
        logger.error("request %s: internal error at %s", request_id, error.path, exc_info=original)
        translated = GatewayError("INTERNAL", MESSAGES["INTERNAL"])
    elif translated.code in ("SERVICE_UNAVAILABLE", "TIMEOUT"):
        logger.warning("request %s: %s at %s: %s", request_id, translated.code, error.path, original)

    formatted["message"] = pick(translated.message, language)
    extensions: dict[str, Any] = {"code": translated.code}
    if translated.code == "INTERNAL":
        extensions["requestId"] = request_id
    if translated.fields:
        extensions["fields"] = [
            {"field": item.get("field"), "code": item.get("code"), "message": pick(item.get("message"), language)}
            for item in translated.fields
        ]
    formatted["extensions"] = extensions
    return formatted


def pick(message: Any, language: str) -> str:
    if isinstance(message, dict):
        return str(message.get(language) or message.get("fr") or next(iter(message.values()), ""))
    return str(message)
