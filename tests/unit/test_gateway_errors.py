"""How service exceptions and transport failures become GraphQL errors."""
import pytest
from graphql import GraphQLError

from gateway.errors import GatewayError, format_error, to_gateway_error
from gateway.rpc import RemoteError, RpcTimeout, ServiceUnavailable
from services.auth.exceptions import InvalidSecondFactorCode
from services.news.exceptions import ArticleNotFound, InvalidArticle

pytestmark = pytest.mark.unit


def remote(exc: Exception) -> RemoteError:
    cls = type(exc)
    return RemoteError("news", "get_news", {
        "exc_type": cls.__name__, "exc_path": f"{cls.__module__}.{cls.__name__}",
        "exc_args": list(exc.args), "value": str(exc),
    })


def test_remote_not_found_maps_to_not_found_code():
    error = to_gateway_error(remote(ArticleNotFound()))

    assert error is not None
    assert error.code == "NOT_FOUND"
    assert error.message["fr"] == "Actualité introuvable."


def test_remote_validation_keeps_fields():
    fields = [{"field": "title", "code": "REQUIRED", "message": {"fr": "Le titre est obligatoire.", "en": "x"}}]
    error = to_gateway_error(remote(InvalidArticle(fields=fields)))

    assert error is not None
    assert error.code == "VALIDATION_FAILED"
    assert error.fields == fields


def test_remote_exception_outside_project_is_internal():
    unknown = RemoteError("news", "list_news", {"exc_type": "KeyError", "exc_path": "builtins.KeyError",
                                                "exc_args": ["secret"], "value": "'secret'"})

    assert to_gateway_error(unknown) is None


def test_transport_failures_have_stable_codes():
    assert to_gateway_error(ServiceUnavailable("tickets", "down")).code == "SERVICE_UNAVAILABLE"
    assert to_gateway_error(RpcTimeout("tickets", "create_ticket", 3)).code == "TIMEOUT"


def test_format_error_masks_internal_details():
    error = GraphQLError("boom", original_error=KeyError("database password"), path=["news"])

    formatted = format_error(error, "fr", "req123")

    assert formatted["extensions"]["code"] == "INTERNAL"
    assert "password" not in formatted["message"]
    assert formatted["extensions"]["requestId"] == "req123"


def test_format_error_picks_english_when_asked():
    original = GatewayError("NOT_FOUND", {"fr": "Introuvable.", "en": "Not found."},
                            [{"field": "id", "code": "INVALID_ID", "message": {"fr": "Id invalide.", "en": "Bad id."}}])
    formatted = format_error(GraphQLError("x", original_error=original), "en", "r")

    assert formatted["message"] == "Not found."
    assert formatted["extensions"]["fields"] == [{"field": "id", "code": "INVALID_ID", "message": "Bad id."}]


def test_exception_with_own_code_keeps_it():
    error = to_gateway_error(remote(InvalidSecondFactorCode()))

    assert error is not None
    assert error.code == "INVALID_SECOND_FACTOR_CODE"
    assert error.fields[0]["field"] == "code"
