"""News over GraphQL: audiences, the publication window, safe Markdown and the agents' writing."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from graphql_relay import to_global_id

from services.common import demo
from tests.support.system import GraphQLClient

pytestmark = pytest.mark.integration

DEMO_PASSWORD = "Portail-Demo-2026!"
CREATE = "mutation($i: CreateNewsInput!) { createNews(input: $i) { news { id status } } }"
PUBLISH = "mutation($i: PublishNewsInput!) { publishNews(input: $i) { news { id status publishAt } } }"
UPDATE = "mutation($i: UpdateNewsInput!) { updateNews(input: $i) { news { id title } } }"
ARCHIVE = "mutation($i: ArchiveNewsInput!) { archiveNews(input: $i) { news { id status } } }"
TITLES = "{ news(first: 100) { edges { node { title } } } }"


def signed_in(system: Any, email_address: str) -> GraphQLClient:
    client = system.client()
    client.login(email_address, DEMO_PASSWORD)
    return client


def titles(client: GraphQLClient) -> list[str]:
    return [edge["node"]["title"] for edge in client.data(TITLES)["news"]["edges"]]


def published(agent: GraphQLClient, **values: Any) -> dict[str, Any]:
    values.setdefault("title", f"Actualité {uuid.uuid4().hex[:8]}")
    created = agent.data(CREATE, {"i": values})["createNews"]["news"]
    return agent.data(PUBLISH, {"i": {"newsId": created["id"]}})["publishNews"]["news"]


@pytest.fixture(scope="module")
def agent(system):
    return signed_in(system, "cbernard@eksae.example.fr")


@pytest.fixture(scope="module")
def saint_aubin(system):
    return signed_in(system, "mleroy@example.fr")


@pytest.fixture(scope="module")
def vallee(system):
    return signed_in(system, "pmartin@vallee-du-lys.example.fr")


def test_scheduled_news_appears_at_its_time(agent, saint_aubin):
    publish_at = datetime.now(timezone.utc) + timedelta(seconds=4)
    item = published(agent, title="Nouveauté programmée", publishAt=publish_at.isoformat())

    assert "Nouveauté programmée" not in titles(saint_aubin)
    deadline = time.monotonic() + 20
    while "Nouveauté programmée" not in titles(saint_aubin):
        assert time.monotonic() < deadline, "the scheduled item never appeared"
        time.sleep(0.5)
    assert datetime.now(timezone.utc) >= publish_at
    assert item["status"] == "PUBLISHED"


def test_organisation_audience_reaches_that_organisation_only(agent, saint_aubin, vallee):
    published(agent, title="Réunion du club utilisateurs de la Vallée du Lys", audience="ORGANISATIONS",
              audienceOrganisationIds=[demo.ORG_VALLEE])

    assert "Réunion du club utilisateurs de la Vallée du Lys" in titles(vallee)
    assert "Réunion du club utilisateurs de la Vallée du Lys" not in titles(saint_aubin)


def test_other_audience_news_not_found(agent, saint_aubin):
    item = published(agent, title="Réservé à la Vallée", audience="ORGANISATIONS",
                     audienceOrganisationIds=[demo.ORG_VALLEE])

    body = saint_aubin.execute("query($id: ID!) { node(id: $id) { id } }", {"id": item["id"]})

    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_drafts_and_archived_news_hidden_from_customers(agent, saint_aubin):
    draft = agent.data(CREATE, {"i": {"title": "Brouillon confidentiel"}})["createNews"]["news"]
    archived = published(agent, title="Actualité retirée")
    agent.data(ARCHIVE, {"i": {"newsId": archived["id"]}})

    seen = titles(saint_aubin)

    assert draft["status"] == "DRAFT"
    assert "Brouillon confidentiel" not in seen
    assert "Actualité retirée" not in seen
    assert "Actualité retirée" in titles(agent)


def test_markdown_script_and_javascript_links_inert(agent, saint_aubin):
    item = published(agent, title="Actualité piégée",
                     bodyMarkdown="<script>alert(1)</script>\n\n[clic](javascript:alert(1)) [aide](https://example.fr)")

    body_html = saint_aubin.data("query($id: ID!) { node(id: $id) { ... on NewsArticle { bodyHtml } } }",
                                 {"id": item["id"]})["node"]["bodyHtml"]

    assert "<script" not in body_html
    assert 'href="javascript' not in body_html.lower()
    assert 'href="https://example.fr"' in body_html


def test_invalid_news_rejected_in_french_with_fields(agent):
    body = agent.execute(CREATE, {"i": {"title": "  ", "audience": "PRODUCTS"}})

    error = body["errors"][0]
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    fields = {item["field"]: item["message"] for item in error["extensions"]["fields"]}
    assert fields["title"] == "Le titre est obligatoire."
    assert "produit" in fields["audienceProductIds"]


def test_customer_cannot_write_news(saint_aubin):
    body = saint_aubin.execute(CREATE, {"i": {"title": "Fausse annonce"}})

    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_update_news_changes_title(agent, saint_aubin):
    item = published(agent, title="Titre provisoire")

    agent.data(UPDATE, {"i": {"newsId": item["id"], "title": "Titre définitif"}})

    seen = titles(saint_aubin)
    assert "Titre définitif" in seen
    assert "Titre provisoire" not in seen


def test_unknown_news_id_is_not_found(agent):
    body = agent.execute(ARCHIVE, {"i": {"newsId": to_global_id("NewsArticle", str(uuid.uuid4()))}})

    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_mark_news_read_sets_flag(agent, vallee):
    item = published(agent, title="À lire")

    vallee.data("mutation($i: MarkNewsReadInput!) { markNewsRead(input: $i) { news { read } } }",
                {"i": {"newsId": item["id"]}})

    read = vallee.data("query($id: ID!) { node(id: $id) { ... on NewsArticle { read } } }", {"id": item["id"]})
    assert read["node"]["read"] is True


def test_product_news_notifies_its_customers(agent, saint_aubin, vallee):
    title = f"Carrus : version {uuid.uuid4().hex[:6]}"
    published(agent, title=title, audience="PRODUCTS", audienceProductIds=[demo.PRODUCT_CARRUS])
    query = "{ notifications(first: 50) { edges { node { title } } } }"

    def notified(client: GraphQLClient) -> bool:
        return any(title in edge["node"]["title"] for edge in client.data(query)["notifications"]["edges"])

    # notify requests the organisations that use Carrus from the catalog, without a caller of its own.
    deadline = time.monotonic() + 30
    while not notified(saint_aubin):
        assert time.monotonic() < deadline, "Saint-Aubin, a Carrus customer, was never notified"
        time.sleep(0.5)
    assert not notified(vallee)
