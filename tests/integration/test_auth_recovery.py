"""Forgotten password: the same response for every e-mail, single-use links bound to the current password."""
import pytest

from tests.integration.auth_helpers import (CHANGE_PASSWORD, DEMO_PASSWORD, AuthEvents, error_codes,
                                            run_sql)

pytestmark = pytest.mark.integration

REQUEST = """mutation($input: RequestPasswordResetInput!) { requestPasswordReset(input: $input) { message } }"""
COMPLETE = """mutation($input: CompletePasswordResetInput!) { completePasswordReset(input: $input) { email } }"""
NEW_PASSWORD = "Reinitialise-2026!?"


@pytest.fixture
def events(system):
    listener = AuthEvents(system.vhost.amqp_uri, "password_reset_requested", "password_changed")
    yield listener
    listener.close()


def request_reset_token(system, events, email):
    system.client().data(REQUEST, {"input": {"email": email}})
    envelope = events.wait_for(lambda e: e["event_type"] == "password_reset_requested"
                               and e["data"]["email"] == email)
    return envelope["data"]["token"]


def test_request_reset_answers_alike_for_unknown_email(system, events):
    client = system.client()

    known = client.data(REQUEST, {"input": {"email": "pmartin@vallee-du-lys.example.fr"}})
    unknown = system.client().data(REQUEST, {"input": {"email": "inconnu-reset@example.fr"}})

    assert known == unknown
    assert "Si un compte correspond" in known["requestPasswordReset"]["message"]
    sent = events.wait_for(lambda e: e["event_type"] == "password_reset_requested")
    assert sent["data"]["email"] == "pmartin@vallee-du-lys.example.fr"
    assert sent["data"]["url"] == f"{system.base_url}/mot-de-passe/reinitialiser?token={sent['data']['token']}"
    assert all(e["data"].get("email") != "inconnu-reset@example.fr" for e in events.drain(1.5))


def test_reset_token_works_once_and_ends_sessions(system, events):
    email = "lpetit@eksae.example.fr"
    signed_in = system.client()
    signed_in.login(email, DEMO_PASSWORD)
    token = request_reset_token(system, events, email)

    done = system.client().data(COMPLETE, {"input": {"token": token, "newPassword": NEW_PASSWORD}})
    again = system.client().execute(COMPLETE, {"input": {"token": token, "newPassword": "Encore-Autre-2026!?"}})

    assert done["completePasswordReset"]["email"] == email
    assert error_codes(again) == ["VALIDATION_FAILED"]
    assert "lien n'est plus valable" in again["errors"][0]["message"]
    assert error_codes(signed_in.execute("{ me { role } }")) == ["UNAUTHENTICATED"]
    assert system.client().login(email, NEW_PASSWORD)["user"]["email"] == email
    changed = events.wait_for(lambda e: e["event_type"] == "password_changed" and e["data"]["email"] == email)
    assert "token" not in changed["data"]
    restore = system.client()
    restore.login(email, NEW_PASSWORD)
    restore.data(CHANGE_PASSWORD, {"input": {"currentPassword": NEW_PASSWORD, "newPassword": DEMO_PASSWORD}})


def test_reset_token_dies_when_password_changes(system, events):
    email = "cbernard@eksae.example.fr"
    token = request_reset_token(system, events, email)
    client = system.client()
    client.login(email, DEMO_PASSWORD)
    client.data(CHANGE_PASSWORD, {"input": {"currentPassword": DEMO_PASSWORD, "newPassword": NEW_PASSWORD}})

    body = system.client().execute(COMPLETE, {"input": {"token": token, "newPassword": "Encore-Autre-2026!?"}})

    assert error_codes(body) == ["VALIDATION_FAILED"]
    client.data(CHANGE_PASSWORD, {"input": {"currentPassword": NEW_PASSWORD, "newPassword": DEMO_PASSWORD}})


def test_reset_token_expires_after_one_hour(system, events):
    email = "mleroy@example.fr"
    token = request_reset_token(system, events, email)
    run_sql(system, "UPDATE password_token SET created_at = created_at - interval '1 hour', "
                    "expires_at = expires_at - interval '1 hour'" if system.databases.backend == "postgresql" else
            "UPDATE password_token SET expires_at = datetime('now', '-1 minute')")

    body = system.client().execute(COMPLETE, {"input": {"token": token, "newPassword": NEW_PASSWORD}})

    assert error_codes(body) == ["VALIDATION_FAILED"]


def test_reset_weak_password_keeps_token(system, events):
    email = "aroux@eksae.example.fr"
    token = request_reset_token(system, events, email)

    weak = system.client().execute(COMPLETE, {"input": {"token": token, "newPassword": "court"}})

    assert error_codes(weak) == ["VALIDATION_FAILED"]
    codes = [field["code"] for field in weak["errors"][0]["extensions"]["fields"]]
    assert codes == ["TOO_SHORT", "MISSING_UPPERCASE", "MISSING_DIGIT", "MISSING_SPECIAL"]
    system.client().data(COMPLETE, {"input": {"token": token, "newPassword": DEMO_PASSWORD + "x"}})
    restore = system.client()
    restore.login(email, DEMO_PASSWORD + "x")
    restore.data(CHANGE_PASSWORD, {"input": {"currentPassword": DEMO_PASSWORD + "x", "newPassword": DEMO_PASSWORD}})


def test_request_reset_is_rate_limited_per_email(system):
    email = "limite-reset@example.fr"
    for _ in range(3):
        system.rpc("auth", "request_password_reset", email=email, client_ip="198.51.100.20")

    with pytest.raises(Exception) as raised:
        system.rpc("auth", "request_password_reset", email=email, client_ip="198.51.100.21")

    assert raised.value.exc_type == "TooManyAttempts"
