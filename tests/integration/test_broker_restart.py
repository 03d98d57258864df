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
