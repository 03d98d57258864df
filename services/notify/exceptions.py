"""Errors of the notify service."""
from __future__ import annotations

from services.common.errors import NotFound, ValidationFailed, field_error, text


class NotificationNotFound(NotFound):
    default_message = text("Notification introuvable.", "Notification not found.")


class InvalidNotificationFilter(ValidationFailed):
    default_message = text("Le filtre des notifications est invalide.", "The notification filter is invalid.")


class InvalidPreferences(ValidationFailed):
    default_message = text("Les préférences contiennent des valeurs invalides.",
                           "The preferences contain invalid values.")


class InvalidDeliveryFilter(ValidationFailed):
    default_message = text("Le filtre du journal des envois est invalide.", "The delivery log filter is invalid.")

    @classmethod
    def for_status(cls, status: str) -> "InvalidDeliveryFilter":
        return cls(fields=[field_error(
            "status", "INVALID_CHOICE",
            f"État « {status} » inconnu : choisissez queued, sent ou failed.",
            f"Unknown status '{status}': choose queued, sent or failed.")])

    @classmethod
    def for_time(cls, field: str, value: str) -> "InvalidDeliveryFilter":
        return cls(fields=[field_error(
            field, "INVALID_DATETIME",
            f"Horodatage « {value} » invalide : format attendu AAAA-MM-JJTHH:MM:SS+01:00.",
            f"Invalid time '{value}': expected YYYY-MM-DDTHH:MM:SS+01:00.")])
