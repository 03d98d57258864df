"""SQLAlchemy engines with the settings each backend needs for concurrent service workers.

Kept apart from the nameko dependency (`services.common.database`), so that a program that only needs
an engine, such as the export child process, does not import nameko and eventlet.
"""
from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Engine, make_url

logger = logging.getLogger(__name__)

# SQLite waits this long for another writer before failing with "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 10_000

# A pooled PostgreSQL connection idle for longer than this is pinged before use. Pinging on every
# checkout (SQLAlchemy's pool_pre_ping) costs a round trip, and psycopg2 blocks the eventlet hub
# during it. Under load, connections are rarely idle that long, so they skip the ping.
PING_AFTER_IDLE_SECONDS = 10.0


def make_engine(url: str, **options: Any) -> Engine:
    """Create an engine with the settings each backend needs for concurrent service workers."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        # SQLAlchemy 2.1 maps a bare `postgresql://` to psycopg 3, whose C implementation blocks the
        # eventlet hub. NOTE: psycopg2 blocks it too while a query runs, because no eventlet wait
        # callback is installed (with one, notify was slower in its benchmark: docs/benchmarks.md).
        url = parsed.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **options)
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    engine = create_engine(url, pool_size=10, max_overflow=10, **options)
    event.listen(engine.pool, "checkin", _note_checkin)
    event.listen(engine.pool, "checkout", _ping_if_idle)
    return engine


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info["checked_in_at"] = time.monotonic()


def ping(dbapi_connection: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("SELECT 1")
    cursor.close()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    checked_in_at = record.info.get("checked_in_at")
    if checked_in_at is None or time.monotonic() - checked_in_at < PING_AFTER_IDLE_SECONDS:
        return
    try:
        ping(dbapi_connection)
    except Exception as error:
        # The pool discards this connection and checks out another one (a restarted server, say).
        logger.info("dropping a pooled database connection that failed its ping: %s", error)
        raise exc.DisconnectionError(str(error)) from error


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers proceed while one worker writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()
