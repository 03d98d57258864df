"""Errors of the tickets service."""
from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed, text


class TicketNotFound(NotFound):
    """The ticket does not exist or the caller may not see it; both read the same."""

    default_message = text("Demande introuvable.", "Ticket not found.")


class InvalidTicket(ValidationFailed):
    default_message = text("La demande contient des champs invalides.", "The ticket has invalid fields.")


class InvalidTicketQuery(ValidationFailed):
    default_message = text("Les critères de la liste sont invalides.", "The list criteria are invalid.")


class TransitionNotAllowed(Forbidden):
    default_message = text("Cette action n'est pas possible sur cette demande.",
                           "This action is not possible on this ticket.")


class TicketChanged(Conflict):
    default_message = text(
        "La demande a été modifiée entre-temps ; rechargez-la puis recommencez.",
        "The ticket was changed in the meantime; reload it and try again.",
    )


class InvalidMessage(ValidationFailed):
    default_message = text("Le message est invalide.", "The message is invalid.")


class MessageNotAllowed(Forbidden):
    default_message = text("Vous ne pouvez pas écrire ce message sur cette demande.",
                           "You may not post this message on this ticket.")


class QueueViewNotFound(NotFound):
    default_message = text("Vue enregistrée introuvable.", "Saved view not found.")


class InvalidQueueView(ValidationFailed):
    default_message = text("La vue ne peut pas être enregistrée.", "The view cannot be saved.")
