"""GraphQL object types of tickets: the ticket node, its contacts, catalog references, history and thread.

Users and products are resolved through the request's DataLoaders, so a page of tickets costs one
auth call and one catalog call whatever its size.
"""
from __future__ import annotations

import asyncio
from typing import Any

import graphene
from graphene import relay
from graphene.utils.str_converters import to_camel_case
from graphql_relay import to_global_id

from gateway.connections import connection_from_page
from gateway.context import authorize, call, loader, request_context
from gateway.errors import pick
from gateway.fields import date_field, datetime_field
from gateway.selections import selected_fields
from services.common.markdown import render_markdown
from services.tickets.columns import COLUMNS


class TicketStatus(graphene.Enum):
    """Stage of a ticket in its life cycle."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    SUSPENDED = "suspended"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def description(self) -> str:
        return {
            "NEW": "« Nouvelle »: entered, not yet acknowledged by the support.",
            "ACKNOWLEDGED": "« Prise en compte »: the support has received it.",
            "IN_PROGRESS": "« En cours »: the support is working on it.",
            "SUSPENDED": "« Suspendue »: the support waits for information from the customer.",
            "RESOLVED": "« Résolue »: the support has solved it; the customer confirms or reopens.",
            "CLOSED": "« Clôturée »: finished; no longer handled.",
        }[self.name]


class TicketState(graphene.Enum):
    """Whose move it is on a ticket."""

    AWAITING_SUPPORT = "awaiting_support"
    AWAITING_CUSTOMER_RESUME = "awaiting_customer_resume"
    AWAITING_CUSTOMER_CONFIRMATION = "awaiting_customer_confirmation"
    FINISHED = "finished"

    @property
    def description(self) -> str:
        return {
            "AWAITING_SUPPORT": "The support acts next.",
            "AWAITING_CUSTOMER_RESUME": "« Reprise demandée par le client »: the customer completes the "
                                        "information and resumes the ticket.",
            "AWAITING_CUSTOMER_CONFIRMATION": "The customer confirms the resolution (closes) or reopens.",
            "FINISHED": "Nobody: the ticket is closed.",
        }[self.name]


class TicketRequestNature(graphene.Enum):
    """« Nature de demande »."""

    INCIDENT = "incident"
    ASSISTANCE = "assistance"
    EVOLUTION = "evolution"
    INFORMATION = "information"

    @property
    def description(self) -> str:
        return {"INCIDENT": "Incident.", "ASSISTANCE": "« Demande d'assistance ».",
                "EVOLUTION": "« Demande d'évolution ».", "INFORMATION": "« Demande d'information »."}[self.name]


class TicketSeverity(graphene.Enum):
    """« Gravité »."""

    BLOCKING = "blocking"
    MAJOR = "major"
    MINOR = "minor"

    @property
    def description(self) -> str:
        return {"BLOCKING": "« Bloquante ».", "MAJOR": "« Majeure ».", "MINOR": "« Mineure »."}[self.name]


class TicketTransition(graphene.Enum):
    """A change of status; each has its own mutation."""

    ACKNOWLEDGE = "acknowledge"
    START_INTERVENTION = "start_intervention"
    SUSPEND = "suspend"
    RESUME = "resume"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    CLOSE = "close"

    @property
    def description(self) -> str:
        return {
            "ACKNOWLEDGE": "acknowledgeTicket (agents).", "START_INTERVENTION": "startTicketIntervention (agents).",
            "SUSPEND": "suspendTicket (agents).", "RESUME": "resumeTicket, « Reprise ».",
            "RESOLVE": "resolveTicket (agents).", "REOPEN": "reopenTicket.", "CLOSE": "closeTicket, « Clôturer ».",
        }[self.name]


def _label(info: Any, root: dict[str, Any], key: str) -> str:
    return pick(root.get(key), request_context(info).language)





class TicketContact(graphene.ObjectType):
    """A person related to a ticket (requester, follower, author), as the auth service describes them."""

    id = graphene.ID(required=True, description="The user's id in the auth service.")
    display_name = graphene.String(description="Name to show.")
    email = graphene.String(description="E-mail address.")
    organisation_id = graphene.ID(description="The user's organisation.")


class TicketProduct(graphene.ObjectType):
    """The product a ticket is about."""

    id = graphene.ID(required=True, description="The product's id in the catalog.")
    name = graphene.String(required=True, description="The product's name.")


class TicketCatalogItem(graphene.ObjectType):
    """A catalog object named on the ticket (site, service, version), as it was when the ticket was created."""

    id = graphene.ID(required=True, description="The object's id in the catalog.")
    name = graphene.String(required=True, description="Its name when the ticket was created.")


class TicketContract(graphene.ObjectType):
    """The support contract a ticket is filed under."""

    id = graphene.ID(required=True, description="The contract's id in the catalog.")
    number = graphene.String(required=True, description="The contract's number when the ticket was created.")


class TicketHistoryEntry(graphene.ObjectType):
    """One change of a ticket: who, when, from which status to which, and why."""

    action = graphene.String(required=True, description="create, duplicate, or the transition applied.")
    actor = graphene.Field(TicketContact, description="Who made the change.")
    from_status = graphene.Field(TicketStatus, description="Status before; empty at creation.")
    to_status = graphene.Field(TicketStatus, required=True, description="Status after.")
    reason = graphene.String(required=True, description="Why, as given by the actor; may be empty.")
    occurred_at = datetime_field("occurred_at", "When.", required=True)

    async def resolve_actor(root: dict[str, Any], info: Any) -> Any:
        return await load_contact(info, root.get("actor_id"))


class TicketMessage(graphene.ObjectType):
    """A message of a ticket's thread."""

    id = graphene.ID(required=True, description="Global id of the message.")
    author = graphene.Field(TicketContact, description="Who wrote it.")
    author_is_agent = graphene.Boolean(required=True, description="Whether a support agent wrote it.")
    internal = graphene.Boolean(required=True, description="An internal note, shown to agents only.")
    body = graphene.String(required=True, description="Text as written, in Markdown.")
    body_html = graphene.String(required=True, description="Text rendered to HTML that cannot run script.")
    created_at = datetime_field("created_at", "When it was posted.", required=True)
    attachments = graphene.List(graphene.NonNull(lambda: TicketAttachment), required=True,
                                description="Files sent with the message.")

    def resolve_id(root: dict[str, Any], info: Any) -> str:
        return to_global_id("TicketMessage", root["id"])

    async def resolve_author(root: dict[str, Any], info: Any) -> Any:
        return await load_contact(info, root.get("author_id"))

    def resolve_attachments(root: dict[str, Any], info: Any) -> list[dict[str, Any]]:
        return root.get("attachments") or []


