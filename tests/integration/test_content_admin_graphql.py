"""GraphQL behind the console's content pages: editing product versions and filtering the e-mail log."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from graphql_relay import from_global_id, to_global_id

from services.common import demo
from services.common.caller import Caller
from tests.integration.test_notify_preferences import ADMIN, agent_reply, graphql_as, new_customer

pytestmark = pytest.mark.integration

DEMO_PASSWORD = "Portail-Demo-2026!"
AGENT = Caller(user_id=demo.AGENT_CBERNARD, organisation_id=demo.VENDOR_ORG, role="agent")
MLEROY = Caller(user_id=demo.USER_MLEROY, organisation_id=demo.ORG_SAINT_AUBIN, role="customer_manager")
CREATE_VERSION = """mutation($input: CreateProductVersionInput!) {
  createProductVersion(input: $input) { version { id name releaseDate supported } } }"""
UPDATE_VERSION = """mutation($input: UpdateProductVersionInput!) {
  updateProductVersion(input: $input) { version { id name releaseDate supported } } }"""
DELIVERIES = """query($recipient: String, $since: DateTime, $before: DateTime) {
  emailDeliveries(recipient: $recipient, createdSince: $since, createdBefore: $before, first: 10) {
    totalCount edges { node { recipient status createdAt } } } }"""


def new_version(caller: Caller, system: Any, **fields: Any) -> dict[str, Any]:
    values = {"productId": to_global_id("Product", demo.PRODUCT_COMPTA), "name": f"9.{uuid.uuid4().hex[:6]}",
              "releaseDate": "2026-06-01", **fields}
    body = graphql_as(system, caller, CREATE_VERSION, {"input": values})
    assert "errors" not in body, body
    return body["data"]["createProductVersion"]["version"]


def test_update_version_by_agent_changes_fields(system):
    version = new_version(AGENT, system)

    body = graphql_as(system, AGENT, UPDATE_VERSION, {"input": {
        "versionId": version["id"], "supported": False, "clearReleaseDate": True}})

    updated = body["data"]["updateProductVersion"]["version"]
    assert updated["name"] == version["name"]
    assert updated["supported"] is False
    assert updated["releaseDate"] is None


def test_update_version_keeps_left_out_fields(system):
    version = new_version(AGENT, system)

    body = graphql_as(system, AGENT, UPDATE_VERSION, {"input": {"versionId": version["id"], "name": version["name"] + "b"}})

    updated = body["data"]["updateProductVersion"]["version"]
    assert updated["name"] == version["name"] + "b"
    assert updated["releaseDate"] == "2026-06-01"
    assert updated["supported"] is True


def test_update_version_taken_name_fails_in_french(system):
    first = new_version(AGENT, system)
    second = new_version(AGENT, system)

    body = graphql_as(system, AGENT, UPDATE_VERSION, {"input": {"versionId": second["id"], "name": first["name"]}})

    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED"
    fields = body["errors"][0]["extensions"]["fields"]
    assert fields == [{"field": "name", "code": "ALREADY_EXISTS",
                       "message": f"La version {first['name']} de Channel Comptabilité existe déjà."}]


def test_update_version_by_customer_is_forbidden(system):
    version = new_version(AGENT, system)

    body = graphql_as(system, MLEROY, UPDATE_VERSION, {"input": {"versionId": version["id"], "supported": False}})

    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    stored = system.rpc("catalog", "get_versions", ids=[from_global_id(version["id"])[1]])[0]
    assert stored["supported"] is True


def test_update_unknown_version_is_not_found(system):
    body = graphql_as(system, AGENT, UPDATE_VERSION, {"input": {
        "versionId": to_global_id("ProductVersion", str(uuid.uuid4())), "supported": False}})

    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert body["errors"][0]["message"] == "Version introuvable."


def sent_delivery(system, mail_server) -> str:
    """Have notify e-mail a new customer and wait until the log marks it sent; return the address."""
    customer, address = new_customer(system.directory)
    data = agent_reply(system, customer.user_id)
    mail_server.wait_for(address, matching=lambda message: data["number"] in message.subject)
    deadline = time.monotonic() + 10
    while True:
        nodes = system.rpc("notify", "list_email_deliveries", caller=ADMIN, recipient=address)["items"]
        if nodes and nodes[0]["status"] == "sent":
            return address
        if time.monotonic() > deadline:
            raise AssertionError(f"the e-mail to {address} was not marked sent within 10s: {nodes}")
        time.sleep(0.1)


def test_delivery_log_filters_by_creation_time(system, mail_server):
    address = sent_delivery(system, mail_server)
    now = datetime.now(timezone.utc)
    # Paris offsets are used on purpose: the filter compares instants, whatever the offset.
    paris = timezone(timedelta(hours=1))

    inside = graphql_as(system, ADMIN, DELIVERIES, {
        "recipient": address, "since": (now - timedelta(minutes=5)).astimezone(paris).isoformat(),
        "before": (now + timedelta(minutes=5)).astimezone(paris).isoformat()})
    earlier = graphql_as(system, ADMIN, DELIVERIES, {
        "recipient": address, "before": (now - timedelta(minutes=5)).astimezone(paris).isoformat()})
    later = graphql_as(system, ADMIN, DELIVERIES, {
        "recipient": address, "since": (now + timedelta(minutes=5)).astimezone(paris).isoformat()})

    assert inside["data"]["emailDeliveries"]["totalCount"] == 1
    assert inside["data"]["emailDeliveries"]["edges"][0]["node"]["recipient"] == address
    assert earlier["data"]["emailDeliveries"]["totalCount"] == 0
    assert later["data"]["emailDeliveries"]["totalCount"] == 0


def test_delivery_log_time_without_offset_fails_in_french(system):
    body = graphql_as(system, ADMIN, DELIVERIES, {"since": "2026-12-04T00:00:00"})

    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED"
    assert body["errors"][0]["extensions"]["fields"][0]["field"] == "createdSince"
    assert "2026-12-04T00:00:00" in body["errors"][0]["extensions"]["fields"][0]["message"]


@pytest.mark.parametrize("caller", [AGENT, MLEROY], ids=["agent", "customer-manager"])
def test_delivery_log_with_time_filter_forbidden_to_non_admins(system, caller):
    body = graphql_as(system, caller, DELIVERIES, {"since": "2026-01-01T00:00:00+01:00"})

    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["data"] is None or body["data"].get("emailDeliveries") is None


def test_delivery_log_rpc_refuses_agent(system):
    with pytest.raises(Exception) as raised:
        system.rpc("notify", "list_email_deliveries", caller=AGENT, created_since="2026-01-01T00:00:00+01:00")

    assert "Forbidden" in str(raised.value)
