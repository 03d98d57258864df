"""E-mail rendering, header safety, retry schedule and digest time."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.notify.announcements import account_link, status_label
from services.notify.deliveries import retry_delay
from services.notify.digests import latest_cutoff
import email
import email.policy

from services.notify.transport import SMTP_POLICY
from services.notify.messages import RenderedEmail, build_message, clean_header, language_of, render_email

pytestmark = pytest.mark.unit

TICKET_CONTEXT = {"ticket": {"number": "2026-0042", "title": "Export <b>bloqué</b> & lent"},
                  "link": "https://portail.example.fr/support/tickets/2026-0042",
                  "organisation_name": "Ville de Saint-Aubin", "actor_name": None}


def test_clean_header_removes_line_breaks_and_controls():
    assert clean_header("Titre\r\nBcc: x@example.org\u2028\tfin") == "Titre Bcc: x@example.org fin"


def test_clean_header_truncates_long_values():
    assert clean_header("a" * 300, 10) == "aaaaaaaaa…"


def test_language_of_falls_back_to_french():
    assert language_of("en-GB") == "en"
    assert language_of("de") == "fr"
    assert language_of(None) == "fr"


def test_render_escapes_html_but_not_text():
    rendered = render_email("ticket_created", "fr", TICKET_CONTEXT)

    assert "Export &lt;b&gt;bloqué&lt;/b&gt; &amp; lent" in rendered.html
    assert "Export <b>bloqué</b> & lent" in rendered.text
    assert rendered.subject == "[Demande 2026-0042] Nouvelle demande : Export <b>bloqué</b> & lent"


def test_render_english_subject():
    rendered = render_email("ticket_created", "en", TICKET_CONTEXT)

    assert rendered.subject == "[Ticket 2026-0042] New ticket: Export <b>bloqué</b> & lent"


def test_build_message_sets_automatic_headers():
    rendered = RenderedEmail(subject="Sujet\nBcc: x@example.org", text="texte", html="<p>texte</p>")

    message = build_message("Portail <no-reply@example.fr>", "jdupont@example.fr", "Jean\r\nDupont", rendered,
                            language="en")

    assert message["Subject"] == "Sujet Bcc: x@example.org"
    assert message["Bcc"] is None
    assert message["To"] == "Jean Dupont <jdupont@example.fr>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "en"
    assert message.get_body(("plain",)).get_content().strip() == "texte"


def test_build_message_rejects_address_without_domain():
    with pytest.raises(ValueError):
        build_message("no-reply@example.fr", "jdupont", None, RenderedEmail("s", "t", "h"))


def test_retry_delay_follows_schedule_then_gives_up():
    delays = (30, 120, 600)

    assert [retry_delay(attempt, delays) for attempt in (1, 2, 3, 4)] == [30, 120, 600, None]


def test_latest_cutoff_in_paris_time():
    winter_evening = datetime(2026, 12, 4, 20, 0, tzinfo=timezone.utc)
    winter_dawn = datetime(2026, 12, 4, 5, 0, tzinfo=timezone.utc)

    assert latest_cutoff(winter_evening, 7) == datetime(2026, 12, 4, 6, 0, tzinfo=timezone.utc)
    assert latest_cutoff(winter_dawn, 7) == datetime(2026, 12, 3, 6, 0, tzinfo=timezone.utc)
    assert latest_cutoff(datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc), 7) == \
        datetime(2026, 7, 1, 5, 0, tzinfo=timezone.utc)


def test_account_link_prefers_given_link_and_quotes_token(monkeypatch):
    monkeypatch.setenv("PORTAIL_PUBLIC_URL", "https://portail.example.fr/")

    assert account_link({"token": "a b/c"}, "/invitation") == "https://portail.example.fr/invitation?token=a%20b%2Fc"
    assert account_link({"link": "https://portail.example.fr/x?t=1", "token": "t"}, "/invitation") == \
        "https://portail.example.fr/x?t=1"
    assert account_link({"link": "javascript:alert(1)"}, "/invitation") is None


def test_status_label_translates_known_and_shows_unknown():
    assert status_label("resolved", "fr") == "Résolue"
    assert status_label("RESOLVED", "en") == "Resolved"
    assert status_label("waiting_for_vendor", "fr") == "waiting for vendor"


def test_long_accented_subject_keeps_its_spaces():
    subject = "[2026-000005] Clôturée : Relances non envoyées après la mise à jour de l'échéancier"
    message = build_message("Portail <no-reply@example.fr>", "agent@example.fr", "Agent",
                            RenderedEmail(subject, "texte", "<p>texte</p>"))

    parsed = email.message_from_bytes(message.as_bytes(policy=SMTP_POLICY), policy=email.policy.default)

    assert parsed["Subject"] == subject


def test_suspension_reminder_renders_number_link_and_deadline():
    context = {**TICKET_CONTEXT, "reason": "Joindre l'acte de naissance.", "auto_close_at": "18/12/2026 09:00"}

    french = render_email("ticket_suspension_reminded", "fr", context)
    english = render_email("ticket_suspension_reminded", "en", context)

    assert french.subject == "[Demande 2026-0042] Informations attendues (rappel) : Export <b>bloqué</b> & lent"
    assert english.subject == "[Ticket 2026-0042] Information needed (reminder): Export <b>bloqué</b> & lent"
    for rendered in (french, english):
        assert "https://portail.example.fr/support/tickets/2026-0042" in rendered.text
        assert 'href="https://portail.example.fr/support/tickets/2026-0042"' in rendered.html
        assert "18/12/2026 09:00" in rendered.text
        assert "18/12/2026 09:00" in rendered.html
    assert "Joindre l'acte de naissance." in french.text
    assert "Joindre l&#39;acte de naissance." in french.html
