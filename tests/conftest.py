"""Fixtures shared by the suite.

`system` starts the five services and the gateway once per test session against a real RabbitMQ and
the database backend named by `PORTAIL_TEST_DATABASE` (`sqlite`, the default, or `postgresql`).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from tests.support.system import System


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The broker restart test disturbs every connection, so it runs after all the others.
    items.sort(key=lambda item: item.get_closest_marker("broker_restart") is not None)


@pytest.fixture(scope="session")
def database_backend() -> str:
    backend = os.environ.get("PORTAIL_TEST_DATABASE", "sqlite")
    if backend not in ("sqlite", "postgresql"):
        raise pytest.UsageError(f"PORTAIL_TEST_DATABASE={backend!r}: use sqlite or postgresql")
    return backend


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory, database_backend: str) -> Iterator[System]:
    work_dir: Path = tmp_path_factory.mktemp("system")
    running = System(work_dir, database_backend)
    try:
        running.start()
        yield running
    finally:
        running.stop()
