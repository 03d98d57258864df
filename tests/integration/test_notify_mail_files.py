"""With no SMTP server configured, as in the one-command run, e-mails are written under `var/mail/`."""
from __future__ import annotations

import email
import email.policy
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from services.common import demo
from tests.support.directory import ENV as DIRECTORY_ENV
from tests.support.directory import StandInDirectory
from tests.support.events import publish_event
from tests.support.system import System

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def system_without_smtp(tmp_path_factory: pytest.TempPathFactory, database_backend: str) -> Iterator[System]:
    """A second system whose notify service has no SMTP settings at all."""
    running = System(tmp_path_factory.mktemp("system-without-smtp"), database_backend,
                     extra_env={**DIRECTORY_ENV, "SMTP_HOST": ""})
    directory = StandInDirectory(running.vhost.amqp_uri)
    try:
        running.start()
        directory.start()
        yield running
    finally:
        directory.stop()
        running.stop()


def mail_files(system: System) -> list[Path]:
    return sorted((system.work_dir / "var" / "mail").glob("*.eml"))


def test_ticket_created_writes_eml_per_agent(system_without_smtp):
    number = f"F{uuid.uuid4().hex[:8].upper()}"

    publish_event(system_without_smtp.vhost.amqp_uri, "tickets", "ticket_created", {
        "ticket_id": str(uuid.uuid4()), "number": number, "title": "Édition des mandats impossible",
        "organisation_id": demo.ORG_SAINT_AUBIN, "requester_id": demo.USER_JDUPONT, "follower_ids": [],
        "status": "new"}, {"type": "user", "user_id": demo.USER_JDUPONT})

    deadline = time.monotonic() + 20
    while len(mail_files(system_without_smtp)) < 3:
        assert time.monotonic() < deadline, f"only {len(mail_files(system_without_smtp))} .eml file(s) written"
        time.sleep(0.1)
    messages = [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                for path in mail_files(system_without_smtp)]
    assert sorted(message["To"].addresses[0].addr_spec for message in messages) == [
        "aroux@eksae.example.fr", "cbernard@eksae.example.fr", "lpetit@eksae.example.fr"]
    assert all(number in message["Subject"] for message in messages)
