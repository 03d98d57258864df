"""Excel export of a ticket list with the user's columns.

The workbook is written by XlsxWriter in constant-memory mode: each row goes to disk as it is
written and strings are stored inline, so memory stays flat whatever the number of tickets (openpyxl's
write-only mode keeps every distinct string in memory until the end). Writing is CPU work, so it runs
in a child process (`services.tickets.export_job`): in a thread of the service it held the
interpreter's lock, and the lists served meanwhile were several times slower. The file goes to the
export store, from which the gateway streams it: it never travels through RabbitMQ.
"""
from __future__ import annotations

import logging
import re
import time
from datetime import date, datetime, timezone
from typing import Any, BinaryIO

import xlsxwriter
from sqlalchemy.orm import Session

from services.common.caller import Caller
from services.common.errors import field_error
from services.common.events import utc_now
from services.tickets.attachment_store import LocalAttachmentStore, export_store
from services.tickets.columns import COLUMNS, checked_columns, saved_columns
from services.tickets.exceptions import InvalidTicketQuery
from services.tickets.models import Ticket
from services.tickets.numbering import PARIS
from services.tickets.reading import TAB_STATUSES, filtered_query, order_by_sort

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_CHUNK_ROWS = 1_000
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
DATE_FORMAT = "DD/MM/YYYY"
COLUMN_WIDTH = 22
# The sheet's and the file's names, per language of the request.
SHEET_NAMES = {"fr": "Demandes", "en": "Tickets"}
FILE_PREFIXES = {"fr": "demandes", "en": "tickets"}
# Control characters that XML 1.0 forbids (tab, line feed and carriage return are allowed).
ILLEGAL_XML_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# An export is downloaded right after it is written; files older than this were abandoned.
EXPORT_MAX_AGE_SECONDS = 3600


class TicketWorkbook:
    """A workbook of tickets written to `target`: French headers, frozen header row, filters, real dates."""

    def __init__(self, keys: list[str], target: BinaryIO, language: str = "fr") -> None:
        self.keys = keys
        self.language = language if language in SHEET_NAMES else "fr"
        # Every cell is written with write_string or write_datetime, so no text becomes a formula,
        # a number or a link whatever it starts with.
        self.workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})
        self.sheet = self.workbook.add_worksheet(SHEET_NAMES[self.language])
        self.datetime_format = self.workbook.add_format({"num_format": DATETIME_FORMAT})
        self.date_format = self.workbook.add_format({"num_format": DATE_FORMAT})
        self.sheet.set_column(0, len(keys) - 1, COLUMN_WIDTH)
        self.sheet.freeze_panes(1, 0)
        header_format = self.workbook.add_format({"bold": True})
        for index, key in enumerate(keys):
            self.sheet.write_string(0, index, COLUMNS[key].label[self.language], header_format)
        self.rows = 0

    def _write(self, row: int, column: int, value: Any) -> None:
        if isinstance(value, dict):
            value = value[self.language]  # a label, in both languages
        if isinstance(value, datetime):
            # Excel has no time zones: a ticket's times are written as wall-clock times in Paris.
            moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
            self.sheet.write_datetime(row, column, moment.astimezone(PARIS).replace(tzinfo=None),
                                      self.datetime_format)
        elif isinstance(value, date):
            self.sheet.write_datetime(row, column, value, self.date_format)
        elif value not in (None, ""):
            text = str(value)
            # Characters that XML 1.0 forbids would make the file unreadable; they are dropped.
            # isprintable() is a quick test that spares the regular expression on ordinary text.
            if not text.isprintable():
                text = ILLEGAL_XML_CHARACTERS.sub("", text)
            self.sheet.write_string(row, column, text)

    def append_rows(self, rows: list[list[Any]]) -> None:
        for row in rows:
            self.rows += 1
            for column, value in enumerate(row):
                self._write(self.rows, column, value)

    def finish(self) -> None:
        """Add the filter over every row and write the file's end."""
        self.sheet.autofilter(0, 0, self.rows, len(self.keys) - 1)
        self.workbook.close()


def remove_abandoned_exports(store: LocalAttachmentStore) -> None:
    """Delete export files older than EXPORT_MAX_AGE_SECONDS (downloads interrupted before the end)."""
    cutoff = time.time() - EXPORT_MAX_AGE_SECONDS
    for path in store.root.glob("*/*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except FileNotFoundError:
            continue


def check_export(session: Session, caller: Caller, tab: str | None, filters: dict[str, Any] | None,
                 sort: str | None, columns: list[str] | None = None, language: str | None = None) -> dict[str, Any]:
    """Check an export request and return the job a child process runs (`write_export`'s arguments).

    Raises InvalidTicketQuery for an unknown tab, filter, sort or column, before any process starts.
    """
    caller.require_scope("tickets:read")
    keys = checked_columns(columns) if columns else saved_columns(session, caller)
    tab = tab or "all"
    if tab not in TAB_STATUSES:
        raise InvalidTicketQuery(fields=[field_error("tab", "INVALID", f"Onglet « {tab} » inconnu.",
                                                     f"Unknown tab '{tab}'.")])
    order_by_sort(filtered_query(caller, filters), sort)
    language = language if language in SHEET_NAMES else caller.language
    return {"caller": caller.to_header(), "keys": keys, "tab": tab, "filters": filters, "sort": sort,
            "language": language}


def write_export(session: Session, caller: Caller, keys: list[str], tab: str, filters: dict[str, Any] | None,
                 sort: str | None, language: str = "fr") -> dict[str, Any]:
    """Write the list as the caller sees it, headers and labels in `language`, to the export store.

    The result is `{filename, content_type, storage_key, size, row_count}`.
    """
    query = order_by_sort(filtered_query(caller, filters).where(Ticket.status.in_(TAB_STATUSES[tab])), sort)
    store = export_store()
    remove_abandoned_exports(store)
    pending = store.begin()
    try:
        workbook = TicketWorkbook(keys, pending.file, language)
        # Plain rows of only the table columns the chosen list columns read. ORM objects, or JSON
        # columns that no chosen column reads, would cost more than writing the cells.
        needed = {"id", *(name for key in keys for name in COLUMNS[key].reads)}
        columns = [column for column in Ticket.__table__.columns if column.key in needed]
        result = session.execute(query.with_only_columns(*columns).execution_options(yield_per=EXPORT_CHUNK_ROWS))
        for chunk in result.partitions():
            workbook.append_rows([[COLUMNS[key].value(ticket) for key in keys] for ticket in chunk])
        workbook.finish()
        size = pending.file.tell()
        key = pending.commit()
    except BaseException:
        pending.abort()
        raise
    finally:
        session.rollback()

    logger.info("export %s of %s tickets (%s bytes) for user %s", key, workbook.rows, size, caller.user_id)
    today = utc_now().astimezone(PARIS).date().isoformat()
    return {"filename": f"{FILE_PREFIXES[workbook.language]}-{today}.xlsx", "content_type": XLSX_CONTENT_TYPE,
            "storage_key": key, "size": size, "row_count": workbook.rows}
