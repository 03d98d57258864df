"""Exceptions every service builds its own on.

nameko serialises an exception as its class path and arguments; the gateway imports the class from
that path and maps it to a GraphQL error code through the bases below, in one table. The arguments are
a message in French and English, and for validation errors the list of failing fields, so that the
gateway can answer in the caller's language without knowing each service's wording.
"""
from __future__ import annotations

from typing import Any, TypedDict


class LocalizedText(TypedDict):
    fr: str
    en: str


def text(fr: str, en: str) -> LocalizedText:
    return {"fr": fr, "en": en}


def field_error(field: str, code: str, fr: str, en: str) -> dict[str, Any]:
    """Describe one invalid field: its name in the API, a stable code and the message."""
    return {"field": field, "code": code, "message": text(fr, en)}


class ServiceError(Exception):
    """An expected error that the caller can act on; never logged as a failure of the service.

    A subclass may set `code` to a GraphQL error code of its own; otherwise its base sets the code.
    """

    code: str | None = None
    default_message = text("La demande a échoué.", "The request failed.")

    def __init__(self, message: LocalizedText | None = None, fields: list[dict[str, Any]] | None = None):
        self.message = message or self.default_message
        self.fields = fields or []
        super().__init__(self.message, self.fields)

    def __str__(self) -> str:
        return self.message["en"]


class NotFound(ServiceError):
    default_message = text("Élément introuvable.", "Not found.")


class Forbidden(ServiceError):
    default_message = text("Action non autorisée.", "This action is not allowed.")


class Unauthenticated(ServiceError):
    default_message = text("Veuillez vous connecter.", "Please sign in.")


class ValidationFailed(ServiceError):
    default_message = text("Certains champs sont invalides.", "Some fields are invalid.")


class Conflict(ServiceError):
    default_message = text(
        "L'élément a été modifié entre-temps ; rechargez-le puis recommencez.",
        "The item was changed in the meantime; reload it and try again.",
    )


class RateLimited(ServiceError):
    default_message = text("Trop de tentatives ; réessayez plus tard.", "Too many attempts; try again later.")


class PasswordChangeRequired(ServiceError):
    default_message = text(
        "Vous devez changer votre mot de passe avant de continuer.",
        "You must change your password before going on.",
    )


class SecondFactorEnrolmentRequired(ServiceError):
    default_message = text(
        "Vous devez activer la double authentification avant de continuer.",
        "You must enable two-factor authentication before going on.",
    )
