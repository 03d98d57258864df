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


@pytest.mark.parametrize("content, headers, expected", [
    (b"query=%7B+__typename+%7D", {"content-type": "application/x-www-form-urlencoded"},
     "ce n'est pas du JSON (ligne 1, colonne 1)"),
    (b'{"variables": {}}', {"content-type": "application/json"}, "« query » est un texte"),
    (b'{"query": "{ __typename }", "variables": [1]}', {"content-type": "application/json"}, "« variables »"),
    (b'["{ __typename }"]', {"content-type": "application/json"}, "« query » est un texte"),
])
def test_malformed_graphql_body_rejected_in_french(system, content, headers, expected):
    response = httpx.post(f"{system.base_url}/graphql", content=content, headers=headers)

    body = response.json()
    assert response.status_code == 400
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert expected in body["errors"][0]["message"]


def test_malformed_graphql_body_rejected_in_english(system):
    response = httpx.post(f"{system.base_url}/graphql", content=b"not json",
                          headers={"content-type": "application/json", "accept-language": "en"})

    assert response.json()["errors"][0]["message"].startswith("Invalid request body: not JSON (line 1, column 1)")
