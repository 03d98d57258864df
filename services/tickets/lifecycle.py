"""The ticket status machine: which role may apply which transition from which status.

Pure logic without database or broker, so that the whole table is tested in unit tests. Customers
(`customer`, `customer_manager`) and the vendor's support (`agent`, `admin`) are two sides; a rule
names the side allowed to apply it.
"""
from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.common.caller import AGENT_ROLES, CUSTOMER_ROLES
from services.common.errors import LocalizedText, text


class TicketStatus(str, enum.Enum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    SUSPENDED = "suspended"
    RESOLVED = "resolved"
    CLOSED = "closed"


class TicketState(str, enum.Enum):
    """Whose move it is."""

    AWAITING_SUPPORT = "awaiting_support"
    AWAITING_CUSTOMER_RESUME = "awaiting_customer_resume"
    AWAITING_CUSTOMER_CONFIRMATION = "awaiting_customer_confirmation"
    FINISHED = "finished"


class Side(str, enum.Enum):
    CUSTOMER = "customer"
    SUPPORT = "support"


class Transition(str, enum.Enum):
    ACKNOWLEDGE = "acknowledge"
    START_INTERVENTION = "start_intervention"
    SUSPEND = "suspend"
    RESUME = "resume"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    CLOSE = "close"


class TrackingDate(str, enum.Enum):
    """A date of « Suivi de la demande » that a transition sets."""

    RECEIVED = "received_at"
    INTERVENTION = "intervention_at"
    RESOLVED = "resolved_at"
    CLOSED = "closed_at"


STATUS_LABELS: dict[TicketStatus, LocalizedText] = {
    TicketStatus.NEW: text("Nouvelle", "New"),
    TicketStatus.ACKNOWLEDGED: text("Prise en compte", "Acknowledged"),
    TicketStatus.IN_PROGRESS: text("En cours", "In progress"),
    TicketStatus.SUSPENDED: text("Suspendue", "Suspended"),
    TicketStatus.RESOLVED: text("Résolue", "Resolved"),
    TicketStatus.CLOSED: text("Clôturée", "Closed"),
}

STATE_LABELS: dict[TicketState, LocalizedText] = {
    TicketState.AWAITING_SUPPORT: text("En attente du support", "Awaiting support"),
    TicketState.AWAITING_CUSTOMER_RESUME: text("Reprise demandée par le client",
                                               "Waiting for the customer to resume"),
    TicketState.AWAITING_CUSTOMER_CONFIRMATION: text("En attente de confirmation du client",
                                                     "Waiting for the customer's confirmation"),
    TicketState.FINISHED: text("Terminée", "Finished"),
}

OPEN_STATUSES = frozenset({TicketStatus.NEW, TicketStatus.ACKNOWLEDGED, TicketStatus.IN_PROGRESS,
                           TicketStatus.SUSPENDED})
NOT_CLOSED = frozenset(TicketStatus) - {TicketStatus.CLOSED}


@dataclass(frozen=True)
class Rule:
    sides: frozenset[Side]
    from_statuses: frozenset[TicketStatus]
    to_status: TicketStatus
    to_state: TicketState
    sets: tuple[TrackingDate, ...] = ()
    clears: tuple[TrackingDate, ...] = ()
    reason_required: bool = False


_SUPPORT = frozenset({Side.SUPPORT})
_BOTH = frozenset({Side.SUPPORT, Side.CUSTOMER})

RULES: dict[Transition, Rule] = {
    # The support confirms receipt (« date de réception »).
    Transition.ACKNOWLEDGE: Rule(_SUPPORT, frozenset({TicketStatus.NEW}), TicketStatus.ACKNOWLEDGED,
                                TicketState.AWAITING_SUPPORT, sets=(TrackingDate.RECEIVED,)),
    # Intervention may start straight from a new ticket; receipt is then implied.
    Transition.START_INTERVENTION: Rule(_SUPPORT, frozenset({TicketStatus.NEW, TicketStatus.ACKNOWLEDGED}),
                                        TicketStatus.IN_PROGRESS, TicketState.AWAITING_SUPPORT,
                                        sets=(TrackingDate.RECEIVED, TrackingDate.INTERVENTION)),
    # Suspension asks the customer for information; the reason is that request.
    Transition.SUSPEND: Rule(_SUPPORT, frozenset({TicketStatus.ACKNOWLEDGED, TicketStatus.IN_PROGRESS}),
                             TicketStatus.SUSPENDED, TicketState.AWAITING_CUSTOMER_RESUME,
                             reason_required=True),
    # « Reprise »: the customer has completed the information; an agent may resume for them.
    Transition.RESUME: Rule(_BOTH, frozenset({TicketStatus.SUSPENDED}), TicketStatus.IN_PROGRESS,
                            TicketState.AWAITING_SUPPORT, sets=(TrackingDate.INTERVENTION,)),
    Transition.RESOLVE: Rule(_SUPPORT, frozenset({TicketStatus.ACKNOWLEDGED, TicketStatus.IN_PROGRESS,
                                                  TicketStatus.SUSPENDED}),
                             TicketStatus.RESOLVED, TicketState.AWAITING_CUSTOMER_CONFIRMATION,
                             sets=(TrackingDate.RESOLVED,)),
    # The customer disagrees with the resolution, within the reopening window, and says why.
    Transition.REOPEN: Rule(_BOTH, frozenset({TicketStatus.RESOLVED}), TicketStatus.IN_PROGRESS,
                            TicketState.AWAITING_SUPPORT, clears=(TrackingDate.RESOLVED,),
                            reason_required=True),
    # « Clôturer »: the customer may close at any time; the support closes too (confirmed by phone, spam).
    Transition.CLOSE: Rule(_BOTH, NOT_CLOSED, TicketStatus.CLOSED, TicketState.FINISHED,
                           sets=(TrackingDate.CLOSED,)),
}

# Tracking dates are set the first time only: a resumed ticket keeps its first intervention date.
FIRST_TIME_ONLY = frozenset({TrackingDate.RECEIVED, TrackingDate.INTERVENTION})


class TransitionRejected(Exception):
    """The transition does not apply: `reason` is "role" or "status"."""

    def __init__(self, transition: Transition, reason: str) -> None:
        super().__init__(f"{transition.value} rejected: {reason}")
        self.transition = transition
        self.reason = reason


def side_of(role: str | None) -> Side | None:
    if role in AGENT_ROLES:
        return Side.SUPPORT
    if role in CUSTOMER_ROLES:
        return Side.CUSTOMER
    return None


def plan(transition: Transition, role: str | None, status: TicketStatus) -> Rule:
    """Return the rule to apply; raise TransitionRejected when the role or the status forbids it."""
    rule = RULES[transition]
    side = side_of(role)
    if side is None or side not in rule.sides:
        raise TransitionRejected(transition, "role")
    if status not in rule.from_statuses:
        raise TransitionRejected(transition, "status")
    return rule


def allowed_transitions(role: str | None, status: TicketStatus) -> list[Transition]:
    """Return the transitions `role` may apply now, in the table's order (for buttons in the UI)."""
    allowed = []
    for transition in Transition:
        try:
            plan(transition, role, status)
        except TransitionRejected:
            continue
        allowed.append(transition)
    return allowed


@functools.lru_cache(maxsize=None)
def allowed_transition_values(role: str | None, status: TicketStatus) -> tuple[str, ...]:
    """Return the values of `allowed_transitions`, computed once per role and status (lists ask for 50)."""
    return tuple(item.value for item in allowed_transitions(role, status))


def reopen_window_open(resolved_at: datetime | None, now: datetime, window: timedelta) -> bool:
    """Return whether a resolved ticket may still be reopened: within `window` after its resolution."""
    if resolved_at is None:
        return True
    return now - resolved_at <= window
