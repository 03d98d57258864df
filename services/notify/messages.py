"""Render notification e-mails from the Jinja2 templates and build them as MIME messages.

Header values come from ticket titles and names that users typed, so every one of them goes through
`clean_header`: control characters, CR and LF included, become spaces and no value can start a new
header. The standard library then folds long values itself.
"""
from __future__ import annotations

import email.policy

import functools
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.common.events import utc_now

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
SUBJECT_MAX_LENGTH = 250
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def language_of(value: Any) -> str:
    """Return the supported language for a user's setting (`en`, `en-GB`…); French otherwise."""
    code = str(value or "").strip().lower()[:2]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def clean_header(value: Any, max_length: int = SUBJECT_MAX_LENGTH) -> str:
    """Return `value` on one line: control characters become spaces, runs of spaces one space."""
    single_line = _CONTROL_CHARACTERS.sub(" ", str(value or ""))
    collapsed = " ".join(single_line.split())
    if len(collapsed) > max_length:
        collapsed = collapsed[: max_length - 1].rstrip() + "…"
    return collapsed


@functools.lru_cache(maxsize=1)
def _environments() -> tuple[Environment, Environment]:
    loader = FileSystemLoader(str(TEMPLATES_DIR))
    html = Environment(loader=loader, autoescape=select_autoescape(["html"], default=True),
                       undefined=StrictUndefined,
                       keep_trailing_newline=True, auto_reload=False)
    # Plain text and subjects are not HTML: escaping them would show `&amp;` to the reader.
    text = Environment(loader=loader, autoescape=False, undefined=StrictUndefined,
                       keep_trailing_newline=True, auto_reload=False)
    return html, text


def render_email(kind: str, language: str, context: dict[str, Any]) -> RenderedEmail:
    """Render the subject, plain text and HTML of `kind` in `language` (French when unsupported)."""
    language = language_of(language)
    html_env, text_env = _environments()
    values = {"recipient_name": None, "preferences_link": None, **context}
    subject = clean_header(text_env.get_template(f"{language}/{kind}.subject.txt").render(values))
    values["subject"] = subject
    return RenderedEmail(
        subject=subject,
        text=text_env.get_template(f"{language}/{kind}.txt").render(values),
        html=html_env.get_template(f"{language}/{kind}.html").render(values),
    )


# NOTE: CPython 3.11.7's header folder drops the space between two encoded words when it folds a
# non-ASCII subject ("Relances non envoyées" became "Relances nonenvoyées"). Headers up to 998
# characters (RFC 5322's hard limit) are therefore left unfolded.
MESSAGE_POLICY = email.policy.default.clone(max_line_length=998)


def build_message(mail_from: str, recipient: str, recipient_name: str | None, rendered: RenderedEmail,
                  message_id: str | None = None, language: str = DEFAULT_LANGUAGE) -> EmailMessage:
    """Build the multipart (plain text + HTML) message; raise ValueError for an invalid address."""
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["Subject"] = clean_header(rendered.subject)
    message["From"] = clean_header(mail_from, 320)
    message["To"] = _address(recipient, recipient_name)
    message["Date"] = format_datetime(utc_now())
    message["Message-ID"] = message_id or make_msgid(domain=mail_domain(mail_from))
    # RFC 3834: auto-responders (out-of-office replies) must not reply to a message with this header.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    # Set after the body: `add_alternative` moves every Content-* header into the first part.
    message["Content-Language"] = language_of(language)
    return message


def _address(email_address: str, display_name: str | None) -> Address:
    email_address = clean_header(email_address, 320)
    username, _, domain = email_address.rpartition("@")
    if not username or not domain:
        raise ValueError(f"invalid recipient address {email_address!r}")
    return Address(display_name=clean_header(display_name, 120), username=username, domain=domain)


def mail_domain(mail_from: str) -> str:
    """Return the domain of the sender address, used on the right of Message-IDs."""
    address = parseaddr(mail_from)[1]
    return address.rpartition("@")[2] or "localhost"
