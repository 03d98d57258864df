"""Without SMTP settings, e-mails are written as `.eml` files under the var directory."""
from __future__ import annotations

import email
import email.policy

import pytest

from services.notify.messages import build_message, render_email
from services.notify.settings import mail_settings
from services.notify.transport import deliver

pytestmark = pytest.mark.integration


def test_message_without_smtp_host_is_written_as_eml(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAIL_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("SMTP_HOST", raising=False)
    settings = mail_settings()
    rendered = render_email("ticket_created", "fr", {
        "ticket": {"number": "2026-0007", "title": "Écran figé"}, "link": "http://127.0.0.1:8000/support/tickets/2026-0007",
        "organisation_name": None, "actor_name": None})

    deliver(settings, build_message(settings.mail_from, "cbernard@eksae.example.fr", "Claire Bernard", rendered),
            "cbernard@eksae.example.fr")

    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed["Subject"].strip() == "[Demande 2026-0007] Nouvelle demande : Écran figé"
    assert parsed["To"] == "Claire Bernard <cbernard@eksae.example.fr>"
    assert "Écran figé" in parsed.get_body(("plain",)).get_content()
    assert list((tmp_path / "mail").glob(".*.part")) == []


def test_invalid_smtp_security_stops_at_start(monkeypatch):
    monkeypatch.setenv("SMTP_SECURITY", "ssl3")

    with pytest.raises(RuntimeError, match="SMTP_SECURITY"):
        mail_settings()
