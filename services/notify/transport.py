"""Hand a built message to SMTP, or write it as a `.eml` file when no SMTP server is configured."""
from __future__ import annotations

import logging
import os
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path

from services.common import config
from services.common.events import utc_now
from services.notify.settings import MailSettings

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The message could not be handed over; the text is kept in the delivery log."""


def mail_dir() -> Path:
    path = config.var_dir() / "mail"
    path.mkdir(parents=True, exist_ok=True)
    return path


def deliver(settings: MailSettings, message: EmailMessage, recipient: str) -> None:
    """Send `message` to `recipient`; raise DeliveryError with the reason when that fails."""
    if not settings.smtp_host:
        write_eml(message)
        return
    try:
        _send_smtp(settings, message, recipient)
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


def write_eml(message: EmailMessage) -> Path:
    """Write the message under `<var dir>/mail/`, renamed into place so no reader sees a partial file."""
    directory = mail_dir()
    name = f"{utc_now().strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex[:8]}.eml"
    partial = directory / f".{name}.part"
    partial.write_bytes(message.as_bytes(policy=SMTP_POLICY))
    os.replace(partial, directory / name)
    return directory / name


def _send_smtp(settings: MailSettings, message: EmailMessage, recipient: str) -> None:
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
    with client:
        if settings.smtp_security == "starttls":
            client.starttls(context=_tls_context(settings))
        if settings.smtp_username:
            client.login(settings.smtp_username, settings.smtp_password or "")
        # The envelope recipient is given explicitly, so no header of the message can add another.
        refused = client.send_message(message, to_addrs=[recipient])
        if refused:
            raise DeliveryError(f"recipient rejected by the SMTP server: {refused}")


def _tls_context(settings: MailSettings) -> ssl.SSLContext:
    """Return a context that verifies the server's certificate, against `SMTP_CA_FILE` when it is set."""
    return ssl.create_default_context(cafile=settings.smtp_ca_file)
