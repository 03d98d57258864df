"""Cookie-authenticated POSTs must come from this site."""
import pytest
from starlette.requests import Request

from gateway.app import cross_site_rejection

pytestmark = pytest.mark.unit


def make_request(headers: dict[str, str]) -> Request:
    raw = [(key.lower().encode(), value.encode()) for key, value in headers.items()]
    return Request({"type": "http", "method": "POST", "path": "/graphql", "headers": raw})


def test_json_from_same_origin_accepted():
    request = make_request({"content-type": "application/json", "host": "portail.test",
                            "origin": "http://portail.test"})

    assert cross_site_rejection(request) is None


def test_form_post_rejected():
    request = make_request({"content-type": "application/x-www-form-urlencoded", "host": "portail.test"})

    assert cross_site_rejection(request) == {"fr": "le type de contenu doit être application/json",
                                             "en": "content type must be application/json"}


def test_foreign_origin_rejected():
    request = make_request({"content-type": "application/json", "host": "portail.test",
                            "origin": "https://evil.example"})

    reason = cross_site_rejection(request)
    assert "evil.example" in reason["en"]
    assert reason["fr"].startswith("l'origine http")
