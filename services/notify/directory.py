"""The users notify writes to, asked from the auth service over RPC."""
from __future__ import annotations

import logging
from typing import Any

import eventlet
from nameko.rpc import ServiceRpc

from services.common.caller import CUSTOMER_ROLES
from services.notify import settings

logger = logging.getLogger(__name__)

DIRECTORY_TIMEOUT_SECONDS = 10


class DirectoryRpc(ServiceRpc):
    """An RPC proxy to the service that serves `get_users(ids)`, `list_agents()` and `list_users(...)`.

    That service is auth. `NOTIFY_DIRECTORY_SERVICE` names another one with the same methods, so the
    integration tests can give notify users with known addresses and languages.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("auth", **kwargs)

    def setup(self) -> None:
        self.target_service = settings.directory_service()
        super().setup()


class DirectoryUnavailable(Exception):
    """The directory (or the catalog) did not reply in time."""


def call_with_timeout(method: Any, **kwargs: Any) -> Any:
    # nameko 3's RPC proxy has no timeout of its own, and a handler must not wait forever.
    with eventlet.Timeout(DIRECTORY_TIMEOUT_SECONDS, DirectoryUnavailable(
            f"no reply within {DIRECTORY_TIMEOUT_SECONDS}s")):
        return method(**kwargs)


def users_by_id(directory: Any, user_ids: list[str | None]) -> dict[str, dict[str, Any]]:
    """Return the known users among `user_ids`, keyed by id, in one call; unknown ids are left out."""
    requested = sorted({str(user_id) for user_id in user_ids if user_id})
    if not requested:
        return {}
    users = call_with_timeout(directory.get_users, ids=requested) or []
    return {str(user["id"]): user for user in users if isinstance(user, dict) and user.get("id")}


def active_agents(directory: Any) -> list[dict[str, Any]]:
    agents = call_with_timeout(directory.list_agents) or []
    return [user for user in agents if isinstance(user, dict) and user.get("email")]


def customers(directory: Any, organisation_ids: list[str] | None) -> list[dict[str, Any]]:
    """Return the active customers of `organisation_ids` (of every organisation when None)."""
    # NOTE: `list_users(organisation_ids, roles)` is not among the RPC contracts that auth promises;
    # until auth serves it, a news item notifies no one and the handler logs the failed call.
    users = call_with_timeout(directory.list_users, organisation_ids=organisation_ids, roles=sorted(CUSTOMER_ROLES)) or []
    return [user for user in users if isinstance(user, dict) and user.get("email")
            and user.get("role") in CUSTOMER_ROLES]
