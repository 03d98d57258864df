"""Excel export of a ticket list with the user's columns.

The workbook is written in openpyxl's write-only mode, which streams rows to a temporary file, so
memory stays bounded by one chunk of rows. Building cells is CPU work: it runs in eventlet's thread
pool, chunk by chunk, so that the service keeps serving other calls and sending its broker heartbeats.
"""
from __future__ import annotations

import base64
import logging
import tempfile
from datetime import date, datetime, timezone
from typing import Any

from eventlet import tpool
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from services.common.caller import Caller
from services.common.errors import field_error
from services.common.events import utc_now
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


class TicketWorkbook:
    """A write-only workbook of tickets: French headers, frozen header row, filters, real dates."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet("Demandes")
        self.sheet.freeze_panes = "A2"
        for index in range(1, len(keys) + 1):
            self.sheet.column_dimensions[get_column_letter(index)].width = COLUMN_WIDTH
        self.rows = 0
        header = []
        for key in keys:
            cell = WriteOnlyCell(self.sheet, value=COLUMNS[key].label["fr"])
            cell.font = Font(bold=True)
            header.append(cell)
        self.sheet.append(header)

    def _cell(self, value: Any) -> Any:
        if isinstance(value, datetime):
            # Excel has no time zones: a ticket's times are written as wall-clock times in Paris.
            moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
            cell = WriteOnlyCell(self.sheet, value=moment.astimezone(PARIS).replace(tzinfo=None))
            cell.number_format = DATETIME_FORMAT
            return cell
        if isinstance(value, date):
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.number_format = DATE_FORMAT
            return cell
        # Characters that XML 1.0 forbids would make openpyxl raise; they are dropped.
        value = ILLEGAL_CHARACTERS_RE.sub("", str(value or ""))
        if not value.startswith("="):
            return value
        # openpyxl stores text starting with "=" as a formula; a cell typed as text is never evaluated.
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.data_type = "s"
        return cell

    def append_rows(self, rows: list[list[Any]]) -> None:
        for row in rows:
            self.sheet.append([self._cell(value) for value in row])
        self.rows += len(rows)

    def finish(self) -> bytes:
        """Add the filter over every row, save, and return the file's bytes."""
        last_column = get_column_letter(len(self.keys))
        self.sheet.auto_filter.ref = f"A1:{last_column}{self.rows + 1}"
        with tempfile.TemporaryFile() as file:
            self.workbook.save(file)
            file.seek(0)
            return file.read()


def export_tickets(session: Session, caller: Caller, tab: str | None, filters: dict[str, Any] | None,
                   sort: str | None, columns: list[str] | None = None) -> dict[str, Any]:
    """Return `{filename, content_type, content_base64, row_count}` for the list as the caller sees it.

    The columns are `columns`, or else the caller's saved ones. Raises InvalidTicketQuery for an
    unknown tab, filter, sort or column.
    """
    caller.require_scope("tickets:read")
    keys = checked_columns(columns) if columns else saved_columns(session, caller)
    tab = tab or "all"
    if tab not in TAB_STATUSES:
        raise InvalidTicketQuery(fields=[field_error("tab", "INVALID", f"Onglet « {tab} » inconnu.",
                                                     f"Unknown tab '{tab}'.")])
    query = order_by_sort(filtered_query(caller, filters).where(Ticket.status.in_(TAB_STATUSES[tab])), sort)

    workbook = TicketWorkbook(keys)
    # Plain rows without the long description: loading ORM objects would cost more than writing them.
    columns = [column for column in Ticket.__table__.columns if column.key != "description"]
    result = session.execute(query.with_only_columns(*columns).execution_options(yield_per=EXPORT_CHUNK_ROWS))
    for chunk in result.partitions():
        rows = [[COLUMNS[key].value(ticket) for key in keys] for ticket in chunk]
        tpool.execute(workbook.append_rows, rows)
    content = tpool.execute(workbook.finish)
    session.rollback()

    logger.info("export of %s tickets (%s bytes) for user %s", workbook.rows, len(content), caller.user_id)
    today = utc_now().astimezone(PARIS).date().isoformat()
    # NOTE: the file travels base64-encoded in the RPC reply; a very large export makes a large message.
    return {"filename": f"demandes-{today}.xlsx", "content_type": XLSX_CONTENT_TYPE,
            "content_base64": base64.b64encode(content).decode("ascii"), "row_count": workbook.rows}