class TicketAttachment(graphene.ObjectType):
    """A file attached to a ticket; its content is downloaded from `downloadUrl`."""

    id = graphene.ID(required=True, description="Global id of the attachment.")
    filename = graphene.String(required=True, description="Original file name, Unicode kept.")
    content_type = graphene.String(required=True, description="Media type given at upload.")
    size = graphene.Int(required=True, description="Size in bytes.")
    sha256 = graphene.String(required=True, description="SHA-256 checksum of the content, in hexadecimal.")
    uploaded_by = graphene.Field(TicketContact, description="Who attached it.")
    created_at = datetime_field("created_at", "When it was attached.", required=True)
    download_url = graphene.String(required=True, description="Path of the download on this server.")

    def resolve_id(root: dict[str, Any], info: Any) -> str:
        return to_global_id("TicketAttachment", root["id"])

    def resolve_download_url(root: dict[str, Any], info: Any) -> str:
        return f"/tickets/attachments/{to_global_id('TicketAttachment', root['id'])}"

    async def resolve_uploaded_by(root: dict[str, Any], info: Any) -> Any:
        return await load_contact(info, root.get("uploaded_by_id"))


class TicketMessageConnection(relay.Connection):
    class Meta:
        node = TicketMessage

    total_count = graphene.Int(required=True, description="Number of messages across all pages.")


async def load_contact(info: Any, user_id: str | None) -> dict[str, Any] | None:
    if not user_id:
        return None
    user = await loader(info, "auth", "get_users").load(user_id)
    return user or {"id": user_id}


# Key of the related objects loaded for a whole page at once (`prefetch_related`).
PREFETCHED = "_prefetched"


