"""Demo organisations and accounts, for the one-command run and the tests.

Every demo account but jdupont has the password `Portail-Demo-2026!`, documented as demo only.
jdupont was migrated from the previous platform: it signs in with its initial password `EKSjt2020#.`
and must change it.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.auth import settings
from services.auth.passwords import hash_password_blocking
from services.auth.models import Organisation, OrganisationKind, Role, User
from services.auth.policy import legacy_initial_password
from services.common import demo
from services.common.events import utc_now

DEMO_PASSWORD = "Portail-Demo-2026!"


def is_loaded(session: Session) -> bool:
    return session.scalar(select(Organisation.id).limit(1)) is not None


def load(session: Session) -> None:
    # Demo loading runs before the service starts, outside any eventlet worker, so it hashes directly.
    demo_hash = hash_password_blocking(DEMO_PASSWORD)
    session.add_all([
        Organisation(id=demo.ORG_SAINT_AUBIN, name="Ville de Saint-Aubin", kind=OrganisationKind.CUSTOMER),
        Organisation(id=demo.ORG_VALLEE, name="Communauté de communes de la Vallée du Lys",
                     kind=OrganisationKind.CUSTOMER),
        Organisation(id=demo.VENDOR_ORG, name="Eksaé", kind=OrganisationKind.VENDOR),
    ])
    session.flush()

    jdupont_email = "jdupont@example.fr"
    session.add_all([
        User(id=demo.USER_JDUPONT, organisation_id=demo.ORG_SAINT_AUBIN, email=jdupont_email,
             first_name="Jean", last_name="Dupont", phone="02 40 00 00 01", role=Role.CUSTOMER,
             password_hash=hash_password_blocking(legacy_initial_password(jdupont_email)), must_change_password=True,
             password_expires_at=utc_now() + settings.legacy_password_lifetime()),
        User(id=demo.USER_MLEROY, organisation_id=demo.ORG_SAINT_AUBIN, email="mleroy@example.fr",
             first_name="Marie", last_name="Leroy", phone="02 40 00 00 02", role=Role.CUSTOMER_MANAGER,
             password_hash=demo_hash),
        User(id=demo.USER_PMARTIN, organisation_id=demo.ORG_VALLEE, email="pmartin@vallee-du-lys.example.fr",
             first_name="Paul", last_name="Martin", phone="02 41 00 00 03", role=Role.CUSTOMER,
             password_hash=demo_hash),
        User(id=demo.AGENT_CBERNARD, organisation_id=demo.VENDOR_ORG, email="cbernard@eksae.example.fr",
             first_name="Claire", last_name="Bernard", role=Role.AGENT, password_hash=demo_hash),
        User(id=demo.AGENT_LPETIT, organisation_id=demo.VENDOR_ORG, email="lpetit@eksae.example.fr",
             first_name="Luc", last_name="Petit", role=Role.AGENT, password_hash=demo_hash),
        User(id=demo.ADMIN_AROUX, organisation_id=demo.VENDOR_ORG, email="aroux@eksae.example.fr",
             first_name="Anne", last_name="Roux", role=Role.ADMIN, password_hash=demo_hash),
    ])
