"""A page of the ticket list costs the same two queries whatever its size and the keys it requests."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

from services.common.caller import Caller
from services.tickets import reading
from services.tickets.lifecycle import TicketState, TicketStatus
from services.tickets.models import Base, Ticket, TicketFollower
from services.tickets.vocabulary import RequestNature, Severity

pytestmark = pytest.mark.unit

MANAGER = Caller(user_id="manager-1", organisation_id="org-1", role="customer_manager")


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'tickets.db'}")
    Base.metadata.create_all(engine)
    now = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
    with Session(engine) as session:
        for index in range(30):
            ticket_id = str(uuid.uuid4())
            session.add(Ticket(
                id=ticket_id, number=f"2026-{index:06d}", organisation_id="org-1", version=1,
                contract_id="contract-1", contract_number="CTR-1", services=[], product_id="product-1",
                product_name="Carrus", site_id="site-1", site_name="Mairie", nature=RequestNature.INCIDENT,
                severity=Severity.MINOR, reference_1="", reference_2="", title=f"Demande {index}",
                description="Un long descriptif. " * 50, requester_id="user-1", contacts=[],
                created_by_id="user-1", status=TicketStatus.NEW, state=TicketState.AWAITING_SUPPORT,
                entered_at=now, updated_at=now))
            session.add(TicketFollower(ticket_id=ticket_id, user_id="user-2"))
        session.commit()
    yield engine
    engine.dispose()


def _statements(engine, **arguments) -> tuple[int, dict]:
    executed: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        executed.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with Session(engine) as session:
            page = reading.list_tickets(session, MANAGER, "all", None, None, arguments.pop("first", 20), None,
                                        **arguments)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(executed), page


@pytest.mark.parametrize("first", [1, 20])
def test_list_page_without_description_loads_none(engine, first):
    count, page = _statements(engine, first=first, keys=["id", "number", "title", "follower_ids"])

    # The counts per tab, then the page: a description read ticket by ticket would add one each.
    assert count == 2
    assert len(page["items"]) == first
    assert set(page["items"][0]) == {"id", "number", "title", "follower_ids"}
    assert page["items"][0]["follower_ids"] == ["user-2"]


def test_list_page_with_descriptions_loads_them(engine):
    count, page = _statements(engine, first=20, keys=["id", "description"])

    assert count == 2
    assert page["items"][0]["description"].startswith("Un long descriptif.")
