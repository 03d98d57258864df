"""GraphQL plugins: each service contributes its types, queries and mutations.

A plugin is found through the `portail.graphql_plugins` entry point group, so a new service adds a
line to its package metadata and never edits the gateway.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "portail.graphql_plugins"


@dataclass(frozen=True)
class GraphQLPlugin:
    """What a service adds to the schema: ObjectType classes whose fields are merged in."""

    name: str
    query: type | None = None
    mutation: type | None = None
    types: list[Any] = field(default_factory=list)
    rpc_service: str | None = None
    # Starlette routes the plugin serves itself (attachment streaming, exports).
    routes: list[Any] = field(default_factory=list)


def discover_plugins() -> list[GraphQLPlugin]:
    plugins = []
    for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
        plugin = entry_point.load()
        if not isinstance(plugin, GraphQLPlugin):
            raise TypeError(f"entry point {entry_point.name} must point to a GraphQLPlugin, got {type(plugin)!r}")
        plugins.append(plugin)
        logger.info("GraphQL plugin %s loaded", plugin.name)
    return plugins
