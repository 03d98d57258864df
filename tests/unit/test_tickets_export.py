"""The Excel workbook of a ticket list: text stays text, dates are real Excel dates in Paris time."""
from __future__ import annotations

import io
from datetime import date, datetime, timezone
from types import SimpleNamespace

import openpyxl
import pytest

from services.tickets.columns import COLUMNS, DEFAULT_COLUMNS, checked_columns
from services.tickets.exceptions import InvalidTicketQuery
from services.tickets.export import TicketWorkbook
from services.tickets.lifecycle import TicketState, TicketStatus
from services.tickets.models import Ticket
from services.tickets.vocabulary import RequestNature, Severity

pytestmark = pytest.mark.unit


def _sheet(keys: list[str], rows: list[list], language: str = "fr") -> openpyxl.worksheet.worksheet.Worksheet:
    target = io.BytesIO()
    workbook = TicketWorkbook(keys, target, language)
    workbook.append_rows(rows)
    workbook.finish()
    return openpyxl.load_workbook(io.BytesIO(target.getvalue())).active


@pytest.mark.parametrize("value", ["=1+1", "+33 1 23", "-2", "@SUM(A1)", "=HYPERLINK(\"http://x\")"])
def test_workbook_formula_like_text_stays_text(value):
    sheet = _sheet(["title"], [[value]])

    assert sheet["A2"].value == value
    assert sheet["A2"].data_type == "s"


def test_workbook_illegal_xml_characters_dropped():
    sheet = _sheet(["title"], [["Erreur\x00 au\x0b démarrage\x1f"]])

    assert sheet["A2"].value == "Erreur au démarrage"


def test_workbook_times_in_paris_as_excel_dates():
    winter = datetime(2026, 1, 15, 8, 30, tzinfo=timezone.utc)
    summer = datetime(2026, 7, 15, 8, 30, tzinfo=timezone.utc)

    sheet = _sheet(["entered_at", "resolved_at", "desired_delivery_date"], [[winter, summer, date(2026, 8, 1)]])

    assert sheet["A2"].value == datetime(2026, 1, 15, 9, 30)
    assert sheet["B2"].value == datetime(2026, 7, 15, 10, 30)
    assert sheet["A2"].number_format == "DD/MM/YYYY HH:MM"
    assert sheet["C2"].value == datetime(2026, 8, 1)
    assert sheet["C2"].is_date


def test_workbook_french_headers_frozen_and_filtered():
    sheet = _sheet(list(DEFAULT_COLUMNS), [["2026-000001"] + [""] * 7, ["2026-000002"] + [None] * 7])

    assert [cell.value for cell in sheet[1]] == [
        "Numéro", "Titre", "Produit", "Gravité", "Statut", "État", "Demandeur", "Date de saisie"]
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:H3"


def test_checked_columns_unknown_key_rejected():
    with pytest.raises(InvalidTicketQuery) as raised:
        checked_columns(["number", "password"])

    assert raised.value.fields[0]["code"] == "INVALID_CHOICE"
    assert "password" in raised.value.fields[0]["message"]["fr"]


def test_checked_columns_repeats_removed():
    assert checked_columns(["title", "number", "title"]) == ["title", "number"]


def test_columns_read_only_what_they_declare():
    # The export selects only the table columns each list column declares: reading any other
    # attribute would fail here as it would on the export's partial rows.
    sample = {"nature": RequestNature.INCIDENT, "severity": Severity.MAJOR, "status": TicketStatus.NEW,
              "state": TicketState.AWAITING_SUPPORT, "contacts": [], "services": []}
    table_columns = {column.key for column in Ticket.__table__.columns}

    for key, column in COLUMNS.items():
        assert set(column.reads) <= table_columns, key
        row = SimpleNamespace(**{name: sample.get(name, f"{name}-value") for name in column.reads})
        column.value(row)


def test_workbook_large_text_written_as_text():
    long_title = "é" * 5000 + "=SUM(A1)"

    sheet = _sheet(["title"], [[long_title], [12]])

    assert sheet["A2"].value == long_title
    assert sheet["A3"].value == "12"
    assert sheet["A3"].data_type == "s"


@pytest.mark.parametrize("language, sheet_name, headers, status", [
    ("fr", "Demandes", ["Numéro", "Statut"], "Clôturée"),
    ("en", "Tickets", ["Number", "Status"], "Closed"),
])
def test_workbook_in_request_language(language, sheet_name, headers, status):
    row = SimpleNamespace(number="2026-000001", status=TicketStatus.CLOSED)
    keys = ["number", "status"]

    sheet = _sheet(keys, [[COLUMNS[key].value(row) for key in keys]], language)

    assert sheet.title == sheet_name
    assert [cell.value for cell in sheet[1]] == headers
    assert sheet["B2"].value == status
