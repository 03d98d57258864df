"""What each account may see of others, API tokens and their scopes, and the audit log."""
import httpx
import pytest
from graphql_relay import to_global_id

from services.common import demo
from services.common.caller import Caller
from tests.integration.auth_helpers import DEMO_PASSWORD, error_codes

pytestmark = pytest.mark.integration

NODE_USER = """query($id: ID!) { node(id: $id) { ... on User { email organisation { name } } } }"""
CREATE_TOKEN = """mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) {
    token apiToken { id name prefix scopes user { email } } } }"""
REVOKE_TOKEN = """mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { apiToken { revokedAt } } }"""
MLEROY = Caller(user_id=demo.USER_MLEROY, organisation_id=demo.ORG_SAINT_AUBIN, role="customer_manager")


def signed_in(system, email):
    client = system.client()
    client.login(email, DEMO_PASSWORD)
    return client


def test_get_users_hides_other_organisations_from_customer(system):
    users = system.rpc("auth", "get_users", caller=MLEROY,
                       ids=[demo.USER_PMARTIN, demo.USER_JDUPONT, demo.AGENT_CBERNARD, "inconnu"])

    assert users[0] is None
    assert users[1]["email"] == "jdupont@example.fr"
    assert users[2]["email"] == "cbernard@eksae.example.fr"
    assert users[3] is None


def test_node_hides_user_of_other_organisation_through_gateway(system):
    client = signed_in(system, "mleroy@example.fr")

    other = client.data(NODE_USER, {"id": to_global_id("User", demo.USER_PMARTIN)})
    colleague = client.data(NODE_USER, {"id": to_global_id("User", demo.USER_JDUPONT)})

    assert other["node"] is None
    assert colleague["node"] == {"email": "jdupont@example.fr", "organisation": {"name": "Ville de Saint-Aubin"}}


def test_get_organisations_hides_other_customers(system):
    organisations = system.rpc("auth", "get_organisations", caller=MLEROY,
                               ids=[demo.ORG_VALLEE, demo.ORG_SAINT_AUBIN, demo.VENDOR_ORG])

    assert organisations[0] is None
    assert [organisation["name"] for organisation in organisations[1:]] == ["Ville de Saint-Aubin", "Eksaé"]


def test_get_users_requires_a_caller(system):
    with pytest.raises(Exception) as raised:
        system.rpc("auth", "get_users", caller=Caller(), ids=[demo.USER_MLEROY])

    assert raised.value.exc_type == "Unauthenticated"


def test_list_agents_returns_active_staff(system):
    agents = system.rpc("auth", "list_agents", caller=MLEROY)

    assert sorted(agent["email"] for agent in agents) == [
        "aroux@eksae.example.fr", "cbernard@eksae.example.fr", "lpetit@eksae.example.fr"]
    assert set(agents[0]) >= {"id", "email", "first_name", "last_name", "display_name", "organisation_id", "role",
                              "language", "phone"}


def test_api_token_acts_within_its_scopes(system):
    manager = signed_in(system, "mleroy@example.fr")
    created = manager.data(CREATE_TOKEN, {"input": {"name": "GLPI de la mairie", "scopes": ["TICKETS_READ"]}})
    token = created["createApiToken"]["token"]
    bearer = system.client(token=token)

    me = bearer.data("{ me { user { email } role } }")["me"]
    news = bearer.execute("{ news(first: 1) { totalCount } }")
    audit = bearer.execute("{ securityAuditLog(first: 5) { totalCount } }")
    change = bearer.execute("""mutation { changePassword(input: {currentPassword: "x", newPassword: "y"}) {
        user { email } } }""")

    assert created["createApiToken"]["apiToken"]["scopes"] == ["TICKETS_READ"]
    assert token.startswith(created["createApiToken"]["apiToken"]["prefix"])
    assert me == {"user": {"email": "mleroy@example.fr"}, "role": "CUSTOMER_MANAGER"}
    assert error_codes(news) == ["FORBIDDEN"]
    assert error_codes(audit) == ["FORBIDDEN"]
    assert error_codes(change) == ["FORBIDDEN"]


