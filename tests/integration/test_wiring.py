"""The system starts, every service answers over the broker, and the gateway composes the schema."""
import httpx
import pytest

pytestmark = pytest.mark.integration


def test_readyz_reports_every_service(system):
    response = httpx.get(f"{system.base_url}/readyz")

    body = response.json()
    assert response.status_code == 200, body
    assert body["broker"] == "ok"
    assert sorted(body["services"]) == ["auth", "catalog", "news", "notify", "tickets"]


def test_healthz_answers_without_broker_calls(system):
    response = httpx.get(f"{system.base_url}/healthz")

    assert response.json() == {"status": "ok"}


def test_news_without_session_is_unauthenticated_in_french(system):
    body = system.client().execute("{ news(first: 5) { totalCount } }")

    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["errors"][0]["message"] == "Veuillez vous connecter."
