"""The committed SDL is the running schema, and the schema follows the API conventions."""
import pytest
from graphql import GraphQLEnumType, GraphQLObjectType

from gateway.schema import SCHEMA_FILE, breaking_changes, build_schema, schema_sdl

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def schema():
    return build_schema()


def test_committed_schema_matches_running_schema(schema):
    committed = SCHEMA_FILE.read_text(encoding="utf-8")

    assert committed == schema_sdl(schema), "gateway/schema.graphql is stale: run `python -m gateway.schema`"


def test_removed_field_reported_as_breaking(schema):
    old = "type Query { news: String\n removedField: Int }"

    changes = breaking_changes(old, schema)

    assert any("removedField" in change for change in changes)


def test_every_field_and_argument_is_described(schema):
    missing = []
    for name, graphql_type in schema.graphql_schema.type_map.items():
        if name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue
        if name in {"PageInfo"}:
            continue
        for field_name, field in graphql_type.fields.items():
            if field_name in {"id", "edges", "pageInfo", "node", "cursor"}:
                continue
            if not field.description:
                missing.append(f"{name}.{field_name}")
            for arg_name, arg in field.args.items():
                if arg_name in {"first", "after", "last", "before"}:
                    continue
                if not arg.description:
                    missing.append(f"{name}.{field_name}({arg_name})")
    assert missing == []


def test_enum_values_are_upper_snake_case(schema):
    for name, graphql_type in schema.graphql_schema.type_map.items():
        if isinstance(graphql_type, GraphQLEnumType) and not name.startswith("__"):
            for value in graphql_type.values:
                assert value == value.upper(), f"{name}.{value}"
