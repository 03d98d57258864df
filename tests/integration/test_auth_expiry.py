"""Time limits: idle browser sessions, remembered sessions, initial passwords and API tokens."""
import pytest

from tests.integration.auth_helpers import DEMO_PASSWORD, error_codes, run_sql

pytestmark = pytest.mark.integration

ME = "{ me { role } }"


def hours_ago(system, hours):
    if system.databases.backend == "postgresql":
        return f"now() - interval '{hours} hours'"
    return f"datetime('now', '-{hours} hours')"


def session_token(client):
    return client.http.cookies["portail_session"]


def test_browser_session_ends_after_twelve_idle_hours(system):
    client = system.client()
    client.login("cbernard@eksae.example.fr", DEMO_PASSWORD)
    token = session_token(client)

    run_sql(system, f"UPDATE user_session SET last_seen_at = {hours_ago(system, 11)} "
                    "WHERE remember_me = false AND revoked_at IS NULL")
    still_open = client.execute(ME)
    run_sql(system, f"UPDATE user_session SET last_seen_at = {hours_ago(system, 13)} "
                    "WHERE remember_me = false AND revoked_at IS NULL")

    assert "errors" not in still_open
    assert error_codes(client.execute(ME)) == ["UNAUTHENTICATED"]
    assert system.rpc("auth", "authenticate_session", token=token) is None


def test_remembered_session_survives_idle_time_until_expiry(system):
    client = system.client()
    client.login("lpetit@eksae.example.fr", DEMO_PASSWORD, remember_me=True)

    run_sql(system, f"UPDATE user_session SET last_seen_at = {hours_ago(system, 48)} "
                    "WHERE remember_me = true AND revoked_at IS NULL")
    after_idle = client.execute(ME)
    run_sql(system, f"UPDATE user_session SET expires_at = {hours_ago(system, 1)} "
                    "WHERE remember_me = true AND revoked_at IS NULL")

    assert after_idle["data"]["me"]["role"] == "AGENT"
    assert error_codes(client.execute(ME)) == ["UNAUTHENTICATED"]


def test_expired_api_token_is_refused(system):
    admin = system.client()
    admin.login("aroux@eksae.example.fr", DEMO_PASSWORD)
    created = admin.data("""mutation { createApiToken(input: {name: "Expire", scopes: [NEWS_READ],
        expiresAt: "2099-01-01T00:00:00+00:00"}) { token apiToken { id expiresAt } } }""")["createApiToken"]
    bearer = system.client(token=created["token"])
    assert bearer.data(ME)["me"]["role"] == "ADMIN"

    run_sql(system, f"UPDATE api_token SET expires_at = {hours_ago(system, 1)} WHERE prefix = :prefix",
            prefix=created["token"][:10])

    assert error_codes(bearer.execute(ME)) == ["UNAUTHENTICATED"]


def test_api_token_with_past_expiry_is_rejected(system):
    admin = system.client()
    admin.login("aroux@eksae.example.fr", DEMO_PASSWORD)

    body = admin.execute("""mutation { createApiToken(input: {name: "Passé", scopes: [NEWS_READ],
        expiresAt: "2020-01-01T00:00:00+00:00"}) { token } }""")

    assert error_codes(body) == ["VALIDATION_FAILED"]
    assert body["errors"][0]["extensions"]["fields"][0]["field"] == "expiresAt"
