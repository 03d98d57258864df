"""The directory queries: colleagues a customer may name on a ticket, agents staff assign tickets to.

A plain customer (not a manager) must be able to record a ticket for a colleague, yet never learn
the accounts of another organisation.
"""
import pytest
from graphql_relay import to_global_id

from services.common import demo
from services.common.caller import Caller
from tests.integration.auth_helpers import error_codes
from tests.integration.test_auth_admin import invite_colleague, signed_in

pytestmark = pytest.mark.integration

COLLEAGUES = "query($org: ID) { colleagues(organisationId: $org) { id email role } }"
CREATE_TICKET = """mutation($input: CreateTicketInput!) { createTicket(input: $input) {
    ticket { number requester { email } followers { email } } } }"""
AGENT = Caller(user_id=demo.AGENT_CBERNARD, organisation_id=demo.VENDOR_ORG, role="agent")


@pytest.fixture(scope="module")
def plain_customer(system):
    """A plain customer of Saint-Aubin, invited by the organisation's manager."""
    manager = signed_in(system, "mleroy@example.fr")
    user, client = invite_colleague(system, manager)
    return user, client


def emails(body):
    return sorted(person["email"] for person in body["colleagues"])


def test_plain_customer_lists_own_organisation_only(plain_customer):
    user, client = plain_customer

    listed = emails(client.data(COLLEAGUES))

    assert {"mleroy@example.fr", "jdupont@example.fr", user["email"]} <= set(listed)
    assert "pmartin@vallee-du-lys.example.fr" not in listed
    assert not [email for email in listed if email.endswith("@eksae.example.fr")]


def test_customer_cannot_list_another_organisation(plain_customer, system):
    _, client = plain_customer
    other = signed_in(system, "pmartin@vallee-du-lys.example.fr")

    asked_for_vallee = emails(client.data(COLLEAGUES, {"org": to_global_id("Organisation", demo.ORG_VALLEE)}))
    vallee_view = emails(other.data(COLLEAGUES))

    assert "pmartin@vallee-du-lys.example.fr" not in asked_for_vallee
    assert "mleroy@example.fr" in asked_for_vallee
    assert "pmartin@vallee-du-lys.example.fr" in vallee_view
    assert not {"mleroy@example.fr", "jdupont@example.fr"} & set(vallee_view)


def test_agent_must_name_the_organisation(system):
    agent = signed_in(system, "cbernard@eksae.example.fr")

    missing = agent.execute(COLLEAGUES)
    named = emails(agent.data(COLLEAGUES, {"org": to_global_id("Organisation", demo.ORG_VALLEE)}))

    assert error_codes(missing) == ["VALIDATION_FAILED"]
    assert "organisation" in missing["errors"][0]["message"].lower()
    assert "pmartin@vallee-du-lys.example.fr" in named
    assert "mleroy@example.fr" not in named


def test_plain_customer_records_ticket_for_a_colleague(plain_customer, system):
    user, client = plain_customer
    entitlements = system.rpc("catalog", "get_entitlements", caller=AGENT, organisation_id=demo.ORG_SAINT_AUBIN)
    contract = next(item for item in entitlements["contracts"] if item["id"] == demo.CONTRACT_SAINT_AUBIN)
    form = {
        "contractId": contract["id"],
        "serviceIds": [service["id"] for service in contract["services"] if service["is_assistance"]],
        "productId": demo.PRODUCT_CARRUS, "siteId": demo.SITE_ANNEXE,
        "nature": "ASSISTANCE", "severity": "MINOR",
        "title": "Imprimer les bons de commande", "description": "Pour le compte de Marie Leroy.",
    }
    manager_id = next(person["id"] for person in client.data(COLLEAGUES)["colleagues"]
                      if person["email"] == "mleroy@example.fr")

    created = client.data(CREATE_TICKET, {"input": dict(form, requesterId=manager_id,
                                                        followerIds=[user["id"]])})["createTicket"]["ticket"]
    outsider = client.execute(CREATE_TICKET, {"input": dict(
        form, requesterId=to_global_id("User", demo.USER_PMARTIN))})

    assert created["requester"] == {"email": "mleroy@example.fr"}
    assert created["followers"] == [{"email": user["email"]}]
    assert error_codes(outsider) == ["VALIDATION_FAILED"]
    assert [field["field"] for field in outsider["errors"][0]["extensions"]["fields"]] == ["requesterId"]


AGENTS = "{ supportAgents { email role } }"


def test_support_agents_for_staff_only(plain_customer, system):
    _, customer = plain_customer
    agent = signed_in(system, "cbernard@eksae.example.fr")
    manager = signed_in(system, "mleroy@example.fr")

    listed = sorted(person["email"] for person in agent.data(AGENTS)["supportAgents"])

    assert {"cbernard@eksae.example.fr", "lpetit@eksae.example.fr", "aroux@eksae.example.fr"} <= set(listed)
    assert not [email for email in listed if not email.endswith("@eksae.example.fr")]
    assert error_codes(customer.execute(AGENTS)) == ["FORBIDDEN"]
    assert error_codes(manager.execute(AGENTS)) == ["FORBIDDEN"]
