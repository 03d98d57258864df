"""Mutations of the tickets service: create, one mutation per transition, duplicate, messages, read markers."""
from __future__ import annotations

from typing import Any

import graphene

from gateway.connections import decode_global_id
from gateway.context import authorize, call
from services.tickets.graphql.inputs import raw_id, value_of
from services.tickets.graphql.queue_views import QueueViewMutation
from services.tickets.graphql.types import (
    Ticket, TicketColumnKey, TicketColumns, TicketMessage, TicketRequestNature, TicketSeverity,
)


class CreateTicketInput(graphene.InputObjectType):
    """The ticket form, group by group: « Contrat », « Contexte », « Descriptif », « Contacts »."""

    organisation_id = graphene.ID(description="Organisation the ticket is for; agents only, customers write "
                                              "for their own.")
    contract_id = graphene.ID(description="« Contrat »: a support contract of the organisation.")
    service_ids = graphene.List(graphene.NonNull(graphene.ID), description="« Prestations » of the contract.")
    product_id = graphene.ID(description="« Produit » covered by the contract.")
    site_id = graphene.ID(description="« Site » covered by the contract.")
    version_id = graphene.ID(description="« Version » of the product; optional but useful to the support.")
    nature = graphene.Field(TicketRequestNature, description="« Nature de demande ».")
    severity = graphene.Field(TicketSeverity, description="« Gravité ».")
    desired_delivery_date = graphene.Date(description="« Livraison souhaitée », indicative; today or later.")
    reference1 = graphene.String(description="« Référence 1 », free text up to 100 characters.")
    reference2 = graphene.String(description="« Référence 2 », free text up to 100 characters.")
    title = graphene.String(description="« Titre », up to 200 characters.")
    description = graphene.String(description="« Descriptif » in Markdown, up to 20,000 characters.")
    requester_id = graphene.ID(description="The requester: the caller (default for customers) or a colleague.")
    follower_ids = graphene.List(graphene.NonNull(graphene.ID), description="Colleagues who follow the ticket.")


class CreateTicketPayload(graphene.ObjectType):
    ticket = graphene.Field(Ticket, required=True, description="The ticket created.")


