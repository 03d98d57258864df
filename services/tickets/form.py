"""Check the ticket form's own fields, in the order of the form, before anything is stored.

The form has four groups, filled in this order: « Contrat » (contract, services, product, site,
optional version), « Contexte » (request nature, severity, desired delivery date, references 1 and
2), « Descriptif » (title, description) and « Contacts » (requester, followers). This module checks
what needs no other service; the catalog checks the contract's coverage and the auth service the
contacts. Error fields carry the GraphQL input names.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.common.errors import field_error
from services.tickets.vocabulary import NATURE_LABELS, SEVERITY_LABELS, RequestNature, Severity

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
REFERENCE_MAX = 100
MAX_FOLLOWERS = 20

FORM_FIELDS = (
    "organisationId", "contractId", "serviceIds", "productId", "siteId", "versionId",
    "nature", "severity", "desiredDeliveryDate", "reference1", "reference2",
    "title", "description", "requesterId", "followerIds",
)

# Names another service may use for a field of the form, mapped to the form's own names.
FIELD_ALIASES = {
    "contract": "contractId", "contract_id": "contractId",
    "service": "serviceIds", "services": "serviceIds", "service_id": "serviceIds", "service_ids": "serviceIds",
    "serviceId": "serviceIds",
    "product": "productId", "product_id": "productId",
    "site": "siteId", "site_id": "siteId",
    "version": "versionId", "version_id": "versionId",
}


@dataclass
class TicketForm:
    """The form's values once their shape is checked; ids are not yet known to exist."""

    contract_id: str = ""
    service_ids: list[str] = field(default_factory=list)
    product_id: str = ""
    site_id: str = ""
    version_id: str | None = None
    nature: RequestNature | None = None
    severity: Severity | None = None
    desired_delivery_date: date | None = None
    reference_1: str = ""
    reference_2: str = ""
    title: str = ""
    description: str = ""
    requester_id: str | None = None
    follower_ids: list[str] = field(default_factory=list)

    @property
    def contract_complete(self) -> bool:
        return bool(self.contract_id and self.service_ids and self.product_id and self.site_id)


def form_field(name: str) -> str:
    """Return the form's name for a field named by another service (`contract_id` → `contractId`)."""
    return FIELD_ALIASES.get(name, name)


