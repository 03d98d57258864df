"""Write the outcome of each send to the delivery log, for all workers of a process in one transaction.

A commit waits for the disk (an fsync on SQLite and on PostgreSQL), and the database drivers block
the process's only OS thread while it does. One commit per e-mail, or per event, therefore bounds
how many e-mails a notify instance hands to SMTP. Workers instead add their results here, and a
background green thread writes whatever accumulated every `FLUSH_INTERVAL_SECONDS`.

Each result is written after its message went out. A row whose result is lost (the process dies
before the flush, or the flush fails) stays queued under its lease. The retry timer sends it again
once the lease ends, so delivery stays at least once, as when a worker dies between sending and
committing.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

import eventlet
from nameko.extensions import DependencyProvider
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from services.common import config
from services.common.database import make_engine
from services.notify.models import EmailDelivery

logger = logging.getLogger(__name__)

FLUSH_INTERVAL_SECONDS = 0.2


class SendResults:
    """Pending send results (column values keyed by the row's `id`) and their writer."""

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self.session_factory = session_factory
        self.pending: list[dict[str, Any]] = []
        self.running = False

    def add(self, values: dict[str, Any]) -> None:
        self.pending.append(values)

    def flush(self) -> int:
        """Write the pending results in one transaction; return how many were written (0 on failure)."""
        if not self.pending:
            return 0
        # Swapped before any I/O, so results added while this flush waits on the database go to the next one.
        results, self.pending = self.pending, []
        session = self.session_factory()
        try:
            # An ORM bulk UPDATE by primary key: one statement per set of columns, one commit.
            session.execute(update(EmailDelivery), results)
            session.commit()
        except Exception:
            session.rollback()
            logger.exception("failed to write the results of %d send(s) (deliveries %s); the rows stay queued "
                             "and are sent again when their lease ends", len(results),
                             ", ".join(str(values["id"]) for values in results[:20]))
            return 0
        finally:
            session.close()
        return len(results)

    def run(self) -> None:
        self.running = True
        while self.running:
            eventlet.sleep(FLUSH_INTERVAL_SECONDS)
            self.flush()


class SendResultsProvider(DependencyProvider):
    """Give workers the process's `SendResults`; its writer runs while the service runs."""

    def setup(self) -> None:
        self.engine = make_engine(config.database_url(self.container.service_name))
        self.results = SendResults(sessionmaker(bind=self.engine, expire_on_commit=False))

    def start(self) -> None:
        self.container.spawn_managed_thread(self.results.run, identifier="send_results_writer")

    def stop(self) -> None:
        # The container stops dependencies after its last worker ended, so no result comes after this flush.
        self.results.running = False
        self.results.flush()
        self.engine.dispose()

    def kill(self) -> None:
        self.results.running = False
        self.engine.dispose()

    def get_dependency(self, worker_ctx: Any) -> SendResults:
        return self.results
