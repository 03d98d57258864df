"""Configuration read from the environment, one place per process.

Every key has a name and, where a safe default exists, that default. A required key that is
missing stops the process at start with a message naming the key.
"""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class MissingSetting(RuntimeError):
    """A required environment variable is not set."""


def var_dir() -> Path:
    """Return the directory for local data (SQLite files, attachments, e-mails), creating it."""
    path = Path(os.environ.get("PORTAIL_VAR_DIR", PROJECT_ROOT / "var"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def amqp_uri() -> str:
    return os.environ.get("AMQP_URI", DEFAULT_AMQP_URI)


def database_url(service_name: str) -> str:
    """Return `<SERVICE>_DATABASE_URL`, or a SQLite file under the var directory."""
    key = f"{service_name.upper()}_DATABASE_URL"
    url = os.environ.get(key)
    if url:
        return url
    return f"sqlite:///{var_dir() / (service_name + '.db')}"


def required(key: str) -> str:
    value = os.environ.get(key)
    if not value:
        raise MissingSetting(f"environment variable {key} is required but not set")
    return value


def optional_int(key: str, default: int) -> int:
    raw = os.environ.get(key)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise MissingSetting(f"environment variable {key} must be an integer, got {raw!r}") from None


def public_url() -> str:
    """Return the portal's base URL as users reach it, used in e-mail links."""
    return os.environ.get("PORTAIL_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
