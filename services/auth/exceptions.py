"""Errors of the auth service."""
from services.common.errors import (Forbidden, NotFound, RateLimited, Unauthenticated, ValidationFailed,
                                    text)


class InvalidCredentials(Unauthenticated):
    # The same message whether the e-mail exists or not, so that sign-in reveals no account.
    default_message = text("Adresse e-mail ou mot de passe incorrect.", "Incorrect e-mail address or password.")


class LegacyPasswordExpired(Unauthenticated):
    default_message = text(
        "Ce mot de passe initial a expiré : choisissez un nouveau mot de passe avec « Mot de passe oublié ? ».",
        "This initial password has expired: choose a new one with 'Forgot your password?'.",
    )


class InvalidPassword(ValidationFailed):
    default_message = text("Le mot de passe ne respecte pas les règles.", "The password does not follow the rules.")


class InvalidPasswordToken(ValidationFailed):
    default_message = text(
        "Ce lien n'est plus valable (déjà utilisé, expiré ou remplacé) : demandez-en un nouveau.",
        "This link is no longer valid (already used, expired or replaced): request a new one.",
    )


class TooManyAttempts(RateLimited):
    default_message = text("Trop de tentatives ; réessayez dans quelques minutes.",
                           "Too many attempts; try again in a few minutes.")


class UserNotFound(NotFound):
    default_message = text("Utilisateur introuvable.", "User not found.")


class SessionNotFound(NotFound):
    default_message = text("Session introuvable.", "Session not found.")


class ApiTokenNotFound(NotFound):
    default_message = text("Jeton d'API introuvable.", "API token not found.")


class InvalidApiToken(ValidationFailed):
    default_message = text("Le jeton d'API contient des champs invalides.", "The API token has invalid fields.")


class NotAllowed(Forbidden):
    pass


class InvalidUser(ValidationFailed):
    default_message = text("Le compte contient des champs invalides.", "The account has invalid fields.")


class OrganisationNotFound(NotFound):
    default_message = text("Organisation introuvable.", "Organisation not found.")


class InvalidOrganisation(ValidationFailed):
    default_message = text("L'organisation contient des champs invalides.", "The organisation has invalid fields.")


class InvalidImport(ValidationFailed):
    default_message = text("Le fichier d'import est inutilisable.", "The import file cannot be used.")
