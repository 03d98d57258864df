"""A RabbitMQ restart is survived by every service and the gateway, with nothing restarted by hand.

The test runs the system on a private RabbitMQ node, so restarting it disturbs nobody else.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.integration.test_foundation_flow import CREATE_TICKET, signed_in, ticket_input
from tests.support.broker import PrivateBroker
from tests.support.system import System

pytestmark = [pytest.mark.integration, pytest.mark.broker_restart]

RECOVERY_TIMEOUT_SECONDS = 60


@pytest.fixture(scope="module")
def broker() -> Iterator[PrivateBroker]:
    # Not under pytest's temporary directory: that one is private to root, and the node runs as
    # the rabbitmq user.
    work_dir = Path(tempfile.mkdtemp(prefix="portail-broker-"))
    node = PrivateBroker(work_dir)
    node.start()
    try:
        yield node
    finally:
        node.stop()
        shutil.rmtree(work_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def broker_system(tmp_path_factory: pytest.TempPathFactory, database_backend: str,
                  broker: PrivateBroker) -> Iterator[System]:
    running = System(tmp_path_factory.mktemp("restart"), database_backend, amqp_uri=broker.amqp_uri)
    try:
        running.start()
        yield running
    finally:
        running.stop()


def create_until_success(customer: Any, values: dict[str, Any]) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    last: dict[str, Any] = {}
    while time.monotonic() - started < RECOVERY_TIMEOUT_SECONDS:
        last = customer.execute(CREATE_TICKET, {"input": values})
        if not last.get("errors"):
            break
        time.sleep(0.5)
    return last, time.monotonic() - started


def test_broker_restart_survived(broker, broker_system):
    customer = signed_in(broker_system, "mleroy@example.fr")
    values = ticket_input(customer, "Demande après redémarrage du courtier")

    broker.ctl("stop_app")
    try:
        during = customer.execute(CREATE_TICKET, {"input": values})
    finally:
        broker.ctl("start_app")
        broker.wait_open()

    assert during["errors"][0]["extensions"]["code"] in ("SERVICE_UNAVAILABLE", "TIMEOUT")
    after, waited = create_until_success(customer, values)
    assert not after.get("errors"), f"still failing {waited:.0f}s after the restart: {after}"
    assert after["data"]["createTicket"]["ticket"]["number"]

    # Events flow again too: the new ticket's e-mail reaches the agents.
    number = after["data"]["createTicket"]["ticket"]["number"]
    from tests.integration.test_foundation_flow import wait_for_mail

    assert wait_for_mail(broker_system.work_dir / "var" / "mail", number, timeout=30)


def test_long_broker_outage_survived(broker, broker_system):
    customer = signed_in(broker_system, "mleroy@example.fr")
    values = ticket_input(customer, "Demande après une longue panne du courtier")

    broker.ctl("stop_app")
    try:
        # Longer than the services' first reconnection delays, so that they retry several times.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            during = customer.execute(CREATE_TICKET, {"input": values})
            assert during["errors"][0]["extensions"]["code"] in ("SERVICE_UNAVAILABLE", "TIMEOUT")
            time.sleep(2)
    finally:
        broker.ctl("start_app")
        broker.wait_open()

    after, waited = create_until_success(customer, values)
    assert not after.get("errors"), f"still failing {waited:.0f}s after the restart: {after}"


def test_outbox_keeps_events_while_broker_down(broker, broker_system):
    """A change committed while the broker is down is published once it is back, never lost."""
    import json

    import pika
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from services.common.database import make_engine
    from services.common.outbox import stage_event
    from services.tickets.models import Outbox

    # A queue of the test's own on the tickets exchange, durable so that it outlives the outage.
    connection = pika.BlockingConnection(pika.URLParameters(broker.amqp_uri))
    channel = connection.channel()
    channel.exchange_declare("tickets.events", exchange_type="topic", durable=True)
    channel.queue_declare("outbox-outage-check", durable=True)
    # An event type no service consumes, so that the probe has no effect beyond this queue.
    channel.queue_bind("outbox-outage-check", "tickets.events", routing_key="outbox_probe")
    connection.close()

    engine = make_engine(broker_system.databases.url("tickets"))
    broker.ctl("stop_app")
    try:
        # What a worker leaves when it commits during the outage: the change's event in the outbox.
        with Session(engine) as session:
            envelope = stage_event(session, Outbox, "outbox_probe", {"ticket_id": "outage-check"})
            session.commit()
        # Several relay rounds fail meanwhile; the row must still be waiting, not dropped.
        time.sleep(4)
        with Session(engine) as session:
            row = session.scalar(select(Outbox).where(Outbox.event_id == envelope["event_id"]))
            assert row is not None and row.published_at is None
    finally:
        broker.ctl("start_app")
        broker.wait_open()

    deadline = time.monotonic() + RECOVERY_TIMEOUT_SECONDS
    published_at = None
    while time.monotonic() < deadline and published_at is None:
        with Session(engine) as session:
            published_at = session.scalar(select(Outbox.published_at)
                                          .where(Outbox.event_id == envelope["event_id"]))
        time.sleep(0.5)
    engine.dispose()
    assert published_at is not None, f"event not published {RECOVERY_TIMEOUT_SECONDS}s after the broker restart"

    connection = pika.BlockingConnection(pika.URLParameters(broker.amqp_uri))
    channel = connection.channel()
    received = []
    while True:
        _method, _properties, body = channel.basic_get("outbox-outage-check", auto_ack=True)
        if body is None:
            break
        received.append(json.loads(body)["event_id"])
    channel.queue_delete("outbox-outage-check")
    connection.close()
    assert received.count(envelope["event_id"]) == 1
