"""The SMTP transport speaks STARTTLS with certificate checks and SMTP AUTH to a local aiosmtpd server."""
from __future__ import annotations

import shutil
import ssl
import subprocess
from email.message import EmailMessage
from pathlib import Path
from typing import Iterator

import eventlet
import pytest

from services.notify.messages import RenderedEmail, build_message
from services.notify.settings import mail_settings
from services.notify.transport import IDLE_SESSION_SECONDS, DeliveryError, Mailer, MailerPool, deliver
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.integration

USER, PASSWORD = "portail", "test-only-password"
RECIPIENT = "cbernard@eksae.example.fr"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = SmtpServer(tls_context=context, credentials=(USER, PASSWORD))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def configure(monkeypatch: pytest.MonkeyPatch, server: SmtpServer, cert: Path, password: str) -> None:
    monkeypatch.setenv("SMTP_HOST", server.host)
    monkeypatch.setenv("SMTP_PORT", str(server.port))
    monkeypatch.setenv("SMTP_SECURITY", "starttls")
    monkeypatch.setenv("SMTP_USERNAME", USER)
    monkeypatch.setenv("SMTP_PASSWORD", password)
    monkeypatch.setenv("SMTP_CA_FILE", str(cert))


def sample_message(mail_from: str) -> EmailMessage:
    return build_message(mail_from, RECIPIENT, None, RenderedEmail("Sujet", "texte", "<p>texte</p>"))


def test_starttls_with_login_delivers(tls_server, certificate, monkeypatch):
    configure(monkeypatch, tls_server, certificate[0], PASSWORD)
    settings = mail_settings()

    deliver(settings, sample_message(settings.mail_from), RECIPIENT)

    assert len(tls_server.wait_for(RECIPIENT)) == 1


def test_wrong_password_raises_delivery_error(tls_server, certificate, monkeypatch):
    configure(monkeypatch, tls_server, certificate[0], "wrong")
    settings = mail_settings()

    with pytest.raises(DeliveryError, match="SMTPAuthenticationError"):
        deliver(settings, sample_message(settings.mail_from), RECIPIENT)

    assert tls_server.messages_to(RECIPIENT) == []


def test_untrusted_certificate_raises_delivery_error(tls_server, certificate, monkeypatch):
    configure(monkeypatch, tls_server, certificate[0], PASSWORD)
    monkeypatch.delenv("SMTP_CA_FILE")
    settings = mail_settings()

    with pytest.raises(DeliveryError, match="certificate"):
        deliver(settings, sample_message(settings.mail_from), RECIPIENT)

    assert tls_server.messages_to(RECIPIENT) == []


def test_mailer_reuses_one_session_and_reconnects(tls_server, certificate, monkeypatch):
    configure(monkeypatch, tls_server, certificate[0], PASSWORD)
    settings = mail_settings()

    with Mailer(settings) as mailer:
        mailer.deliver(sample_message(settings.mail_from), RECIPIENT)
        first_session = mailer.client
        mailer.deliver(sample_message(settings.mail_from), RECIPIENT)
        second_session = mailer.client
        # The server side may drop a session at any time; the next message must open a new one.
        assert first_session is not None
        first_session.sock.close()
        mailer.deliver(sample_message(settings.mail_from), RECIPIENT)

    assert second_session is first_session
    assert len(tls_server.wait_for(RECIPIENT, count=3)) == 3


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_pool_reuses_session_between_batches(tls_server, certificate, monkeypatch):
    configure(monkeypatch, tls_server, certificate[0], PASSWORD)
    settings = mail_settings()
    pool = MailerPool(settings, size=2)

    with pool.session() as mailer:
        mailer.deliver(sample_message(settings.mail_from), RECIPIENT)
        first_client = mailer.client
    with pool.session() as mailer:
        mailer.deliver(sample_message(settings.mail_from), RECIPIENT)
        second_client = mailer.client
    pool.close()

    assert first_client is not None
    assert second_client is first_client
    assert pool.idle == []
    assert len(tls_server.wait_for(RECIPIENT, count=2)) == 2


def test_pool_closes_sessions_idle_too_long(tls_server, certificate, monkeypatch):
    configure(monkeypatch, tls_server, certificate[0], PASSWORD)
    settings = mail_settings()
    clock = Clock()
    pool = MailerPool(settings, size=2, clock=clock)

    with pool.session() as mailer:
        mailer.deliver(sample_message(settings.mail_from), RECIPIENT)
        first_client = mailer.client
    clock.now += IDLE_SESSION_SECONDS
    with pool.session() as mailer:
        mailer.deliver(sample_message(settings.mail_from), RECIPIENT)
        second_client = mailer.client
    pool.close()

    assert second_client is not first_client
    assert first_client is not None and first_client.sock is None
    assert len(tls_server.wait_for(RECIPIENT, count=2)) == 2


def test_pool_batches_wait_for_free_session(tls_server, certificate, monkeypatch):
    configure(monkeypatch, tls_server, certificate[0], PASSWORD)
    settings = mail_settings()
    pool = MailerPool(settings, size=1)
    steps: list[str] = []
    clients = []

    def batch(name: str) -> None:
        with pool.session() as mailer:
            steps.append(f"{name} took a session")
            # Yields to the other green thread, which must wait for this session.
            eventlet.sleep(0.05)
            mailer.deliver(sample_message(settings.mail_from), RECIPIENT)
            clients.append(mailer.client)
            steps.append(f"{name} gave it back")

    for thread in [eventlet.spawn(batch, "first"), eventlet.spawn(batch, "second")]:
        thread.wait()
    kept = len(pool.idle)
    pool.close()

    assert steps == ["first took a session", "first gave it back", "second took a session", "second gave it back"]
    assert clients[0] is clients[1]
    assert kept == 1


def test_pool_drops_session_after_error_in_batch(tls_server, certificate, monkeypatch):
    configure(monkeypatch, tls_server, certificate[0], PASSWORD)
    settings = mail_settings()
    pool = MailerPool(settings, size=2)

    with pytest.raises(RuntimeError):
        with pool.session() as mailer:
            mailer.deliver(sample_message(settings.mail_from), RECIPIENT)
            raise RuntimeError("worker killed in the middle of a batch")

    assert pool.idle == []
    assert not mailer.connected
