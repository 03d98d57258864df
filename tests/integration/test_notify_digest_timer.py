"""The daily digest timer sends each user's digest as their preferences ask.

The timer runs once a minute in the service and sends only items created before today's digest hour,
so waiting for the running service would take a day. The tests therefore run the service's own timer
method in this process, on a fresh notify database of the run's backend. The users come from the
stand-in directory over the real broker, and the e-mails go to the test SMTP server.
"""
from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any, Iterator

import pytest
from nameko.testing.services import worker_factory
from nameko.timer import Timer
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from services.common import demo, migrations
from services.common.caller import Caller
from services.common.database import make_engine
from services.common.events import make_envelope, utc_now
from services.notify import preferences
from services.notify.models import DeliveryStatus, DigestItem, EmailDelivery
from services.notify.send_results import SendResults
from services.notify.service import DIGEST_INTERVAL_SECONDS, NotifyService
from services.notify.settings import mail_settings
from services.notify.transport import MailerPool
from tests.support.directory import SERVICE_NAME as DIRECTORY_SERVICE
from tests.support.system import Databases

pytestmark = pytest.mark.integration


class BrokerDirectory:
    """The directory methods notify calls, sent to the stand-in directory over the real broker."""

    def __init__(self, system: Any) -> None:
        self.system = system

    def get_users(self, ids: list[str]) -> Any:
        return self.system.rpc(DIRECTORY_SERVICE, "get_users", ids=ids)

    def list_agents(self) -> Any:
        return self.system.rpc(DIRECTORY_SERVICE, "list_agents")


@pytest.fixture
def notify_session(system, mail_server, database_backend: str, tmp_path: Path,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    databases = Databases(database_backend, tmp_path)
    databases.create()
    try:
        monkeypatch.setenv("NOTIFY_DATABASE_URL", databases.url("notify"))
        for key, value in mail_server.env().items():
            monkeypatch.setenv(key, value)
        migrations.upgrade("notify")
        engine = make_engine(databases.url("notify"))
        session = sessionmaker(bind=engine, expire_on_commit=False)()
        try:
            yield session
        finally:
            session.close()
            engine.dispose()
    finally:
        databases.drop()


def customer(system, language: str) -> tuple[Caller, str]:
    user_id = str(uuid.uuid4())
    address = f"digest-{user_id[:8]}@saint-aubin.example.fr"
    system.directory.add_user({"id": user_id, "email": address, "first_name": "Client", "last_name": user_id[:8],
                               "display_name": f"Client {user_id[:8]}", "organisation_id": demo.ORG_SAINT_AUBIN,
                               "role": "customer", "language": language, "phone": None})
    return Caller(user_id=user_id, organisation_id=demo.ORG_SAINT_AUBIN, role="customer", language=language), address


def agent_reply_envelope(requester_id: str, follower_ids: list[str]) -> dict[str, Any]:
    number = f"D{uuid.uuid4().hex[:8].upper()}"
    data = {"ticket_id": str(uuid.uuid4()), "number": number, "title": f"Relevé annuel {number}",
            "organisation_id": demo.ORG_SAINT_AUBIN, "requester_id": requester_id, "follower_ids": follower_ids,
            "status": "in_progress", "body": "Voici le relevé demandé."}
    return make_envelope("ticket_message_posted", data, {"type": "user", "user_id": demo.AGENT_CBERNARD})


def notify_worker(system, session: Session) -> tuple[Any, MailerPool, SendResults]:
    """Return a notify worker with real dependencies: database, SMTP sessions, delivery log, directory."""
    settings = mail_settings()
    mailers = MailerPool(settings, size=1)
    results = SendResults(sessionmaker(bind=session.get_bind(), expire_on_commit=False))
    service = worker_factory(NotifyService, db=session, directory=BrokerDirectory(system), mailers=mailers,
                             send_results=results, settings=settings)
    return service, mailers, results


def test_digest_method_is_the_service_timer():
    entrypoints = getattr(NotifyService.send_daily_digests, "nameko_entrypoints", set())

    timers = [entrypoint for entrypoint in entrypoints if isinstance(entrypoint, Timer)]
    assert len(timers) == 1
    assert timers[0].interval == DIGEST_INTERVAL_SECONDS


def test_digest_timer_sends_digest_by_preference(system, mail_server, notify_session):
    daily, daily_address = customer(system, "en")
    immediate, immediate_address = customer(system, "fr")
    silent, silent_address = customer(system, "fr")
    preferences.update_preferences(notify_session, daily, [{"kind": "ticket_message_posted", "email_frequency": "daily"}])
    preferences.update_preferences(notify_session, silent, [{"kind": "ticket_message_posted", "email_enabled": False}])
    service, mailers, results = notify_worker(system, notify_session)
    first = agent_reply_envelope(daily.user_id, [immediate.user_id, silent.user_id])
    second = agent_reply_envelope(daily.user_id, [])

    service.handle_ticket_message_posted(first)
    service.handle_ticket_message_posted(second)
    # The timer only sends items created before the latest digest hour: these ones are two days old.
    notify_session.execute(update(DigestItem).values(created_at=utc_now() - timedelta(days=2)))
    notify_session.commit()
    service.send_daily_digests()
    mailers.close()
    results.flush()

    digest = mail_server.wait_for(daily_address)[0]
    assert digest.subject.startswith("Your digest of ")
    assert first["data"]["number"] in digest.text()
    assert second["data"]["number"] in digest.text()
    assert len(mail_server.messages_to(daily_address)) == 1
    to_immediate = mail_server.wait_for(immediate_address)
    assert [message.subject for message in to_immediate] == [
        f"[Demande {first['data']['number']}] Nouveau message : {first['data']['title']}"]
    assert mail_server.messages_to(silent_address) == []
    logged = notify_session.scalars(select(EmailDelivery).where(EmailDelivery.recipient == daily_address)).all()
    assert [(row.kind.value, row.status) for row in logged] == [("digest", DeliveryStatus.SENT)]


def test_digest_timer_sends_nothing_twice(system, mail_server, notify_session):
    daily, daily_address = customer(system, "fr")
    preferences.update_preferences(notify_session, daily, [{"kind": "ticket_message_posted", "email_frequency": "daily"}])
    service, mailers, results = notify_worker(system, notify_session)
    service.handle_ticket_message_posted(agent_reply_envelope(daily.user_id, []))
    notify_session.execute(update(DigestItem).values(created_at=utc_now() - timedelta(days=2)))
    notify_session.commit()

    service.send_daily_digests()
    service.send_daily_digests()
    mailers.close()

    mail_server.wait_for(daily_address)
    assert len(mail_server.messages_to(daily_address)) == 1
