"""GraphQL types, queries and mutations of the tickets service."""
from gateway.plugins import GraphQLPlugin
from services.tickets.graphql.attachment_routes import routes as attachment_routes
from services.tickets.graphql.export_route import routes as export_routes
from services.tickets.graphql.mutations import TicketsMutation
from services.tickets.graphql.queries import TicketsQuery
from services.tickets.graphql.queue_views import TicketQueueView
from services.tickets.graphql.types import Ticket

plugin = GraphQLPlugin(name="tickets", query=TicketsQuery, mutation=TicketsMutation, types=[Ticket, TicketQueueView],
                       rpc_service="tickets", routes=export_routes + attachment_routes)
