"""Ticket events reach the right people by e-mail and in the portal, once, in their language."""
from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from services.common import demo
from services.common.caller import Caller
from tests.support.events import publish_event

pytestmark = pytest.mark.integration

AGENT_ADDRESSES = ("cbernard@eksae.example.fr", "lpetit@eksae.example.fr", "aroux@eksae.example.fr")
JDUPONT = "jdupont@example.fr"
MLEROY = "mleroy@example.fr"


def ticket_data(**overrides: Any) -> dict[str, Any]:
    number = f"T{uuid.uuid4().hex[:8].upper()}"
    data = {
        "ticket_id": str(uuid.uuid4()), "number": number, "title": f"Impression des titres {number}",
        "organisation_id": demo.ORG_SAINT_AUBIN, "requester_id": demo.USER_JDUPONT,
        "follower_ids": [demo.USER_MLEROY], "status": "new", "organisation_name": "Ville de Saint-Aubin",
    }
    data.update(overrides)
    return data


def user_actor(user_id: str) -> dict[str, str]:
    return {"type": "user", "user_id": user_id}


def about(number: str):
    return lambda message: number in message.subject


def test_ticket_created_emails_every_agent(system, mail_server):
    data = ticket_data()

    publish_event(system.vhost.amqp_uri, "tickets", "ticket_created", data, user_actor(demo.USER_JDUPONT))

    for address in AGENT_ADDRESSES:
        received = mail_server.wait_for(address, matching=about(data["number"]))
        assert len(received) == 1
        assert f"/support/tickets/{data['number']}" in received[0].text()
        assert received[0].message["Auto-Submitted"] == "auto-generated"
    assert mail_server.messages_to(JDUPONT) == [] or not any(
        data["number"] in item.subject for item in mail_server.messages_to(JDUPONT))


def test_ticket_created_uses_each_agent_language(system, mail_server):
    data = ticket_data()

    publish_event(system.vhost.amqp_uri, "tickets", "ticket_created", data, user_actor(demo.USER_JDUPONT))

    french = mail_server.wait_for("cbernard@eksae.example.fr", matching=about(data["number"]))[0]
    english = mail_server.wait_for("lpetit@eksae.example.fr", matching=about(data["number"]))[0]
    assert french.subject == f"[Demande {data['number']}] Nouvelle demande : {data['title']}"
    assert english.subject == f"[Ticket {data['number']}] New ticket: {data['title']}"
    assert "Bonjour Claire Bernard" in french.text()
    assert "Hello Luc Petit" in english.text()
    assert "Ouvrir la demande" in french.html()


def test_ticket_created_twice_sends_one_email(system, mail_server):
    data = ticket_data()
    envelope = publish_event(system.vhost.amqp_uri, "tickets", "ticket_created", data,
                             user_actor(demo.USER_JDUPONT))

    publish_event(system.vhost.amqp_uri, "tickets", "ticket_created", data, envelope=envelope)
    # A later event for another ticket proves the queue moved past the duplicate.
    marker = ticket_data()
    publish_event(system.vhost.amqp_uri, "tickets", "ticket_created", marker, user_actor(demo.USER_JDUPONT))

    mail_server.wait_for("cbernard@eksae.example.fr", matching=about(marker["number"]))
    received = mail_server.wait_for("cbernard@eksae.example.fr", matching=about(data["number"]))
    assert len(received) == 1


def test_title_with_line_break_injects_no_header(system, mail_server):
    data = ticket_data()
    data["title"] = f"Panne {data['number']}\r\nBcc: intrus@example.org\nX-Injected: yes"

    publish_event(system.vhost.amqp_uri, "tickets", "ticket_created", data, user_actor(demo.USER_JDUPONT))

    received = mail_server.wait_for("cbernard@eksae.example.fr", matching=about(data["number"]))[0]
    assert received.message["Bcc"] is None
    assert received.message["X-Injected"] is None
    assert "\n" not in received.subject
    assert received.subject.endswith(f"Panne {data['number']} Bcc: intrus@example.org X-Injected: yes")
    assert received.recipients == ("cbernard@eksae.example.fr",)
    assert mail_server.messages_to("intrus@example.org") == []


