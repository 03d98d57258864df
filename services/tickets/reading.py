"""Read tickets: one, a batch, or a filtered and sorted page of a list tab with the tabs' counts."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, defer

from services.common.caller import Caller
from services.common.errors import field_error
from services.common.pagination import paginate
from services.tickets.access import visibility_clause, visible_ticket
from services.tickets.exceptions import InvalidTicketQuery
from services.tickets.lifecycle import OPEN_STATUSES, TicketState, TicketStatus
from services.tickets.models import Ticket, TicketFollower, TicketHistory, TicketReadMarker
from services.tickets.search import fold
from services.tickets.serializers import TICKET_KEYS, serialize_history, serialize_ticket
from services.tickets.vocabulary import SEVERITY_RANK, Severity

# List tabs: « En cours », « Résolues », « Clôturées », « Toutes ».
TAB_STATUSES: dict[str, frozenset[TicketStatus]] = {
    "in_progress": OPEN_STATUSES,
    "resolved": frozenset({TicketStatus.RESOLVED}),
    "closed": frozenset({TicketStatus.CLOSED}),
    "all": frozenset(TicketStatus),
}

SEVERITY_ORDER = case({severity.value: rank for severity, rank in SEVERITY_RANK.items()}, value=Ticket.severity)
SORT_COLUMNS: dict[str, Any] = {
    "number": Ticket.number,
    "entered_at": Ticket.entered_at,
    "updated_at": Ticket.updated_at,
    "severity": SEVERITY_ORDER,
    "status": Ticket.status,
    "title": Ticket.title,
}
DEFAULT_SORT = "-entered_at"
FILTER_KEYS = ("product_id", "site_id", "severity", "status", "state", "requester_id", "organisation_id",
               "assignee_id", "unassigned", "text", "unread")


def as_utc(moment: datetime | None) -> datetime | None:
    """Return `moment` as an aware UTC time; SQLite returns the stored UTC times without offset."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def latest_visible_message(caller: Caller) -> Any:
    """Return the ticket column holding the latest message `caller` may read (notes are for agents)."""
    return Ticket.last_message_at if caller.is_agent else Ticket.last_public_message_at


def is_unread(ticket: Ticket, caller: Caller, read_at: datetime | None) -> bool:
    latest = as_utc(ticket.last_message_at if caller.is_agent else ticket.last_public_message_at)
    if latest is None:
        return False
    return read_at is None or latest > as_utc(read_at)


def _read_markers(session: Session, caller: Caller, ticket_ids: list[str]) -> dict[str, datetime]:
    if not caller.user_id or not ticket_ids:
        return {}
    rows = session.execute(select(TicketReadMarker.ticket_id, TicketReadMarker.read_at).where(
        TicketReadMarker.user_id == caller.user_id, TicketReadMarker.ticket_id.in_(ticket_ids)))
    return {row.ticket_id: row.read_at for row in rows}


def _followers(session: Session, ticket_ids: list[str]) -> dict[str, list[str]]:
    followers: dict[str, list[str]] = {ticket_id: [] for ticket_id in ticket_ids}
    if not ticket_ids:
        return followers
    rows = session.execute(select(TicketFollower.ticket_id, TicketFollower.user_id)
                           .where(TicketFollower.ticket_id.in_(ticket_ids)).order_by(TicketFollower.user_id))
    for row in rows:
        followers[row.ticket_id].append(row.user_id)
    return followers


def serialize_many(session: Session, caller: Caller, tickets: list[Ticket],
                   with_html: bool = True) -> list[dict[str, Any]]:
    """Serialize tickets with their followers and unread flags in two queries, whatever their number."""
    ids = [ticket.id for ticket in tickets]
    followers = _followers(session, ids)
    markers = _read_markers(session, caller, ids)
    return [serialize_ticket(ticket, followers[ticket.id], caller, is_unread(ticket, caller, markers.get(ticket.id)),
                             with_html)
            for ticket in tickets]


def get_ticket(session: Session, caller: Caller, ticket_id: str) -> dict[str, Any]:
    """Return one ticket; raise TicketNotFound when it does not exist or the caller may not see it."""
    caller.require_scope("tickets:read")
    return serialize_many(session, caller, [visible_ticket(session, caller, ticket_id)])[0]


