"""Signing in and out through the gateway, the first-sign-in lock and password changes."""
import json

import pytest

from services.auth.demo import DEMO_PASSWORD

pytestmark = pytest.mark.integration

LOGIN = """mutation($input: LoginInput!) { login(input: $input) { user { id email role } mustChangePassword } }"""
ME = """{ me { role mustChangePassword user { email displayName organisation { name } }
          organisation { name kind } usageRights { allProductSpaces supportAccess }
          support { state blockers { code message } } } }"""
CHANGE_PASSWORD = """mutation($input: ChangePasswordInput!) { changePassword(input: $input) { user { email } } }"""
MY_SESSIONS = "{ mySessions { id current rememberMe } }"
NEW_PASSWORD = "Nouveau-Mot2passe!"


def error_codes(body: dict) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def test_login_succeeds_with_demo_password(system):
    client = system.client()

    result = client.login("MLeroy@Example.fr", DEMO_PASSWORD)

    assert result["user"]["email"] == "mleroy@example.fr"
    assert result["user"]["role"] == "CUSTOMER_MANAGER"
    assert result["mustChangePassword"] is False
    me = client.data(ME)["me"]
    assert me["user"]["displayName"] == "Marie Leroy"
    assert me["organisation"] == {"name": "Ville de Saint-Aubin", "kind": "CUSTOMER"}
    assert me["usageRights"] == {"allProductSpaces": True, "supportAccess": True}


def test_login_fails_alike_for_unknown_email(system):
    client = system.client()

    wrong_password = client.execute(LOGIN, {"input": {"email": "pmartin@vallee-du-lys.example.fr",
                                                      "password": "Mauvais-mot-de-passe-1!"}})
    unknown_email = client.execute(LOGIN, {"input": {"email": "personne@example.fr", "password": DEMO_PASSWORD}})

    assert error_codes(wrong_password) == ["UNAUTHENTICATED"]
    assert error_codes(unknown_email) == ["UNAUTHENTICATED"]
    assert wrong_password["errors"][0]["message"] == unknown_email["errors"][0]["message"]
    assert wrong_password["errors"][0]["message"] == "Adresse e-mail ou mot de passe incorrect."
    assert "portail_session" not in client.http.cookies


def test_login_sets_browser_session_cookie_without_remember_me(system):
    client = system.client()

    response = client.http.post("/graphql", json={"query": LOGIN, "variables": {"input": {
        "email": "cbernard@eksae.example.fr", "password": DEMO_PASSWORD}}})

    cookie = response.headers["set-cookie"]
    assert cookie.startswith("portail_session=")
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert "max-age" not in cookie.lower()


def test_login_with_remember_me_keeps_cookie_thirty_days(system):
    client = system.client()

    response = client.http.post("/graphql", json={"query": LOGIN, "variables": {"input": {
        "email": "cbernard@eksae.example.fr", "password": DEMO_PASSWORD, "rememberMe": True}}})

    assert "max-age=2592000" in response.headers["set-cookie"].lower()


def test_logout_ends_session(system):
    client = system.client()
    client.login("lpetit@eksae.example.fr", DEMO_PASSWORD)
    token = client.http.cookies["portail_session"]

    client.data("mutation { logout(input: {}) { signedOut } }")

    assert system.rpc("auth", "authenticate_session", token=token) is None
    assert error_codes(client.execute(ME)) == ["UNAUTHENTICATED"]


def test_first_login_requires_password_change_then_reaches_portal(system):
    client = system.client()

    result = client.login("jdupont@example.fr", "EKSjt2020#.")

    assert result["mustChangePassword"] is True
    assert client.data(ME)["me"]["mustChangePassword"] is True
    assert error_codes(client.execute("{ news(first: 1) { totalCount } }")) == ["PASSWORD_CHANGE_REQUIRED"]
    assert error_codes(client.execute(MY_SESSIONS)) == ["PASSWORD_CHANGE_REQUIRED"]

    rejected = client.execute(CHANGE_PASSWORD, {"input": {"currentPassword": "EKSjt2020#.",
                                                          "newPassword": "jdupont"}})
    assert error_codes(rejected) == ["VALIDATION_FAILED"]
    messages = {field["code"]: field["message"] for field in rejected["errors"][0]["extensions"]["fields"]}
    assert set(messages) == {"TOO_SHORT", "MISSING_UPPERCASE", "MISSING_DIGIT", "MISSING_SPECIAL",
                             "CONTAINS_EMAIL"}
    assert messages["TOO_SHORT"] == "Au moins 12 caractères."

    client.data(CHANGE_PASSWORD, {"input": {"currentPassword": "EKSjt2020#.", "newPassword": NEW_PASSWORD}})

    assert client.data(ME)["me"]["mustChangePassword"] is False
    assert len(client.data(MY_SESSIONS)["mySessions"]) == 1
    assert system.client().login("jdupont@example.fr", NEW_PASSWORD)["mustChangePassword"] is False
    old = system.client().execute(LOGIN, {"input": {"email": "jdupont@example.fr", "password": "EKSjt2020#."}})
    assert error_codes(old) == ["UNAUTHENTICATED"]


