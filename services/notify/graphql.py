"""GraphQL types, queries and mutations of the notify service."""
from gateway.plugins import GraphQLPlugin

plugin = GraphQLPlugin(name="notify", rpc_service="notify")
