"""Errors of the auth service."""
from services.common.errors import (Conflict, Forbidden, NotFound, RateLimited, Unauthenticated,
                                    ValidationFailed, field_error, text)


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


class InvalidSecondFactorCode(ValidationFailed):
    code = "INVALID_SECOND_FACTOR_CODE"
    default_message = text(
        "Code de vérification incorrect ou déjà utilisé : saisissez le code affiché maintenant par votre "
        "application, ou un code de secours.",
        "Incorrect or already used verification code: type the code your app shows now, or a recovery code.")

    def __init__(self) -> None:
        super().__init__(fields=[field_error("code", "INVALID", self.default_message["fr"],
                                             self.default_message["en"])])


class SecondFactorChallengeExpired(Unauthenticated):
    code = "SECOND_FACTOR_CHALLENGE_EXPIRED"
    default_message = text(
        "La vérification a expiré ou a reçu trop de codes incorrects : reconnectez-vous avec votre mot de passe.",
        "The verification expired or received too many incorrect codes: sign in again with your password.")


class IncorrectCurrentPassword(ValidationFailed):
    default_message = text("Le mot de passe actuel est incorrect.", "The current password is incorrect.")

    def __init__(self) -> None:
        super().__init__(fields=[field_error("currentPassword", "INCORRECT", self.default_message["fr"],
                                             self.default_message["en"])])


class SecondFactorStateConflict(Conflict):
    """An enrolment step that does not fit the account's current second-factor state."""


class OrganisationNotFound(NotFound):
    default_message = text("Organisation introuvable.", "Organisation not found.")


class InvalidOrganisation(ValidationFailed):
    default_message = text("L'organisation contient des champs invalides.", "The organisation has invalid fields.")


class InvalidImport(ValidationFailed):
    default_message = text("Le fichier d'import est inutilisable.", "The import file cannot be used.")
