"""User administration: admins everywhere, customer managers only inside their organisation."""
import uuid

import pytest
from graphql_relay import to_global_id

from services.common import demo
from tests.integration.auth_helpers import DEMO_PASSWORD, AuthEvents, error_codes

pytestmark = pytest.mark.integration

CREATE_USER = """mutation($input: CreateUserInput!) { createUser(input: $input) {
    user { id email role organisation { name } hasPassword usageRights { supportAccess allProductSpaces } } } }"""
UPDATE_ACCESS = """mutation($input: UpdateUserAccessInput!) { updateUserAccess(input: $input) {
    user { role usageRights { supportAccess allProductSpaces productSpaceIds } } } }"""
DEACTIVATE = """mutation($input: UserIdInput!) { deactivateUser(input: $input) { user { isActive } } }"""
COMPLETE = """mutation($input: CompletePasswordResetInput!) { completePasswordReset(input: $input) { email } }"""
PASSWORD = "Invitation-2026!?"


def signed_in(system, email, password=DEMO_PASSWORD):
    client = system.client()
    client.login(email, password)
    return client


def invite_colleague(system, manager, **extra):
    """Create an account as `manager`, follow its invitation link and return (user, signed-in client)."""
    events = AuthEvents(system.vhost.amqp_uri, "user_invited")
    email = f"collegue-{uuid.uuid4().hex[:8]}@example.fr"
    user = manager.data(CREATE_USER, {"input": {"email": email, "firstName": "Camille", "lastName": "Collègue",
                                                **extra}})["createUser"]["user"]
    invited = events.wait_for(lambda e: e["data"]["email"] == email)
    events.close()
    system.client().data(COMPLETE, {"input": {"token": invited["data"]["token"], "newPassword": PASSWORD}})
    return user, signed_in(system, email, PASSWORD)


def test_manager_creates_colleague_in_own_organisation(system):
    manager = signed_in(system, "mleroy@example.fr")

    user, colleague = invite_colleague(system, manager, organisationId=to_global_id("Organisation", demo.ORG_VALLEE))

    assert user["organisation"] == {"name": "Ville de Saint-Aubin"}
    assert user["role"] == "CUSTOMER"
    assert user["hasPassword"] is False
    assert colleague.data("{ me { user { email } } }")["me"]["user"]["email"] == user["email"]


def test_manager_cannot_touch_other_organisation_users(system):
    manager = signed_in(system, "mleroy@example.fr")
    other = to_global_id("User", demo.USER_PMARTIN)

    update = manager.execute(UPDATE_ACCESS, {"input": {"userId": other, "supportAccess": False}})
    deactivate = manager.execute(DEACTIVATE, {"input": {"userId": other}})
    listed = manager.data("{ users(first: 100) { totalCount edges { node { email } } } }")["users"]

    assert error_codes(update) == ["NOT_FOUND"]
    assert error_codes(deactivate) == ["NOT_FOUND"]
    assert "pmartin@vallee-du-lys.example.fr" not in [edge["node"]["email"] for edge in listed["edges"]]
    assert "jdupont@example.fr" in [edge["node"]["email"] for edge in listed["edges"]]
    assert signed_in(system, "pmartin@vallee-du-lys.example.fr").data("{ me { role } }")["me"]["role"] == "CUSTOMER"


def test_manager_cannot_grant_staff_role(system):
    manager = signed_in(system, "mleroy@example.fr")

    body = manager.execute(UPDATE_ACCESS, {"input": {"userId": to_global_id("User", demo.USER_JDUPONT),
                                                     "role": "ADMIN"}})

    assert error_codes(body) == ["VALIDATION_FAILED"]
    assert body["errors"][0]["extensions"]["fields"][0]["code"] == "WRONG_ORGANISATION"


def test_customer_cannot_administer_users(system):
    customer = signed_in(system, "pmartin@vallee-du-lys.example.fr")

    body = customer.execute(CREATE_USER, {"input": {"email": "intrus@example.fr"}})

    assert error_codes(body) == ["FORBIDDEN"]
    assert error_codes(customer.execute("{ users(first: 5) { totalCount } }")) == ["FORBIDDEN"]


def test_support_right_removed_shows_in_profile(system):
    manager = signed_in(system, "mleroy@example.fr")
    user, colleague = invite_colleague(system, manager)

    updated = manager.data(UPDATE_ACCESS, {"input": {"userId": user["id"], "supportAccess": False,
                                                     "productSpaceIds": [to_global_id("ProductSpace", demo.PRODUCT_CARRUS)]}})
    support = colleague.data("{ me { support { state blockers { code } } } }")["me"]["support"]

    assert updated["updateUserAccess"]["user"]["usageRights"] == {
        "supportAccess": False, "allProductSpaces": False,
        "productSpaceIds": [to_global_id("ProductSpace", demo.PRODUCT_CARRUS)]}
    assert support["state"] in ("DISABLED", "UNKNOWN")
    assert "NO_USER_RIGHT" in [blocker["code"] for blocker in support["blockers"]]


def test_role_change_is_audited(system):
    admin = signed_in(system, "aroux@eksae.example.fr")
    user, _colleague = invite_colleague(system, admin, organisationId=to_global_id("Organisation", demo.ORG_VALLEE))

    admin.data(UPDATE_ACCESS, {"input": {"userId": user["id"], "role": "CUSTOMER_MANAGER"}})
    log = admin.data("""query($user: ID!) { securityAuditLog(first: 10, userId: $user, actions: [ROLE_CHANGED]) {
        edges { node { action details actor { email } } } } }""", {"user": user["id"]})["securityAuditLog"]

    node = log["edges"][0]["node"]
    assert node["actor"] == {"email": "aroux@eksae.example.fr"}
    assert '"new_role": "customer_manager"' in node["details"]


def test_deactivated_user_is_signed_out_and_refused(system):
    manager = signed_in(system, "mleroy@example.fr")
    user, colleague = invite_colleague(system, manager)

    manager.data(DEACTIVATE, {"input": {"userId": user["id"]}})

    assert error_codes(colleague.execute("{ me { role } }")) == ["UNAUTHENTICATED"]
    refused = system.client().execute("""mutation($input: LoginInput!) { login(input: $input) { mustChangePassword } }""",
                                      {"input": {"email": user["email"], "password": PASSWORD}})
    assert error_codes(refused) == ["UNAUTHENTICATED"]


def test_update_my_profile_changes_own_details_only(system):
    manager = signed_in(system, "mleroy@example.fr")
    _user, colleague = invite_colleague(system, manager)

    changed = colleague.data("""mutation { updateMyProfile(input: {lastName: "Nouveau-Nom", phone: "",
        language: "en"}) { user { lastName phone language role } } }""")["updateMyProfile"]["user"]
    invalid = colleague.execute("""mutation { updateMyProfile(input: {language: "de"}) { user { language } } }""")

    assert changed == {"lastName": "Nouveau-Nom", "phone": None, "language": "en", "role": "CUSTOMER"}
    assert error_codes(invalid) == ["VALIDATION_FAILED"]
    assert invalid["errors"][0]["message"] == "The account has invalid fields."


def test_users_search_matches_name_and_email(system):
    admin = signed_in(system, "aroux@eksae.example.fr")

    by_name = admin.data('{ users(first: 10, search: "LEROY") { edges { node { email } } } }')["users"]
    by_wildcard = admin.data('{ users(first: 10, search: "%") { totalCount } }')["users"]

    assert [edge["node"]["email"] for edge in by_name["edges"]] == ["mleroy@example.fr"]
    assert by_wildcard["totalCount"] == 0
