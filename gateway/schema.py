"""Compose one graphene schema from the services' plugins."""
from __future__ import annotations

from pathlib import Path

import graphene
from graphql import print_schema

from gateway.plugins import GraphQLPlugin, discover_plugins

SCHEMA_FILE = Path(__file__).resolve().parent / "schema.graphql"


def build_schema(plugins: list[GraphQLPlugin] | None = None) -> graphene.Schema:
    plugins = discover_plugins() if plugins is None else plugins
    query_bases = tuple(plugin.query for plugin in plugins if plugin.query is not None)
    mutation_bases = tuple(plugin.mutation for plugin in plugins if plugin.mutation is not None)

    query = type("Query", query_bases + (graphene.ObjectType,), {
        "__doc__": "Entry points for reading data.",
        "node": graphene.relay.Node.Field(description="Fetch any object that has a global id."),
    })
    mutation = None
    if mutation_bases:
        mutation = type("Mutation", mutation_bases + (graphene.ObjectType,), {
            "__doc__": "Entry points for changing data; each takes one `input` argument.",
        })
    extra_types = [t for plugin in plugins for t in plugin.types]
    return graphene.Schema(query=query, mutation=mutation, types=extra_types or None, auto_camelcase=True)


def schema_sdl(schema: graphene.Schema) -> str:
    return print_schema(schema.graphql_schema) + "\n"


def main() -> None:
    """Write the schema to gateway/schema.graphql: `python -m gateway.schema`."""
    SCHEMA_FILE.write_text(schema_sdl(build_schema()), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")


if __name__ == "__main__":
    main()