def get_tickets(session: Session, caller: Caller, ids: list[str]) -> list[dict[str, Any] | None]:
    """Return the tickets of `ids` in the same order, None for those missing or hidden from the caller."""
    caller.require_scope("tickets:read")
    if not ids:
        return []
    tickets = list(session.scalars(select(Ticket).where(Ticket.id.in_(ids), visibility_clause(caller))))
    by_id = {item["id"]: item for item in serialize_many(session, caller, tickets, with_html=False)}
    return [by_id.get(ticket_id) for ticket_id in ids]


def get_history(session: Session, caller: Caller, ticket_id: str) -> list[dict[str, Any]]:
    """Return the ticket's history, oldest first."""
    caller.require_scope("tickets:read")
    visible_ticket(session, caller, ticket_id)
    entries = session.scalars(select(TicketHistory).where(TicketHistory.ticket_id == ticket_id)
                              .order_by(TicketHistory.occurred_at, TicketHistory.id))
    return [serialize_history(entry) for entry in entries]


def _invalid(field: str, value: Any, fr: str, en: str) -> InvalidTicketQuery:
    return InvalidTicketQuery(fields=[field_error(field, "INVALID", f"« {value} » : {fr}", f"'{value}': {en}")])


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, (list, tuple)) else [str(value)]


def unread_clause(caller: Caller) -> ColumnElement[bool]:
    """Return the clause keeping tickets with a message `caller` has not read (needs the marker join)."""
    latest = latest_visible_message(caller)
    return and_(latest.is_not(None), or_(TicketReadMarker.read_at.is_(None), latest > TicketReadMarker.read_at))


def _with_marker(query: Select[Any], caller: Caller) -> Select[Any]:
    return query.outerjoin(TicketReadMarker, and_(TicketReadMarker.ticket_id == Ticket.id,
                                                  TicketReadMarker.user_id == caller.user_id))


def filtered_query(caller: Caller, filters: dict[str, Any] | None) -> Select[Any]:
    """Select the visible tickets that match `filters`; unknown keys or values raise InvalidTicketQuery."""
    filters = {key: value for key, value in (filters or {}).items() if value not in (None, "", [])}
    unknown = sorted(set(filters) - set(FILTER_KEYS))
    if unknown:
        raise _invalid("filter", ", ".join(unknown), "filtre inconnu.", "unknown filter.")
    query = _with_marker(select(Ticket), caller).where(visibility_clause(caller))
    for key in ("product_id", "site_id", "requester_id", "organisation_id", "assignee_id"):
        if key in filters:
            query = query.where(getattr(Ticket, key).in_(_as_list(filters[key])))
    if "severity" in filters:
        severities = _as_list(filters["severity"])
        if not set(severities) <= {item.value for item in Severity}:
            raise _invalid("filter.severity", ", ".join(severities), "gravité inconnue.", "unknown severity.")
        query = query.where(Ticket.severity.in_([Severity(item) for item in severities]))
    if "status" in filters:
        statuses = _as_list(filters["status"])
        if not set(statuses) <= {item.value for item in TicketStatus}:
            raise _invalid("filter.status", ", ".join(statuses), "statut inconnu.", "unknown status.")
        query = query.where(Ticket.status.in_([TicketStatus(item) for item in statuses]))
    if "state" in filters:
        states = _as_list(filters["state"])
        if not set(states) <= {item.value for item in TicketState}:
            raise _invalid("filter.state", ", ".join(states), "état inconnu.", "unknown state.")
        query = query.where(Ticket.state.in_([TicketState(item) for item in states]))
    if filters.get("unassigned"):
        query = query.where(Ticket.assignee_id.is_(None))
    if "text" in filters:
        searched = str(filters["text"]).strip()
        # Title and references match without accents or case (« echeances » finds « Échéances »).
        query = query.where(or_(Ticket.search_text.like(f"%{fold(searched)}%"),
                                func.lower(Ticket.number).like(f"%{searched.lower()}%")))
    if filters.get("unread"):
        query = query.where(unread_clause(caller))
    return query


def order_by_sort(query: Select[Any], sort: str | None) -> Select[Any]:
    sort = sort or DEFAULT_SORT
    descending = sort.startswith("-")
    column = SORT_COLUMNS.get(sort.lstrip("-"))
    if column is None:
        raise _invalid("sort", sort, f"tri inconnu ; choisissez parmi {', '.join(SORT_COLUMNS)}, précédé de « - » "
                       "pour l'ordre décroissant.",
                       f"unknown sort; choose among {', '.join(SORT_COLUMNS)}, prefixed with '-' for descending.")
    ordering = column.desc() if descending else column.asc()
    return query.order_by(ordering, Ticket.number.desc() if descending else Ticket.number.asc())


