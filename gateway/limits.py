"""Validation rules that bound the work one GraphQL request can ask for.

Depth is limited by graphene's `depth_limit_validator`; this module adds a cost limit. A field costs
one, and the fields under a list argument `first`/`last` cost that many times over, so that a query
asking for 100 tickets with 100 messages each is refused before any service is called.
"""
from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode, IntValueNode, OperationDefinitionNode,
    SelectionSetNode, ValidationContext, ValidationRule, VariableNode,
)

MAX_COST = 10_000
# Page size assumed when `first` is a variable, whose value validation cannot see: the API's cap.
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


def selection_cost(context: ValidationContext, selection_set: SelectionSetNode | None,
                   variables: dict[str, Any], seen_fragments: frozenset[str] = frozenset()) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            children = selection_cost(context, selection.selection_set, variables, seen_fragments)
            total += 1 + children * _multiplier(selection, variables)
        elif isinstance(selection, InlineFragmentNode):
            total += selection_cost(context, selection.selection_set, variables, seen_fragments)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = context.get_fragment(name)
            # A fragment cycle is reported by graphql-core's own rule; count each fragment once per path.
            if fragment is not None and name not in seen_fragments:
                total += selection_cost(context, fragment.selection_set, variables, seen_fragments | {name})
    return total


def cost_limit_rule(variables: dict[str, Any], max_cost: int = MAX_COST) -> type[ValidationRule]:
    class CostLimitRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
            cost = selection_cost(self.context, node.selection_set, variables)
            if cost > max_cost:
                self.report_error(GraphQLError(
                    f"Query cost {cost} exceeds the maximum of {max_cost}; request fewer items per page "
                    "or fewer nested lists.", node))

    return CostLimitRule
