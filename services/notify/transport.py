"""Hand a built message to SMTP, or write it as a `.eml` file when no SMTP server is configured."""
from __future__ import annotations

import logging
import os
import smtplib
import ssl
import time
import uuid
from contextlib import contextmanager
from email.message import EmailMessage
from email.policy import SMTP as SMTP_BASE_POLICY
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Iterator

from eventlet.semaphore import Semaphore
from nameko.extensions import DependencyProvider

from services.common import config
from services.common.events import utc_now
from services.notify.settings import MailSettings, mail_settings, smtp_max_sessions

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The message could not be handed over; the text is kept in the delivery log."""


# CRLF line ends as SMTP wants, without folding headers (see MESSAGE_POLICY in messages.py).
SMTP_POLICY = SMTP_BASE_POLICY.clone(max_line_length=998)


def mail_dir() -> Path:
    path = config.var_dir() / "mail"
    path.mkdir(parents=True, exist_ok=True)
    return path


# Errors after which the SMTP session itself is still usable: smtplib sends RSET for them.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


class Mailer:
    """Deliver messages one by one over a single SMTP session, opened at the first message.

    A batch of e-mails then costs one connection, TLS handshake and login instead of one per message.
    After a connection error the session is dropped and the next message opens a new one.
    """

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self.client: smtplib.SMTP | None = None
        self.messages_in_session = 0
        # `send_message` takes the same address from the From header of a built message.
        self.envelope_sender = parseaddr(settings.mail_from)[1]

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def deliver(self, message: EmailMessage | bytes, recipient: str) -> None:
        """Send `message` (built, or encoded with CRLF line ends) to `recipient`; raise DeliveryError when that fails."""
        if not self.settings.smtp_host:
            write_eml(message)
            return
        try:
            try:
                self._send(message, recipient)
            except smtplib.SMTPServerDisconnected:
                # A server may close an idle or long session; one new session gets the message through.
                self._drop()
                self._send(message, recipient)
        except MESSAGE_ERRORS as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            self._drop()
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc

    def _send(self, message: EmailMessage, recipient: str) -> None:
        if self.client is not None and self.messages_in_session >= MAX_MESSAGES_PER_SESSION:
            self.close()
        if self.client is None:
            self.client = _connect(self.settings)
            self.messages_in_session = 0
        self.messages_in_session += 1
        # The envelope recipient is given explicitly, so no header of the message can add another.
        if isinstance(message, bytes):
            self.client.sendmail(self.envelope_sender, [recipient], message)
        else:
            self.client.send_message(message, to_addrs=[recipient])

    @property
    def connected(self) -> bool:
        return self.client is not None

    def close(self) -> None:
        if self.client is None:
            return
        try:
            self.client.quit()
        except (smtplib.SMTPException, OSError):
            self._drop()
        self.client = None

    def _drop(self) -> None:
        if self.client is not None:
            try:
                self.client.close()
            except OSError:
                pass
        self.client = None


# Some servers limit the messages accepted over one connection, so a session is renewed after
# this many messages rather than meeting such a limit as an error.
MAX_MESSAGES_PER_SESSION = 100
# An idle session older than this is closed rather than reused. Servers drop idle clients after a
# timeout of their own, and a session they dropped would cost a failed first send.
IDLE_SESSION_SECONDS = 30


class MailerPool:
    """Open SMTP sessions kept between batches, so a worker does not connect, greet and log in per event.

    Each batch takes a session for itself and gives it back afterwards. At most `size` sessions are
    open at once, in use or idle: a batch waits for a free one, because relays limit the connections
    of one client. The pool is used by the green threads of one process only, which never preempt
    each other between the list operations below.
    """

    def __init__(self, settings: MailSettings, size: int, clock: Any = time.monotonic) -> None:
        self.settings = settings
        self.size = size
        self.clock = clock
        self.idle: list[tuple[float, Mailer]] = []
        self.free = Semaphore(size)

    @contextmanager
    def session(self) -> Iterator[Mailer]:
        with self.free:
            mailer = self._take()
            try:
                yield mailer
            except BaseException:
                # The session may be in the middle of a command: close the socket without a QUIT.
                mailer._drop()
                raise
            self._give_back(mailer)

    def _take(self) -> Mailer:
        while self.idle:
            released_at, mailer = self.idle.pop()
            if self.clock() - released_at < IDLE_SESSION_SECONDS:
                return mailer
            mailer.close()
        return Mailer(self.settings)

    def _give_back(self, mailer: Mailer) -> None:
        if mailer.connected:
            self.idle.append((self.clock(), mailer))

    def close_idle(self, older_than: float = IDLE_SESSION_SECONDS) -> None:
        """Close the idle sessions released more than `older_than` seconds ago."""
        now = self.clock()
        keep = [(released_at, mailer) for released_at, mailer in self.idle if now - released_at < older_than]
        stale = [mailer for released_at, mailer in self.idle if now - released_at >= older_than]
        self.idle = keep
        for mailer in stale:
            mailer.close()

    def close(self) -> None:
        self.close_idle(older_than=0)


class MailerPoolProvider(DependencyProvider):
    """Give the workers of a service the process's pool of SMTP sessions, closed when the service stops."""

    def setup(self) -> None:
        self.pool = MailerPool(mail_settings(), size=smtp_max_sessions())

    def stop(self) -> None:
        self.pool.close()

    def kill(self) -> None:
        self.pool.close()

    def get_dependency(self, worker_ctx: Any) -> MailerPool:
        return self.pool


def deliver(settings: MailSettings, message: EmailMessage | bytes, recipient: str) -> None:
    """Send one message in a session of its own; raise DeliveryError with the reason when that fails."""
    with Mailer(settings) as mailer:
        mailer.deliver(message, recipient)


def write_eml(message: EmailMessage | bytes) -> Path:
    """Write the message under `<var dir>/mail/`, renamed into place so no reader sees a partial file."""
    directory = mail_dir()
    name = f"{utc_now().strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex[:8]}.eml"
    partial = directory / f".{name}.part"
    partial.write_bytes(message if isinstance(message, bytes) else message.as_bytes(policy=SMTP_POLICY))
    os.replace(partial, directory / name)
    return directory / name


def _connect(settings: MailSettings) -> smtplib.SMTP:
    assert settings.smtp_host is not None
    # `local_hostname` is given because smtplib otherwise calls `socket.getfqdn()` for every
    # connection, a DNS lookup that slows each message down.
    timeout = settings.smtp_timeout_seconds
    if settings.smtp_security == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=timeout,
                                                local_hostname=settings.helo_name,
                                                context=_tls_context(settings))
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout,
                              local_hostname=settings.helo_name)
    try:
        if settings.smtp_security == "starttls":
            client.starttls(context=_tls_context(settings))
        if settings.smtp_username:
            client.login(settings.smtp_username, settings.smtp_password or "")
    except BaseException:
        client.close()
        raise
    return client


def _tls_context(settings: MailSettings) -> ssl.SSLContext:
    """Return a context that verifies the server's certificate, against `SMTP_CA_FILE` when it is set."""
    return ssl.create_default_context(cafile=settings.smtp_ca_file)
