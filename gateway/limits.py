"""Validation rules that bound the work one GraphQL request can ask for.

Depth is limited by graphene's `depth_limit_validator`; this module adds a cost limit. A field costs
one, and the fields under a list argument `first`/`last` cost that many times over, so that a query
asking for 100 tickets with 100 messages each is refused before any service is called.
"""
from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode, FieldNode, FragmentDefinitionNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode,
    IntValueNode, OperationDefinitionNode, SelectionSetNode, VariableNode,
)

MAX_COST = 10_000
# Page size assumed when `first` is a variable whose value is missing or not an integer: the API's cap.
ASSUMED_PAGE_SIZE = 100


def _multiplier(field: FieldNode, variables: dict[str, Any]) -> int:
    for argument in field.arguments or ():
        if argument.name.value not in ("first", "last"):
            continue
        if isinstance(argument.value, IntValueNode):
            return max(1, int(argument.value.value))
        if isinstance(argument.value, VariableNode):
            value = variables.get(argument.value.name.value)
            return max(1, int(value)) if isinstance(value, int) else ASSUMED_PAGE_SIZE
    return 1


def selection_cost(fragments: dict[str, FragmentDefinitionNode], selection_set: SelectionSetNode | None,
                   variables: dict[str, Any], seen_fragments: frozenset[str] = frozenset()) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            children = selection_cost(fragments, selection.selection_set, variables, seen_fragments)
            total += 1 + children * _multiplier(selection, variables)
        elif isinstance(selection, InlineFragmentNode):
            total += selection_cost(fragments, selection.selection_set, variables, seen_fragments)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            # A fragment cycle is reported by graphql-core's own rule; count each fragment once per path.
            if fragment is not None and name not in seen_fragments:
                total += selection_cost(fragments, fragment.selection_set, variables, seen_fragments | {name})
    return total


def cost_errors(document: DocumentNode, variables: dict[str, Any], max_cost: int = MAX_COST) -> list[GraphQLError]:
    """Return an error for each operation of a validated `document` whose cost exceeds `max_cost`.

    The cost depends on the variables, so it is checked on each request, after the document's
    validation, which depends on the query text alone and is cached.
    """
    fragments = {definition.name.value: definition for definition in document.definitions
                 if isinstance(definition, FragmentDefinitionNode)}
    errors = []
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        cost = selection_cost(fragments, definition.selection_set, variables)
        if cost > max_cost:
            errors.append(GraphQLError(
                f"Query cost {cost} exceeds the maximum of {max_cost}; request fewer items per page "
                "or fewer nested lists.", definition))
    return errors
