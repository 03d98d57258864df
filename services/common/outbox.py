"""Transactional outbox: events are stored in the same transaction as the change they describe.

`stage_event` adds the envelope to the caller's session; nothing is published if that transaction
rolls back. The `Outbox` dependency then publishes stored rows to the service's nameko events
exchange: right after each successful worker, and on a timer for rows left behind by a broker outage
or a crash. Delivery is at least once, so consumers must be idempotent by `event_id`.
"""
from __future__ import annotations

import json
import logging
from typing import Any

import eventlet
from eventlet.semaphore import Semaphore
from nameko.amqp.publish import Publisher
from nameko.extensions import DependencyProvider
from nameko.standalone.events import get_event_exchange
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from services.common import config
from services.common.engine import make_engine
from services.common.events import make_envelope, utc_now

logger = logging.getLogger(__name__)

RELAY_BATCH_SIZE = 200
RELAY_INTERVAL_SECONDS = 1.0

# Outbox tables that received rows in a transaction committed since their last flush. A worker
# that committed no event (every read) then skips the flush query instead of paying for it.
_committed_outboxes: set[type] = set()


@event.listens_for(Session, "after_commit")
def _note_committed_events(session: Session) -> None:
    staged = session.info.pop("staged_outboxes", None)
    if staged:
        _committed_outboxes.update(staged)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_events(session: Session) -> None:
    session.info.pop("staged_outboxes", None)


def stage_event(session: Session, outbox_model: type, event_type: str, data: dict[str, Any],
                actor: dict[str, Any] | None = None, version: int = 1) -> dict[str, Any]:
    """Add an event to `session`; it is published only once the session commits."""
    envelope = make_envelope(event_type, data, actor, version)
    session.info.setdefault("staged_outboxes", set()).add(outbox_model)
    session.add(outbox_model(event_id=envelope["event_id"], event_type=event_type,
                             payload=json.dumps(envelope)))
    return envelope


class Outbox(DependencyProvider):
    """Publish the rows of the service's outbox table through the broker.

    The dependency itself is the flush trigger: workers call nothing, because publishing runs after
    each successful worker and every `RELAY_INTERVAL_SECONDS`.
    """

    def __init__(self, outbox_model: type) -> None:
        self.outbox_model = outbox_model
        self.lock = Semaphore(1)
        self.running = False

    def setup(self) -> None:
        service_name = self.container.service_name
        self.engine = make_engine(config.database_url(service_name))
        self.is_postgres = self.engine.dialect.name == "postgresql"
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.exchange = get_event_exchange(service_name)
        # Until a consumer binds to it, the exchange may not exist yet, and RabbitMQ rejects a
        # publish to a missing exchange. Declaring it costs a round trip to the broker, so it is
        # declared with the first publish, and again after a failed one (a broker reset, say).
        self.declaring_publisher = Publisher(config.amqp_uri(), declare=[self.exchange])
        self.plain_publisher = Publisher(config.amqp_uri())
        self.exchange_declared = False

    def start(self) -> None:
        self.running = True
        self.container.spawn_managed_thread(self._relay_forever)

    def stop(self) -> None:
        self.running = False
        self.engine.dispose()

    def get_dependency(self, worker_ctx: Any) -> "Outbox":
        return self

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        if exc_info is None and self.running and self.outbox_model in _committed_outboxes:
            _committed_outboxes.discard(self.outbox_model)
            eventlet.spawn_n(self.flush)

    def _relay_forever(self) -> None:
        while self.running:
            try:
                self.flush()
            except Exception:
                logger.exception("outbox relay of %s failed; retrying in %ss",
                                 self.container.service_name, RELAY_INTERVAL_SECONDS)
            eventlet.sleep(RELAY_INTERVAL_SECONDS)

    def flush(self) -> int:
        """Publish pending events in insertion order; return how many were published."""
        published = 0
        with self.lock:
            while True:
                count, complete = self._flush_batch()
                published += count
                if not complete or count < RELAY_BATCH_SIZE:
                    return published

    def _flush_batch(self) -> tuple[int, bool]:
        """Publish one batch; return how many were sent and whether the whole batch was."""
        model = self.outbox_model
        query = select(model).where(model.published_at.is_(None)).order_by(model.id).limit(RELAY_BATCH_SIZE)
        with self.session_factory() as session:
            if self.is_postgres:
                # Several instances of a service may relay at once; each takes rows the others skip.
                query = query.with_for_update(skip_locked=True)
            rows = list(session.scalars(query))
            if not rows:
                return 0, True
            if not self.is_postgres:
                # SQLite allows one writer: never keep a transaction open while the broker call yields.
                session.commit()
            sent_ids = []
            for row in rows:
                publisher = self.plain_publisher if self.exchange_declared else self.declaring_publisher
                try:
                    publisher.publish(json.loads(row.payload), exchange=self.exchange, routing_key=row.event_type)
                except Exception:
                    self.exchange_declared = False
                    logger.warning("event %s (%s) not published yet; will retry",
                                   row.event_id, row.event_type, exc_info=True)
                    break
                self.exchange_declared = True
                sent_ids.append(row.id)
            now = utc_now()
            for row in rows:
                if row.id in sent_ids:
                    session.merge(row).published_at = now
            session.commit()
        logger.debug("published %d events from the outbox", len(sent_ids))
        return len(sent_ids), len(sent_ids) == len(rows)
