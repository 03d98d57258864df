"""Published news reach the customers of their audience in the portal, and by e-mail for those who opt in."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from services.common import demo
from services.common.caller import Caller
from tests.support.events import publish_event

pytestmark = pytest.mark.integration

ADMIN = Caller(user_id=demo.ADMIN_AROUX, organisation_id=demo.VENDOR_ORG, role="admin")
PMARTIN = Caller(user_id=demo.USER_PMARTIN, organisation_id=demo.ORG_VALLEE, role="customer")
JDUPONT = Caller(user_id=demo.USER_JDUPONT, organisation_id=demo.ORG_SAINT_AUBIN, role="customer")


def publish_news(system, **overrides: Any) -> dict[str, Any]:
    title = f"Maintenance {uuid.uuid4().hex[:8]}"
    data = {"article_id": str(uuid.uuid4()), "title": title, "summary": "Coupure de 8 h à 12 h.",
            "publish_at": datetime.now(timezone.utc).isoformat(), "audience": "everyone",
            "audience_product_ids": [], "audience_organisation_ids": []}
    data.update(overrides)
    publish_event(system.vhost.amqp_uri, "news", "news_published", data,
                  {"type": "user", "user_id": demo.ADMIN_AROUX})
    return data


def titles(system, caller: Caller) -> list[str]:
    return [item["title"] for item in system.rpc("notify", "list_notifications", caller=caller, first=100)["items"]]


def wait_for_title(system, caller: Caller, title: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not any(title in item for item in titles(system, caller)):
        if time.monotonic() > deadline:
            raise AssertionError(f"no notification about {title!r} within {timeout}s: {titles(system, caller)}")
        time.sleep(0.1)


def customer_with_news_email(system) -> tuple[Caller, str]:
    user_id = str(uuid.uuid4())
    address = f"lecteur-{user_id[:8]}@saint-aubin.example.fr"
    system.directory.add_user({"id": user_id, "email": address, "first_name": "Lecteur", "last_name": user_id[:8],
                               "display_name": f"Lecteur {user_id[:8]}", "organisation_id": demo.ORG_SAINT_AUBIN,
                               "role": "customer", "language": "fr", "phone": None})
    caller = Caller(user_id=user_id, organisation_id=demo.ORG_SAINT_AUBIN, role="customer")
    system.rpc("notify", "update_notification_preferences", caller=caller,
               preferences_list=[{"kind": "news_published", "email_enabled": True}])
    return caller, address


def test_news_for_organisation_reaches_only_its_customers(system):
    data = publish_news(system, audience="organisations", audience_organisation_ids=[demo.ORG_VALLEE])

    wait_for_title(system, PMARTIN, data["title"])

    # Every recipient's notification is written in one transaction, so the check below is not early.
    assert not any(data["title"] in title for title in titles(system, JDUPONT))
    assert not any(data["title"] in title for title in titles(system, ADMIN))


def test_news_emails_only_customers_who_opted_in(system, mail_server):
    _caller, address = customer_with_news_email(system)

    data = publish_news(system)

    received = mail_server.wait_for(address, matching=lambda message: data["title"] in message.subject)
    assert received[0].subject == f"Actualité : {data['title']}"
    wait_for_title(system, JDUPONT, data["title"])
    assert not any(data["title"] in message.subject for message in mail_server.messages_to("jdupont@example.fr"))


def test_news_published_ahead_waits_for_publication_time(system, mail_server):
    caller, address = customer_with_news_email(system)
    publish_at = datetime.now(timezone.utc) + timedelta(seconds=4)

    data = publish_news(system, publish_at=publish_at.isoformat(), audience="organisations",
                        audience_organisation_ids=[demo.ORG_SAINT_AUBIN])

    deadline = time.monotonic() + 10
    while not system.rpc("notify", "list_email_deliveries", caller=ADMIN, recipient=address)["items"]:
        assert time.monotonic() < deadline, "the news e-mail was never queued"
        time.sleep(0.1)
    assert datetime.now(timezone.utc) < publish_at, "the test machine was too slow to check before publication"
    assert not any(data["title"] in title for title in titles(system, caller))
    assert mail_server.messages_to(address) == []

    mail_server.wait_for(address, matching=lambda message: data["title"] in message.subject)
    assert datetime.now(timezone.utc) >= publish_at
    assert any(data["title"] in title for title in titles(system, caller))