def in_form_order(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sort errors as the form's fields are laid out; unknown fields come last, in their order."""
    rank = {name: index for index, name in enumerate(FORM_FIELDS)}
    return sorted(errors, key=lambda error: rank.get(error["field"], len(FORM_FIELDS)))


def _text(values: dict[str, Any], key: str) -> str:
    value = values.get(key)
    return value.strip() if isinstance(value, str) else ""


def _id_list(values: dict[str, Any], key: str) -> list[str] | None:
    """Return the distinct ids of a list field in their order, or None when it is not a list of strings."""
    raw = values.get(key) or []
    if not isinstance(raw, list) or not all(isinstance(item, str) and item.strip() for item in raw):
        return None
    return list(dict.fromkeys(item.strip() for item in raw))


def _required(name: str, fr_label: str, en_label: str) -> dict[str, Any]:
    return field_error(name, "REQUIRED", f"Le champ « {fr_label} » est obligatoire.",
                       f"The field '{en_label}' is required.")


def _too_long(name: str, fr_label: str, en_label: str, maximum: int) -> dict[str, Any]:
    return field_error(name, "TOO_LONG", f"Le champ « {fr_label} » dépasse {maximum} caractères.",
                       f"The field '{en_label}' exceeds {maximum} characters.")


def check_contract_group(values: dict[str, Any], form: TicketForm) -> list[dict[str, Any]]:
    errors = []
    form.contract_id = _text(values, "contract_id")
    if not form.contract_id:
        errors.append(_required("contractId", "Contrat", "Contract"))
    service_ids = _id_list(values, "service_ids")
    if service_ids is None:
        errors.append(field_error("serviceIds", "INVALID", "Les prestations doivent être une liste d'identifiants.",
                                  "Services must be a list of ids."))
    elif not service_ids:
        errors.append(_required("serviceIds", "Prestations", "Services"))
    else:
        form.service_ids = service_ids
    form.product_id = _text(values, "product_id")
    if not form.product_id:
        errors.append(_required("productId", "Produit", "Product"))
    form.site_id = _text(values, "site_id")
    if not form.site_id:
        errors.append(_required("siteId", "Site", "Site"))
    form.version_id = _text(values, "version_id") or None
    return errors


def check_context_group(values: dict[str, Any], form: TicketForm, today: date) -> list[dict[str, Any]]:
    errors = []
    nature = values.get("nature")
    if not nature:
        errors.append(_required("nature", "Nature de demande", "Request nature"))
    elif nature not in {item.value for item in RequestNature}:
        choices = ", ".join(label["fr"] for label in NATURE_LABELS.values())
        errors.append(field_error("nature", "INVALID_CHOICE",
                                  f"Nature de demande « {nature} » inconnue : choisissez parmi {choices}.",
                                  f"Unknown request nature '{nature}'."))
    else:
        form.nature = RequestNature(nature)

    severity = values.get("severity")
    if not severity:
        errors.append(_required("severity", "Gravité", "Severity"))
    elif severity not in {item.value for item in Severity}:
        choices = ", ".join(label["fr"] for label in SEVERITY_LABELS.values())
        errors.append(field_error("severity", "INVALID_CHOICE",
                                  f"Gravité « {severity} » inconnue : choisissez parmi {choices}.",
                                  f"Unknown severity '{severity}'."))
    else:
        form.severity = Severity(severity)

    errors.extend(_check_delivery_date(values.get("desired_delivery_date"), form, today))
    for key, name, number in (("reference_1", "reference1", 1), ("reference_2", "reference2", 2)):
        reference = _text(values, key)
        if len(reference) > REFERENCE_MAX:
            errors.append(_too_long(name, f"Référence {number}", f"Reference {number}", REFERENCE_MAX))
        setattr(form, key, reference)
    return errors


def _check_delivery_date(raw: Any, form: TicketForm, today: date) -> list[dict[str, Any]]:
    # « Livraison souhaitée » is indicative: optional, but a given date must be a real day to come.
    if not raw:
        return []
    try:
        desired = date.fromisoformat(str(raw))
    except ValueError:
        return [field_error("desiredDeliveryDate", "INVALID_DATE",
                            f"Date de livraison souhaitée « {raw} » invalide (format AAAA-MM-JJ attendu).",
                            f"Invalid desired delivery date '{raw}' (YYYY-MM-DD expected).")]
    if desired < today:
        # Each language writes the date as the portal's pages do: 01/06/2026 in French, 2026-06-01 in English.
        return [field_error("desiredDeliveryDate", "IN_PAST",
                            f"La livraison souhaitée ({desired:%d/%m/%Y}) est passée : choisissez une date "
                            "à venir.",
                            f"The desired delivery date ({desired.isoformat()}) has passed: choose a future date.")]
    form.desired_delivery_date = desired
    return []


def check_description_group(values: dict[str, Any], form: TicketForm) -> list[dict[str, Any]]:
    errors = []
    form.title = _text(values, "title")
    if not form.title:
        errors.append(_required("title", "Titre", "Title"))
    elif len(form.title) > TITLE_MAX:
        errors.append(_too_long("title", "Titre", "Title", TITLE_MAX))
    form.description = _text(values, "description")
    if not form.description:
        errors.append(_required("description", "Descriptif", "Description"))
    elif len(form.description) > DESCRIPTION_MAX:
        errors.append(_too_long("description", "Descriptif", "Description", DESCRIPTION_MAX))
    return errors


def check_contacts_group(values: dict[str, Any], form: TicketForm) -> list[dict[str, Any]]:
    """Check the contacts' shape; whether they belong to the organisation is the auth service's data."""
    errors = []
    form.requester_id = _text(values, "requester_id") or None
    follower_ids = _id_list(values, "follower_ids")
    if follower_ids is None:
        errors.append(field_error("followerIds", "INVALID",
                                  "Les collègues qui suivent la demande doivent être une liste d'identifiants.",
                                  "The colleagues who follow the request must be a list of ids."))
    elif len(follower_ids) > MAX_FOLLOWERS:
        errors.append(field_error("followerIds", "TOO_MANY",
                                  f"Au plus {MAX_FOLLOWERS} collègues peuvent suivre une demande.",
                                  f"At most {MAX_FOLLOWERS} colleagues may follow a ticket."))
    else:
        form.follower_ids = [user_id for user_id in follower_ids if user_id != form.requester_id]
    return errors


def check_form(values: dict[str, Any], today: date) -> tuple[TicketForm, list[dict[str, Any]]]:
    """Return the form's checked values and the errors of its own fields, group by group."""
    form = TicketForm()
    errors = check_contract_group(values, form)
    errors += check_context_group(values, form, today)
    errors += check_description_group(values, form)
    errors += check_contacts_group(values, form)
    return form, errors


def check_contacts(form: TicketForm, users: dict[str, dict[str, Any] | None],
                   organisation_id: str) -> list[dict[str, Any]]:
    """Check that the requester and followers are users of the ticket's organisation.

    `users` maps each id to the auth service's user, or None when no such user exists. A user of
    another organisation reads the same as a missing one, so that ids of others do not leak.
    """
    errors = []
    requester = users.get(form.requester_id or "")
    if requester is None or requester.get("organisation_id") != organisation_id:
        errors.append(field_error("requesterId", "NOT_IN_ORGANISATION",
                                  "Le demandeur doit être vous-même ou un collègue de votre organisation.",
                                  "The requester must be you or a colleague of your organisation."))
    for user_id in form.follower_ids:
        follower = users.get(user_id)
        if follower is None or follower.get("organisation_id") != organisation_id:
            errors.append(field_error("followerIds", "NOT_IN_ORGANISATION",
                                      f"« {user_id} » n'est pas un collègue de votre organisation : il ne peut "
                                      "pas suivre la demande.",
                                      f"'{user_id}' is not a colleague of your organisation, so they cannot "
                                      "follow the request."))
    return errors
