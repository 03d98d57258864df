"""Queries of the tickets service: the list tabs with their counts, and one ticket."""
from __future__ import annotations

from typing import Any

import graphene

from gateway.connections import connection_from_page, decode_global_id
from gateway.context import authorize, call
from services.tickets.graphql.inputs import TicketFilter, TicketSortOrder, TicketTab, filters_of, value_of
from services.tickets.graphql.queue_views import QueueViewQuery
from services.tickets.graphql.types import (
    Ticket, TicketColumns, TicketConnection, TicketCounts, keys_read, prefetch_related,
)


class TicketsQuery(QueueViewQuery, graphene.ObjectType):
    tickets = graphene.Field(
        TicketConnection, required=True,
        tab=graphene.Argument(TicketTab, description="List tab; IN_PROGRESS when omitted."),
        filter=graphene.Argument(TicketFilter, description="Criteria every ticket of the page matches."),
        sort=graphene.Argument(TicketSortOrder, description="Order of the list; NEWEST_FIRST when omitted."),
        first=graphene.Int(description="Page size, at most 100; 20 when omitted."),
        after=graphene.String(description="Cursor of the last ticket of the previous page."),
        description="Tickets the caller may see: a customer's requested or followed tickets, a customer "
                    "manager's organisation, every ticket for agents.",
    )
    ticket_counts = graphene.Field(
        TicketCounts, required=True,
        filter=graphene.Argument(TicketFilter, description="Criteria the counted tickets match."),
        description="Number of visible tickets per list tab, and of those with an unread message.",
    )
    ticket = graphene.Field(Ticket, id=graphene.ID(required=True, description="Global id of the ticket."),
                            description="One ticket; NOT_FOUND when it does not exist or is hidden from the caller.")

    ticket_columns = graphene.Field(TicketColumns, required=True,
                                    description="The caller's list columns, also used by the Excel export.")

    async def resolve_tickets(self, info: Any, tab: Any = None, filter: dict[str, Any] | None = None,
                              sort: Any = None, first: int | None = None, after: str | None = None) -> Any:
        authorize(info, scope="tickets:read")
        page = await call(info, "tickets", "list_tickets", tab=value_of(tab), filters=filters_of(filter),
                          sort=value_of(sort), first=first, after=after, keys=keys_read(info))
        await prefetch_related(info, page["items"])
        connection = connection_from_page(TicketConnection, page)
        connection.counts = page["counts"]
        # A tickets service older than this gateway sends no unread_count. Only the queries that select
        # unreadCount then fail (a non-null field resolved to null), and the other list queries keep working.
        connection.unread_count = page.get("unread_count")
        return connection

    async def resolve_ticket_counts(self, info: Any, filter: dict[str, Any] | None = None) -> dict[str, int]:
        authorize(info, scope="tickets:read")
        return await call(info, "tickets", "count_tickets", filters=filters_of(filter))

    async def resolve_ticket(self, info: Any, id: str) -> dict[str, Any]:
        authorize(info, scope="tickets:read")
        ticket_id = decode_global_id(id, "Ticket")
        return await call(info, "tickets", "get_ticket", ticket_id=ticket_id)

    async def resolve_ticket_columns(self, info: Any) -> dict[str, Any]:
        authorize(info, scope="tickets:read")
        return await call(info, "tickets", "get_ticket_columns")
