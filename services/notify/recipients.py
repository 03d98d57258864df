"""Who hears about a ticket event: pure rules on the event's data and the users involved.

Users are the dicts of auth's `get_users`/`list_agents` (`id, email, display_name, language, role`).
The rules: support's actions go to the requester and followers, a customer's actions go to the
agents concerned (the assignee when there is one, otherwise every active agent), reminders about a
suspended ticket go to the requester and followers, internal notes never reach a customer, and
nobody hears about their own action.
"""
from __future__ import annotations

from typing import Any, Iterable

from services.common.caller import AGENT_ROLES

User = dict[str, Any]


def actor_id_of(envelope: dict[str, Any]) -> str | None:
    """Return the id of the user who caused the event, or None for the system."""
    actor = envelope.get("actor") or {}
    data = envelope.get("data") or {}
    if isinstance(actor, dict) and actor.get("user_id"):
        return str(actor["user_id"])
    for key in ("actor_id", "actor_user_id", "author_id"):
        if data.get(key):
            return str(data[key])
    return None


def ticket_party_ids(data: dict[str, Any]) -> list[str]:
    """Return the requester and followers of a ticket, without repeats, requester first."""
    ids: list[str] = []
    candidates = [data.get("requester_id"), *(data.get("follower_ids") or [])]
    for user_id in candidates:
        if user_id and str(user_id) not in ids:
            ids.append(str(user_id))
    return ids


def assignee_id_of(data: dict[str, Any]) -> str | None:
    for key in ("assignee_id", "assigned_agent_id", "assigned_to_id", "agent_id"):
        if data.get(key):
            return str(data[key])
    return None


def is_internal_note(data: dict[str, Any]) -> bool:
    """Return whether a posted message is visible to agents only."""
    if data.get("internal") or data.get("is_internal"):
        return True
    return str(data.get("visibility") or "").lower() in ("internal", "agents")


def is_agent(user: User | None, agent_ids: set[str], fallback_role: str | None = None) -> bool:
    if user is not None and user.get("role"):
        return user["role"] in AGENT_ROLES
    if user is not None and user.get("id") in agent_ids:
        return True
    return fallback_role in AGENT_ROLES


def is_active(user: User | None) -> bool:
    if not user or not user.get("email"):
        return False
    return user.get("is_active", user.get("active", True)) is not False


def agents_concerned(data: dict[str, Any], agents: list[User]) -> list[User]:
    """Return the assignee when the ticket has an active one, otherwise every active agent."""
    assignee_id = assignee_id_of(data)
    assigned = [agent for agent in agents if agent.get("id") == assignee_id]
    return assigned or list(agents)


def ticket_recipients(event_type: str, data: dict[str, Any], actor_id: str | None,
                      users: dict[str, User], agents: list[User]) -> list[User]:
    """Return the users to tell about a ticket event, without repeats and without the actor."""
    agent_ids = {str(agent.get("id")) for agent in agents}
    actor = users.get(actor_id) if actor_id else None
    by_support = actor_id is None or is_agent(actor, agent_ids, data.get("actor_role"))
    parties = [users.get(user_id) for user_id in ticket_party_ids(data)]
    parties_present = [user for user in parties if user is not None]

    if event_type == "ticket_created":
        chosen: Iterable[User | None] = agents
    elif event_type == "ticket_assigned":
        assignee_id = assignee_id_of(data)
        chosen = [users.get(assignee_id) or _find(agents, assignee_id)] if assignee_id else []
    elif event_type == "ticket_message_posted" and is_internal_note(data):
        # Internal notes stay among agents, even when a follower of the ticket is a customer.
        chosen = agents_concerned(data, agents)
    elif event_type in ("ticket_message_posted", "ticket_status_changed"):
        chosen = parties_present if by_support else agents_concerned(data, agents)
    elif event_type == "ticket_suspension_reminded":
        # Only the requester and followers can send the information the support is waiting for.
        chosen = parties_present
    else:
        chosen = []

    return _unique_without(chosen, actor_id)


def _find(users: list[User], user_id: str | None) -> User | None:
    return next((user for user in users if user.get("id") == user_id), None)


def _unique_without(users: Iterable[User | None], actor_id: str | None) -> list[User]:
    result: list[User] = []
    seen: set[str] = set()
    for user in users:
        if not is_active(user):
            continue
        assert user is not None
        key = str(user.get("id") or user["email"]).lower()
        if key in seen or (actor_id is not None and user.get("id") == actor_id):
            continue
        seen.add(key)
        result.append(user)
    return result
