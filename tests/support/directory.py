"""A stand-in for auth's user directory that serves `get_users`, `list_agents` and `list_users` over RPC.

It runs in the test process on its own AMQP connection and speaks the nameko wire protocol, so the
notify service under test calls it exactly as it calls auth. Tests add users with the addresses and
languages they need, and the notify service reaches it through `NOTIFY_DIRECTORY_SERVICE`.
"""
from __future__ import annotations

import json
import threading
from typing import Any

import pika

from services.common import demo

SERVICE_NAME = "notify_test_directory"
RPC_EXCHANGE = "nameko-rpc"
ENV = {"NOTIFY_DIRECTORY_SERVICE": SERVICE_NAME}
AGENT_ROLES = ("agent", "admin")


def _user(user_id: str, email: str, first: str, last: str, organisation_id: str, role: str,
          language: str = "fr") -> dict[str, Any]:
    return {"id": user_id, "email": email, "first_name": first, "last_name": last,
            "display_name": f"{first} {last}", "organisation_id": organisation_id, "role": role,
            "language": language, "phone": None}


def demo_users() -> list[dict[str, Any]]:
    """Return the demo identities shared by every service, as auth's `get_users` describes them."""
    return [
        _user(demo.USER_JDUPONT, "jdupont@example.fr", "Jean", "Dupont", demo.ORG_SAINT_AUBIN, "customer"),
        _user(demo.USER_MLEROY, "mleroy@example.fr", "Marie", "Leroy", demo.ORG_SAINT_AUBIN, "customer_manager"),
        _user(demo.USER_PMARTIN, "pmartin@vallee-du-lys.example.fr", "Paul", "Martin", demo.ORG_VALLEE, "customer"),
        _user(demo.AGENT_CBERNARD, "cbernard@eksae.example.fr", "Claire", "Bernard", demo.VENDOR_ORG, "agent"),
        _user(demo.AGENT_LPETIT, "lpetit@eksae.example.fr", "Luc", "Petit", demo.VENDOR_ORG, "agent", "en"),
        _user(demo.ADMIN_AROUX, "aroux@eksae.example.fr", "Anne", "Roux", demo.VENDOR_ORG, "admin"),
    ]


class StandInDirectory:
    """The stand-in service; `users` may be changed by tests while it runs."""

    def __init__(self, amqp_uri: str) -> None:
        self.amqp_uri = amqp_uri
        self.users: dict[str, dict[str, Any]] = {user["id"]: user for user in demo_users()}
        self.inactive: set[str] = set()
        self.failures_left = 0
        self.running = False
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="stand-in-directory", daemon=True)

    def add_user(self, user: dict[str, Any]) -> None:
        self.users[user["id"]] = user

    def fail_next_calls(self, count: int) -> None:
        """Reply to the next `count` calls with an error, as an auth service in trouble would."""
        self.failures_left = count

    def start(self) -> None:
        self.running = True
        self.thread.start()
        if not self.ready.wait(10):
            raise RuntimeError("stand-in directory did not start within 10s")

    def stop(self) -> None:
        self.running = False
        self.thread.join(timeout=5)

    def get_users(self, ids: list[str]) -> list[dict[str, Any] | None]:
        return [self.users.get(user_id) for user_id in ids]

    def list_agents(self) -> list[dict[str, Any]]:
        return [user for user in self.users.values()
                if user["role"] in AGENT_ROLES and user["id"] not in self.inactive]

    def list_users(self, organisation_ids: list[str] | None = None,
                   roles: list[str] | None = None) -> list[dict[str, Any]]:
        return [user for user in self.users.values()
                if (organisation_ids is None or user["organisation_id"] in organisation_ids)
                and (roles is None or user["role"] in roles) and user["id"] not in self.inactive]

    def _serve(self) -> None:
        connection = pika.BlockingConnection(pika.URLParameters(self.amqp_uri))
        channel = connection.channel()
        channel.exchange_declare(RPC_EXCHANGE, exchange_type="topic", durable=True)
        queue = f"rpc-{SERVICE_NAME}"
        channel.queue_declare(queue, auto_delete=True)
        channel.queue_bind(queue, RPC_EXCHANGE, routing_key=f"{SERVICE_NAME}.*")
        channel.basic_consume(queue, self._on_request)
        self.ready.set()
        try:
            while self.running:
                connection.process_data_events(time_limit=0.2)
        finally:
            connection.close()

    def _on_request(self, channel: Any, method: Any, properties: Any, body: bytes) -> None:
        request = json.loads(body)
        method_name = method.routing_key.split(".", 1)[1]
        reply: dict[str, Any]
        if self.failures_left > 0 and method_name != "ping":
            self.failures_left -= 1
            reply = {"result": None, "error": {"exc_type": "ServiceUnavailable", "exc_path": "tests.ServiceUnavailable",
                                               "exc_args": [], "value": "directory unavailable (test)"}}
        elif method_name in ("get_users", "list_agents", "list_users", "ping"):
            handler = getattr(self, method_name, None) if method_name != "ping" else (lambda: {"status": "ok"})
            reply = {"result": handler(*request.get("args", []), **request.get("kwargs", {})), "error": None}
        else:
            reply = {"result": None, "error": {"exc_type": "MethodNotFound", "exc_path": "nameko.exceptions.MethodNotFound",
                                               "exc_args": [method_name], "value": method_name}}
        channel.basic_publish(RPC_EXCHANGE, properties.reply_to, json.dumps(reply),
                              pika.BasicProperties(content_type="application/json",
                                                   correlation_id=properties.correlation_id))
        channel.basic_ack(method.delivery_tag)
