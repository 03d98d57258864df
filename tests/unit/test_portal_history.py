"""The ticket history reads « Nom : action » in French and "Name: action" in English."""
import pytest

from gateway.portal.i18n import translations
from gateway.portal.rendering import environment

pytestmark = pytest.mark.unit

TICKET = {"history": [{"occurredAt": "2026-03-02T09:30:00+00:00", "actor": {"displayName": "Jean Dupont"},
                       "action": "create", "reason": None}]}


@pytest.mark.parametrize("language, expected", [("fr", "Jean Dupont : "), ("en", "Jean Dupont: ")])
def test_history_colon_follows_language(language, expected):
    catalogue = translations(language)
    template = environment().get_template("_ticket_history.html")

    # The same translation functions as the portal's render() puts in each page's context.
    html = template.render(ticket=TICKET, language=language, _=catalogue.gettext, gettext=catalogue.gettext,
                           ngettext=catalogue.ngettext)

    assert expected in html
