"""The directory cache: fewer calls to auth, and no reply kept longer than its time to live."""
from __future__ import annotations

import pytest

from services.notify.directory import CachedDirectory, DirectoryCache

pytestmark = pytest.mark.unit

AGENT = {"id": "a-1", "email": "a1@eksae.example.fr", "role": "agent"}
CUSTOMER = {"id": "u-1", "email": "u1@example.fr", "role": "customer"}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class CountingClient:
    """A directory client that counts the calls it receives."""

    def __init__(self) -> None:
        self.users = {user["id"]: user for user in (AGENT, CUSTOMER)}
        self.agent_calls = 0
        self.user_calls: list[list[str]] = []

    def list_agents(self) -> list[dict]:
        self.agent_calls += 1
        return [AGENT]

    def get_users(self, ids: list[str]) -> list[dict | None]:
        self.user_calls.append(list(ids))
        return [self.users.get(user_id) for user_id in ids]


def make_directory(ttl: float) -> tuple[CachedDirectory, CountingClient, Clock]:
    clock = Clock()
    client = CountingClient()
    return CachedDirectory(client, DirectoryCache(ttl, clock=clock)), client, clock


def test_agents_asked_once_within_ttl():
    directory, client, clock = make_directory(10)

    first = directory.list_agents()
    clock.now += 9
    second = directory.list_agents()

    assert first == second == [AGENT]
    assert client.agent_calls == 1


def test_agents_asked_again_after_ttl():
    directory, client, clock = make_directory(10)

    directory.list_agents()
    clock.now += 10
    directory.list_agents()

    assert client.agent_calls == 2


def test_users_cached_only_when_known():
    directory, client, clock = make_directory(10)

    assert directory.get_users(ids=["u-1", "nobody"]) == [CUSTOMER]
    assert directory.get_users(ids=["u-1", "nobody"]) == [CUSTOMER]
    clock.now += 11
    directory.get_users(ids=["u-1"])

    assert client.user_calls == [["u-1", "nobody"], ["nobody"], ["u-1"]]


def test_zero_ttl_asks_every_time():
    directory, client, _clock = make_directory(0)

    directory.list_agents()
    directory.list_agents()
    directory.get_users(ids=["u-1"])
    directory.get_users(ids=["u-1"])

    assert client.agent_calls == 2
    assert client.user_calls == [["u-1"], ["u-1"]]
