"""Who hears about a ticket event."""
from __future__ import annotations

import pytest

from services.notify.recipients import actor_id_of, ticket_recipients

pytestmark = pytest.mark.unit

REQUESTER = {"id": "u-req", "email": "req@example.fr", "role": "customer", "language": "fr"}
FOLLOWER = {"id": "u-fol", "email": "fol@example.fr", "role": "customer_manager", "language": "en"}
AGENT_A = {"id": "a-1", "email": "a1@eksae.example.fr", "role": "agent"}
AGENT_B = {"id": "a-2", "email": "a2@eksae.example.fr", "role": "admin"}
USERS = {user["id"]: user for user in (REQUESTER, FOLLOWER, AGENT_A, AGENT_B)}
AGENTS = [AGENT_A, AGENT_B]
TICKET = {"requester_id": "u-req", "follower_ids": ["u-fol", "u-req"]}


def emails(users: list[dict]) -> list[str]:
    return [user["email"] for user in users]


def test_ticket_created_goes_to_agents_only():
    chosen = ticket_recipients("ticket_created", TICKET, "u-req", USERS, AGENTS)

    assert emails(chosen) == ["a1@eksae.example.fr", "a2@eksae.example.fr"]


def test_ticket_created_by_agent_skips_that_agent():
    chosen = ticket_recipients("ticket_created", TICKET, "a-1", USERS, AGENTS)

    assert emails(chosen) == ["a2@eksae.example.fr"]


def test_agent_message_goes_to_requester_and_followers_once():
    chosen = ticket_recipients("ticket_message_posted", TICKET, "a-1", USERS, AGENTS)

    assert emails(chosen) == ["req@example.fr", "fol@example.fr"]


def test_customer_message_goes_to_assignee_when_set():
    data = {**TICKET, "assignee_id": "a-2"}

    chosen = ticket_recipients("ticket_message_posted", data, "u-fol", USERS, AGENTS)

    assert emails(chosen) == ["a2@eksae.example.fr"]


def test_customer_message_goes_to_all_agents_without_assignee():
    chosen = ticket_recipients("ticket_message_posted", TICKET, "u-req", USERS, AGENTS)

    assert emails(chosen) == ["a1@eksae.example.fr", "a2@eksae.example.fr"]


def test_internal_note_never_goes_to_customers():
    for flag in ({"internal": True}, {"is_internal": True}, {"visibility": "internal"}):
        chosen = ticket_recipients("ticket_message_posted", {**TICKET, **flag}, "a-1", USERS, AGENTS)

        assert emails(chosen) == ["a2@eksae.example.fr"], flag


def test_system_status_change_goes_to_customers():
    chosen = ticket_recipients("ticket_status_changed", {**TICKET, "status": "closed"}, None, USERS, AGENTS)

    assert emails(chosen) == ["req@example.fr", "fol@example.fr"]


def test_customer_reopening_goes_to_agents():
    chosen = ticket_recipients("ticket_status_changed", {**TICKET, "status": "reopened"}, "u-req", USERS, AGENTS)

    assert emails(chosen) == ["a1@eksae.example.fr", "a2@eksae.example.fr"]


def test_assignment_goes_to_assignee_unless_self_assigned():
    data = {**TICKET, "assignee_id": "a-2"}

    assert emails(ticket_recipients("ticket_assigned", data, "a-1", USERS, AGENTS)) == ["a2@eksae.example.fr"]
    assert ticket_recipients("ticket_assigned", data, "a-2", USERS, AGENTS) == []


def test_unknown_or_inactive_users_are_skipped():
    inactive = {**FOLLOWER, "is_active": False}
    users = {**USERS, "u-fol": inactive}
    data = {"requester_id": "u-gone", "follower_ids": ["u-fol"]}

    assert ticket_recipients("ticket_message_posted", data, "a-1", users, AGENTS) == []


def test_actor_read_from_envelope_or_data():
    assert actor_id_of({"actor": {"type": "user", "user_id": "x"}, "data": {}}) == "x"
    assert actor_id_of({"actor": {"type": "system"}, "data": {"actor_id": "y"}}) == "y"
    assert actor_id_of({"actor": {"type": "system"}, "data": {}}) is None


def test_suspension_reminder_goes_to_requester_and_followers():
    data = {**TICKET, "assignee_id": "a-1", "status": "suspended"}

    chosen = ticket_recipients("ticket_suspension_reminded", data, None, USERS, AGENTS)

    assert emails(chosen) == ["req@example.fr", "fol@example.fr"]
