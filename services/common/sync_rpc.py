"""A blocking RPC client on pika for command-line tools and tests (not for eventlet workers).

It speaks the same nameko protocol as the gateway's asyncio client: request on `nameko-rpc` with the
routing key `service.method`, reply through that exchange to the client's own bound queue.
"""
from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pika
from pika.exceptions import AMQPError, UnroutableError

from services.common import config

RPC_EXCHANGE = "nameko-rpc"


class RpcCallFailed(Exception):
    """The call could not be made or the service raised; `error` holds nameko's error dict, if any."""

    def __init__(self, message: str, error: dict[str, Any] | None = None):
        super().__init__(message)
        self.error = error or {}

    @property
    def exc_type(self) -> str:
        return str(self.error.get("exc_type", ""))


class SyncRpcClient:
    def __init__(self, amqp_uri: str | None = None, timeout: float = 10.0) -> None:
        self.timeout = timeout
        params = pika.URLParameters(amqp_uri or config.amqp_uri())
        params.blocked_connection_timeout = timeout
        self.connection = pika.BlockingConnection(params)
        self.channel = self.connection.channel()
        self.channel.confirm_delivery()
        self.channel.exchange_declare(RPC_EXCHANGE, exchange_type="topic", durable=True)
        self.reply_key = f"sync-reply-{uuid.uuid4().hex}"
        self.channel.queue_declare(self.reply_key, exclusive=True, auto_delete=True)
        self.channel.queue_bind(self.reply_key, RPC_EXCHANGE, routing_key=self.reply_key)
        self.replies: dict[str, dict[str, Any]] = {}
        self.channel.basic_consume(self.reply_key, self._on_reply, auto_ack=True)

    def _on_reply(self, _channel: Any, _method: Any, properties: Any, body: bytes) -> None:
        self.replies[properties.correlation_id] = json.loads(body)

    def call(self, service: str, method: str, *, context: dict[str, str] | None = None,
             timeout: float | None = None, **kwargs: Any) -> Any:
        timeout = timeout or self.timeout
        correlation_id = uuid.uuid4().hex
        headers = {f"nameko.{key}": value for key, value in (context or {}).items()}
        properties = pika.BasicProperties(content_type="application/json", correlation_id=correlation_id,
                                          reply_to=self.reply_key, headers=headers,
                                          expiration=str(int(timeout * 1000)))
        try:
            self.channel.basic_publish(RPC_EXCHANGE, f"{service}.{method}",
                                       json.dumps({"args": [], "kwargs": kwargs}), properties, mandatory=True)
        except UnroutableError as exc:
            raise RpcCallFailed(f"service {service} is not consuming its RPC queue") from exc
        deadline = time.monotonic() + timeout
        while correlation_id not in self.replies:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RpcCallFailed(f"{service}.{method} did not reply within {timeout}s")
            self.connection.process_data_events(time_limit=min(remaining, 0.2))
        reply = self.replies.pop(correlation_id)
        if reply.get("error"):
            error = reply["error"]
            raise RpcCallFailed(f"{service}.{method} raised {error.get('exc_path')}: {error.get('value')}", error)
        return reply.get("result")

    def close(self) -> None:
        try:
            self.connection.close()
        except AMQPError:
            pass

    def __enter__(self) -> "SyncRpcClient":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