# Per status: the number of tickets, and of those with a message the caller has not read.
StatusCounts = dict[TicketStatus, tuple[int, int]]


def _status_counts(session: Session, caller: Caller, filters: dict[str, Any] | None) -> StatusCounts:
    """Count the visible tickets matching `filters` per status, and those with an unread message."""
    unread = func.sum(case((unread_clause(caller), 1), else_=0))
    query = filtered_query(caller, filters).with_only_columns(Ticket.status, func.count(), unread)
    rows = session.execute(query.group_by(Ticket.status)).all()
    return {TicketStatus(row[0]): (row[1], row[2] or 0) for row in rows}


def _tab_counts(per_status: StatusCounts) -> dict[str, int]:
    counts = {tab: sum(per_status.get(status, (0, 0))[0] for status in statuses)
              for tab, statuses in TAB_STATUSES.items()}
    # Unread tickets of every tab, whichever tab a list shows.
    counts["unread"] = sum(unread_count for _count, unread_count in per_status.values())
    return counts


def ticket_counts(session: Session, caller: Caller, filters: dict[str, Any] | None = None) -> dict[str, int]:
    """Count the visible tickets matching `filters` per tab, and those with an unread message."""
    caller.require_scope("tickets:read")
    return _tab_counts(_status_counts(session, caller, filters))


def list_tickets(session: Session, caller: Caller, tab: str | None, filters: dict[str, Any] | None,
                 sort: str | None, first: int | None, after: str | None,
                 keys: list[str] | None = None) -> dict[str, Any]:
    """Return one page of a tab, with the counts of every tab and the tab's unread count.

    The result contains `items`, `total_count`, `start_offset`, `has_next_page`, `has_previous_page`,
    `counts` (every tab, see ticket_counts) and `unread_count` (the tab's tickets with an unread
    message). `keys` names the keys of each item the reader uses (see TICKET_KEYS); every key when None.
    """
    caller.require_scope("tickets:read")
    tab = tab or "in_progress"
    if tab not in TAB_STATUSES:
        raise _invalid("tab", tab, f"onglet inconnu ; choisissez parmi {', '.join(TAB_STATUSES)}.",
                       f"unknown tab; choose among {', '.join(TAB_STATUSES)}.")
    requested_keys = item_keys(keys)
    per_status = _status_counts(session, caller, filters)
    counts = _tab_counts(per_status)
    query = filtered_query(caller, filters).where(Ticket.status.in_(TAB_STATUSES[tab]))
    # Each row brings its read marker (already joined) and its followers, so that a page costs one
    # query instead of three: every query is a round trip that holds up the whole service process.
    followers = (select(func.aggregate_strings(TicketFollower.user_id, ","))
                 .where(TicketFollower.ticket_id == Ticket.id).scalar_subquery())
    query = query.add_columns(TicketReadMarker.read_at, followers.label("follower_ids"))
    if requested_keys is not None and not requested_keys & {"description", "description_html"}:
        # A description can be long, so a list that shows none does not load it.
        query = query.options(defer(Ticket.description))
    # The search column serves the filter only.
    query = query.options(defer(Ticket.search_text))
    query = order_by_sort(query, sort)
    # The tab's count is the list's total: counting the list again would scan the same rows twice.
    page = paginate(session, query, first, after, lambda row: serialize_ticket(
        row.Ticket, sorted(row.follower_ids.split(",")) if row.follower_ids else [], caller,
        is_unread(row.Ticket, caller, row.read_at), with_html=False, keys=requested_keys),
        total=counts[tab], whole_rows=True)
    page["counts"] = counts
    page["unread_count"] = sum(per_status.get(status, (0, 0))[1] for status in TAB_STATUSES[tab])
    return page


def item_keys(keys: list[str] | None) -> frozenset[str] | None:
    """Check the keys a list reader requests. Return None, meaning every key, when it names none."""
    if keys is None:
        return None
    unknown = sorted(set(keys) - TICKET_KEYS)
    if unknown:
        raise _invalid("keys", ", ".join(unknown), f"clé inconnue ; choisissez parmi {', '.join(sorted(TICKET_KEYS))}.",
                       f"unknown key; choose among {', '.join(sorted(TICKET_KEYS))}.")
    return frozenset(keys)
