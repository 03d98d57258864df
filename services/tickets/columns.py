"""Columns of the ticket list and of its Excel export, and each user's saved choice of them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable

from sqlalchemy.orm import Session

from services.common.caller import Caller
from services.common.errors import LocalizedText, field_error, text
from services.tickets.exceptions import InvalidTicketQuery
from services.tickets.lifecycle import STATE_LABELS, STATUS_LABELS
from services.tickets.models import TicketListColumns
from services.tickets.vocabulary import NATURE_LABELS, SEVERITY_LABELS


@dataclass(frozen=True)
class Column:
    """A list column; `value` reads it from a Ticket or from a row of the ticket table's columns.

    A labelled value (nature, severity, status, state) is returned in both languages, as `{fr, en}`.

    `reads` names the ticket table's columns that `value` uses, so that the export selects only
    those. It defaults to the table column of the same name as the key.
    """

    key: str
    label: LocalizedText
    value: Callable[[Any], str | LocalizedText | date | datetime | None]
    reads: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.reads:
            object.__setattr__(self, "reads", (self.key,))


def _requester_name(ticket: Any) -> str:
    for contact in ticket.contacts or []:
        if contact.get("id") == ticket.requester_id:
            return contact.get("display_name") or contact.get("email") or ticket.requester_id
    return ticket.requester_id


COLUMNS: dict[str, Column] = {column.key: column for column in [
    Column("number", text("Numéro", "Number"), lambda t: t.number),
    Column("title", text("Titre", "Title"), lambda t: t.title),
    Column("product", text("Produit", "Product"), lambda t: t.product_name, ("product_name",)),
    Column("product_version", text("Version", "Version"), lambda t: t.version_name, ("version_name",)),
    Column("site", text("Site", "Site"), lambda t: t.site_name, ("site_name",)),
    Column("contract", text("Contrat", "Contract"), lambda t: t.contract_number, ("contract_number",)),
    Column("services", text("Prestations", "Services"),
           lambda t: ", ".join(item.get("name") or "" for item in t.services or [])),
    Column("nature", text("Nature de demande", "Request nature"), lambda t: NATURE_LABELS[t.nature]),
    Column("severity", text("Gravité", "Severity"), lambda t: SEVERITY_LABELS[t.severity]),
    Column("status", text("Statut", "Status"), lambda t: STATUS_LABELS[t.status]),
    Column("state", text("État", "State"), lambda t: STATE_LABELS[t.state]),
    Column("requester", text("Demandeur", "Requester"), _requester_name, ("contacts", "requester_id")),
    Column("reference_1", text("Référence 1", "Reference 1"), lambda t: t.reference_1),
    Column("reference_2", text("Référence 2", "Reference 2"), lambda t: t.reference_2),
    Column("desired_delivery_date", text("Livraison souhaitée", "Desired delivery"), lambda t: t.desired_delivery_date),
    Column("entered_at", text("Date de saisie", "Entered"), lambda t: t.entered_at),
    Column("received_at", text("Date de réception", "Received"), lambda t: t.received_at),
    Column("intervention_at", text("Date d'intervention", "Intervention"), lambda t: t.intervention_at),
    Column("resolved_at", text("Date de résolution", "Resolved"), lambda t: t.resolved_at),
    Column("closed_at", text("Date de clôture", "Closed"), lambda t: t.closed_at),
    Column("updated_at", text("Dernière modification", "Last change"), lambda t: t.updated_at),
]}

DEFAULT_COLUMNS = ("number", "title", "product", "severity", "status", "state", "requester", "entered_at")


def checked_columns(columns: list[str] | None) -> list[str]:
    """Return `columns` without repeats; raise InvalidTicketQuery for an empty list or an unknown key."""
    if not isinstance(columns, list) or not columns:
        raise InvalidTicketQuery(fields=[field_error("columns", "REQUIRED", "Choisissez au moins une colonne.",
                                                     "Choose at least one column.")])
    unknown = [str(key) for key in columns if key not in COLUMNS]
    if unknown:
        raise InvalidTicketQuery(fields=[field_error(
            "columns", "INVALID_CHOICE", f"Colonnes inconnues : {', '.join(unknown)}.",
            f"Unknown columns: {', '.join(unknown)}.")])
    return list(dict.fromkeys(columns))


def describe(keys: list[str] | tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"key": key, "label": COLUMNS[key].label} for key in keys]


def saved_columns(session: Session, caller: Caller) -> list[str]:
    """Return the caller's saved columns, or the default ones; keys no longer offered are dropped."""
    row = session.get(TicketListColumns, caller.user_id) if caller.user_id else None
    keys = [key for key in (row.columns if row else []) if key in COLUMNS]
    return keys or list(DEFAULT_COLUMNS)


def get_columns(session: Session, caller: Caller) -> dict[str, Any]:
    """Return `{columns, available}`: the caller's choice and every column offered, with their labels."""
    caller.require_scope("tickets:read")
    return {"columns": describe(saved_columns(session, caller)), "available": describe(tuple(COLUMNS))}


def save_columns(session: Session, caller: Caller, columns: list[str]) -> dict[str, Any]:
    """Store the caller's choice of columns, in their order."""
    caller.require_scope("tickets:read")
    caller.require_authenticated()
    keys = checked_columns(columns)
    row = session.get(TicketListColumns, caller.user_id)
    if row is None:
        session.add(TicketListColumns(user_id=caller.user_id, columns=keys))
    else:
        row.columns = keys
    session.commit()
    return {"columns": describe(keys), "available": describe(tuple(COLUMNS))}
