"""The nameko dependency that gives each worker a session on the service's database."""
from __future__ import annotations

import logging
from typing import Any

from nameko.extensions import DependencyProvider
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from services.common import config
from services.common.engine import make_engine

__all__ = ["Database", "make_engine"]

logger = logging.getLogger(__name__)


class Database(DependencyProvider):
    """Give each worker its own SQLAlchemy session on the service's database.

    The session is rolled back when the worker raises and closed when it ends, so a failed call never
    leaves a half-written transaction behind.
    """

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.sessions: dict[Any, Session] = {}

    def setup(self) -> None:
        service_name = self.container.service_name
        url = config.database_url(service_name)
        self.engine = make_engine(url)
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        logger.info("service %s uses database %s", service_name, self.engine.url.render_as_string(hide_password=True))

    def get_dependency(self, worker_ctx: Any) -> Session:
        session = self.session_factory()
        self.sessions[worker_ctx] = session
        return session

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        session = self.sessions.pop(worker_ctx, None)
        if session is None:
            return
        if exc_info is not None:
            session.rollback()
        session.close()

    def stop(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
