"""The users notify writes to, asked from the auth service over RPC and kept for a few seconds.

auth publishes no event when a user changes (role, address, language, deactivation), so the cache
cannot be invalidated: a change reaches notify at most `NOTIFY_DIRECTORY_CACHE_SECONDS` later. In
exchange, a burst of ticket events costs one `list_agents` call per period instead of one per event.
"""
from __future__ import annotations

import logging
import time
from typing import Any

import eventlet
from eventlet.semaphore import Semaphore
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
        self.cache: DirectoryCache | None = None

    def setup(self) -> None:
        self.target_service = settings.directory_service()
        # One cache per service process, shared by its workers.
        self.cache = DirectoryCache(settings.directory_cache_seconds())
        super().setup()

    def get_dependency(self, worker_ctx: Any) -> "CachedDirectory":
        assert self.cache is not None
        return CachedDirectory(super().get_dependency(worker_ctx), self.cache)


class DirectoryCache:
    """Replies of `list_agents` and `get_users`, each kept `ttl_seconds` (0 keeps nothing).

    Unknown ids are not kept, so a user created a moment ago is found at the next event.
    """

    def __init__(self, ttl_seconds: float, clock: Any = time.monotonic) -> None:
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self.agents: list[dict[str, Any]] | None = None
        self.agents_expire_at = 0.0
        self.users: dict[str, tuple[float, dict[str, Any]]] = {}
        # When the agents expire, one worker calls the directory and the others wait for its reply.
        self.agents_lock = Semaphore(1)

    def fresh_agents(self) -> list[dict[str, Any]] | None:
        if self.agents is not None and self.clock() < self.agents_expire_at:
            return self.agents
        return None

    def store_agents(self, agents: list[dict[str, Any]]) -> None:
        if self.ttl_seconds > 0:
            self.agents = agents
            self.agents_expire_at = self.clock() + self.ttl_seconds

    def fresh_user(self, user_id: str) -> dict[str, Any] | None:
        entry = self.users.get(user_id)
        if entry is None:
            return None
        if self.clock() >= entry[0]:
            del self.users[user_id]
            return None
        return entry[1]

    def store_users(self, users: list[dict[str, Any]]) -> None:
        if self.ttl_seconds <= 0:
            return
        expire_at = self.clock() + self.ttl_seconds
        for user in users:
            self.users[str(user["id"])] = (expire_at, user)
        if len(self.users) > USERS_CACHE_MAX_ENTRIES:
            self._drop_expired_users()

    def _drop_expired_users(self) -> None:
        now = self.clock()
        for user_id in [key for key, (expire_at, _user) in self.users.items() if now >= expire_at]:
            del self.users[user_id]
        if len(self.users) > USERS_CACHE_MAX_ENTRIES:
            self.users.clear()


# Bounds the memory a flood of events about distinct users can take between two expiries.
USERS_CACHE_MAX_ENTRIES = 10_000


class CachedDirectory:
    """The directory client of one worker: the RPC methods, served from the cache while its entries are fresh."""

    def __init__(self, client: Any, cache: DirectoryCache) -> None:
        self.client = client
        self.cache = cache

    def get_users(self, ids: list[str]) -> list[dict[str, Any]]:
        found = []
        missing = []
        for user_id in ids:
            user = self.cache.fresh_user(str(user_id))
            if user is None:
                missing.append(user_id)
            else:
                found.append(user)
        if missing:
            fetched = [user for user in self.client.get_users(ids=missing) or []
                       if isinstance(user, dict) and user.get("id")]
            self.cache.store_users(fetched)
            found.extend(fetched)
        return found

    def list_agents(self) -> list[dict[str, Any]]:
        agents = self.cache.fresh_agents()
        if agents is not None:
            return agents
        with self.cache.agents_lock:
            # Another worker may have refreshed the list while this one waited for the lock.
            agents = self.cache.fresh_agents()
            if agents is None:
                agents = [user for user in self.client.list_agents() or [] if isinstance(user, dict)]
                self.cache.store_agents(agents)
        return agents

    def list_users(self, **kwargs: Any) -> Any:
        # News audiences are rare and large: they are asked each time, never kept.
        return self.client.list_users(**kwargs)


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
