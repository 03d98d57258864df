"""Input types of the tickets schema and their conversion to the service's plain values."""
from __future__ import annotations

from typing import Any

import graphene
from graphql_relay import from_global_id

from services.tickets.graphql.types import TicketSeverity, TicketState, TicketStatus


class TicketTab(graphene.Enum):
    """Sub-tab of the ticket list."""

    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    ALL = "all"

    @property
    def description(self) -> str:
        return {"IN_PROGRESS": "« En cours »: new, acknowledged, in progress and suspended tickets.",
                "RESOLVED": "« Résolues ».", "CLOSED": "« Clôturées ».", "ALL": "« Toutes »."}[self.name]


class TicketSortOrder(graphene.Enum):
    """Order of a ticket list."""

    NEWEST_FIRST = "-entered_at"
    OLDEST_FIRST = "entered_at"
    NUMBER_ASC = "number"
    NUMBER_DESC = "-number"
    RECENTLY_UPDATED = "-updated_at"
    SEVERITY = "severity"
    TITLE = "title"

    @property
    def description(self) -> str:
        return {"NEWEST_FIRST": "Latest entered first.", "OLDEST_FIRST": "Earliest entered first.",
                "NUMBER_ASC": "By number, ascending.", "NUMBER_DESC": "By number, descending.",
                "RECENTLY_UPDATED": "Latest changed first.", "SEVERITY": "Blocking first, then major, then minor.",
                "TITLE": "By title, alphabetically."}[self.name]


class TicketFilter(graphene.InputObjectType):
    """Criteria of a ticket list; a ticket matches when it matches every criterion given."""

    product_ids = graphene.List(graphene.NonNull(graphene.ID), description="Products (catalog ids).")
    site_ids = graphene.List(graphene.NonNull(graphene.ID), description="Sites (catalog ids).")
    severities = graphene.List(graphene.NonNull(TicketSeverity), description="Severities.")
    statuses = graphene.List(graphene.NonNull(TicketStatus), description="Statuses, within the tab.")
    requester_ids = graphene.List(graphene.NonNull(graphene.ID), description="Requesters (user ids).")
    organisation_ids = graphene.List(graphene.NonNull(graphene.ID),
                                     description="Organisations; useful to agents only.")
    assignee_ids = graphene.List(graphene.NonNull(graphene.ID), description="Agents in charge (user ids).")
    unassigned = graphene.Boolean(description="Only tickets no agent is in charge of.")
    states = graphene.List(graphene.NonNull(TicketState), description="States: whose move it is.")
    text = graphene.String(description="Text searched in the title, the number or the references, ignoring accents "
                                       "and case.")
    unread_only = graphene.Boolean(description="Only tickets with a message the caller has not read.")


def value_of(item: Any) -> Any:
    """Return the plain value of a graphene enum member (or of a list of them)."""
    if isinstance(item, list):
        return [value_of(element) for element in item]
    return getattr(item, "value", item)


def raw_id(value: str | None) -> str | None:
    """Return the service id of an id given either as a global id or as the service's own id.

    NOTE: another plugin may expose its objects with global ids, so both forms are accepted. A raw id
    that happened to decode as a global id would be misread, but the project's UUIDs do not decode so.
    """
    if not value:
        return value
    try:
        type_name, decoded = from_global_id(value)
    except Exception:
        return value
    return decoded if type_name and decoded else value


def filters_of(filter_input: dict[str, Any] | None) -> dict[str, Any]:
    """Translate a TicketFilter into the service's filter keys."""
    if not filter_input:
        return {}
    filters: dict[str, Any] = {}
    for source, target in (("product_ids", "product_id"), ("site_ids", "site_id"),
                           ("requester_ids", "requester_id"), ("organisation_ids", "organisation_id"),
                           ("assignee_ids", "assignee_id")):
        if filter_input.get(source):
            filters[target] = [raw_id(item) for item in filter_input[source]]
    if filter_input.get("severities"):
        filters["severity"] = value_of(list(filter_input["severities"]))
    if filter_input.get("statuses"):
        filters["status"] = value_of(list(filter_input["statuses"]))
    if filter_input.get("states"):
        filters["state"] = value_of(list(filter_input["states"]))
    if filter_input.get("unassigned"):
        filters["unassigned"] = True
    if filter_input.get("text"):
        filters["text"] = filter_input["text"]
    if filter_input.get("unread_only"):
        filters["unread"] = True
    return filters
