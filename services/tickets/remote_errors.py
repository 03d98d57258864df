"""Rebuild the exceptions that other services raise over RPC, with their message and fields.

nameko turns an unknown remote exception into a `RemoteError` that keeps only the exception's text,
which would lose the fields of a catalog validation error. Registering the project's own service
exceptions makes nameko rebuild them as instances with their arguments.
"""
from __future__ import annotations

import functools
import importlib
import inspect
import logging
from typing import Any, Callable

from nameko.exceptions import get_module_path, registry

from services.common import errors as common_errors
from services.common.errors import ServiceError

logger = logging.getLogger(__name__)

# Services whose exceptions the tickets service receives.
REMOTE_SERVICES = ("auth", "catalog")


def _rebuild(exc_class: type[ServiceError]) -> Callable[..., ServiceError]:
    def build(*args: Any) -> ServiceError:
        # Built without the class's own __init__, whose signature may differ from (message, fields).
        exc = exc_class.__new__(exc_class)
        message = args[0] if args and isinstance(args[0], dict) else exc_class.default_message
        fields = args[1] if len(args) > 1 and isinstance(args[1], list) else []
        ServiceError.__init__(exc, message, fields)
        return exc

    return build


def _register_module(module: Any) -> None:
    for _name, member in inspect.getmembers(module, inspect.isclass):
        if issubclass(member, ServiceError):
            registry.setdefault(get_module_path(member), _rebuild(member))


@functools.cache
def register_remote_errors() -> None:
    """Register the service exceptions of auth, catalog and common once per process."""
    _register_module(common_errors)
    for service in REMOTE_SERVICES:
        try:
            _register_module(importlib.import_module(f"services.{service}.exceptions"))
        except ImportError:
            logger.warning("exceptions of service %s not importable; its errors arrive as RemoteError", service)
