"""Depth and cost limits refuse oversized queries before any service is called."""
import pytest
from graphql import parse, specified_rules, validate

from gateway.limits import cost_errors
from gateway.schema import build_schema

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def schema():
    return build_schema().graphql_schema


def errors_for(schema, query, variables=None, max_cost=10_000):
    document = parse(query)
    return validate(schema, document, specified_rules) + cost_errors(document, variables or {}, max_cost)


def test_small_query_accepted(schema):
    assert errors_for(schema, "{ news(first: 10) { edges { node { id title } } } }") == []


def test_page_size_multiplies_nested_cost(schema):
    query = "{ news(first: 50) { edges { node { id title summary } } } }"

    errors = errors_for(schema, query, max_cost=100)

    assert len(errors) == 1
    assert "exceeds the maximum of 100" in errors[0].message


def test_variable_page_size_counts_its_value(schema):
    query = "query($n: Int) { news(first: $n) { edges { node { id } } } }"

    assert errors_for(schema, query, {"n": 10}, max_cost=100) == []
    assert errors_for(schema, query, {"n": 90}, max_cost=100) != []


def test_fragments_are_counted(schema):
    query = """
      { a: news(first: 100) { ...page } b: news(first: 100) { ...page } }
      fragment page on NewsArticleConnection { edges { node { id title summary bodyHtml } } }
    """

    assert errors_for(schema, query, max_cost=1000) != []