async def prefetch_related(info: Any, tickets: list[dict[str, Any]]) -> None:
    """Load the products and contacts a list query selects, for the whole page, before its fields resolve.

    The resolvers of each ticket then return without awaiting, which spares graphql-core a task and
    a gather per ticket and field. On a page of 50 tickets those were most of the gateway's work.
    """
    selected = selected_fields(info, "edges", "node")
    contact_fields = [field for field in ("requester", "assignee") if field in selected]
    if not tickets or not (contact_fields or {"product", "followers"} & selected):
        return
    product_ids = sorted({ticket["product_id"] for ticket in tickets}) if "product" in selected else []
    user_ids = {ticket[f"{field}_id"] for ticket in tickets for field in contact_fields if ticket.get(f"{field}_id")}
    if "followers" in selected:
        user_ids |= {user_id for ticket in tickets for user_id in ticket["follower_ids"]}
    user_id_list = sorted(user_ids)
    products, users = await asyncio.gather(loader(info, "catalog", "get_products").load_many(product_ids),
                                           loader(info, "auth", "get_users").load_many(user_id_list))
    products_by_id = dict(zip(product_ids, products))
    users_by_id = dict(zip(user_id_list, users))
    for ticket in tickets:
        related: dict[str, Any] = {}
        if "product" in selected:
            related["product"] = products_by_id.get(ticket["product_id"]) or ticket["product"]
        for field in contact_fields:
            user_id = ticket.get(f"{field}_id")
            related[field] = (users_by_id.get(user_id) or {"id": user_id}) if user_id else None
        if "followers" in selected:
            related["followers"] = [users_by_id.get(user_id) or {"id": user_id} for user_id in ticket["follower_ids"]]
        ticket[PREFETCHED] = related


async def _load_followers(root: dict[str, Any], info: Any) -> list[Any]:
    users = await loader(info, "auth", "get_users").load_many(root["follower_ids"])
    return [user or {"id": user_id} for user_id, user in zip(root["follower_ids"], users)]


async def _load_product(root: dict[str, Any], info: Any) -> dict[str, Any]:
    product = await loader(info, "catalog", "get_products").load(root["product_id"])
    # A product the catalog no longer returns keeps the name copied at creation.
    return product or root["product"]


