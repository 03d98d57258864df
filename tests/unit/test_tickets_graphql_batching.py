"""A page of tickets costs a fixed number of service calls, whatever its size.

The schema runs against a recording stand-in for the RPC client that returns tickets serialized by
the service's own code, so the resolvers' batching is checked without a broker.
"""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

import pytest

from gateway.app import execute_graphql
from gateway.context import RequestContext, forget_shared_items
from gateway.schema import build_schema
from services.common.caller import Caller
from services.tickets.lifecycle import TicketState, TicketStatus
from services.tickets.models import Ticket
from services.tickets.serializers import serialize_ticket
from services.tickets.vocabulary import RequestNature, Severity

pytestmark = pytest.mark.unit

CALLER = Caller(user_id="agent-1", organisation_id="vendor", role="agent")
QUERY = """{ tickets(tab: ALL, first: 50) { totalCount edges { node {
    number statusLabel enteredAt requester { displayName } followers { id } product { name } } } } }"""


@pytest.fixture(autouse=True)
def no_kept_products():
    # Product names are kept between requests; each test counts the catalog calls of its own.
    forget_shared_items("catalog", "get_products")


def _ticket(index: int, keys: frozenset[str] | None = None) -> dict[str, Any]:
    now = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
    ticket = Ticket(
        id=f"ticket-{index}", number=f"2026-{index:06d}", organisation_id="org-1", version=1,
        contract_id="contract-1", contract_number="CTR-1", services=[], product_id=f"product-{index % 3}",
        product_name="Carrus", site_id="site-1", site_name="Mairie", version_id=None, version_name=None,
        nature=RequestNature.INCIDENT, severity=Severity.MINOR, desired_delivery_date=None,
        reference_1="", reference_2="", title=f"Demande {index}", description="", requester_id=f"user-{index}",
        contacts=[], created_by_id=f"user-{index}", status=TicketStatus.NEW, state=TicketState.AWAITING_SUPPORT,
        suspension_reason=None, duplicated_from_id=None, entered_at=now, updated_at=now,
    )
    return serialize_ticket(ticket, [f"user-{index + 1000}"], CALLER, unread=False, with_html=False, keys=keys)


class RecordingRpc:
    """Answer the calls a ticket list makes, and record each one."""

    def __init__(self, size: int, honour_keys: bool = True) -> None:
        self.size = size
        self.honour_keys = honour_keys
        self.calls: list[tuple[str, str]] = []

    async def call(self, service: str, method: str, context: Any = None, timeout: Any = None, **kwargs: Any) -> Any:
        self.calls.append((service, method))
        if (service, method) == ("tickets", "list_tickets"):
            # Like the service, send only the keys the gateway asked for.
            keys = frozenset(kwargs["keys"]) if self.honour_keys else None
            items = [_ticket(index, keys) for index in range(self.size)]
            return {"items": items, "total_count": self.size, "start_offset": 0, "has_next_page": False,
                    "has_previous_page": False,
                    "counts": {"in_progress": self.size, "resolved": 0, "closed": 0, "all": self.size, "unread": 0},
                    "unread_count": 0}
        if (service, method) == ("auth", "get_users"):
            return [{"id": user_id, "display_name": f"Nom {user_id}"} for user_id in kwargs["ids"]]
        if (service, method) == ("catalog", "get_products"):
            return [{"id": product_id, "name": "Carrus"} for product_id in kwargs["ids"]]
        raise AssertionError(f"unexpected call {service}.{method}")


def _run(size: int) -> tuple[Any, RecordingRpc]:
    rpc = RecordingRpc(size)
    context = RequestContext(request=None, rpc=rpc, caller=CALLER)  # type: ignore[arg-type]
    result = asyncio.run(execute_graphql(build_schema(), QUERY, {}, None, context))
    return result, rpc


