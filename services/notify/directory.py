"""The users notify writes to, asked from the auth service over RPC."""
from __future__ import annotations

import logging
from typing import Any

from nameko.rpc import ServiceRpc

from services.common.caller import CUSTOMER_ROLES
from services.notify import settings

logger = logging.getLogger(__name__)


class DirectoryRpc(ServiceRpc):
    """An RPC proxy to the service that answers `get_users(ids)`, `list_agents()` and `list_users(...)`.

    That service is auth; `NOTIFY_DIRECTORY_SERVICE` names another one that speaks the same methods,
    which lets the integration tests give notify users with known addresses and languages.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("auth", **kwargs)

    def setup(self) -> None:
        self.target_service = settings.directory_service()
        super().setup()


def users_by_id(directory: Any, user_ids: list[str | None]) -> dict[str, dict[str, Any]]:
    """Return the known users among `user_ids`, keyed by id, in one call; unknown ids are left out."""
    wanted = sorted({str(user_id) for user_id in user_ids if user_id})
    if not wanted:
        return {}
    users = directory.get_users(ids=wanted) or []
    return {str(user["id"]): user for user in users if isinstance(user, dict) and user.get("id")}


def active_agents(directory: Any) -> list[dict[str, Any]]:
    return [user for user in (directory.list_agents() or []) if isinstance(user, dict) and user.get("email")]


def customers(directory: Any, organisation_ids: list[str] | None) -> list[dict[str, Any]]:
    """Return the active customers of `organisation_ids` (of every organisation when None)."""
    # NOTE: `list_users(organisation_ids, roles)` is not among the RPC contracts that auth promises;
    # until auth serves it, news reach nobody and the handler logs the failed call.
    users = directory.list_users(organisation_ids=organisation_ids, roles=sorted(CUSTOMER_ROLES)) or []
    return [user for user in users if isinstance(user, dict) and user.get("email")
            and user.get("role") in CUSTOMER_ROLES]