def test_agent_reply_notifies_requester_and_followers(system, mail_server):
    data = ticket_data(message_id=str(uuid.uuid4()), body="Pouvez-vous joindre une capture ?", internal=False)

    publish_event(system.vhost.amqp_uri, "tickets", "ticket_message_posted", data,
                  user_actor(demo.AGENT_CBERNARD))

    to_requester = mail_server.wait_for(JDUPONT, matching=about(data["number"]))
    to_follower = mail_server.wait_for(MLEROY, matching=about(data["number"]))
    assert "Pouvez-vous joindre une capture ?" in to_requester[0].text()
    assert "Claire Bernard a écrit" in to_follower[0].text()
    assert not any(data["number"] in item.subject for item in mail_server.messages_to("cbernard@eksae.example.fr"))


def test_customer_reply_notifies_agents_not_author(system, mail_server):
    data = ticket_data(body="Voici la capture demandée.")

    publish_event(system.vhost.amqp_uri, "tickets", "ticket_message_posted", data,
                  user_actor(demo.USER_JDUPONT))

    mail_server.wait_for("cbernard@eksae.example.fr", matching=about(data["number"]))
    mail_server.wait_for("aroux@eksae.example.fr", matching=about(data["number"]))
    assert not any(data["number"] in item.subject for item in mail_server.messages_to(JDUPONT))
    assert not any(data["number"] in item.subject for item in mail_server.messages_to(MLEROY))


def test_internal_note_never_reaches_customers(system, mail_server):
    data = ticket_data(body="Client à relancer par téléphone.", internal=True)

    publish_event(system.vhost.amqp_uri, "tickets", "ticket_message_posted", data,
                  user_actor(demo.AGENT_CBERNARD))

    received = mail_server.wait_for("aroux@eksae.example.fr", matching=about(data["number"]))
    assert "note interne" in received[0].text()
    # The agent who wrote the note receives nothing, so the customers' absence is checked after the
    # other agents' e-mails arrived.
    mail_server.wait_for("lpetit@eksae.example.fr", matching=about(data["number"]))
    assert not any(data["number"] in item.subject for item in mail_server.messages_to(JDUPONT))
    assert not any(data["number"] in item.subject for item in mail_server.messages_to(MLEROY))
    assert not any(data["number"] in item.subject for item in mail_server.messages_to("cbernard@eksae.example.fr"))


def test_status_change_by_agent_notifies_customers(system, mail_server):
    data = ticket_data(status="resolved", previous_status="in_progress")

    publish_event(system.vhost.amqp_uri, "tickets", "ticket_status_changed", data,
                  user_actor(demo.AGENT_LPETIT))

    received = mail_server.wait_for(JDUPONT, matching=about(data["number"]))[0]
    assert received.subject == f"[Demande {data['number']}] Résolue : {data['title']}"
    mail_server.wait_for(MLEROY, matching=about(data["number"]))


def test_status_change_by_customer_notifies_assignee_only(system, mail_server):
    data = ticket_data(status="resume_requested", assignee_id=demo.AGENT_LPETIT)

    publish_event(system.vhost.amqp_uri, "tickets", "ticket_status_changed", data,
                  user_actor(demo.USER_MLEROY))

    received = mail_server.wait_for("lpetit@eksae.example.fr", matching=about(data["number"]))[0]
    assert received.subject == f"[Ticket {data['number']}] Resumption requested by the customer: {data['title']}"
    assert not any(data["number"] in item.subject for item in mail_server.messages_to("cbernard@eksae.example.fr"))
    assert not any(data["number"] in item.subject for item in mail_server.messages_to(MLEROY))


