"""nameko entrypoints of the tickets service; each calls a plain function of a domain module.

Every method checks the caller itself: a customer only ever reaches the tickets they requested or
follow (their organisation's for a customer manager), and any other ticket reads as not found.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from nameko.extensions import DependencyProvider
from nameko.rpc import ServiceRpc
from nameko.timer import timer

from services.common import config
from services.common.caller import Caller
from services.common.caller_provider import CallerProvider
from services.common.database import Database
from services.common.errors import ServiceError, field_error
from services.common.health import HealthMixin
from services.common.outbox import Outbox as OutboxRelay
from services.common.rpc_entrypoint import rpc
from services.tickets import columns as columns_module
from services.tickets import (assignment, attachments, creation, editing, export, export_job, messages, queue_views,
                              reading, suspension, transitions)
from services.tickets.exceptions import InvalidTicket
from services.tickets.lifecycle import Transition
from services.tickets.models import Outbox
from services.tickets.remote_errors import register_remote_errors

logger = logging.getLogger(__name__)

# Events this service publishes, through its outbox.
EVENTS = ("ticket_created", "ticket_status_changed", "ticket_message_posted", "ticket_assigned",
          "ticket_suspension_reminded")

# How often suspended tickets are checked for reminders and automatic closing.
SUSPENSION_CHECK_SECONDS = config.optional_int("TICKETS_SUSPENSION_CHECK_SECONDS", 300)
REOPEN_WINDOW_DAYS_KEY = "TICKETS_REOPEN_WINDOW_DAYS"
DEFAULT_REOPEN_WINDOW_DAYS = 15


class RemoteErrors(DependencyProvider):
    """Make nameko rebuild the auth and catalog exceptions with their fields when this service starts."""

    def setup(self) -> None:
        register_remote_errors()


class TicketsService(HealthMixin):
    name = "tickets"

    db = Database()
    outbox = OutboxRelay(Outbox)
    caller: Caller = CallerProvider()
    catalog_rpc = ServiceRpc("catalog")
    auth_rpc = ServiceRpc("auth")
    remote_errors = RemoteErrors()

    @rpc(expected_exceptions=ServiceError)
    def create_ticket(self, values: dict[str, Any]) -> dict[str, Any]:
        """Create a ticket from the form's values (snake_case keys); raises InvalidTicket with every bad field."""
        return creation.create_ticket(self.db, self.caller, values, self.catalog_rpc, self.auth_rpc)

    @rpc(expected_exceptions=ServiceError)
    def update_ticket(self, ticket_id: str, changes: dict[str, Any],
                      expected_version: int | None = None) -> dict[str, Any]:
        """Change context, description or followers of an open ticket; recorded in its history."""
        return editing.update_ticket(self.db, self.caller, ticket_id, changes, self.auth_rpc, expected_version)

    @rpc(expected_exceptions=ServiceError)
    def duplicate_ticket(self, ticket_id: str) -> dict[str, Any]:
        """Create a new ticket prefilled from `ticket_id` and linked to it (« Dupliquer »)."""
        return creation.duplicate_ticket(self.db, self.caller, ticket_id, self.catalog_rpc, self.auth_rpc)

    @rpc(expected_exceptions=ServiceError)
    def get_ticket(self, ticket_id: str) -> dict[str, Any]:
        """Return one ticket; raises TicketNotFound when it does not exist or is hidden from the caller."""
        return reading.get_ticket(self.db, self.caller, ticket_id)

    @rpc(expected_exceptions=ServiceError)
    def get_tickets(self, ids: list[str]) -> list[dict[str, Any] | None]:
        """Return tickets in the order of `ids`, None for those missing or hidden from the caller."""
        return reading.get_tickets(self.db, self.caller, ids)

    @rpc(expected_exceptions=ServiceError)
    def list_tickets(self, tab: str | None = None, filters: dict[str, Any] | None = None, sort: str | None = None,
                     first: int | None = None, after: str | None = None,
                     keys: list[str] | None = None) -> dict[str, Any]:
        """Return a page of a tab (in_progress, resolved, closed, all) with `counts` per tab and unread.

        `unread_count` is the number of the tab's tickets with an unread message. `keys` limits each
        ticket to the keys the reader uses; every key when omitted.
        """
        return reading.list_tickets(self.db, self.caller, tab, filters, sort, first, after, keys)

    @rpc(expected_exceptions=ServiceError)
    def count_tickets(self, filters: dict[str, Any] | None = None) -> dict[str, int]:
        """Return the number of visible tickets per tab, and of those with an unread message."""
        return reading.ticket_counts(self.db, self.caller, filters)

    @rpc(expected_exceptions=ServiceError)
    def get_ticket_history(self, ticket_id: str) -> list[dict[str, Any]]:
        """Return the ticket's changes, oldest first: who, when, from, to, why."""
        return reading.get_history(self.db, self.caller, ticket_id)

    @rpc(expected_exceptions=ServiceError)
    def transition_ticket(self, ticket_id: str, transition: str, reason: str | None = None,
                          expected_version: int | None = None) -> dict[str, Any]:
        """Apply one life-cycle transition (acknowledge, start_intervention, suspend, resume, resolve,
        reopen, close); raises TransitionNotAllowed, InvalidTicket, TicketChanged or TicketNotFound."""
        try:
            chosen = Transition(transition)
        except ValueError:
            raise InvalidTicket(fields=[field_error(
                "transition", "INVALID_CHOICE", f"Action « {transition} » inconnue.",
                f"Unknown action '{transition}'.")]) from None
        window = timedelta(days=config.optional_int(REOPEN_WINDOW_DAYS_KEY, DEFAULT_REOPEN_WINDOW_DAYS))
        return transitions.apply_transition(self.db, self.caller, ticket_id, chosen, reason, expected_version,
                                            window)

    @rpc(expected_exceptions=ServiceError)
    def assign_ticket(self, ticket_id: str, assignee_id: str | None,
                      expected_version: int | None = None) -> dict[str, Any]:
        """Set the agent in charge of a ticket, or remove it with None (agents only)."""
        return assignment.assign_ticket(self.db, self.caller, ticket_id, assignee_id, self.auth_rpc,
                                        expected_version)

    @rpc(expected_exceptions=ServiceError)
    def post_ticket_message(self, ticket_id: str, body: str, internal: bool = False) -> dict[str, Any]:
        """Add a message (or an agent's internal note) to the ticket's thread."""
        return messages.post_message(self.db, self.caller, ticket_id, body, internal)

    @rpc(expected_exceptions=ServiceError)
    def list_ticket_messages(self, ticket_id: str, first: int | None = None,
                             after: str | None = None) -> dict[str, Any]:
        """Return a page of the thread, oldest first; internal notes only for agents."""
        return messages.list_messages(self.db, self.caller, ticket_id, first, after)

    @rpc(expected_exceptions=ServiceError)
    def mark_ticket_read(self, ticket_id: str) -> dict[str, Any]:
        """Record that the caller has read the ticket's thread; return the ticket."""
        return messages.mark_ticket_read(self.db, self.caller, ticket_id)

    @rpc(expected_exceptions=ServiceError)
    def check_ticket_upload(self, ticket_id: str) -> dict[str, Any]:
        """Return `{max_bytes}` when the caller may attach a file to the ticket; raise otherwise."""
        return attachments.check_upload(self.db, self.caller, ticket_id)

    @rpc(expected_exceptions=ServiceError)
    def add_ticket_attachment(self, ticket_id: str, storage_key: str, filename: str, content_type: str, size: int,
                              sha256: str, message_id: str | None = None) -> dict[str, Any]:
        """Record the metadata of a file the gateway has put in the attachment store, for the ticket or
        for one of the caller's messages on it."""
        return attachments.add_attachment(self.db, self.caller, ticket_id, storage_key, filename, content_type,
                                          size, sha256, message_id)

    @rpc(expected_exceptions=ServiceError)
    def list_ticket_attachments(self, ticket_id: str) -> list[dict[str, Any]]:
        return attachments.list_attachments(self.db, self.caller, ticket_id)

    @rpc(expected_exceptions=ServiceError)
    def get_ticket_attachment(self, attachment_id: str) -> dict[str, Any]:
        """Return an attachment's metadata; raises TicketNotFound when its ticket is hidden from the caller."""
        return attachments.get_attachment(self.db, self.caller, attachment_id)

    @timer(interval=SUSPENSION_CHECK_SECONDS)
    def follow_up_suspended_tickets(self) -> None:
        """Remind customers of suspended tickets and close those left without an answer."""
        result = suspension.process_suspended(self.db, suspension.SuspensionPolicy.from_environment())
        if result["reminded"] or result["closed"]:
            logger.info("suspended tickets: %s reminded, %s closed", result["reminded"], result["closed"])

    @rpc(expected_exceptions=ServiceError)
    def run_suspension_checks(self) -> dict[str, int]:
        """Run the suspended tickets' follow-up now (admins); return `{reminded, closed}`."""
        return suspension.run_checks(self.db, self.caller, suspension.SuspensionPolicy.from_environment())

    @rpc(expected_exceptions=ServiceError)
    def get_ticket_columns(self) -> dict[str, Any]:
        """Return `{columns, available}`: the caller's list columns in order, and every column offered."""
        return columns_module.get_columns(self.db, self.caller)

    @rpc(expected_exceptions=ServiceError)
    def save_ticket_columns(self, columns: list[str]) -> dict[str, Any]:
        """Save the caller's list columns in order; raises InvalidTicketQuery for an unknown key."""
        return columns_module.save_columns(self.db, self.caller, columns)

    @rpc(expected_exceptions=ServiceError)
    def list_queue_views(self) -> list[dict[str, Any]]:
        """Return the caller's saved list views by name."""
        return queue_views.list_views(self.db, self.caller)

    @rpc(expected_exceptions=ServiceError)
    def save_queue_view(self, name: str, tab: str | None = None, filters: dict[str, Any] | None = None,
                        sort: str | None = None) -> dict[str, Any]:
        """Save a list view under `name` (replacing the caller's view of that name); raises InvalidQueueView."""
        return queue_views.save_view(self.db, self.caller, name, tab, filters, sort)

    @rpc(expected_exceptions=ServiceError)
    def delete_queue_view(self, view_id: str) -> None:
        """Delete one of the caller's saved views; raises QueueViewNotFound."""
        queue_views.delete_view(self.db, self.caller, view_id)

    @rpc(expected_exceptions=ServiceError)
    def export_tickets(self, tab: str | None = None, filters: dict[str, Any] | None = None, sort: str | None = None,
                       columns: list[str] | None = None, language: str | None = None) -> dict[str, Any]:
        """Write the list as an Excel file to the export store; return where it is (`export.write_export`).

        The request is checked here; the file is written by a child process (`export_job`).
        """
        job = export.check_export(self.db, self.caller, tab, filters, sort, columns, language)
        self.db.rollback()  # end the read transaction before waiting for the child
        return export_job.run_in_child(job)


SERVICE_CLASS = TicketsService
