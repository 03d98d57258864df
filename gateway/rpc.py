"""An asyncio RPC client that speaks nameko's AMQP protocol on one connection.

Requests go to the `nameko-rpc` topic exchange with the routing key `service.method`; replies come
back through the same exchange to a queue bound to this client's own routing key. The connection is
robust: after a broker restart it reconnects and declares its reply queue again by itself. Each call
has a timeout; a request that nobody consumes in time expires in the broker instead of running late.
"""
from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from aio_pika.exceptions import AMQPError, ChannelInvalidStateError, DeliveryError

logger = logging.getLogger(__name__)

RPC_EXCHANGE = "nameko-rpc"
DEFAULT_TIMEOUT_SECONDS = 5.0


class RpcError(Exception):
    """Base of the errors the client raises instead of a result."""


class ServiceUnavailable(RpcError):
    """The broker is unreachable, or no instance of the service is there to take the call."""

    def __init__(self, service: str, reason: str):
        super().__init__(f"service {service} unavailable: {reason}")
        self.service = service


class RpcTimeout(RpcError):
    """No reply came within the call's timeout."""

    def __init__(self, service: str, method: str, timeout: float):
        super().__init__(f"{service}.{method} did not reply within {timeout:.1f}s")
        self.service = service


class RemoteError(RpcError):
    """The service raised; `exc_path` names its exception class, `exc_args` its arguments."""

    def __init__(self, service: str, method: str, error: dict[str, Any]):
        self.service = service
        self.method = method
        self.exc_type = error.get("exc_type", "")
        self.exc_path = error.get("exc_path", "")
        self.exc_args = error.get("exc_args") or []
        self.value = error.get("value", "")
        super().__init__(f"{service}.{method} raised {self.exc_path}: {self.value}")


class RpcClient:
    """Call nameko services from asyncio code; safe to share between concurrent requests."""

    def __init__(self, amqp_uri: str, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.amqp_uri = amqp_uri
        self.timeout = timeout
        self.connection: AbstractRobustConnection | None = None
        self.reply_key = f"gateway-reply-{uuid.uuid4().hex}"
        self.pending: dict[str, asyncio.Future[Any]] = {}
        self._connect_lock = asyncio.Lock()

    async def connect(self) -> None:
        """Open the connection and the reply queue; raise ServiceUnavailable when the broker is down."""
        async with self._connect_lock:
            if self.connection is not None:
                return
            try:
                connection = await aio_pika.connect_robust(self.amqp_uri, reconnect_interval=1.0,
                                                           client_properties={"connection_name": "gateway"})
            except (OSError, AMQPError) as exc:
                raise ServiceUnavailable("broker", str(exc)) from exc
            channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
            self.exchange = await channel.declare_exchange(RPC_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
            queue = await channel.declare_queue(self.reply_key, exclusive=True, auto_delete=True)
            await queue.bind(self.exchange, routing_key=self.reply_key)
            await queue.consume(self._on_reply, no_ack=True)
            self.connection = connection
            logger.info("RPC client connected, replies on %s", self.reply_key)

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()
            self.connection = None

    @property
    def is_connected(self) -> bool:
        return self.connection is not None and not self.connection.is_closed and self.connection.connected.is_set()

    async def call(self, service: str, method: str, *, context: dict[str, str] | None = None,
                   timeout: float | None = None, **kwargs: Any) -> Any:
        """Call `service.method(**kwargs)` and return its result.

        Raises ServiceUnavailable, RpcTimeout, or RemoteError when the service raised.
        """
        timeout = timeout or self.timeout
        if self.connection is None:
            await self.connect()
        if not self.is_connected:
            raise ServiceUnavailable(service, "broker connection lost, reconnecting")

        correlation_id = uuid.uuid4().hex
        headers: dict[str, Any] = {f"nameko.{key}": value for key, value in (context or {}).items()}
        headers["nameko.call_id_stack"] = [f"gateway.{service}.{method}.{correlation_id}"]
        message = aio_pika.Message(
            body=json.dumps({"args": [], "kwargs": kwargs}).encode(),
            content_type="application/json",
            correlation_id=correlation_id,
            reply_to=self.reply_key,
            headers=headers,
            expiration=timeout,
            delivery_mode=aio_pika.DeliveryMode.NOT_PERSISTENT,
        )
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[correlation_id] = future
        try:
            try:
                await asyncio.wait_for(
                    self.exchange.publish(message, routing_key=f"{service}.{method}", mandatory=True),
                    timeout,
                )
            except DeliveryError as exc:
                raise ServiceUnavailable(service, "no instance is consuming its RPC queue") from exc
            except (ChannelInvalidStateError, AMQPError, ConnectionError, RuntimeError) as exc:
                raise ServiceUnavailable(service, f"publish failed: {exc}") from exc
            except asyncio.TimeoutError as exc:
                raise ServiceUnavailable(service, "the broker did not confirm the request") from exc
            try:
                reply = await asyncio.wait_for(future, timeout)
            except asyncio.TimeoutError as exc:
                raise RpcTimeout(service, method, timeout) from exc
        finally:
            self.pending.pop(correlation_id, None)

        error = reply.get("error")
        if error:
            raise RemoteError(service, method, error)
        return reply.get("result")

    async def _on_reply(self, message: AbstractIncomingMessage) -> None:
        future = self.pending.get(message.correlation_id or "")
        if future is None or future.done():
            logger.debug("reply %s arrived after its call ended; dropped", message.correlation_id)
            return
        try:
            future.set_result(json.loads(message.body))
        except ValueError as exc:
            future.set_exception(RpcError(f"malformed reply: {exc}"))
