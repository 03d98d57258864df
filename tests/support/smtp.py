"""A real SMTP server on 127.0.0.1 for the tests, built on aiosmtpd, that records what it receives.

It can reject a recipient a given number of times with a temporary error (451), to prove that the
notify service retries.
"""
from __future__ import annotations

import email
import email.policy
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Callable

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

DEFAULT_WAIT_SECONDS = 20.0


@dataclass(frozen=True)
class ReceivedMessage:
    mail_from: str
    recipients: tuple[str, ...]
    raw: bytes
    message: EmailMessage

    @property
    def subject(self) -> str:
        # The space after the colon, or the fold Python puts there for long values, is not part of it.
        return str(self.message["Subject"] or "").strip()

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""


class RecordingHandler:
    """aiosmtpd handler: keeps each accepted message and rejects recipients on request."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[ReceivedMessage] = []
        self.pending_rejections: dict[str, int] = {}
        self.rejection_count: dict[str, int] = {}

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        key = address.lower()
        with self.lock:
            remaining = self.pending_rejections.get(key, 0)
            if remaining > 0:
                self.pending_rejections[key] = remaining - 1
                self.rejection_count[key] = self.rejection_count.get(key, 0) + 1
                return "451 4.3.0 Temporary failure, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        received = ReceivedMessage(envelope.mail_from, tuple(envelope.rcpt_tos), raw, parsed)  # type: ignore[arg-type]
        with self.lock:
            self.messages.append(received)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """The running test server and the queries tests make on what it received.

    With `tls_context`, the server offers STARTTLS and requires it. With `credentials` (user, password),
    it requires SMTP AUTH after STARTTLS.
    """

    def __init__(self, tls_context: ssl.SSLContext | None = None,
                 credentials: tuple[str, str] | None = None) -> None:
        self.host = "127.0.0.1"
        self.port = _free_port()
        self.handler = RecordingHandler()
        self.credentials = credentials
        options: dict[str, Any] = {}
        if tls_context is not None:
            options.update(tls_context=tls_context, require_starttls=True)
        if credentials is not None:
            options.update(authenticator=self._authenticate, auth_require_tls=True)
        self.controller = Controller(self.handler, hostname=self.host, port=self.port, **options)

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if self.credentials is None or not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = self.credentials
        accepted = auth_data.login.decode() == user and auth_data.password.decode() == password
        return AuthResult(success=accepted, handled=False)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def env(self) -> dict[str, str]:
        """Return the environment that points the notify service at this server."""
        return {"SMTP_HOST": self.host, "SMTP_PORT": str(self.port), "SMTP_SECURITY": "none",
                "MAIL_FROM": "Portail client <no-reply@portail.test>"}

    def reject_temporarily(self, address: str, times: int) -> None:
        """Reject the next `times` deliveries to `address` with 451, a temporary failure."""
        with self.handler.lock:
            self.handler.pending_rejections[address.lower()] = times

    def rejections(self, address: str) -> int:
        """Return how many deliveries to `address` were rejected so far."""
        with self.handler.lock:
            return self.handler.rejection_count.get(address.lower(), 0)

    def messages_to(self, address: str) -> list[ReceivedMessage]:
        key = address.lower()
        with self.handler.lock:
            return [item for item in self.handler.messages if key in (rcpt.lower() for rcpt in item.recipients)]

    def wait_for(self, address: str, count: int = 1, timeout: float = DEFAULT_WAIT_SECONDS,
                 matching: Callable[[ReceivedMessage], bool] = lambda _message: True) -> list[ReceivedMessage]:
        """Poll until `address` has at least `count` matching messages; fail with what arrived."""
        deadline = time.monotonic() + timeout
        while True:
            found = [item for item in self.messages_to(address) if matching(item)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{address} received {len(found)} matching message(s) within {timeout}s, "
                                     f"expected {count}; subjects: {[item.subject for item in self.messages_to(address)]}")
            time.sleep(0.05)
