"""The GraphQL explorer at `GET /graphql` is served entirely by the product, without a CDN."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest
from graphql import get_introspection_query

pytestmark = pytest.mark.integration

EXTERNAL_URL = re.compile(r"https?://", re.IGNORECASE)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")
EXPECTED_CONTENT_TYPES = {".js": "javascript", ".css": "text/css"}


class AssetCollector(HTMLParser):
    """Collect the page title, its language and every `src`/`href` the page loads."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []
        self.language: str | None = None
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.language = attributes.get("lang")
        if tag == "title":
            self._in_title = True
        for name in ("src", "href"):
            if attributes.get(name):
                self.assets.append(attributes[name])  # type: ignore[arg-type]

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def fetch_page(base_url: str) -> tuple[httpx.Response, AssetCollector]:
    response = httpx.get(f"{base_url}/graphql", headers={"Accept": "text/html"})
    collector = AssetCollector()
    collector.feed(response.text)
    return response, collector


def test_explorer_page_served_in_french(system):
    response, page = fetch_page(system.base_url)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert page.language == "fr"
    assert page.title.startswith("Explorateur de l'API GraphQL"), page.title


def test_explorer_html_has_no_external_url(system):
    response, page = fetch_page(system.base_url)

    assert EXTERNAL_URL.search(response.text) is None
    for asset in page.assets:
        assert asset.startswith("/static/"), f"{asset} is not served by the product"


def test_explorer_assets_served(system):
    _response, page = fetch_page(system.base_url)

    assert len(page.assets) >= 6, page.assets
    for asset in page.assets:
        response = httpx.get(f"{system.base_url}{asset}")
        assert response.status_code == 200, asset
        expected_type = EXPECTED_CONTENT_TYPES[asset[asset.rfind("."):]]
        assert expected_type in response.headers["content-type"], (asset, response.headers["content-type"])
        assert len(response.content) > 0, asset


def test_explorer_stylesheets_load_only_inline_resources(system):
    _response, page = fetch_page(system.base_url)

    stylesheets = [asset for asset in page.assets if asset.endswith(".css")]
    assert stylesheets
    for stylesheet in stylesheets:
        css = httpx.get(f"{system.base_url}{stylesheet}").text
        assert "@import" not in css, stylesheet
        for url in CSS_URL.findall(css):
            assert url.startswith("data:"), f"{stylesheet} loads {url[:80]}"


def test_explorer_script_posts_json_with_same_origin_credentials(system):
    script = httpx.get(f"{system.base_url}/static/graphiql/explorer.js").text

    assert 'var ENDPOINT = "/graphql";' in script
    assert 'credentials: "same-origin"' in script
    assert '"Content-Type": "application/json"' in script


def test_explorer_introspection_query_succeeds(system):
    # GraphiQL 3 sends this introspection query on load, with the optional parts it requests when the
    # `inputValueDeprecation` and `schemaDescription` props are set.
    query = get_introspection_query(descriptions=True, input_value_deprecation=True, schema_description=True)

    response = httpx.post(f"{system.base_url}/graphql", json={"query": query, "operationName": "IntrospectionQuery"},
                          headers={"Origin": system.base_url})

    body = response.json()
    assert response.status_code == 200
    assert "errors" not in body, body.get("errors")
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"
