"""Every transition of the ticket status machine, allowed and forbidden, for every role and status."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest

from services.tickets.lifecycle import (
    TicketState, TicketStatus, Transition, TransitionRejected, allowed_transitions, plan, reopen_window_open,
)

pytestmark = pytest.mark.unit

S = TicketStatus
SUPPORT_ROLES = {"agent", "admin"}
EVERY_ROLE = {"customer", "customer_manager", "agent", "admin"}
ROLES = ["customer", "customer_manager", "agent", "admin", None, "robot"]

# transition -> (roles allowed, statuses it starts from, status reached, state reached), written out
# independently of the module's table so that a change of either shows here.
EXPECTED = {
    Transition.ACKNOWLEDGE: (SUPPORT_ROLES, {S.NEW}, S.ACKNOWLEDGED, TicketState.AWAITING_SUPPORT),
    Transition.START_INTERVENTION: (SUPPORT_ROLES, {S.NEW, S.ACKNOWLEDGED}, S.IN_PROGRESS,
                                    TicketState.AWAITING_SUPPORT),
    Transition.SUSPEND: (SUPPORT_ROLES, {S.ACKNOWLEDGED, S.IN_PROGRESS}, S.SUSPENDED,
                         TicketState.AWAITING_CUSTOMER_RESUME),
    Transition.RESUME: (EVERY_ROLE, {S.SUSPENDED}, S.IN_PROGRESS, TicketState.AWAITING_SUPPORT),
    Transition.RESOLVE: (SUPPORT_ROLES, {S.ACKNOWLEDGED, S.IN_PROGRESS, S.SUSPENDED}, S.RESOLVED,
                         TicketState.AWAITING_CUSTOMER_CONFIRMATION),
    Transition.REOPEN: (EVERY_ROLE, {S.RESOLVED}, S.IN_PROGRESS, TicketState.AWAITING_SUPPORT),
    Transition.CLOSE: (EVERY_ROLE, set(S) - {S.CLOSED}, S.CLOSED, TicketState.FINISHED),
}

CASES = list(itertools.product(list(Transition), ROLES, list(TicketStatus)))


def _case_id(case: tuple) -> str:
    transition, role, status = case
    return f"{transition.value}-{role}-{status.value}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(case) for case in CASES])
def test_plan_matches_expected_table(case):
    transition, role, status = case
    roles, from_statuses, to_status, to_state = EXPECTED[transition]

    if role in roles and status in from_statuses:
        rule = plan(transition, role, status)
        assert rule.to_status == to_status
        assert rule.to_state == to_state
    else:
        with pytest.raises(TransitionRejected) as raised:
            plan(transition, role, status)
        assert raised.value.reason == ("role" if role not in roles else "status")


def test_every_transition_is_in_expected_table():
    assert set(EXPECTED) == set(Transition)


def test_allowed_transitions_customer_on_suspended():
    assert allowed_transitions("customer", S.SUSPENDED) == [Transition.RESUME, Transition.CLOSE]


def test_allowed_transitions_agent_on_new():
    assert allowed_transitions("agent", S.NEW) == [Transition.ACKNOWLEDGE, Transition.START_INTERVENTION,
                                                   Transition.CLOSE]


def test_allowed_transitions_closed_is_empty_for_everyone():
    for role in ROLES:
        assert allowed_transitions(role, S.CLOSED) == []


def test_reopen_and_suspend_require_reason():
    assert plan(Transition.SUSPEND, "agent", S.IN_PROGRESS).reason_required
    assert plan(Transition.REOPEN, "customer", S.RESOLVED).reason_required
    assert not plan(Transition.CLOSE, "customer", S.NEW).reason_required


def test_reopen_window_boundaries():
    resolved = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    window = timedelta(days=15)

    assert reopen_window_open(resolved, resolved + timedelta(days=15), window)
    assert not reopen_window_open(resolved, resolved + timedelta(days=15, seconds=1), window)
    assert reopen_window_open(None, resolved, window)
