"""Load each service's demo data once, on the first start of the one-command run.

The identifiers below are shared by the services' demo modules, because a contract in the catalog
names an organisation that lives in the auth service.
"""
from __future__ import annotations

import importlib
import logging
import uuid

from sqlalchemy.orm import Session

from services.common import config
from services.common.database import make_engine

logger = logging.getLogger(__name__)

_NAMESPACE = uuid.UUID("6f1c2b7e-3d4a-4f2e-9a61-0c5e8d7b1a20")


def demo_id(name: str) -> str:
    """Return a stable UUID for a demo object, the same in every service."""
    return str(uuid.uuid5(_NAMESPACE, name))


ORG_SAINT_AUBIN = demo_id("organisation:ville-de-saint-aubin")
ORG_VALLEE = demo_id("organisation:communaute-de-communes-vallee-du-lys")
VENDOR_ORG = demo_id("organisation:eksae")
USER_JDUPONT = demo_id("user:jdupont@example.fr")
USER_MLEROY = demo_id("user:mleroy@example.fr")
USER_PMARTIN = demo_id("user:pmartin@vallee-du-lys.example.fr")
AGENT_CBERNARD = demo_id("user:cbernard@eksae.example.fr")
AGENT_LPETIT = demo_id("user:lpetit@eksae.example.fr")
ADMIN_AROUX = demo_id("user:aroux@eksae.example.fr")
PRODUCT_CARRUS = demo_id("product:carrus")
PRODUCT_CITOYENS = demo_id("product:channel-citoyens")
PRODUCT_COMPTA = demo_id("product:channel-comptabilite")
SITE_MAIRIE = demo_id("site:saint-aubin:mairie")
SITE_ANNEXE = demo_id("site:saint-aubin:annexe-technique")
SITE_VALLEE_SIEGE = demo_id("site:vallee-du-lys:siege")
CONTRACT_SAINT_AUBIN = demo_id("contract:saint-aubin:2026")
CONTRACT_VALLEE = demo_id("contract:vallee-du-lys:2026")


def load_demo(service_name: str) -> bool:
    """Insert the service's demo data when its database has none; return whether it loaded."""
    module = importlib.import_module(f"services.{service_name}.demo")
    engine = make_engine(config.database_url(service_name))
    try:
        with Session(engine) as session:
            if module.is_loaded(session):
                return False
            module.load(session)
            session.commit()
            logger.info("demo data of %s loaded", service_name)
            return True
    finally:
        engine.dispose()
