"""Per-user choices: for each kind, e-mail and/or portal, e-mail at once or in a daily digest."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from services.common.caller import Caller
from services.common.errors import field_error
from services.notify.exceptions import InvalidPreferences
from services.notify.models import EmailFrequency, NotificationKind, NotificationPreference

# Kinds a user may tune; account e-mails (invitation, password reset) always go out at once.
CONFIGURABLE_KINDS = (
    NotificationKind.TICKET_CREATED,
    NotificationKind.TICKET_STATUS_CHANGED,
    NotificationKind.TICKET_MESSAGE_POSTED,
    NotificationKind.TICKET_ASSIGNED,
    NotificationKind.TICKET_SUSPENSION_REMINDED,
    NotificationKind.NEWS_PUBLISHED,
)


@dataclass(frozen=True)
class Choice:
    email_enabled: bool = True
    in_app_enabled: bool = True
    email_frequency: EmailFrequency = EmailFrequency.IMMEDIATE


DEFAULT_CHOICE = Choice()
# News reach every customer of an audience: by default they show in the portal and e-mail is opt-in.
DEFAULT_CHOICES = {NotificationKind.NEWS_PUBLISHED: Choice(email_enabled=False)}


def default_choice(kind: NotificationKind) -> Choice:
    return DEFAULT_CHOICES.get(kind, DEFAULT_CHOICE)


def choices_for(session: Session, pairs: Iterable[tuple[str, NotificationKind]]) -> dict[tuple[str, str], Choice]:
    """Return the stored choice of each (user id, kind) pair that has one, in one query."""
    wanted = {(user_id, kind.value) for user_id, kind in pairs if user_id}
    if not wanted:
        return {}
    rows = session.scalars(select(NotificationPreference).where(
        tuple_(NotificationPreference.user_id, NotificationPreference.kind).in_(
            [(user_id, NotificationKind(kind)) for user_id, kind in wanted])))
    return {
        (row.user_id, row.kind.value): Choice(row.email_enabled, row.in_app_enabled, row.email_frequency)
        for row in rows
    }


def get_preferences(session: Session, caller: Caller) -> list[dict[str, Any]]:
    """Return the caller's choice for every configurable kind, defaults included."""
    caller.require_authenticated()
    assert caller.user_id is not None
    stored = choices_for(session, [(caller.user_id, kind) for kind in CONFIGURABLE_KINDS])
    return [_serialize(kind, stored.get((caller.user_id, kind.value), default_choice(kind)))
            for kind in CONFIGURABLE_KINDS]


def update_preferences(session: Session, caller: Caller, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Store the given choices (one entry per kind, unspecified fields unchanged) and return all choices."""
    caller.require_authenticated()
    errors = _validate(changes)
    if errors:
        raise InvalidPreferences(fields=errors)
    for change in changes:
        kind = NotificationKind(change["kind"])
        row = session.get(NotificationPreference, (caller.user_id, kind))
        if row is None:
            default = default_choice(kind)
            row = NotificationPreference(user_id=caller.user_id, kind=kind, email_enabled=default.email_enabled,
                                         in_app_enabled=default.in_app_enabled,
                                         email_frequency=default.email_frequency)
            session.add(row)
        if change.get("email_enabled") is not None:
            row.email_enabled = bool(change["email_enabled"])
        if change.get("in_app_enabled") is not None:
            row.in_app_enabled = bool(change["in_app_enabled"])
        if change.get("email_frequency") is not None:
            row.email_frequency = EmailFrequency(change["email_frequency"])
    session.commit()
    return get_preferences(session, caller)


def _validate(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    errors = []
    allowed_kinds = {kind.value for kind in CONFIGURABLE_KINDS}
    frequencies = {item.value for item in EmailFrequency}
    for index, change in enumerate(changes):
        kind = change.get("kind")
        if kind not in allowed_kinds:
            errors.append(field_error(
                f"preferences[{index}].kind", "INVALID_CHOICE",
                f"Type de notification « {kind} » non réglable.", f"Notification kind '{kind}' cannot be set."))
        frequency = change.get("email_frequency")
        if frequency is not None and frequency not in frequencies:
            errors.append(field_error(
                f"preferences[{index}].emailFrequency", "INVALID_CHOICE",
                f"Fréquence « {frequency} » inconnue : immediate ou daily.",
                f"Unknown frequency '{frequency}': immediate or daily."))
    return errors


def _serialize(kind: NotificationKind, choice: Choice) -> dict[str, Any]:
    return {
        "kind": kind.value,
        "email_enabled": choice.email_enabled,
        "in_app_enabled": choice.in_app_enabled,
        "email_frequency": choice.email_frequency.value,
    }
