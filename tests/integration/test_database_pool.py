"""Pooled PostgreSQL connections that the server dropped are replaced before a worker uses them."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from services.common import engine as engine_module

pytestmark = pytest.mark.integration


def terminate_other_backends(engine) -> int:
    """End, on the server's side, every other connection to the test database; return how many."""
    with engine.connect() as connection:
        return len(connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).all())


def test_idle_connection_killed_by_server_is_replaced(empty_postgresql_database, monkeypatch):
    engine = engine_module.make_engine(empty_postgresql_database)
    killer = engine_module.make_engine(empty_postgresql_database)
    try:
        with engine.connect() as connection:
            first_pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert terminate_other_backends(killer) >= 1

        # Every returned connection now counts as idle, so the next checkout pings it first.
        monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)
        with engine.connect() as connection:
            second_pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()

        assert second_pid != first_pid
    finally:
        engine.dispose()
        killer.dispose()


@pytest.mark.parametrize("idle_threshold, expected_pings", [(3600.0, 0), (0.0, 1)])
def test_ping_only_after_idle(empty_postgresql_database, monkeypatch, idle_threshold, expected_pings):
    engine = engine_module.make_engine(empty_postgresql_database)
    pings = []
    real_ping = engine_module.ping
    monkeypatch.setattr(engine_module, "ping", lambda connection: (pings.append(1), real_ping(connection)))
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", idle_threshold)
        with engine.connect() as connection:
            connection.execute(text("SELECT 2"))
    finally:
        engine.dispose()

    assert len(pings) == expected_pings
