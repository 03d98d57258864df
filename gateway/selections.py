"""Field names a query selects below the field being resolved, read from the request's document."""
from __future__ import annotations

from typing import Any, Iterable

from graphql import FieldNode, FragmentSpreadNode, GraphQLResolveInfo, InlineFragmentNode, SelectionSetNode


def _fields(selection_set: SelectionSetNode | None, fragments: dict[str, Any], seen: frozenset[str]
            ) -> Iterable[FieldNode]:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set, fragments, seen | {selection.name.value})


def selected_fields(info: GraphQLResolveInfo, *path: str) -> set[str]:
    """Return the names of the fields selected at `path` below the current field.

    `selected_fields(info, "edges", "node")` on a connection gives the fields asked of each node,
    through fragments and aliases alike.
    """
    levels = [node.selection_set for node in info.field_nodes]
    for name in path:
        levels = [field.selection_set for selection_set in levels
                  for field in _fields(selection_set, info.fragments, frozenset()) if field.name.value == name]
    return {field.name.value for selection_set in levels
            for field in _fields(selection_set, info.fragments, frozenset())}
