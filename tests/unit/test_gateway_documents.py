"""Documents are parsed and validated once per query text; variables still count on each request."""
import asyncio

import pytest

from gateway import documents
from gateway.app import execute_graphql
from gateway.schema import build_schema

pytestmark = pytest.mark.unit

QUERY = "query($n: Int) { news(first: $n) { edges { node { id title } } } }"


@pytest.fixture(scope="module")
def schema():
    return build_schema()


def test_same_text_is_prepared_once(schema):
    first, errors = documents.prepare(schema.graphql_schema, QUERY)
    second, _ = documents.prepare(schema.graphql_schema, QUERY)

    assert errors == ()
    assert first is second


def test_invalid_text_keeps_its_errors(schema):
    unknown_field = documents.prepare(schema.graphql_schema, "{ nosuchfield }")
    syntax = documents.prepare(schema.graphql_schema, "{ news(")

    assert unknown_field[0] is not None
    assert "nosuchfield" in unknown_field[1][0].message
    assert syntax[0] is None
    assert "Syntax Error" in syntax[1][0].message


def test_huge_text_is_not_kept(schema):
    query = "{ __typename }" + " " * documents.MAX_CACHED_QUERY_LENGTH

    first, _ = documents.prepare(schema.graphql_schema, query)
    second, _ = documents.prepare(schema.graphql_schema, query)

    assert first is not second


def test_too_deep_query_refused(schema):
    nested = "{ a " * (documents.MAX_QUERY_DEPTH + 2) + "}" * (documents.MAX_QUERY_DEPTH + 2)
    query = "{ news(first: 1) { edges { node " + nested + " } } }"

    _, errors = documents.prepare(schema.graphql_schema, query)

    assert any("exceeds maximum operation depth" in error.message for error in errors)


def test_cost_follows_the_variables_of_each_request(schema):
    # The same cached text: cheap with a small page, over the cost limit with a huge one.
    context = object()
    cheap = asyncio.run(execute_graphql(schema, QUERY, {"n": 1}, None, context))
    costly = asyncio.run(execute_graphql(schema, QUERY, {"n": 5000}, None, context))

    assert costly.data is None
    assert "exceeds the maximum" in costly.errors[0].message
    # The cheap request passed validation and reached execution (where the bare context fails).
    assert cheap.data == {"news": None}
