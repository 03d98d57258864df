"""Saved list views and the state and unassigned filters, through the gateway on the real broker."""
from __future__ import annotations

import uuid
from typing import Any

import pytest

from services.common import demo
from services.common.caller import Caller

pytestmark = pytest.mark.integration

DEMO_PASSWORD = "Portail-Demo-2026!"
AGENT = Caller(user_id=demo.AGENT_CBERNARD, organisation_id=demo.VENDOR_ORG, role="agent")
VIEWS = """{ ticketQueueViews { id name tab sort filter { severities states unassigned text assigneeIds } } }"""
SAVE = """mutation($input: SaveTicketQueueViewInput!) { saveTicketQueueView(input: $input) {
    view { id name tab sort filter { severities states unassigned text } } } }"""
DELETE = """mutation($input: DeleteTicketQueueViewInput!) { deleteTicketQueueView(input: $input) { deletedViewId } }"""
NODE = "query($id: ID!) { node(id: $id) { ... on TicketQueueView { name } } }"
NUMBERS = "query($filter: TicketFilter) { tickets(tab: ALL, filter: $filter, first: 100) { edges { node { number } } } }"
CREATE = "mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id number version } } }"
ASSIGN = "mutation($input: AssignTicketInput!) { assignTicket(input: $input) { ticket { version } } }"


def signed_in(system: Any, email: str) -> Any:
    client = system.client()
    client.login(email, DEMO_PASSWORD)
    return client


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors") or []]


def field_codes(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(field["field"], field["code"]) for error in body.get("errors") or []
            for field in error["extensions"].get("fields") or []]


@pytest.fixture(scope="module")
def people(system: Any) -> dict[str, Any]:
    return {"agent": signed_in(system, "cbernard@eksae.example.fr"),
            "other_agent": signed_in(system, "lpetit@eksae.example.fr"),
            "customer": signed_in(system, "pmartin@vallee-du-lys.example.fr"),
            "manager": signed_in(system, "mleroy@example.fr")}


def test_agent_saves_and_reads_view(people):
    name = f"Bloquantes non attribuées {uuid.uuid4().hex[:6]}"

    saved = people["agent"].data(SAVE, {"input": {
        "name": f"  {name} ", "tab": "ALL", "sort": "SEVERITY",
        "filter": {"severities": ["BLOCKING"], "states": ["AWAITING_SUPPORT"], "unassigned": True}}})
    view = saved["saveTicketQueueView"]["view"]
    listed = people["agent"].data(VIEWS)["ticketQueueViews"]

    assert view["name"] == name
    assert (view["tab"], view["sort"]) == ("ALL", "SEVERITY")
    assert view["filter"] == {"severities": ["BLOCKING"], "states": ["AWAITING_SUPPORT"], "unassigned": True,
                              "text": None}
    assert [item["name"] for item in listed].count(name) == 1
    assert people["agent"].data(NODE, {"id": view["id"]})["node"] == {"name": name}


def test_same_name_replaces_view(people):
    name = f"Mes suspendues {uuid.uuid4().hex[:6]}"

    first = people["agent"].data(SAVE, {"input": {"name": name, "filter": {"text": "relance"}}})
    second = people["agent"].data(SAVE, {"input": {"name": name, "filter": {"text": "échéancier"}}})
    listed = [item for item in people["agent"].data(VIEWS)["ticketQueueViews"] if item["name"] == name]

    assert first["saveTicketQueueView"]["view"]["id"] == second["saveTicketQueueView"]["view"]["id"]
    assert [item["filter"]["text"] for item in listed] == ["échéancier"]


def test_invalid_view_names_rejected(people):
    empty = people["agent"].execute(SAVE, {"input": {"name": "   "}})
    long = people["agent"].execute(SAVE, {"input": {"name": "x" * 81}})

    assert codes(empty) == ["VALIDATION_FAILED"]
    assert field_codes(empty) == [("name", "REQUIRED")]
    assert field_codes(long) == [("name", "TOO_LONG")]
    assert "81" in long["errors"][0]["extensions"]["fields"][0]["message"]


def test_views_are_private_to_their_owner(people):
    name = f"Privée {uuid.uuid4().hex[:6]}"
    view = people["agent"].data(SAVE, {"input": {"name": name}})["saveTicketQueueView"]["view"]

    for other in ("other_agent", "customer", "manager"):
        client = people[other]
        assert name not in [item["name"] for item in client.data(VIEWS)["ticketQueueViews"]]
        assert client.data(NODE, {"id": view["id"]})["node"] is None
        assert codes(client.execute(DELETE, {"input": {"viewId": view["id"]}})) == ["NOT_FOUND"]

    deleted = people["agent"].data(DELETE, {"input": {"viewId": view["id"]}})
    assert deleted["deleteTicketQueueView"]["deletedViewId"] == view["id"]
    assert name not in [item["name"] for item in people["agent"].data(VIEWS)["ticketQueueViews"]]


def test_view_limit_per_person(system):
    # A fresh agent session on a user of its own keeps this test's count independent of the others.
    client = signed_in(system, "aroux@eksae.example.fr")
    for item in client.data(VIEWS)["ticketQueueViews"]:
        client.data(DELETE, {"input": {"viewId": item["id"]}})

    for index in range(20):
        client.data(SAVE, {"input": {"name": f"Vue {index:02d}"}})
    refused = client.execute(SAVE, {"input": {"name": "Vue de trop"}})
    replaced = client.execute(SAVE, {"input": {"name": "Vue 00", "tab": "CLOSED"}})

    assert field_codes(refused) == [("name", "LIMIT_REACHED")]
    assert not replaced.get("errors")
    assert len(client.data(VIEWS)["ticketQueueViews"]) == 20


def test_state_and_unassigned_filters(system, people):
    entitlements = system.rpc("catalog", "get_entitlements", caller=AGENT, organisation_id=demo.ORG_SAINT_AUBIN)
    contract = next(item for item in entitlements["contracts"] if item["id"] == demo.CONTRACT_SAINT_AUBIN)
    ticket = people["manager"].data(CREATE, {"input": {
        "contractId": contract["id"],
        "serviceIds": [service["id"] for service in contract["services"] if service["is_assistance"]],
        "productId": demo.PRODUCT_CARRUS, "siteId": demo.SITE_ANNEXE, "nature": "ASSISTANCE", "severity": "MINOR",
        "title": "Filtre par état", "description": "Vérifier les filtres de la file."}})["createTicket"]["ticket"]

    def numbers(**criteria: Any) -> list[str]:
        edges = people["agent"].data(NUMBERS, {"filter": criteria})["tickets"]["edges"]
        return [edge["node"]["number"] for edge in edges]

    assert ticket["number"] in numbers(unassigned=True, text=ticket["number"])
    assert ticket["number"] in numbers(states=["AWAITING_SUPPORT"], text=ticket["number"])
    assert ticket["number"] not in numbers(states=["AWAITING_CUSTOMER_RESUME"], text=ticket["number"])

    people["agent"].data(ASSIGN, {"input": {"ticketId": ticket["id"], "assigneeId": demo.AGENT_CBERNARD}})
    assert ticket["number"] not in numbers(unassigned=True, text=ticket["number"])
