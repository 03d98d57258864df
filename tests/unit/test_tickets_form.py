"""The ticket form's own checks, field by field and in the form's order."""
from __future__ import annotations

from datetime import date

import pytest

from services.tickets.form import FORM_FIELDS, check_contacts, check_form, form_field, in_form_order
from services.tickets.vocabulary import RequestNature, Severity

pytestmark = pytest.mark.unit

TODAY = date(2026, 6, 15)
VALID = {
    "contract_id": "contract-1", "service_ids": ["service-1", "service-1"], "product_id": "product-1",
    "site_id": "site-1", "nature": "incident", "severity": "blocking", "desired_delivery_date": "2026-07-01",
    "reference_1": "REF-42", "title": "  Export impossible ", "description": "Le bouton **Exporter** échoue.",
    "requester_id": "user-1", "follower_ids": ["user-2", "user-1"],
}


def _fields(errors):
    return [(error["field"], error["code"]) for error in errors]


def test_check_form_valid_values_normalised():
    form, errors = check_form(VALID, TODAY)

    assert errors == []
    assert form.service_ids == ["service-1"]
    assert form.nature == RequestNature.INCIDENT
    assert form.severity == Severity.BLOCKING
    assert form.desired_delivery_date == date(2026, 7, 1)
    assert form.title == "Export impossible"
    assert form.follower_ids == ["user-2"]


def test_check_form_empty_reports_required_fields():
    _form, errors = check_form({}, TODAY)

    assert _fields(errors) == [
        ("contractId", "REQUIRED"), ("serviceIds", "REQUIRED"), ("productId", "REQUIRED"), ("siteId", "REQUIRED"),
        ("nature", "REQUIRED"), ("severity", "REQUIRED"), ("title", "REQUIRED"), ("description", "REQUIRED"),
    ]
    assert errors[0]["message"]["fr"] == "Le champ « Contrat » est obligatoire."
    assert errors[0]["message"]["en"] == "The field 'Contract' is required."


def test_check_form_unknown_choices_rejected():
    _form, errors = check_form(dict(VALID, nature="urgence", severity="critique"), TODAY)

    assert _fields(errors) == [("nature", "INVALID_CHOICE"), ("severity", "INVALID_CHOICE")]
    assert "Demande d'assistance" in errors[0]["message"]["fr"]


def test_check_form_past_or_malformed_delivery_date_rejected():
    _form, past = check_form(dict(VALID, desired_delivery_date="2026-06-14"), TODAY)
    _form, malformed = check_form(dict(VALID, desired_delivery_date="15/07/2026"), TODAY)

    assert _fields(past) == [("desiredDeliveryDate", "IN_PAST")]
    assert past[0]["message"]["fr"] == "La livraison souhaitée (14/06/2026) est passée : choisissez une date à venir."
    assert past[0]["message"]["en"] == "The desired delivery date (2026-06-14) has passed: choose a future date."
    assert _fields(malformed) == [("desiredDeliveryDate", "INVALID_DATE")]


def test_check_form_too_long_values_rejected():
    values = dict(VALID, title="t" * 201, reference_2="r" * 101, description="d" * 20_001)

    _form, errors = check_form(values, TODAY)

    assert _fields(errors) == [("reference2", "TOO_LONG"), ("title", "TOO_LONG"), ("description", "TOO_LONG")]


def test_check_form_followers_not_a_list_rejected():
    _form, errors = check_form(dict(VALID, follower_ids="user-2"), TODAY)

    assert _fields(errors) == [("followerIds", "INVALID")]


def test_check_contacts_other_organisation_reads_as_not_colleague():
    form, _errors = check_form(VALID, TODAY)
    users = {"user-1": {"organisation_id": "org-a"}, "user-2": {"organisation_id": "org-b"}}

    errors = check_contacts(form, users, "org-a")

    assert _fields(errors) == [("followerIds", "NOT_IN_ORGANISATION")]


def test_check_contacts_missing_requester_rejected():
    form, _errors = check_form(dict(VALID, follower_ids=[]), TODAY)

    errors = check_contacts(form, {"user-1": None}, "org-a")

    assert _fields(errors) == [("requesterId", "NOT_IN_ORGANISATION")]


def test_in_form_order_sorts_catalog_errors_into_place():
    errors = [{"field": "title"}, {"field": form_field("site_id")}, {"field": "other"}, {"field": "contractId"}]

    assert [error["field"] for error in in_form_order(errors)] == ["contractId", "siteId", "title", "other"]
    assert FORM_FIELDS.index("siteId") < FORM_FIELDS.index("nature")