def test_change_password_ends_other_sessions(system):
    first, second = system.client(), system.client()
    first.login("aroux@eksae.example.fr", DEMO_PASSWORD)
    second.login("aroux@eksae.example.fr", DEMO_PASSWORD)

    first.data(CHANGE_PASSWORD, {"input": {"currentPassword": DEMO_PASSWORD, "newPassword": NEW_PASSWORD}})

    assert error_codes(second.execute(ME)) == ["UNAUTHENTICATED"]
    assert first.data(ME)["me"]["user"]["email"] == "aroux@eksae.example.fr"
    first.data(CHANGE_PASSWORD, {"input": {"currentPassword": NEW_PASSWORD, "newPassword": DEMO_PASSWORD}})


def test_change_password_rejects_wrong_current_password(system):
    client = system.client()
    client.login("pmartin@vallee-du-lys.example.fr", DEMO_PASSWORD)

    body = client.execute(CHANGE_PASSWORD, {"input": {"currentPassword": "pas-le-bon", "newPassword": NEW_PASSWORD}})

    assert error_codes(body) == ["VALIDATION_FAILED"]
    assert body["errors"][0]["extensions"]["fields"][0]["field"] == "currentPassword"


def test_me_reports_unknown_support_when_catalog_cannot_answer(system):
    client = system.client()
    client.login("pmartin@vallee-du-lys.example.fr", DEMO_PASSWORD)

    support = client.data(ME)["me"]["support"]

    # The catalog either returns the contract's verdict (hosting only, so no support) or does not reply.
    assert support["state"] in ("DISABLED", "UNKNOWN")
    assert support["blockers"]


def test_me_reports_support_enabled_for_agents(system):
    client = system.client()
    client.login("cbernard@eksae.example.fr", DEMO_PASSWORD)

    assert client.data(ME)["me"]["support"] == {"state": "ENABLED", "blockers": []}


def test_login_rejects_cross_site_form(system):
    client = system.client()
    query = ('mutation { login(input: {email: "cbernard@eksae.example.fr", password: "%s"}) '
             '{ mustChangePassword } }' % DEMO_PASSWORD)

    response = client.http.post("/graphql", content=json.dumps({"query": query}),
                                headers={"content-type": "text/plain", "origin": "https://evil.example"})

    assert error_codes(response.json()) == ["FORBIDDEN"]
    assert "portail_session" not in response.headers.get("set-cookie", "")


def test_change_password_rejects_current_password_as_new(system):
    client = system.client()
    client.login("pmartin@vallee-du-lys.example.fr", DEMO_PASSWORD)

    body = client.execute(CHANGE_PASSWORD, {"input": {"currentPassword": DEMO_PASSWORD, "newPassword": DEMO_PASSWORD}})

    assert error_codes(body) == ["VALIDATION_FAILED"]
    assert body["errors"][0]["extensions"]["fields"][0]["code"] == "SAME_AS_CURRENT"


def test_login_again_replaces_previous_session(system):
    client = system.client()
    client.login("lpetit@eksae.example.fr", DEMO_PASSWORD)
    first_token = client.http.cookies["portail_session"]

    client.login("lpetit@eksae.example.fr", DEMO_PASSWORD)

    assert client.http.cookies["portail_session"] != first_token
    assert system.rpc("auth", "authenticate_session", token=first_token) is None
    assert client.data(ME)["me"]["user"]["email"] == "lpetit@eksae.example.fr"
