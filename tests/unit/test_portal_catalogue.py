"""Every text of the portal pages has a French translation, and the English texts use English typography."""
from datetime import datetime, timezone
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from gateway.portal.console_queue import waiting_since
from gateway.portal.i18n import LOCALE_DIR, translations

pytestmark = pytest.mark.unit

PORTAL_DIR = Path(__file__).resolve().parents[2] / "gateway" / "portal"
METHOD_MAP = [("**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}


def extracted_ids() -> set[str]:
    ids = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            PORTAL_DIR, METHOD_MAP, OPTIONS, keywords=KEYWORDS):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_french_catalogue_translates_every_text():
    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalogue = read_po(po_file, locale="fr")
    translated = {message.id if isinstance(message.id, str) else message.id[0]
                  for message in catalogue if message.id and message.string and "fuzzy" not in message.flags}

    missing = sorted(extracted_ids() - translated)

    assert missing == [], "run pybabel extract/update and translate: " + "; ".join(missing)


def test_french_catalogue_is_used():
    assert translations("fr").gettext("Sign in") == "Se connecter"
    assert translations("en").gettext("Sign in") == "Sign in"


def test_english_texts_use_english_quotes():
    # The msgids are the English texts, so French guillemets in them show up on English pages.
    with_guillemets = sorted(message for message in extracted_ids() if "«" in message or "»" in message)

    assert with_guillemets == []


def test_console_waiting_time_per_language():
    now = datetime(2026, 6, 15, 12, tzinfo=timezone.utc)
    four_days = {"updatedAt": "2026-06-11T12:00:00+00:00"}
    five_hours = {"updatedAt": "2026-06-15T07:00:00+00:00"}

    assert waiting_since(four_days, "fr", now) == "4 j"
    assert waiting_since(four_days, "en", now) == "4 d"
    assert waiting_since(five_hours, "fr", now) == "5 h"
    assert waiting_since(five_hours, "en", now) == "5 h"
