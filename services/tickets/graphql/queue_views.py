"""GraphQL of saved list views: a person's named tabs, filters and sorts of the ticket list."""
from __future__ import annotations

from typing import Any

import graphene
from graphene import relay

from gateway.connections import decode_global_id
from gateway.context import authorize, call
from gateway.fields import datetime_field
from services.tickets.graphql.inputs import TicketFilter, TicketSortOrder, TicketTab, filters_of, value_of
from services.tickets.graphql.types import TicketSeverity, TicketState, TicketStatus

# Service filter key -> field of TicketViewFilter, for the filters that name ids.
ID_FILTERS = {"product_id": "product_ids", "site_id": "site_ids", "requester_id": "requester_ids",
              "organisation_id": "organisation_ids", "assignee_id": "assignee_ids"}


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


class TicketViewFilter(graphene.ObjectType):
    """The criteria a saved view applies; the same fields as the TicketFilter input, ids as the service's own."""

    product_ids = graphene.List(graphene.NonNull(graphene.ID), required=True, description="Products.")
    site_ids = graphene.List(graphene.NonNull(graphene.ID), required=True, description="Sites.")
    severities = graphene.List(graphene.NonNull(TicketSeverity), required=True, description="Severities.")
    statuses = graphene.List(graphene.NonNull(TicketStatus), required=True, description="Statuses.")
    states = graphene.List(graphene.NonNull(TicketState), required=True, description="States.")
    requester_ids = graphene.List(graphene.NonNull(graphene.ID), required=True, description="Requesters.")
    organisation_ids = graphene.List(graphene.NonNull(graphene.ID), required=True, description="Organisations.")
    assignee_ids = graphene.List(graphene.NonNull(graphene.ID), required=True, description="Agents in charge.")
    unassigned = graphene.Boolean(required=True, description="Only tickets no agent is in charge of.")
    text = graphene.String(description="Text searched in the title, the number or the references, ignoring accents "
                                       "and case.")
    unread_only = graphene.Boolean(required=True, description="Only tickets with an unread message.")

    @staticmethod
    def from_service(filters: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {field: [str(item) for item in _as_list(filters[key])] if key in filters else []
                                  for key, field in ID_FILTERS.items()}
        values["severities"] = _as_list(filters.get("severity", []))
        values["statuses"] = _as_list(filters.get("status", []))
        values["states"] = _as_list(filters.get("state", []))
        values["unassigned"] = bool(filters.get("unassigned"))
        values["text"] = filters.get("text")
        values["unread_only"] = bool(filters.get("unread"))
        return values


class TicketQueueView(graphene.ObjectType):
    """A ticket list's tab, filters and sort that a person saved under a name."""

    class Meta:
        interfaces = (relay.Node,)

    name = graphene.String(required=True, description="The name the person gave it, unique among their views.")
    tab = graphene.Field(TicketTab, required=True, description="The list tab.")
    filter = graphene.Field(TicketViewFilter, required=True, description="The criteria.")
    sort = graphene.Field(TicketSortOrder, description="The order; the list's default when empty.")
    created_at = datetime_field("created_at", "When the view was first saved.", required=True)

    @classmethod
    def is_type_of(cls, root: Any, info: Any) -> bool:
        return isinstance(root, dict) and "tab" in root and "filters" in root

    @classmethod
    async def get_node(cls, info: Any, view_id: str) -> dict[str, Any] | None:
        authorize(info, scope="tickets:read")
        views = await call(info, "tickets", "list_queue_views")
        return next((view for view in views if view["id"] == view_id), None)

    def resolve_filter(root: dict[str, Any], info: Any) -> dict[str, Any]:
        return TicketViewFilter.from_service(root["filters"])


class QueueViewQuery(graphene.ObjectType):
    ticket_queue_views = graphene.List(graphene.NonNull(TicketQueueView), required=True,
                                       description="The caller's saved views of the ticket list, by name.")

    async def resolve_ticket_queue_views(self, info: Any) -> list[dict[str, Any]]:
        authorize(info, scope="tickets:read")
        return await call(info, "tickets", "list_queue_views")


class SaveTicketQueueViewInput(graphene.InputObjectType):
    name = graphene.String(required=True, description="Name of the view; saving under an existing name replaces it.")
    tab = graphene.Field(TicketTab, description="List tab; IN_PROGRESS when omitted.")
    filter = graphene.Field(TicketFilter, description="Criteria of the view.")
    sort = graphene.Field(TicketSortOrder, description="Order of the view; the list's default when omitted.")


class SaveTicketQueueViewPayload(graphene.ObjectType):
    view = graphene.Field(TicketQueueView, required=True, description="The view as saved.")


class SaveTicketQueueView(graphene.Mutation):
    """Save the current list's tab, filters and sort under a name (at most 20 views per person)."""

    class Arguments:
        input = SaveTicketQueueViewInput(required=True)

    Output = SaveTicketQueueViewPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> SaveTicketQueueViewPayload:
        authorize(info, scope="tickets:read")
        view = await call(info, "tickets", "save_queue_view", name=input["name"], tab=value_of(input.get("tab")),
                          filters=filters_of(input.get("filter")), sort=value_of(input.get("sort")))
        return SaveTicketQueueViewPayload(view=view)


class DeleteTicketQueueViewInput(graphene.InputObjectType):
    view_id = graphene.ID(required=True, description="Global id of one of the caller's views.")


class DeleteTicketQueueViewPayload(graphene.ObjectType):
    deleted_view_id = graphene.ID(required=True, description="Global id of the deleted view.")


class DeleteTicketQueueView(graphene.Mutation):
    """Delete one of the caller's saved views; NOT_FOUND for anyone else's."""

    class Arguments:
        input = DeleteTicketQueueViewInput(required=True)

    Output = DeleteTicketQueueViewPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> DeleteTicketQueueViewPayload:
        authorize(info, scope="tickets:read")
        view_id = decode_global_id(input["view_id"], "TicketQueueView", "viewId")
        await call(info, "tickets", "delete_queue_view", view_id=view_id)
        return DeleteTicketQueueViewPayload(deleted_view_id=input["view_id"])


class QueueViewMutation(graphene.ObjectType):
    save_ticket_queue_view = SaveTicketQueueView.Field()
    delete_ticket_queue_view = DeleteTicketQueueView.Field()
