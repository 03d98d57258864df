"""Errors of the catalog service."""
from services.common.errors import NotFound, ValidationFailed, text


class OrganisationNotFound(NotFound):
    default_message = text("Organisation introuvable.", "Organisation not found.")


class ProductNotFound(NotFound):
    default_message = text("Produit introuvable.", "Product not found.")


class ProductVersionNotFound(NotFound):
    default_message = text("Version introuvable.", "Version not found.")


class FaqEntryNotFound(NotFound):
    default_message = text("Question de FAQ introuvable.", "FAQ entry not found.")


class SiteNotFound(NotFound):
    default_message = text("Site introuvable.", "Site not found.")


class ContractNotFound(NotFound):
    default_message = text("Contrat introuvable.", "Contract not found.")


class EntitlementRejected(ValidationFailed):
    """A ticket's contract, services, product, site or version is not covered; `fields` say which."""

    default_message = text(
        "Votre contrat ne couvre pas cette demande de support.",
        "Your contract does not cover this support request.",
    )


class InvalidProduct(ValidationFailed):
    default_message = text("Le produit contient des champs invalides.", "The product has invalid fields.")


class InvalidFaqEntry(ValidationFailed):
    default_message = text("La question de FAQ contient des champs invalides.", "The FAQ entry has invalid fields.")


class InvalidSite(ValidationFailed):
    default_message = text("Le site contient des champs invalides.", "The site has invalid fields.")


class InvalidContract(ValidationFailed):
    default_message = text("Le contrat contient des champs invalides.", "The contract has invalid fields.")