@pytest.mark.parametrize("size", [1, 50])
def test_ticket_page_calls_each_service_once(size):
    result, rpc = _run(size)

    assert result.errors is None, result.errors
    assert len(result.data["tickets"]["edges"]) == size
    assert sorted(rpc.calls) == [("auth", "get_users"), ("catalog", "get_products"), ("tickets", "list_tickets")]


def test_ticket_page_resolves_related_objects():
    result, _rpc = _run(2)

    node = result.data["tickets"]["edges"][1]["node"]
    assert node["number"] == "2026-000001"
    assert node["statusLabel"] == "Nouvelle"
    assert node["enteredAt"] == "2026-03-02T09:30:00+00:00"
    assert node["requester"] == {"displayName": "Nom user-1"}
    assert node["followers"] == [{"id": "user-1001"}]
    assert node["product"] == {"name": "Carrus"}


FRAGMENT_QUERY = """{ tickets(tab: ALL, first: 50) { edges { node { ...row } } } }
fragment row on Ticket { number ... on Ticket { who: requester { displayName } product { name } }
                         assignee { displayName } followers { displayName } }"""


def test_related_objects_reach_each_ticket_through_fragments():
    rpc = RecordingRpc(3)
    context = RequestContext(request=None, rpc=rpc, caller=CALLER)  # type: ignore[arg-type]

    result = asyncio.run(execute_graphql(build_schema(), FRAGMENT_QUERY, {}, None, context))

    assert result.errors is None, result.errors
    nodes = [edge["node"] for edge in result.data["tickets"]["edges"]]
    assert [node["who"]["displayName"] for node in nodes] == ["Nom user-0", "Nom user-1", "Nom user-2"]
    assert [node["followers"] for node in nodes] == [[{"displayName": f"Nom user-{index + 1000}"}] for index in range(3)]
    assert [node["assignee"] for node in nodes] == [None, None, None]
    assert {node["product"]["name"] for node in nodes} == {"Carrus"}
    assert sorted(rpc.calls) == [("auth", "get_users"), ("catalog", "get_products"), ("tickets", "list_tickets")]


EVERY_FIELD_QUERY = """{ tickets(tab: ALL, first: 50) { edges { node {
    id number organisationId version contract { id number } services { id name } product { id name }
    site { id name } productVersion { id } nature natureLabel severity severityLabel desiredDeliveryDate
    reference1 reference2 title description descriptionHtml requester { id displayName } followers { id }
    assignee { id } status statusLabel state stateLabel suspensionReason enteredAt receivedAt interventionAt
    resolvedAt closedAt updatedAt unread allowedTransitions attachmentUploadUrl } } } }"""


def _every_field(honour_keys: bool) -> Any:
    rpc = RecordingRpc(2, honour_keys=honour_keys)
    context = RequestContext(request=None, rpc=rpc, caller=CALLER)  # type: ignore[arg-type]
    result = asyncio.run(execute_graphql(build_schema(), EVERY_FIELD_QUERY, {}, None, context))
    assert result.errors is None, result.errors
    return result.data


def test_list_keys_resolve_every_field():
    # Each field must ask the service for every key its resolver reads: a key left out would make
    # the field null or fail here, while the same query on whole tickets resolves.
    assert _every_field(honour_keys=True) == _every_field(honour_keys=False)


def test_list_requests_only_read_keys():
    keys: list[list[str]] = []

    class KeyRecordingRpc(RecordingRpc):
        async def call(self, service: str, method: str, context: Any = None, timeout: Any = None,
                       **kwargs: Any) -> Any:
            if method == "list_tickets":
                keys.append(kwargs["keys"])
            return await super().call(service, method, context, timeout, **kwargs)

    context = RequestContext(request=None, rpc=KeyRecordingRpc(1), caller=CALLER)  # type: ignore[arg-type]
    asyncio.run(execute_graphql(build_schema(), QUERY, {}, None, context))

    assert keys == [["entered_at", "follower_ids", "id", "number", "product", "product_id", "requester_id",
                     "severity_label", "status_label"]]
