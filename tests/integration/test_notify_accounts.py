"""Invitation and password reset e-mails carry their link, in the user's language, and survive SMTP refusals."""
from __future__ import annotations

import time
import uuid

import pytest

from services.common import demo
from services.common.caller import Caller
from tests.support.events import publish_event

pytestmark = pytest.mark.integration

ADMIN = Caller(user_id=demo.ADMIN_AROUX, organisation_id=demo.VENDOR_ORG, role="admin")


def new_address() -> str:
    return f"user-{uuid.uuid4().hex[:10]}@saint-aubin.example.fr"


def delivery_log(system, recipient: str) -> list[dict]:
    return system.rpc("notify", "list_email_deliveries", caller=ADMIN, recipient=recipient, first=100)["items"]


def wait_for_status(system, recipient: str, status: str, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        rows = delivery_log(system, recipient)
        if rows and rows[0]["status"] == status:
            return rows[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"delivery to {recipient} not {status} within {timeout}s: {rows}")
        time.sleep(0.1)


def test_user_invited_sends_link_in_french(system, mail_server):
    address = new_address()
    token = uuid.uuid4().hex

    publish_event(system.vhost.amqp_uri, "auth", "user_invited", {
        "user_id": str(uuid.uuid4()), "email": address, "first_name": "Sophie", "last_name": "Girard",
        "organisation_id": demo.ORG_SAINT_AUBIN, "organisation_name": "Ville de Saint-Aubin", "token": token,
        "expires_at": "2026-12-11T09:00:00+00:00",
    }, {"type": "user", "user_id": demo.USER_MLEROY})

    received = mail_server.wait_for(address)[0]
    assert received.subject == "Invitation au portail client de Ville de Saint-Aubin"
    assert f"{system.base_url}/invitation?token={token}" in received.text()
    assert "Bonjour Sophie Girard" in received.text()
    assert "Marie Leroy vous invite" in received.text()
    assert "11/12/2026 10:00" in received.text()


def test_password_reset_email_in_english(system, mail_server):
    address = new_address()
    token = uuid.uuid4().hex

    publish_event(system.vhost.amqp_uri, "auth", "password_reset_requested", {
        "user_id": str(uuid.uuid4()), "email": address, "language": "en", "token": token,
    })

    received = mail_server.wait_for(address)[0]
    assert received.subject == "Reset your password"
    assert f"{system.base_url}/mot-de-passe/reinitialiser?token={token}" in received.text()
    assert token in received.html()


def test_reset_token_absent_from_log_and_delivery_log(system, mail_server):
    address = new_address()
    token = uuid.uuid4().hex

    publish_event(system.vhost.amqp_uri, "auth", "password_reset_requested", {
        "user_id": str(uuid.uuid4()), "email": address, "token": token,
    })

    mail_server.wait_for(address)
    row = wait_for_status(system, address, "sent")
    assert token not in str(row)
    assert token not in system.log_path("notify").read_text(errors="replace")


def test_rejected_then_accepted_email_is_sent(system, mail_server):
    address = new_address()
    mail_server.reject_temporarily(address, times=2)

    publish_event(system.vhost.amqp_uri, "auth", "password_reset_requested", {
        "user_id": str(uuid.uuid4()), "email": address, "token": uuid.uuid4().hex,
    })

    received = mail_server.wait_for(address)
    assert len(received) == 1
    assert mail_server.rejections(address) == 2
    row = wait_for_status(system, address, "sent")
    assert row["attempts"] == 3
    assert row["last_error"] is None


def test_always_rejected_email_ends_failed(system, mail_server):
    address = new_address()
    mail_server.reject_temporarily(address, times=100)

    publish_event(system.vhost.amqp_uri, "auth", "password_reset_requested", {
        "user_id": str(uuid.uuid4()), "email": address, "token": uuid.uuid4().hex,
    })

    row = wait_for_status(system, address, "failed")
    # The test system retries after 1, 1 and 2 seconds, then gives up: four attempts in all.
    assert row["attempts"] == 4
    assert "451" in row["last_error"]
    assert mail_server.messages_to(address) == []


def test_rejected_email_does_not_block_others(system, mail_server):
    blocked, other = new_address(), new_address()
    mail_server.reject_temporarily(blocked, times=100)

    for address in (blocked, other):
        publish_event(system.vhost.amqp_uri, "auth", "password_reset_requested", {
            "user_id": str(uuid.uuid4()), "email": address, "token": uuid.uuid4().hex,
        })

    assert len(mail_server.wait_for(other)) == 1
    assert mail_server.messages_to(blocked) == []


def test_delivery_log_forbidden_to_agents(system):
    agent = Caller(user_id=demo.AGENT_CBERNARD, organisation_id=demo.VENDOR_ORG, role="agent")

    with pytest.raises(Exception) as raised:
        system.rpc("notify", "list_email_deliveries", caller=agent)

    assert "Forbidden" in str(raised.value)
