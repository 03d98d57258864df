"""Every kind of security event has a label in the console's security log."""
import pytest

from gateway.portal.admin_audit_views import describe
from gateway.portal.admin_pages import action_labels
from services.auth.graphql_types import AuditAction

pytestmark = pytest.mark.unit


def test_every_audit_action_labelled():
    labels = action_labels("fr")

    missing = [member.name for member in AuditAction._meta.enum if member.name not in labels]

    assert missing == []


def test_details_written_as_json_values():
    entry = {"action": "TOKEN_CREATED", "details": {"scopes": ["catalog:read", "news:read"], "remember_me": False}}

    assert describe(entry, {}) == "scopes: catalog:read, news:read, remember_me: false"
