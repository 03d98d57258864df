"""Parsed and validated GraphQL documents, kept by query text.

Clients send the same few query texts over and over (the portal's pages, an integration's report),
and parsing plus validation cost about as much as executing a small query. Validation depends only
on the text and the schema, so its outcome is kept. The cost limit depends on the variables, so it
is checked on every request (`gateway.limits.cost_errors`).
"""
from __future__ import annotations

import functools

from graphene.validation import depth_limit_validator
from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, specified_rules, validate

MAX_QUERY_DEPTH = 12
CACHED_DOCUMENTS = 512
# Longer texts are prepared each time: the cache must not be filled with a client's huge documents.
MAX_CACHED_QUERY_LENGTH = 20_000

RULES = (*specified_rules, depth_limit_validator(max_depth=MAX_QUERY_DEPTH))


def prepare(schema: GraphQLSchema, query: str) -> tuple[DocumentNode | None, tuple[GraphQLError, ...]]:
    """Return the parsed document and its validation errors; the document is None when parsing failed."""
    if len(query) > MAX_CACHED_QUERY_LENGTH:
        return _prepare(schema, query)
    return _prepare_cached(schema, query)


@functools.lru_cache(maxsize=CACHED_DOCUMENTS)
def _prepare_cached(schema: GraphQLSchema, query: str) -> tuple[DocumentNode | None, tuple[GraphQLError, ...]]:
    return _prepare(schema, query)


def _prepare(schema: GraphQLSchema, query: str) -> tuple[DocumentNode | None, tuple[GraphQLError, ...]]:
    try:
        document = parse(query)
    except GraphQLError as error:
        return None, (error,)
    return document, tuple(validate(schema, document, RULES))
