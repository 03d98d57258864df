"""Compose one graphene schema from the services' plugins, and keep its SDL under version control.

`python -m gateway.schema` writes gateway/schema.graphql. `python -m gateway.schema --breaking OLD`
lists the breaking changes between the schema file OLD (the previous release's) and the running one.
"""
from __future__ import annotations

import argparse
import inspect
import sys
from typing import Any
from pathlib import Path

import graphene
from graphql import build_schema as build_sdl_schema
from graphql import GraphQLObjectType, find_breaking_changes, get_named_type, print_schema
from graphql_relay import from_global_id

from gateway.plugins import GraphQLPlugin, discover_plugins

SCHEMA_FILE = Path(__file__).resolve().parent / "schema.graphql"


def build_schema(plugins: list[GraphQLPlugin] | None = None) -> graphene.Schema:
    plugins = discover_plugins() if plugins is None else plugins
    query_bases = tuple(plugin.query for plugin in plugins if plugin.query is not None)
    mutation_bases = tuple(plugin.mutation for plugin in plugins if plugin.mutation is not None)

    query = type("Query", query_bases + (graphene.ObjectType,), {
        "__doc__": "Entry points for reading data.",
        "node": graphene.Field(graphene.relay.Node, description="Fetch any object that has a global id.",
                               id=graphene.ID(required=True, description="The object's global id."),
                               resolver=resolve_node),
    })
    mutation = None
    if mutation_bases:
        mutation = type("Mutation", mutation_bases + (graphene.ObjectType,), {
            "__doc__": "Entry points for changing data; each takes one `input` argument.",
        })
    extra_types = [t for plugin in plugins for t in plugin.types]
    schema = graphene.Schema(query=query, mutation=mutation, types=extra_types or None, auto_camelcase=True)
    describe_mutation_inputs(schema)
    tag_aware_type_checks(schema)
    return schema


NODE_TYPE_KEY = "_type"


async def resolve_node(root: Any, info: Any, id: str) -> Any:
    """Fetch a node and tag a dict result with the type named in its global id.

    Services return plain dicts, so without the tag the `Node` interface would have to guess the
    type from the dict's keys, and a plugin's loose guess could claim another plugin's object.
    """
    if not _names_node_type(info, id):
        # A malformed id matches no object, so it gets null rather than graphene's internal error.
        return None
    result = graphene.relay.Node.get_node_from_global_id(info, id)
    if inspect.isawaitable(result):
        result = await result
    if isinstance(result, dict):
        type_name, _ = from_global_id(id)
        result = {**result, NODE_TYPE_KEY: type_name}
    return result


def _names_node_type(info: Any, global_id: str) -> bool:
    """Tell whether `global_id` decodes to an id of an object type that implements `Node`."""
    try:
        type_name, raw_id = from_global_id(global_id)
    except (TypeError, ValueError):
        return False
    graphql_type = info.schema.get_type(type_name) if type_name and raw_id else None
    graphene_type = getattr(graphql_type, "graphene_type", None)
    return graphene_type is not None and graphene.relay.Node in getattr(graphene_type._meta, "interfaces", ())


def tag_aware_type_checks(schema: graphene.Schema) -> None:
    """Make every object type accept a dict tagged for it and reject one tagged for another type."""
    for graphql_type in schema.graphql_schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        original = graphql_type.is_type_of
        if original is None:
            continue

        def is_type_of(root: Any, info: Any, name: str = graphql_type.name, fallback: Any = original) -> Any:
            if isinstance(root, dict) and NODE_TYPE_KEY in root:
                return root[NODE_TYPE_KEY] == name
            return fallback(root, info)

        graphql_type.is_type_of = is_type_of


def describe_mutation_inputs(schema: graphene.Schema) -> None:
    """Give every mutation's `input` argument a description when its plugin left it empty.

    Every mutation takes exactly one `input`, so a generic text followed by the input type's own
    description is enough.
    """
    mutation_type = schema.graphql_schema.mutation_type
    if mutation_type is None:
        return
    for field_name, field in mutation_type.fields.items():
        argument = field.args.get("input")
        if argument is not None and not argument.description:
            input_type = get_named_type(argument.type)
            argument.description = (f"The fields of `{field_name}`. " + (input_type.description or "")).strip()


def schema_sdl(schema: graphene.Schema) -> str:
    return print_schema(schema.graphql_schema) + "\n"


def breaking_changes(old_sdl: str, schema: graphene.Schema) -> list[str]:
    """Describe each change of `schema` that can break a client written against `old_sdl`."""
    changes = find_breaking_changes(build_sdl_schema(old_sdl), schema.graphql_schema)
    return [f"{change.type.name}: {change.description}" for change in changes]


def main() -> int:
    parser = argparse.ArgumentParser(description="Write the GraphQL schema or compare it with a release.")
    parser.add_argument("--breaking", metavar="OLD_SCHEMA", type=Path,
                        help="list breaking changes against this SDL file instead of writing the schema")
    args = parser.parse_args()
    schema = build_schema()
    if args.breaking:
        changes = breaking_changes(args.breaking.read_text(encoding="utf-8"), schema)
        for change in changes:
            print(change)
        print(f"{len(changes)} breaking change(s) against {args.breaking}")
        return 1 if changes else 0
    SCHEMA_FILE.write_text(schema_sdl(schema), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
