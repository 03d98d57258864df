"""Settings of the notify service, read from the environment when the service starts."""
from __future__ import annotations

import os
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from nameko.extensions import DependencyProvider

from services.common import config

SMTP_SECURITY_MODES = ("none", "starttls", "tls")
DEFAULT_MAIL_FROM = "Portail client <no-reply@localhost>"
# Waits before each retry of a failed send, in seconds; the row is marked failed after the last one.
DEFAULT_RETRY_DELAYS = (30, 120, 600, 1800, 7200)
# Waits before each new try of an event whose handling failed (about 8.5 hours in all).
DEFAULT_EVENT_RETRY_DELAYS = (10, 60, 300, 1800, 7200, 21600)
# Relays limit the connections one client may open at once, so a notify process opens at most this many.
DEFAULT_SMTP_MAX_SESSIONS = 20
# A deactivated agent or a changed address or language is seen this many seconds late at most.
DEFAULT_DIRECTORY_CACHE_SECONDS = 10


@dataclass(frozen=True)
class MailSettings:
    """Destination of outgoing e-mail: an SMTP server, or `.eml` files when `smtp_host` is empty."""

    smtp_host: str | None
    smtp_port: int
    smtp_security: str
    smtp_username: str | None
    smtp_password: str | None
    mail_from: str
    helo_name: str
    smtp_ca_file: str | None
    smtp_timeout_seconds: int
    retry_delays: tuple[int, ...]

    def __repr__(self) -> str:
        # The password must never reach a log line through a repr.
        return f"MailSettings(smtp_host={self.smtp_host!r}, smtp_port={self.smtp_port}, " \
               f"smtp_security={self.smtp_security!r}, mail_from={self.mail_from!r})"


def mail_settings() -> MailSettings:
    """Read the SMTP settings; raise MissingSetting for an invalid `SMTP_SECURITY` or number."""
    security = os.environ.get("SMTP_SECURITY", "none").strip().lower() or "none"
    if security not in SMTP_SECURITY_MODES:
        raise config.MissingSetting(
            f"environment variable SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY_MODES)}, got {security!r}")
    default_port = {"none": 25, "starttls": 587, "tls": 465}[security]
    mail_from = os.environ.get("MAIL_FROM") or DEFAULT_MAIL_FROM
    return MailSettings(
        smtp_host=os.environ.get("SMTP_HOST") or None,
        smtp_port=config.optional_int("SMTP_PORT", default_port),
        smtp_security=security,
        smtp_username=os.environ.get("SMTP_USERNAME") or None,
        smtp_password=os.environ.get("SMTP_PASSWORD") or None,
        mail_from=mail_from,
        helo_name=os.environ.get("SMTP_HELO_NAME") or _domain(mail_from),
        smtp_ca_file=os.environ.get("SMTP_CA_FILE") or None,
        smtp_timeout_seconds=config.optional_int("SMTP_TIMEOUT_SECONDS", 30),
        retry_delays=_delays("NOTIFY_RETRY_DELAYS_SECONDS", DEFAULT_RETRY_DELAYS),
    )


def _domain(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"


def event_retry_delays() -> tuple[int, ...]:
    return _delays("NOTIFY_EVENT_RETRY_DELAYS_SECONDS", DEFAULT_EVENT_RETRY_DELAYS)


def _delays(key: str, default: tuple[int, ...]) -> tuple[int, ...]:
    raw = os.environ.get(key, "").strip()
    if not raw:
        return default
    try:
        delays = tuple(int(part) for part in raw.split(","))
    except ValueError:
        raise config.MissingSetting(
            f"environment variable {key} must be comma-separated seconds, got {raw!r}") from None
    if any(delay < 0 for delay in delays):
        raise config.MissingSetting(f"environment variable {key} has a negative delay: {raw!r}")
    return delays


def directory_service() -> str:
    """Return the service that serves `get_users` and `list_agents`, which is auth unless overridden."""
    return os.environ.get("NOTIFY_DIRECTORY_SERVICE") or "auth"


def smtp_max_sessions() -> int:
    """Return how many SMTP sessions one notify process keeps open at most."""
    sessions = config.optional_int("SMTP_MAX_SESSIONS", DEFAULT_SMTP_MAX_SESSIONS)
    if sessions < 1:
        raise config.MissingSetting(f"environment variable SMTP_MAX_SESSIONS must be 1 or more, got {sessions}")
    return sessions


def directory_cache_seconds() -> int:
    """Return how long directory replies are kept, in seconds (0 calls the directory for every event)."""
    seconds = config.optional_int("NOTIFY_DIRECTORY_CACHE_SECONDS", DEFAULT_DIRECTORY_CACHE_SECONDS)
    if seconds < 0:
        raise config.MissingSetting(
            f"environment variable NOTIFY_DIRECTORY_CACHE_SECONDS must be 0 or more, got {seconds}")
    return seconds


def digest_hour() -> int:
    """Return the hour (0-23, Europe/Paris) after which each day's digest goes out."""
    hour = config.optional_int("NOTIFY_DIGEST_HOUR", 7)
    if not 0 <= hour <= 23:
        raise config.MissingSetting(f"environment variable NOTIFY_DIGEST_HOUR must be 0-23, got {hour}")
    return hour


class MailSettingsProvider(DependencyProvider):
    """Read the mail settings once when the service starts, so a wrong value stops it at once."""

    def setup(self) -> None:
        self.settings = mail_settings()
        # Read here only to fail at start on an invalid value; the timers read them again.
        digest_hour()
        event_retry_delays()
        directory_cache_seconds()
        smtp_max_sessions()

    def get_dependency(self, worker_ctx: Any) -> MailSettings:
        return self.settings