class Ticket(graphene.ObjectType):
    """A support request (« demande ») of a customer organisation."""

    class Meta:
        interfaces = (relay.Node,)

    number = graphene.String(required=True, description="Human-readable number, such as 2026-000123.")
    organisation_id = graphene.ID(required=True, description="The customer organisation's id.")
    version = graphene.Int(required=True, description="Grows on every status change; send it back as "
                                                       "expectedVersion to detect concurrent changes.")
    contract = graphene.Field(TicketContract, required=True, description="« Contrat ».")
    services = graphene.List(graphene.NonNull(TicketCatalogItem), required=True, description="« Prestations ».")
    product = graphene.Field(TicketProduct, required=True, description="« Produit ».")
    site = graphene.Field(TicketCatalogItem, required=True, description="« Site ».")
    product_version = graphene.Field(TicketCatalogItem, description="« Version » of the product, if given.")
    nature = graphene.Field(TicketRequestNature, required=True, description="« Nature de demande ».")
    nature_label = graphene.String(required=True, description="Nature in the caller's language.")
    severity = graphene.Field(TicketSeverity, required=True, description="« Gravité ».")
    severity_label = graphene.String(required=True, description="Severity in the caller's language.")
    desired_delivery_date = date_field("desired_delivery_date", "« Livraison souhaitée », indicative.")
    reference1 = graphene.String(required=True, description="« Référence 1 », free text of the customer.")
    reference2 = graphene.String(required=True, description="« Référence 2 », free text of the customer.")
    title = graphene.String(required=True, description="« Titre ».")
    description = graphene.String(required=True, description="« Descriptif » as written, in Markdown.")
    description_html = graphene.String(required=True, description="Description rendered to safe HTML.")
    requester = graphene.Field(TicketContact, required=True, description="Who the request is for.")
    followers = graphene.List(graphene.NonNull(TicketContact), required=True,
                              description="Colleagues who follow the ticket.")
    assignee = graphene.Field(TicketContact, description="The agent in charge, if any.")
    status = graphene.Field(TicketStatus, required=True, description="Status.")
    status_label = graphene.String(required=True, description="Status in the caller's language.")
    state = graphene.Field(TicketState, required=True, description="Whose move it is.")
    state_label = graphene.String(required=True, description="State in the caller's language.")
    suspension_reason = graphene.String(description="Information the support asked for while suspended.")
    duplicated_from = graphene.Field(lambda: Ticket, description="The ticket this one was duplicated from.")
    entered_at = datetime_field("entered_at", "« Date de saisie ».", required=True)
    received_at = datetime_field("received_at", "« Date de réception » by the support.")
    intervention_at = datetime_field("intervention_at", "« Date d'intervention » of the support.")
    resolved_at = datetime_field("resolved_at", "« Date de résolution ».")
    closed_at = datetime_field("closed_at", "« Date de clôture ».")
    updated_at = datetime_field("updated_at", "Last change, message included.", required=True)
    unread = graphene.Boolean(required=True, description="Whether a message is unread by the caller.")
    allowed_transitions = graphene.List(graphene.NonNull(TicketTransition), required=True,
                                        description="Transitions the caller may apply now.")
    history = graphene.List(graphene.NonNull(TicketHistoryEntry), required=True,
                            description="Changes, oldest first (one service call per ticket: avoid in lists).")
    attachments = graphene.List(graphene.NonNull(TicketAttachment), required=True,
                                description="Attached files, oldest first (one service call per ticket: avoid "
                                            "in lists).")
    attachment_upload_url = graphene.String(required=True, description="Path to POST a file to, as the raw "
                                                                       "body, with ?filename=NAME.")
    messages = relay.ConnectionField(TicketMessageConnection,
                                      description="The thread, oldest first; internal notes for agents only "
                                                  "(one service call per ticket: avoid in lists).")

    @classmethod
    async def get_node(cls, info: Any, ticket_id: str) -> dict[str, Any]:
        authorize(info, scope="tickets:read")
        ticket = await call(info, "tickets", "get_ticket", ticket_id=ticket_id)
        # `node` picks the first type whose is_type_of accepts the dict; the marker keeps other
        # plugins' types that accept any unmarked dict from claiming a ticket.
        return dict(ticket, _type="Ticket")

    @classmethod
    def is_type_of(cls, root: Any, info: Any) -> bool:
        if not isinstance(root, dict):
            return False
        return root.get("_type") == "Ticket" or ("number" in root and "severity_label" in root)

    def resolve_reference1(root: dict[str, Any], info: Any) -> str:
        return root["reference_1"]

    def resolve_reference2(root: dict[str, Any], info: Any) -> str:
        return root["reference_2"]

    def resolve_description_html(root: dict[str, Any], info: Any) -> str:
        # Lists leave the HTML out; it is rendered here only for the tickets that ask for it.
        if root.get("description_html") is not None:
            return root["description_html"]
        return render_markdown(root["description"])

    def resolve_nature_label(root: dict[str, Any], info: Any) -> str:
        return _label(info, root, "nature_label")

    def resolve_severity_label(root: dict[str, Any], info: Any) -> str:
        return _label(info, root, "severity_label")

    def resolve_status_label(root: dict[str, Any], info: Any) -> str:
        return _label(info, root, "status_label")

    def resolve_state_label(root: dict[str, Any], info: Any) -> str:
        return _label(info, root, "state_label")

    def resolve_product(root: dict[str, Any], info: Any) -> Any:
        prefetched = root.get(PREFETCHED, {})
        if "product" in prefetched:
            return prefetched["product"]
        return _load_product(root, info)

    def resolve_requester(root: dict[str, Any], info: Any) -> Any:
        prefetched = root.get(PREFETCHED, {})
        if "requester" in prefetched:
            return prefetched["requester"]
        return load_contact(info, root["requester_id"])

    def resolve_assignee(root: dict[str, Any], info: Any) -> Any:
        prefetched = root.get(PREFETCHED, {})
        if "assignee" in prefetched:
            return prefetched["assignee"]
        return load_contact(info, root.get("assignee_id"))

    def resolve_followers(root: dict[str, Any], info: Any) -> Any:
        prefetched = root.get(PREFETCHED, {})
        if "followers" in prefetched:
            return prefetched["followers"]
        return _load_followers(root, info)

    async def resolve_duplicated_from(root: dict[str, Any], info: Any) -> Any:
        if not root.get("duplicated_from_id"):
            return None
        return await loader(info, "tickets", "get_tickets").load(root["duplicated_from_id"])

    async def resolve_history(root: dict[str, Any], info: Any) -> list[dict[str, Any]]:
        return await call(info, "tickets", "get_ticket_history", ticket_id=root["id"])

    async def resolve_attachments(root: dict[str, Any], info: Any) -> list[dict[str, Any]]:
        return await call(info, "tickets", "list_ticket_attachments", ticket_id=root["id"])

    def resolve_attachment_upload_url(root: dict[str, Any], info: Any) -> str:
        return f"/tickets/{to_global_id('Ticket', root['id'])}/attachments"

    async def resolve_messages(root: dict[str, Any], info: Any, first: int | None = None, after: str | None = None,
                               **_: Any) -> Any:
        page = await call(info, "tickets", "list_ticket_messages", ticket_id=root["id"], first=first, after=after)
        return connection_from_page(TicketMessageConnection, page)


