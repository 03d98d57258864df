"""Publish an event the way a service's outbox does: nameko's `<service>.events` topic exchange."""
from __future__ import annotations

import json
from typing import Any

import pika

from services.common.events import make_envelope


def publish_event(amqp_uri: str, service: str, event_type: str, data: dict[str, Any],
                  actor: dict[str, Any] | None = None, envelope: dict[str, Any] | None = None) -> dict[str, Any]:
    """Publish `envelope` (or a new one around `data`) with the event type as routing key; return it."""
    envelope = envelope or make_envelope(event_type, data, actor)
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        exchange = f"{service}.events"
        channel.exchange_declare(exchange, exchange_type="topic", durable=True)
        channel.basic_publish(exchange, event_type, json.dumps(envelope),
                              pika.BasicProperties(content_type="application/json", delivery_mode=2))
    finally:
        connection.close()
    return envelope