def test_revoked_api_token_is_refused(system):
    admin = signed_in(system, "aroux@eksae.example.fr")
    created = admin.data(CREATE_TOKEN, {"input": {"name": "CRM", "scopes": ["ADMIN", "NEWS_READ"]}})["createApiToken"]
    bearer = system.client(token=created["token"])
    assert bearer.data("{ me { role } }")["me"]["role"] == "ADMIN"

    revoked = admin.data(REVOKE_TOKEN, {"input": {"apiTokenId": created["apiToken"]["id"]}})

    assert revoked["revokeApiToken"]["apiToken"]["revokedAt"]
    response = httpx.post(f"{system.base_url}/graphql", json={"query": "{ me { role } }"},
                          headers={"Authorization": f"Bearer {created['token']}"})
    assert response.status_code == 401
    assert error_codes(response.json()) == ["UNAUTHENTICATED"]


def test_customer_manager_cannot_create_token_for_other_organisation(system):
    manager = signed_in(system, "mleroy@example.fr")

    body = manager.execute(CREATE_TOKEN, {"input": {"name": "Intrusion", "scopes": ["TICKETS_READ"],
                                                    "userId": to_global_id("User", demo.USER_PMARTIN)}})

    assert error_codes(body) == ["NOT_FOUND"]


def test_customer_cannot_create_api_token(system):
    customer = signed_in(system, "pmartin@vallee-du-lys.example.fr")

    body = customer.execute(CREATE_TOKEN, {"input": {"name": "Essai", "scopes": ["TICKETS_READ"]}})

    assert error_codes(body) == ["FORBIDDEN"]


def test_admin_scope_refused_for_non_admin_account(system):
    manager = signed_in(system, "mleroy@example.fr")

    body = manager.execute(CREATE_TOKEN, {"input": {"name": "Trop large", "scopes": ["ADMIN"]}})

    assert error_codes(body) == ["VALIDATION_FAILED"]
    assert body["errors"][0]["extensions"]["fields"][0]["field"] == "scopes"


def test_audit_log_readable_by_admin_only(system):
    system.client().execute("""mutation { login(input: {email: "audit-cible@example.fr", password: "faux"}) {
        mustChangePassword } }""")
    admin = signed_in(system, "aroux@eksae.example.fr")
    customer = signed_in(system, "mleroy@example.fr")

    log = admin.data("""{ securityAuditLog(first: 50, actions: [LOGIN_FAILED]) {
        totalCount edges { node { action email clientIp } } } }""")["securityAuditLog"]

    assert {"action": "LOGIN_FAILED", "email": "audit-cible@example.fr", "clientIp": "127.0.0.1"} in [
        edge["node"] for edge in log["edges"]]
    assert error_codes(customer.execute("{ securityAuditLog(first: 5) { totalCount } }")) == ["FORBIDDEN"]


def test_sessions_are_listed_and_revoked(system):
    first = signed_in(system, "pmartin@vallee-du-lys.example.fr")
    second = signed_in(system, "pmartin@vallee-du-lys.example.fr")

    sessions = first.data("{ mySessions { id current } }")["mySessions"]
    other = next(item for item in sessions if not item["current"])
    first.data("""mutation($input: RevokeSessionInput!) { revokeSession(input: $input) { sessionId } }""",
               {"input": {"sessionId": other["id"]}})

    assert sum(1 for item in sessions if item["current"]) == 1
    assert error_codes(second.execute("{ me { role } }")) == ["UNAUTHENTICATED"]
    assert first.data("{ me { role } }")["me"]["role"] == "CUSTOMER"


def test_list_users_filters_by_organisation_and_role(system):
    agent = Caller(user_id=demo.AGENT_CBERNARD, organisation_id=demo.VENDOR_ORG, role="agent")

    managers = system.rpc("auth", "list_users", caller=agent, organisation_ids=[demo.ORG_SAINT_AUBIN],
                          roles=["customer_manager"])
    seen_by_customer = system.rpc("auth", "list_users", caller=MLEROY, organisation_ids=[demo.ORG_VALLEE])

    assert "mleroy@example.fr" in [user["email"] for user in managers]
    assert {(user["organisation_id"], user["role"]) for user in managers} == {(demo.ORG_SAINT_AUBIN,
                                                                               "customer_manager")}
    assert seen_by_customer == []
