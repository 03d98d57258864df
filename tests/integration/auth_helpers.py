"""Helpers shared by the auth tests: a listener on the auth service's events and a direct database handle."""
from __future__ import annotations

import json
import time
from typing import Any

import pika
from sqlalchemy import text

from services.auth.demo import DEMO_PASSWORD
from services.common.database import make_engine

LOGIN = """mutation($input: LoginInput!) { login(input: $input) { user { id email role } mustChangePassword } }"""
CHANGE_PASSWORD = """mutation($input: ChangePasswordInput!) { changePassword(input: $input) { user { email } } }"""
__all__ = ["DEMO_PASSWORD", "LOGIN", "CHANGE_PASSWORD", "AuthEvents", "error_codes", "auth_database"]


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors") or []]


class AuthEvents:
    """A queue bound to the `auth.events` exchange for some event types, read with a deadline."""

    def __init__(self, amqp_uri: str, *event_types: str) -> None:
        self.connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
        self.channel = self.connection.channel()
        self.channel.exchange_declare("auth.events", exchange_type="topic", durable=True)
        self.queue = self.channel.queue_declare("", exclusive=True).method.queue
        for event_type in event_types:
            self.channel.queue_bind(self.queue, "auth.events", routing_key=event_type)

    def wait_for(self, predicate: Any, timeout: float = 10.0) -> dict[str, Any]:
        """Return the first event envelope matching `predicate`, failing after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            method, _properties, body = self.channel.basic_get(self.queue, auto_ack=True)
            if method is None:
                self.connection.process_data_events(time_limit=0.1)
                continue
            envelope = json.loads(body)
            if predicate(envelope):
                return envelope
        raise AssertionError(f"no matching event within {timeout}s")

    def drain(self, seconds: float) -> list[dict[str, Any]]:
        """Return every event that arrives within `seconds` (used to prove that none was published)."""
        events = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            method, _properties, body = self.channel.basic_get(self.queue, auto_ack=True)
            if method is None:
                self.connection.process_data_events(time_limit=0.1)
            else:
                events.append(json.loads(body))
        return events

    def close(self) -> None:
        self.connection.close()


def auth_database(system: Any) -> Any:
    """Return an engine on the auth service's database of this test run."""
    return make_engine(system.databases.url("auth"))


def run_sql(system: Any, statement: str, **params: Any) -> None:
    engine = auth_database(system)
    with engine.begin() as connection:
        connection.execute(text(statement), params)
    engine.dispose()
