"""The fast encoder gives the same message as the `EmailMessage` builder, 7-bit and header-safe."""
from __future__ import annotations

import email
import email.policy

import pytest

from services.notify.messages import RenderedEmail, build_message
from services.notify.mime import can_encode, encode_message
from services.notify.transport import SMTP_POLICY

pytestmark = pytest.mark.unit

HEADERS = ("Subject", "From", "To", "Message-ID", "Auto-Submitted", "X-Auto-Response-Suppress", "Content-Language")
ACCENTED_SUBJECT = "[2026-000005] Clôturée : Relances non envoyées après la mise à jour de l'échéancier"

CASES = [
    ("Portail <no-reply@example.fr>", "agent@example.fr", "Claire Bernard",
     RenderedEmail(ACCENTED_SUBJECT * 2, "Bonjour été\r\n. point\nespaces   \nfin=3D", "<p>é</p>")),
    ("Ville de Saint-Étienne <no-reply@example.fr>", "agent@example.fr", 'Hélène, O\'Brien "Lulu"',
     RenderedEmail("ASCII subject, with; punctuation (x) " * 5, "t" * 300, "<p>" + "h" * 500 + "</p>")),
    ("no-reply@example.fr", "agent@example.fr", None,
     RenderedEmail("Sujet\nBcc: x@example.org", "texte", "<p>texte</p>")),
    ("Portail <no-reply@example.fr>", "agent@example.fr", "Jean (Service), Dupont",
     RenderedEmail("Demande =?utf-8?q?x?= brute", "", "")),
]


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


@pytest.mark.parametrize("mail_from,recipient,name,rendered", CASES)
def test_encoded_message_matches_built_message(mail_from, recipient, name, rendered):
    built = parse(build_message(mail_from, recipient, name, rendered, message_id="<m@example.fr>",
                                language="en").as_bytes(policy=SMTP_POLICY))

    encoded = parse(encode_message(mail_from, recipient, name, rendered, message_id="<m@example.fr>",
                                   language="en"))

    for header in HEADERS:
        assert str(encoded[header]) == str(built[header]), header
    for subtype in ("plain", "html"):
        assert encoded.get_body((subtype,)).get_content() == built.get_body((subtype,)).get_content(), subtype


@pytest.mark.parametrize("mail_from,recipient,name,rendered", CASES)
def test_encoded_message_is_seven_bit_with_crlf(mail_from, recipient, name, rendered):
    raw = encode_message(mail_from, recipient, name, rendered)

    assert raw.isascii()
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998


def test_encoded_subject_cannot_add_header():
    raw = encode_message("no-reply@example.fr", "agent@example.fr", "Nom\r\nBcc: x@example.org",
                         RenderedEmail("Sujet\r\nBcc: y@example.org", "texte", "<p>texte</p>"))

    parsed = parse(raw)

    assert parsed["Bcc"] is None
    assert parsed["Subject"] == "Sujet Bcc: y@example.org"


def test_encoder_rejects_invalid_address():
    for address in ("jdupont", "a b@example.fr", "a@example.fr>, c@example.org"):
        with pytest.raises(ValueError):
            encode_message("no-reply@example.fr", address, None, RenderedEmail("s", "t", "h"))


def test_non_ascii_address_needs_built_message():
    assert can_encode("Portail <no-reply@example.fr>", "agent@example.fr")
    assert not can_encode("Portail <no-reply@example.fr>", "hélène@example.fr")
    assert not can_encode("Portail <expéditeur@example.fr>", "agent@example.fr")
