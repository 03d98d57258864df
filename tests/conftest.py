"""Fixtures shared by the suite.

`system` starts the five services and the gateway once per test session against a real RabbitMQ and
the database backend named by `PORTAIL_TEST_DATABASE` (`sqlite`, the default, or `postgresql`).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Iterator

import pytest

from tests.support.directory import ENV as DIRECTORY_ENV
from tests.support.directory import StandInDirectory
from tests.support.smtp import SmtpServer
from tests.support.system import System


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Browser tests keep Playwright's event loop running in this thread, which breaks tests that call
    # asyncio.run, so they come after the others; the broker restart disturbs every connection, so
    # it comes last of all.
    def rank(item: pytest.Item) -> int:
        if item.get_closest_marker("broker_restart") is not None:
            return 2
        return 1 if item.get_closest_marker("e2e") is not None else 0

    items.sort(key=rank)


# pika logs every returned message at warning; the start-up probes expect those while a service boots.
logging.getLogger("pika").setLevel(logging.ERROR)


@pytest.fixture(scope="session")
def database_backend() -> str:
    backend = os.environ.get("PORTAIL_TEST_DATABASE", "sqlite")
    if backend not in ("sqlite", "postgresql"):
        raise pytest.UsageError(f"PORTAIL_TEST_DATABASE={backend!r}: use sqlite or postgresql")
    return backend


@pytest.fixture(scope="session")
def mail_server() -> Iterator[SmtpServer]:
    """A local SMTP server (aiosmtpd) that the system's notify service sends every e-mail to."""
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory, database_backend: str,
           mail_server: SmtpServer) -> Iterator[System]:
    work_dir: Path = tmp_path_factory.mktemp("system")
    extra_env = {**mail_server.env(), **DIRECTORY_ENV, "NOTIFY_RETRY_DELAYS_SECONDS": "1,1,2",
                 "NOTIFY_EVENT_RETRY_DELAYS_SECONDS": "1,1"}
    running = System(work_dir, database_backend, extra_env=extra_env)
    directory: StandInDirectory | None = None
    try:
        running.start()
        # notify reads users' addresses and languages from this stand-in (see tests/support/directory.py);
        # tests add users to it through `system.directory`.
        directory = StandInDirectory(running.vhost.amqp_uri)
        directory.start()
        running.directory = directory  # type: ignore[attr-defined]
        yield running
    finally:
        if directory is not None:
            directory.stop()
        running.stop()