def test_ticket_created_adds_portal_notification(system, mail_server):
    data = ticket_data()

    publish_event(system.vhost.amqp_uri, "tickets", "ticket_created", data, user_actor(demo.USER_JDUPONT))

    mail_server.wait_for("cbernard@eksae.example.fr", matching=about(data["number"]))
    agent = Caller(user_id=demo.AGENT_CBERNARD, organisation_id=demo.VENDOR_ORG, role="agent")
    page = system.rpc("notify", "list_notifications", caller=agent, first=100)
    titles = [item["title"] for item in page["items"]]
    assert any(data["number"] in title for title in titles)


def test_ticket_event_retried_when_directory_fails(system, mail_server):
    # notify keeps directory replies for a few seconds, so a requester it has never seen makes it call.
    requester_id = str(uuid.uuid4())
    system.directory.add_user({"id": requester_id, "email": f"client-{requester_id[:8]}@example.fr",
                               "first_name": "Client", "last_name": requester_id[:8],
                               "display_name": f"Client {requester_id[:8]}", "organisation_id": demo.ORG_SAINT_AUBIN,
                               "role": "customer", "language": "fr", "phone": None})
    data = ticket_data(requester_id=requester_id, follower_ids=[])
    system.directory.fail_next_calls(2)

    publish_event(system.vhost.amqp_uri, "tickets", "ticket_created", data, user_actor(requester_id))

    received = mail_server.wait_for("cbernard@eksae.example.fr", matching=about(data["number"]))
    assert len(received) == 1
    assert system.directory.failures_left == 0


def test_ticket_assigned_notifies_assignee(system, mail_server):
    data = ticket_data(assignee_id=demo.AGENT_LPETIT)

    publish_event(system.vhost.amqp_uri, "tickets", "ticket_assigned", data, user_actor(demo.AGENT_CBERNARD))

    received = mail_server.wait_for("lpetit@eksae.example.fr", matching=about(data["number"]))[0]
    assert received.subject == f"[Ticket {data['number']}] Assigned to you: {data['title']}"
    assert "by Claire Bernard" in received.text()


def test_automatic_reply_notifies_nobody(system, mail_server):
    data = ticket_data(body="Je suis absent jusqu'au 5 janvier.", auto_submitted=True)

    publish_event(system.vhost.amqp_uri, "tickets", "ticket_message_posted", data, user_actor(demo.USER_JDUPONT))

    # The service writes no row for such a message, so its log line shows that the event was handled.
    expected_line = f"automatic message on ticket {data['ticket_id']}"
    deadline = time.monotonic() + 20
    while expected_line not in system.log_path("notify").read_text(errors="replace"):
        assert time.monotonic() < deadline, f"notify never logged {expected_line!r}"
        time.sleep(0.1)
    for address in AGENT_ADDRESSES:
        assert not any(data["number"] in item.subject for item in mail_server.messages_to(address)), address


def test_suspension_reminder_emails_requester(system, mail_server):
    data = ticket_data(status="suspended", assignee_id=demo.AGENT_LPETIT,
                       suspension_reason="Merci de joindre l'acte de naissance.",
                       suspended_at="2026-12-01T09:00:00+00:00", auto_close_at="2026-12-15T09:00:00+00:00")

    publish_event(system.vhost.amqp_uri, "tickets", "ticket_suspension_reminded", data, {"type": "system"})

    received = mail_server.wait_for(JDUPONT, matching=about(data["number"]))
    assert len(received) == 1
    assert received[0].subject == f"[Demande {data['number']}] Informations attendues (rappel) : {data['title']}"
    assert f"/support/tickets/{data['number']}" in received[0].text()
    assert "Merci de joindre l'acte de naissance." in received[0].text()
    assert "15/12/2026 10:00" in received[0].text()
    assert f"/support/tickets/{data['number']}" in received[0].html()
    mail_server.wait_for(MLEROY, matching=about(data["number"]))
    assert not any(data["number"] in item.subject for item in mail_server.messages_to("lpetit@eksae.example.fr"))
