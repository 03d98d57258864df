"""Errors of the news service."""
from services.common.errors import NotFound, ValidationFailed, text


class ArticleNotFound(NotFound):
    default_message = text("Actualité introuvable.", "News item not found.")


class InvalidArticle(ValidationFailed):
    default_message = text("L'actualité contient des champs invalides.", "The news item has invalid fields.")
