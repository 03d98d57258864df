"""Helpers shared by the auth tests: a listener on the auth service's events and a direct database handle."""
from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pika
from graphql_relay import to_global_id
from sqlalchemy import text

from services.auth.demo import DEMO_PASSWORD
from services.common import demo
from services.common.database import make_engine

LOGIN = """mutation($input: LoginInput!) { login(input: $input) { user { id email role } mustChangePassword } }"""
CHANGE_PASSWORD = """mutation($input: ChangePasswordInput!) { changePassword(input: $input) { user { email } } }"""
CREATE_USER = "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id email } } }"
COMPLETE_RESET = """mutation($input: CompletePasswordResetInput!) { completePasswordReset(input: $input) { email } }"""
# Password that `new_account` gives the accounts it creates.
NEW_ACCOUNT_PASSWORD = "Deux-Facteurs-2026!?"
DEACTIVATE_USER = "mutation($input: UserIdInput!) { deactivateUser(input: $input) { user { isActive } } }"
__all__ = ["DEMO_PASSWORD", "LOGIN", "CHANGE_PASSWORD", "NEW_ACCOUNT_PASSWORD", "AuthEvents", "NewAccounts",
           "error_codes", "auth_database", "new_account"]


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


def new_account(system: Any, role: str = "AGENT") -> tuple[str, str]:
    """Create an account through an admin (staff) or a manager (customer), follow its invitation link to
    set `NEW_ACCOUNT_PASSWORD`, and return (global user id, e-mail)."""
    creator = system.client()
    creator.login("mleroy@example.fr" if role == "CUSTOMER" else "aroux@eksae.example.fr", DEMO_PASSWORD)
    events = AuthEvents(system.vhost.amqp_uri, "user_invited")
    email = f"tfa-{uuid.uuid4().hex[:8]}@example.fr"
    values = {"email": email, "firstName": "Sam", "lastName": "Deuxfacteurs", "role": role}
    if role != "CUSTOMER":
        values["organisationId"] = to_global_id("Organisation", demo.VENDOR_ORG)
    try:
        user = creator.data(CREATE_USER, {"input": values})["createUser"]["user"]
        invited = events.wait_for(lambda e: e["data"]["email"] == email)
    finally:
        events.close()
        creator.close()
    system.client().data(COMPLETE_RESET, {"input": {"token": invited["data"]["token"],
                                                    "newPassword": NEW_ACCOUNT_PASSWORD}})
    return user["id"], email


class NewAccounts:
    """Accounts made by `new_account` for one test, disabled afterwards so that lists of active staff
    (`list_agents`) stay as the demo data has them for the other tests of the shared system."""

    def __init__(self, system: Any) -> None:
        self.system = system
        self.user_ids: list[str] = []

    def create(self, role: str = "AGENT") -> tuple[str, str]:
        user_id, email = new_account(self.system, role)
        self.user_ids.append(user_id)
        return user_id, email

    def deactivate_all(self) -> None:
        admin = self.system.client()
        admin.login("aroux@eksae.example.fr", DEMO_PASSWORD)
        for user_id in self.user_ids:
            admin.data(DEACTIVATE_USER, {"input": {"userId": user_id}})
        admin.close()
