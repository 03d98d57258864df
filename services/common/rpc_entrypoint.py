"""The `rpc` entrypoint every service uses: nameko's, with a cheaper reply.

nameko's reply encodes the result twice (once to check that it can be encoded, once to send it) and
waits for RabbitMQ to confirm each reply. On a page of 50 tickets the two encodings took about a
seventh of the tickets service's time (py-spy, ticket benchmark). Here the reply is encoded once, and sent without a confirm:
a reply lost with the connection ends as the caller's timeout, as it would if the service died.
"""
from __future__ import annotations

import sys
from typing import Any

import kombu.serialization
from nameko import config, rpc as nameko_rpc
from nameko.constants import AMQP_SSL_CONFIG_KEY, LOGIN_METHOD_CONFIG_KEY
from nameko.exceptions import UnserializableValueError, serialize


class ReplyOnceResponder(nameko_rpc.Responder):
    def send_response(self, result: Any, exc_info: Any) -> tuple[Any, Any]:
        error = serialize(exc_info[1]) if exc_info is not None else None

        # Reply encoded as the request was.
        serializer = kombu.serialization.registry.type_to_name[self.message.properties["content_type"]]
        try:
            content_type, content_encoding, body = kombu.serialization.dumps(
                {"result": result, "error": error}, serializer)
        except Exception:
            # A result that cannot be encoded becomes an error the caller can read, as in nameko.
            exc_info = sys.exc_info()
            error = serialize(UnserializableValueError(result))
            result = None
            content_type, content_encoding, body = kombu.serialization.dumps(
                {"result": None, "error": error}, serializer)

        publisher = self.publisher_cls(self.amqp_uri, use_confirms=False, ssl=self.ssl,
                                       login_method=self.login_method)
        publisher.publish(body, content_type=content_type, content_encoding=content_encoding,
                          exchange=self.exchange, routing_key=self.message.properties["reply_to"],
                          correlation_id=self.message.properties.get("correlation_id"))
        return result, exc_info


class ReplyOnceRpcConsumer(nameko_rpc.RpcConsumer):
    def handle_result(self, message: Any, result: Any, exc_info: Any) -> tuple[Any, Any]:
        responder = ReplyOnceResponder(self.amqp_uri, nameko_rpc.get_rpc_exchange(), message,
                                       ssl=config.get(AMQP_SSL_CONFIG_KEY),
                                       login_method=config.get(LOGIN_METHOD_CONFIG_KEY))
        result, exc_info = responder.send_response(result, exc_info)
        self.consumer.ack_message(message)
        return result, exc_info


class Rpc(nameko_rpc.Rpc):
    # One shared consumer per service, as in nameko: every rpc method of a service must use this class.
    rpc_consumer = ReplyOnceRpcConsumer()


rpc = Rpc.decorator
