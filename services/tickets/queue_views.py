"""Saved views of a ticket list (« vues enregistrées »): a tab, filters and a sort kept under a name.

Each person keeps their own views; agents use them for the queues they watch every day (« bloquantes
non attribuées », « mon organisation »…). A view is checked exactly as a list request would be, so
that a saved view always opens.
"""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.common.caller import Caller
from services.common.errors import field_error
from services.tickets.exceptions import InvalidQueueView, QueueViewNotFound
from services.tickets.models import TicketQueueView
from services.tickets.reading import TAB_STATUSES, as_utc, filtered_query, order_by_sort

logger = logging.getLogger(__name__)

NAME_MAX_LENGTH = 80
# Enough for every queue a person watches; past that the list of views stops being a shortcut.
MAX_VIEWS_PER_USER = 20


def serialize_view(view: TicketQueueView) -> dict[str, Any]:
    return {"id": view.id, "name": view.name, "tab": view.tab, "filters": dict(view.filters or {}),
            "sort": view.sort, "created_at": as_utc(view.created_at).isoformat()}


def list_views(session: Session, caller: Caller) -> list[dict[str, Any]]:
    """Return the caller's saved views by name."""
    caller.require_scope("tickets:read")
    caller.require_authenticated()
    views = session.scalars(select(TicketQueueView).where(TicketQueueView.user_id == caller.user_id)
                            .order_by(func.lower(TicketQueueView.name)))
    return [serialize_view(view) for view in views]


def checked_name(name: Any) -> str:
    cleaned = " ".join(str(name or "").split())
    if not cleaned:
        raise InvalidQueueView(fields=[field_error("name", "REQUIRED", "Donnez un nom à la vue.",
                                                   "Give the view a name.")])
    if len(cleaned) > NAME_MAX_LENGTH:
        raise InvalidQueueView(fields=[field_error(
            "name", "TOO_LONG", f"Le nom de la vue dépasse {NAME_MAX_LENGTH} caractères ({len(cleaned)}).",
            f"The view's name is longer than {NAME_MAX_LENGTH} characters ({len(cleaned)}).")])
    return cleaned


def save_view(session: Session, caller: Caller, name: str, tab: str | None, filters: dict[str, Any] | None,
              sort: str | None) -> dict[str, Any]:
    """Save the view under `name`, replacing the caller's view of the same name; return it.

    Raises InvalidQueueView for a missing or long name or too many views, and InvalidTicketQuery for
    an unknown tab, filter or sort, as the list itself would.
    """
    caller.require_scope("tickets:read")
    caller.require_authenticated()
    name = checked_name(name)
    tab = tab or "in_progress"
    if tab not in TAB_STATUSES:
        raise InvalidQueueView(fields=[field_error("tab", "INVALID_CHOICE", f"Onglet « {tab} » inconnu.",
                                                   f"Unknown tab '{tab}'.")])
    filters = {key: value for key, value in (filters or {}).items() if value not in (None, "", [])}
    # Build the list's query once: it raises the same errors as opening the view would.
    order_by_sort(filtered_query(caller, filters), sort)

    view = session.scalar(select(TicketQueueView).where(TicketQueueView.user_id == caller.user_id,
                                                        TicketQueueView.name == name))
    if view is None:
        count = session.scalar(select(func.count()).select_from(TicketQueueView)
                               .where(TicketQueueView.user_id == caller.user_id))
        if count >= MAX_VIEWS_PER_USER:
            raise InvalidQueueView(fields=[field_error(
                "name", "LIMIT_REACHED",
                f"Vous avez déjà {MAX_VIEWS_PER_USER} vues : supprimez-en une avant d'en enregistrer une autre.",
                f"You already have {MAX_VIEWS_PER_USER} views: delete one before saving another.")])
        view = TicketQueueView(user_id=caller.user_id, name=name)
        session.add(view)
    view.tab, view.filters, view.sort = tab, filters, sort
    try:
        session.commit()
    except IntegrityError:
        # The same person saved a view of this name at the same moment (two tabs, a double click).
        session.rollback()
        logger.info("queue view %r of user %s saved twice at once; updating the saved one", name, caller.user_id)
        view = session.scalar(select(TicketQueueView).where(TicketQueueView.user_id == caller.user_id,
                                                            TicketQueueView.name == name))
        if view is None:
            raise
        view.tab, view.filters, view.sort = tab, filters, sort
        session.commit()
    logger.info("queue view %s saved by user %s", view.id, caller.user_id)
    return serialize_view(view)


def delete_view(session: Session, caller: Caller, view_id: str) -> None:
    """Delete one of the caller's views; another person's view reads as not found."""
    caller.require_scope("tickets:read")
    caller.require_authenticated()
    deleted = session.execute(delete(TicketQueueView).where(TicketQueueView.id == view_id,
                                                            TicketQueueView.user_id == caller.user_id))
    if deleted.rowcount == 0:
        session.rollback()
        raise QueueViewNotFound()
    session.commit()
    logger.info("queue view %s deleted by user %s", view_id, caller.user_id)