def _form_values(input: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in ("organisation_id", "contract_id", "product_id", "site_id", "version_id", "requester_id"):
        if input.get(key) is not None:
            values[key] = raw_id(input[key])
    for key in ("service_ids", "follower_ids"):
        if input.get(key) is not None:
            values[key] = [raw_id(item) for item in input[key]]
    for key in ("nature", "severity"):
        if input.get(key) is not None:
            values[key] = value_of(input[key])
    if input.get("desired_delivery_date") is not None:
        values["desired_delivery_date"] = input["desired_delivery_date"].isoformat()
    elif "desired_delivery_date" in input:
        # An explicit null (not an omitted field) removes the date when a ticket is edited.
        values["desired_delivery_date"] = None
    for source, target in (("reference1", "reference_1"), ("reference2", "reference_2"),
                           ("title", "title"), ("description", "description")):
        if input.get(source) is not None:
            values[target] = input[source]
    return values


class CreateTicket(graphene.Mutation):
    """Create a ticket (« Créer »); VALIDATION_FAILED lists every invalid field in the form's order."""

    class Arguments:
        input = CreateTicketInput(required=True)

    Output = CreateTicketPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> CreateTicketPayload:
        authorize(info, scope="tickets:write")
        ticket = await call(info, "tickets", "create_ticket", values=_form_values(input))
        return CreateTicketPayload(ticket=ticket)


def _transition_mutation(name: str, transition: str, doc: str, reason_field: str | None = None,
                         reason_required: bool = False, reason_doc: str = "") -> type:
    """Build the input, payload and mutation classes of one transition."""
    input_fields: dict[str, Any] = {
        "__doc__": f"Input of {name[0].lower()}{name[1:]}.",
        "ticket_id": graphene.ID(required=True, description="Global id of the ticket."),
        "expected_version": graphene.Int(description="The ticket's version as last read; CONFLICT when it "
                                                     "changed since."),
    }
    if reason_field:
        input_fields[reason_field] = graphene.String(required=reason_required, description=reason_doc)
    input_class = type(f"{name}Input", (graphene.InputObjectType,), input_fields)
    payload_class = type(f"{name}Payload", (graphene.ObjectType,), {
        "__doc__": f"Result of {name[0].lower()}{name[1:]}.",
        "ticket": graphene.Field(Ticket, required=True, description="The ticket after the change."),
    })

    async def mutate(self: Any, info: Any, input: dict[str, Any]) -> Any:
        authorize(info, scope="tickets:write")
        ticket_id = decode_global_id(input["ticket_id"], "Ticket", field="ticketId")
        ticket = await call(info, "tickets", "transition_ticket", ticket_id=ticket_id, transition=transition,
                            reason=input.get(reason_field) if reason_field else None,
                            expected_version=input.get("expected_version"))
        return payload_class(ticket=ticket)

    arguments = type("Arguments", (), {"input": input_class(required=True)})
    return type(name, (graphene.Mutation,), {"__doc__": doc, "Arguments": arguments, "Output": payload_class,
                                             "mutate": mutate})


AcknowledgeTicket = _transition_mutation(
    "AcknowledgeTicket", "acknowledge", "Acknowledge a new ticket (agents); sets the receipt date.")
StartTicketIntervention = _transition_mutation(
    "StartTicketIntervention", "start_intervention",
    "Start working on a ticket (agents); sets the intervention date, and the receipt date if missing.")
SuspendTicket = _transition_mutation(
    "SuspendTicket", "suspend", "Suspend a ticket until the customer gives information (agents).",
    "requested_information", True, "The information the customer must give before resuming.")
ResumeTicket = _transition_mutation(
    "ResumeTicket", "resume", "« Reprise »: resume a suspended ticket once the information is given.",
    "comment", False, "Optional note recorded in the history.")
ResolveTicket = _transition_mutation(
    "ResolveTicket", "resolve", "Resolve a ticket (agents); sets the resolution date.",
    "resolution", False, "What was done, recorded in the history.")
ReopenTicket = _transition_mutation(
    "ReopenTicket", "reopen", "Reopen a resolved ticket within the reopening window.",
    "reason", True, "Why the resolution does not solve the problem.")
CloseTicket = _transition_mutation(
    "CloseTicket", "close", "« Clôturer »: close a ticket; it is no longer handled. Duplicate it to reopen.",
    "reason", False, "Optional reason recorded in the history.")


class UpdateTicketInput(graphene.InputObjectType):
    """The fields to change; those left out keep their value. The « Contrat » group cannot change."""

    ticket_id = graphene.ID(required=True, description="Global id of the ticket.")
    expected_version = graphene.Int(description="The ticket's version as last read; CONFLICT when it changed since.")
    nature = graphene.Field(TicketRequestNature, description="« Nature de demande ».")
    severity = graphene.Field(TicketSeverity, description="« Gravité ».")
    desired_delivery_date = graphene.Date(description="« Livraison souhaitée », today or later.")
    reference1 = graphene.String(description="« Référence 1 ».")
    reference2 = graphene.String(description="« Référence 2 ».")
    title = graphene.String(description="« Titre ».")
    description = graphene.String(description="« Descriptif » in Markdown.")
    follower_ids = graphene.List(graphene.NonNull(graphene.ID), description="The complete new list of followers.")


class UpdateTicketPayload(graphene.ObjectType):
    ticket = graphene.Field(Ticket, required=True, description="The ticket after the change.")


class UpdateTicket(graphene.Mutation):
    """Change an open ticket's context, description or followers; the change is recorded in its history."""

    class Arguments:
        input = UpdateTicketInput(required=True)

    Output = UpdateTicketPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> UpdateTicketPayload:
        authorize(info, scope="tickets:write")
        ticket_id = decode_global_id(input["ticket_id"], "Ticket", field="ticketId")
        changes = _form_values(input)
        ticket = await call(info, "tickets", "update_ticket", ticket_id=ticket_id, changes=changes,
                            expected_version=input.get("expected_version"))
        return UpdateTicketPayload(ticket=ticket)


class AssignTicketInput(graphene.InputObjectType):
    ticket_id = graphene.ID(required=True, description="Global id of the ticket.")
    assignee_id = graphene.ID(description="The agent to put in charge; empty to remove the assignment.")
    expected_version = graphene.Int(description="The ticket's version as last read; CONFLICT when it changed since.")


class AssignTicketPayload(graphene.ObjectType):
    ticket = graphene.Field(Ticket, required=True, description="The ticket with its new assignee.")


class AssignTicket(graphene.Mutation):
    """Put an agent in charge of a ticket, or remove the assignment (agents)."""

    class Arguments:
        input = AssignTicketInput(required=True)

    Output = AssignTicketPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> AssignTicketPayload:
        authorize(info, agent=True, scope="tickets:write")
        ticket_id = decode_global_id(input["ticket_id"], "Ticket", field="ticketId")
        ticket = await call(info, "tickets", "assign_ticket", ticket_id=ticket_id,
                            assignee_id=raw_id(input.get("assignee_id")),
                            expected_version=input.get("expected_version"))
        return AssignTicketPayload(ticket=ticket)


class DuplicateTicketInput(graphene.InputObjectType):
    ticket_id = graphene.ID(required=True, description="Global id of the ticket to copy.")


class DuplicateTicketPayload(graphene.ObjectType):
    ticket = graphene.Field(Ticket, required=True, description="The new ticket, linked to the original.")


class DuplicateTicket(graphene.Mutation):
    """« Dupliquer »: create a new ticket prefilled from a visible one, checked like a new form."""

    class Arguments:
        input = DuplicateTicketInput(required=True)

    Output = DuplicateTicketPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> DuplicateTicketPayload:
        authorize(info, scope="tickets:write")
        ticket_id = decode_global_id(input["ticket_id"], "Ticket", field="ticketId")
        return DuplicateTicketPayload(ticket=await call(info, "tickets", "duplicate_ticket", ticket_id=ticket_id))


class PostTicketMessageInput(graphene.InputObjectType):
    ticket_id = graphene.ID(required=True, description="Global id of the ticket.")
    body = graphene.String(required=True, description="Text in Markdown, up to 20,000 characters.")
    internal = graphene.Boolean(description="An internal note for agents only; agents alone may set it.")


class PostTicketMessagePayload(graphene.ObjectType):
    message = graphene.Field(TicketMessage, required=True, description="The message posted.")
    ticket = graphene.Field(Ticket, required=True, description="The ticket, read by the author.")


class PostTicketMessage(graphene.Mutation):
    """Post a message on a ticket's thread (« Messages »)."""

    class Arguments:
        input = PostTicketMessageInput(required=True)

    Output = PostTicketMessagePayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> PostTicketMessagePayload:
        authorize(info, scope="tickets:write")
        ticket_id = decode_global_id(input["ticket_id"], "Ticket", field="ticketId")
        message = await call(info, "tickets", "post_ticket_message", ticket_id=ticket_id, body=input["body"],
                             internal=bool(input.get("internal")))
        ticket = await call(info, "tickets", "get_ticket", ticket_id=ticket_id)
        return PostTicketMessagePayload(message=message, ticket=ticket)


class MarkTicketReadInput(graphene.InputObjectType):
    ticket_id = graphene.ID(required=True, description="Global id of the ticket.")


class MarkTicketReadPayload(graphene.ObjectType):
    ticket = graphene.Field(Ticket, required=True, description="The ticket, no longer unread.")


class MarkTicketRead(graphene.Mutation):
    """Record that the caller has read a ticket's thread up to now."""

    class Arguments:
        input = MarkTicketReadInput(required=True)

    Output = MarkTicketReadPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> MarkTicketReadPayload:
        authorize(info, scope="tickets:read")
        ticket_id = decode_global_id(input["ticket_id"], "Ticket", field="ticketId")
        return MarkTicketReadPayload(ticket=await call(info, "tickets", "mark_ticket_read", ticket_id=ticket_id))


class SaveTicketColumnsInput(graphene.InputObjectType):
    columns = graphene.List(graphene.NonNull(TicketColumnKey), required=True,
                            description="The columns to show, in order; at least one.")


class SaveTicketColumnsPayload(graphene.ObjectType):
    columns = graphene.Field(TicketColumns, required=True, description="The columns saved.")


class SaveTicketColumns(graphene.Mutation):
    """Save the caller's choice and order of ticket list columns, also used by the Excel export."""

    class Arguments:
        input = SaveTicketColumnsInput(required=True)

    Output = SaveTicketColumnsPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> SaveTicketColumnsPayload:
        authorize(info, scope="tickets:read")
        saved = await call(info, "tickets", "save_ticket_columns", columns=value_of(list(input["columns"])))
        return SaveTicketColumnsPayload(columns=saved)


class TicketsMutation(QueueViewMutation, graphene.ObjectType):
    create_ticket = CreateTicket.Field()
    acknowledge_ticket = AcknowledgeTicket.Field()
    start_ticket_intervention = StartTicketIntervention.Field()
    suspend_ticket = SuspendTicket.Field()
    resume_ticket = ResumeTicket.Field()
    resolve_ticket = ResolveTicket.Field()
    reopen_ticket = ReopenTicket.Field()
    close_ticket = CloseTicket.Field()
    update_ticket = UpdateTicket.Field()
    assign_ticket = AssignTicket.Field()
    duplicate_ticket = DuplicateTicket.Field()
    post_ticket_message = PostTicketMessage.Field()
    mark_ticket_read = MarkTicketRead.Field()
    save_ticket_columns = SaveTicketColumns.Field()
