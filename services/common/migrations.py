"""Alembic migrations per service, run without an alembic.ini."""
from __future__ import annotations

import logging
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text

from services.common import config
from services.common.database import make_engine

logger = logging.getLogger(__name__)

SERVICES_DIR = Path(__file__).resolve().parents[1]


def alembic_config(service_name: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SERVICES_DIR / service_name / "migrations"))
    cfg.set_main_option("sqlalchemy.url", config.database_url(service_name).replace("%", "%%"))
    cfg.attributes["service_name"] = service_name
    return cfg


def upgrade(service_name: str) -> None:
    """Bring the service's database to the latest revision."""
    logger.info("applying migrations of %s", service_name)
    command.upgrade(alembic_config(service_name), "head")


def run_env(target_metadata: MetaData) -> None:
    """Body of every service's `migrations/env.py`: migrate online on the configured URL."""
    url = context.config.get_main_option("sqlalchemy.url")
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Instances of a service that start together with --migrate take turns: the lock is
                # held until this transaction commits, and the next instance then finds the
                # database already at head.
                connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('portail-migrations'))"))
            context.run_migrations()
    engine.dispose()
