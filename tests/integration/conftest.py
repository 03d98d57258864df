"""Fixtures of the integration tests."""
from __future__ import annotations

import uuid
from typing import Iterator

import pytest

from tests.support.system import POSTGRES_ADMIN_URL


@pytest.fixture
def empty_postgresql_database() -> Iterator[str]:
    """Create a PostgreSQL database of its own for one test; return its URL and drop it afterwards."""
    psycopg2 = pytest.importorskip("psycopg2")
    name = f"portail_test_empty_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(POSTGRES_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
