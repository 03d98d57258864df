"""Hand a built message to SMTP, or write it as a `.eml` file when no SMTP server is configured."""
from __future__ import annotations

import logging
import os
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.policy import SMTP as SMTP_BASE_POLICY
from pathlib import Path

from services.common import config
from services.common.events import utc_now
from services.notify.settings import MailSettings

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

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def deliver(self, message: EmailMessage, recipient: str) -> None:
        """Send `message` to `recipient`; raise DeliveryError with the reason when that fails."""
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
        if self.client is None:
            self.client = _connect(self.settings)
        # The envelope recipient is given explicitly, so no header of the message can add another.
        self.client.send_message(message, to_addrs=[recipient])

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


def deliver(settings: MailSettings, message: EmailMessage, recipient: str) -> None:
    """Send one message in a session of its own; raise DeliveryError with the reason when that fails."""
    with Mailer(settings) as mailer:
        mailer.deliver(message, recipient)


def write_eml(message: EmailMessage) -> Path:
    """Write the message under `<var dir>/mail/`, renamed into place so no reader sees a partial file."""
    directory = mail_dir()
    name = f"{utc_now().strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex[:8]}.eml"
    partial = directory / f".{name}.part"
    partial.write_bytes(message.as_bytes(policy=SMTP_POLICY))
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