# Keys of the service's ticket that each field of `Ticket` reads, where they differ from the field's
# name. A field missing here reads the key of its own (snake_case) name.
KEYS_READ = {
    "id": {"id"}, "reference1": {"reference_1"}, "reference2": {"reference_2"},
    "description_html": {"description_html", "description"}, "product": {"product_id", "product"},
    "requester": {"requester_id"}, "assignee": {"assignee_id"}, "followers": {"follower_ids"},
    "duplicated_from": {"duplicated_from_id"}, "history": {"id"}, "attachments": {"id"}, "messages": {"id"},
    "attachment_upload_url": {"id"},
}
# Read by `Ticket.is_type_of`, which graphql-core calls on every ticket it completes.
ALWAYS_READ = frozenset({"id", "number", "severity_label"})
FIELD_NAMES = {to_camel_case(name): name for name in Ticket._meta.fields}


def keys_read(info: Any) -> list[str]:
    """Return the keys of each ticket that the fields a list query selects will read."""
    keys = set(ALWAYS_READ)
    for selected in selected_fields(info, "edges", "node"):
        name = FIELD_NAMES.get(selected)
        if name is not None:
            keys |= KEYS_READ.get(name, {name})
    return sorted(keys)


class TicketCounts(graphene.ObjectType):
    """Number of tickets per list tab, and of those with an unread message."""

    in_progress = graphene.Int(required=True, description="« En cours »: new, acknowledged, in progress, suspended.")
    resolved = graphene.Int(required=True, description="« Résolues ».")
    closed = graphene.Int(required=True, description="« Clôturées ».")
    all = graphene.Int(required=True, description="« Toutes ».")
    unread = graphene.Int(required=True, description="Tickets with a message the caller has not read.")


class TicketConnection(relay.Connection):
    class Meta:
        node = Ticket

    total_count = graphene.Int(required=True, description="Number of tickets in the tab across all pages.")
    counts = graphene.Field(TicketCounts, required=True, description="Counts of every tab with the same filter.")
    unread_count = graphene.Int(required=True, description="Number of tickets in the tab, across all pages, with a "
                                "message the caller has not read. `counts.unread` counts those of every tab.")


TicketColumnKey = graphene.Enum("TicketColumnKey", [(key.upper(), key) for key in COLUMNS],
                                description="A column of the ticket list and of its Excel export.")


class TicketColumn(graphene.ObjectType):
    """A column of the ticket list."""

    key = graphene.Field(TicketColumnKey, required=True, description="The column.")
    label = graphene.String(required=True, description="Its header in the caller's language.")

    def resolve_label(root: dict[str, Any], info: Any) -> str:
        return _label(info, root, "label")


class TicketColumns(graphene.ObjectType):
    """The caller's choice of list columns, and every column offered."""

    columns = graphene.List(graphene.NonNull(TicketColumn), required=True,
                            description="The caller's columns, in order; the default ones until saved.")
    available = graphene.List(graphene.NonNull(TicketColumn), required=True, description="Every column offered.")
