"""Migrations of the tickets service applied to a database that already contains tickets."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from alembic import command
from sqlalchemy import text

from services.common.database import make_engine
from services.common.migrations import alembic_config

pytestmark = pytest.mark.integration

# The revision before the ticket search column.
BEFORE_SEARCH_TEXT = "ef80e2f39deb"


@pytest.fixture
def tickets_database_url(request, database_backend: str, tmp_path, monkeypatch) -> str:
    """Point the tickets service's migrations at an empty database of the backend under test."""
    if database_backend == "postgresql":
        url = request.getfixturevalue("empty_postgresql_database")
    else:
        url = f"sqlite:///{tmp_path / 'tickets.db'}"
    monkeypatch.setenv("TICKETS_DATABASE_URL", url)
    return url


def test_search_text_filled_for_existing_tickets(tickets_database_url):
    command.upgrade(alembic_config("tickets"), BEFORE_SEARCH_TEXT)
    engine = make_engine(tickets_database_url)
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO ticket (id, number, organisation_id, version, contract_id, contract_number, services, "
            "product_id, product_name, site_id, site_name, nature, severity, reference_1, reference_2, title, "
            "description, requester_id, contacts, created_by_id, status, state, entered_at, updated_at) "
            "VALUES ('t1', '2026-00001', 'o1', 1, 'c1', '', '[]', 'p1', '', 's1', '', 'incident', 'major', "
            "'DÉL-14', '', 'Échéances bloquées', '', 'u1', '[]', 'u1', 'new', 'awaiting_support', :now, :now)"),
            {"now": now})

    command.upgrade(alembic_config("tickets"), "head")

    with engine.connect() as connection:
        search_text = connection.execute(text("SELECT search_text FROM ticket WHERE id = 't1'")).scalar_one()
    engine.dispose()
    assert search_text == "echeances bloquees\ndel-14\n"
