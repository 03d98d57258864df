"""Platform-wide security settings that admins change, such as the second factor required for staff."""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from services.auth import audit
from services.auth.exceptions import SecondFactorStateConflict
from services.auth.models import AuditAction, SecondFactor, SecuritySetting
from services.common.caller import Caller
from services.common.errors import Forbidden, text
from services.common.events import isoformat, utc_now

logger = logging.getLogger(__name__)

SECOND_FACTOR_REQUIRED_FOR_STAFF = "second_factor_required_for_staff"


def second_factor_required_for_staff(session: Session) -> bool:
    """Return whether agents and admins must use a second factor; off until an admin turns it on."""
    setting = session.get(SecuritySetting, SECOND_FACTOR_REQUIRED_FOR_STAFF)
    return bool(setting.value) if setting is not None else False


def own_factor_enabled(session: Session, caller: Caller) -> bool:
    factor = session.get(SecondFactor, caller.user_id)
    return factor is not None and factor.enabled_at is not None


def get_settings(session: Session, caller: Caller) -> dict[str, Any]:
    """Return `{second_factor_required_for_staff, updated_at, updated_by_id}`; staff only."""
    caller.require_agent()
    setting = session.get(SecuritySetting, SECOND_FACTOR_REQUIRED_FOR_STAFF)
    return {
        "second_factor_required_for_staff": bool(setting.value) if setting is not None else False,
        "updated_at": isoformat(setting.updated_at) if setting is not None else None,
        "updated_by_id": setting.updated_by_id if setting is not None else None,
    }


def update_settings(session: Session, caller: Caller, values: dict[str, Any]) -> dict[str, Any]:
    """Change the settings present in `values` and audit each change; admins only (raises Forbidden).

    Raises SecondFactorStateConflict when an admin without a second factor requires one of staff.
    """
    caller.require_authenticated()
    if not caller.is_admin or not caller.has_scope("admin"):
        raise Forbidden()
    required = values.get("second_factor_required_for_staff")
    if required and not own_factor_enabled(session, caller):
        # Otherwise the admin's own session would at once be restricted to enrolment.
        raise SecondFactorStateConflict(text(
            "Activez d'abord la double authentification sur votre propre compte (page « Sécurité du compte »).",
            "Enable two-factor authentication on your own account first (the 'Account security' page)."))
    if required is not None and bool(required) != second_factor_required_for_staff(session):
        setting = session.get(SecuritySetting, SECOND_FACTOR_REQUIRED_FOR_STAFF)
        if setting is None:
            setting = SecuritySetting(name=SECOND_FACTOR_REQUIRED_FOR_STAFF)
            session.add(setting)
        setting.value = bool(required)
        setting.updated_at = utc_now()
        setting.updated_by_id = caller.user_id
        audit.record(session, AuditAction.SECURITY_SETTING_CHANGED, actor_id=caller.user_id,
                     setting=SECOND_FACTOR_REQUIRED_FOR_STAFF, value=bool(required))
        session.commit()
        logger.info("admin %s set %s to %s", caller.user_id, SECOND_FACTOR_REQUIRED_FOR_STAFF, bool(required))
    return get_settings(session, caller)
