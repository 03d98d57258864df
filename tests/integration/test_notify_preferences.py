"""Preferences decide between e-mail, portal and daily digest; the notification centre is per user."""
from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest

from gateway.context import RequestContext
from gateway.errors import format_error
from gateway.rpc import RpcClient
from gateway.schema import build_schema
from gateway.app import execute_graphql
from services.common import demo
from services.common.caller import Caller
from tests.support.events import publish_event

pytestmark = pytest.mark.integration

ADMIN = Caller(user_id=demo.ADMIN_AROUX, organisation_id=demo.VENDOR_ORG, role="admin")


def graphql_as(system, caller: Caller, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run `query` through the gateway's schema and resolvers as `caller`, over the real broker.

    Session sign-in belongs to auth, so the caller is set on the request context directly. Everything
    after authentication (authorisation, RPC, error codes) runs the gateway's own code.
    """
    async def run() -> dict[str, Any]:
        rpc = RpcClient(system.vhost.amqp_uri, timeout=5)
        await rpc.connect()
        try:
            context = RequestContext(request=None, rpc=rpc, caller=caller)  # type: ignore[arg-type]
            result = await execute_graphql(build_schema(), query, variables or {}, None, context)
        finally:
            await rpc.close()
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [format_error(error, "fr", context.request_id) for error in result.errors]
        return body

    return asyncio.run(run())


def new_customer(directory, language: str = "fr") -> tuple[Caller, str]:
    user_id = str(uuid.uuid4())
    address = f"client-{user_id[:8]}@saint-aubin.example.fr"
    directory.add_user({"id": user_id, "email": address, "first_name": "Client", "last_name": user_id[:8],
                        "display_name": f"Client {user_id[:8]}", "organisation_id": demo.ORG_SAINT_AUBIN,
                        "role": "customer", "language": language, "phone": None})
    return Caller(user_id=user_id, organisation_id=demo.ORG_SAINT_AUBIN, role="customer", language=language), address


def agent_reply(system, requester_id: str, follower_ids: list[str] | None = None) -> dict[str, Any]:
    number = f"P{uuid.uuid4().hex[:8].upper()}"
    data = {"ticket_id": str(uuid.uuid4()), "number": number, "title": f"Export comptable {number}",
            "organisation_id": demo.ORG_SAINT_AUBIN, "requester_id": requester_id,
            "follower_ids": follower_ids or [], "status": "in_progress", "body": "Voici la réponse."}
    publish_event(system.vhost.amqp_uri, "tickets", "ticket_message_posted", data,
                  {"type": "user", "user_id": demo.AGENT_CBERNARD})
    return data


def wait_for_notifications(system, caller: Caller, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        items = system.rpc("notify", "list_notifications", caller=caller, first=100)["items"]
        if len(items) >= count:
            return items
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(items)} notification(s) within {timeout}s, expected {count}")
        time.sleep(0.1)


SET_PREFERENCE = """
mutation($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) {
    preferences { kind emailEnabled inAppEnabled emailFrequency }
  }
}"""

NOTIFICATIONS = """
query { unreadNotificationCount notifications(first: 10) { totalCount edges { node { id title read link createdAt } } } }
"""


def set_preference(system, caller: Caller, **choice: Any) -> dict[str, Any]:
    body = graphql_as(system, caller, SET_PREFERENCE, {"input": {"preferences": [
        {"kind": "TICKET_MESSAGE_POSTED", **choice}]}})
    assert "errors" not in body, body
    return body["data"]["updateNotificationPreferences"]


def test_preferences_default_to_immediate_email_except_news(system):
    caller, _address = new_customer(system.directory)

    body = graphql_as(system, caller, "{ notificationPreferences { kind emailEnabled inAppEnabled emailFrequency } }")

    preferences = body["data"]["notificationPreferences"]
    assert {item["kind"] for item in preferences} == {
        "TICKET_CREATED", "TICKET_STATUS_CHANGED", "TICKET_MESSAGE_POSTED", "TICKET_ASSIGNED",
        "TICKET_SUSPENSION_REMINDED", "NEWS_PUBLISHED"}
    by_kind = {item["kind"]: item for item in preferences}
    assert all(item["inAppEnabled"] for item in preferences)
    assert all(item["emailFrequency"] == "IMMEDIATE" for item in preferences)
    assert all(by_kind[kind]["emailEnabled"] for kind in by_kind if kind != "NEWS_PUBLISHED")
    assert by_kind["NEWS_PUBLISHED"]["emailEnabled"] is False


def test_disabled_email_still_notifies_in_portal(system, mail_server):
    caller, address = new_customer(system.directory)
    follower, follower_address = new_customer(system.directory)
    set_preference(system, caller, emailEnabled=False)

    data = agent_reply(system, caller.user_id, [follower.user_id])

    mail_server.wait_for(follower_address, matching=lambda message: data["number"] in message.subject)
    items = wait_for_notifications(system, caller, 1)
    assert data["number"] in items[0]["title"]
    assert mail_server.messages_to(address) == []


def test_disabled_portal_notification_still_emails(system, mail_server):
    caller, address = new_customer(system.directory)
    set_preference(system, caller, inAppEnabled=False)

    data = agent_reply(system, caller.user_id)

    mail_server.wait_for(address, matching=lambda message: data["number"] in message.subject)
    assert system.rpc("notify", "list_notifications", caller=caller)["total_count"] == 0


def test_daily_digest_gathers_notifications(system, mail_server):
    caller, address = new_customer(system.directory, language="en")
    follower, follower_address = new_customer(system.directory)
    result = set_preference(system, caller, emailFrequency="DAILY")
    assert {"kind": "TICKET_MESSAGE_POSTED", "emailEnabled": True, "inAppEnabled": True,
            "emailFrequency": "DAILY"} in result["preferences"]

    first = agent_reply(system, caller.user_id, [follower.user_id])
    second = agent_reply(system, caller.user_id, [follower.user_id])
    for data in (first, second):
        mail_server.wait_for(follower_address, matching=lambda message, number=data["number"]: number in message.subject)
    wait_for_notifications(system, caller, 2)
    assert mail_server.messages_to(address) == []

    queued = system.rpc("notify", "send_digests_now", caller=ADMIN)

    assert queued >= 1
    digest = mail_server.wait_for(address)[0]
    assert digest.subject.startswith("Your digest of ")
    assert first["number"] in digest.text()
    assert second["number"] in digest.text()
    assert len(mail_server.messages_to(address)) == 1


def test_mark_read_updates_unread_count(system, mail_server):
    caller, _address = new_customer(system.directory)
    agent_reply(system, caller.user_id)
    agent_reply(system, caller.user_id)
    wait_for_notifications(system, caller, 2)

    listed = graphql_as(system, caller, NOTIFICATIONS)["data"]
    first_id = listed["notifications"]["edges"][0]["node"]["id"]
    marked = graphql_as(system, caller, """mutation($input: MarkNotificationReadInput!) {
        markNotificationRead(input: $input) { notification { read } unreadCount } }""",
                        {"input": {"notificationId": first_id}})["data"]["markNotificationRead"]
    all_marked = graphql_as(system, caller, """mutation { markAllNotificationsRead(input: {}) {
        markedCount unreadCount } }""")["data"]["markAllNotificationsRead"]

    assert listed["unreadNotificationCount"] == 2
    assert listed["notifications"]["totalCount"] == 2
    assert marked == {"notification": {"read": True}, "unreadCount": 1}
    assert all_marked == {"markedCount": 1, "unreadCount": 0}


def test_mark_read_of_other_user_is_not_found(system):
    owner, _address = new_customer(system.directory)
    other, _other_address = new_customer(system.directory)
    agent_reply(system, owner.user_id)
    notification = wait_for_notifications(system, owner, 1)[0]
    listed = graphql_as(system, owner, NOTIFICATIONS)["data"]
    global_id = listed["notifications"]["edges"][0]["node"]["id"]

    body = graphql_as(system, other, """mutation($input: MarkNotificationReadInput!) {
        markNotificationRead(input: $input) { unreadCount } }""", {"input": {"notificationId": global_id}})

    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert body["errors"][0]["message"] == "Notification introuvable."
    assert system.rpc("notify", "get_notification", caller=owner, notification_id=notification["id"])["read_at"] is None


def test_unknown_preference_frequency_is_rejected(system):
    caller, _address = new_customer(system.directory)

    with pytest.raises(Exception) as raised:
        system.rpc("notify", "update_notification_preferences", caller=caller,
                   preferences_list=[{"kind": "ticket_created", "email_frequency": "hourly"}])

    assert "InvalidPreferences" in str(raised.value)


def test_delivery_log_lists_sent_email_for_admin(system, mail_server):
    caller, address = new_customer(system.directory)
    data = agent_reply(system, caller.user_id)
    mail_server.wait_for(address, matching=lambda message: data["number"] in message.subject)

    deadline = time.monotonic() + 10
    while True:
        body = graphql_as(system, ADMIN, """query($recipient: String) {
            emailDeliveries(first: 5, recipient: $recipient) { totalCount edges { node {
              recipient subject kind status attempts lastError sentAt } } } }""", {"recipient": address.upper()})
        nodes = [edge["node"] for edge in body["data"]["emailDeliveries"]["edges"]]
        if nodes and nodes[0]["status"] == "SENT" or time.monotonic() > deadline:
            break
        time.sleep(0.1)

    assert len(nodes) == 1
    assert nodes[0]["recipient"] == address
    assert nodes[0]["kind"] == "TICKET_MESSAGE_POSTED"
    assert nodes[0]["status"] == "SENT"
    assert nodes[0]["attempts"] == 1
    assert nodes[0]["sentAt"] is not None


def test_delivery_log_forbidden_to_customers_in_graphql(system):
    caller, _address = new_customer(system.directory)

    body = graphql_as(system, caller, "{ emailDeliveries(first: 5) { totalCount } }")

    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_node_query_returns_own_notification(system):
    owner, _address = new_customer(system.directory)
    other, _other_address = new_customer(system.directory)
    data = agent_reply(system, owner.user_id)
    wait_for_notifications(system, owner, 1)
    global_id = graphql_as(system, owner, NOTIFICATIONS)["data"]["notifications"]["edges"][0]["node"]["id"]
    query = """query($id: ID!) { node(id: $id) { id ... on Notification { title kind read createdAt } } }"""

    own = graphql_as(system, owner, query, {"id": global_id})
    foreign = graphql_as(system, other, query, {"id": global_id})

    assert data["number"] in own["data"]["node"]["title"]
    assert own["data"]["node"]["kind"] == "TICKET_MESSAGE_POSTED"
    assert own["data"]["node"]["read"] is False
    assert foreign["errors"][0]["extensions"]["code"] == "NOT_FOUND"
