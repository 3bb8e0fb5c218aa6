"""What a report shows as a table, and its export to CSV and XLSX from the very same rows."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from crm.core.spreadsheets import csv_bytes, xlsx_bytes

# An export is built in memory; beyond this many rows the viewer is asked to narrow the filters.
EXPORT_LIMIT = 100_000


@dataclass
class Link:
    """A cell that links to a record on the page and exports as its text."""

    text: str
    url: str

    def __str__(self):
        return str(self.text)


@dataclass
class ReportColumn:
    label: str
    numeric: bool = False

    @property
    def align(self):
        return "text-end" if self.numeric else ""


@dataclass
class Table:
    columns: list
    rows: list  # lists of raw values: str, int, Decimal, date, Link or None
    footer: list = field(default_factory=list)

    @property
    def header(self):
        return [str(column.label) for column in self.columns]


def _export_value(value):
    return value.text if isinstance(value, Link) else value


def _csv_value(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # Money with its cents, as the page shows it: SQLite's sums drop the scale (100 vs 100.00).
        return f"{value:.2f}"
    return "" if value is None else str(value)


def export_response(table, *, title, file_format):
    """The table (with its footer) as a CSV or XLSX download named after the report and today."""
    rows = [*table.rows, *([table.footer] if table.footer else [])]
    stem = f"{title}-{timezone.localdate():%Y%m%d}"
    if file_format == "csv":
        body = csv_bytes(table.header, [[_csv_value(value) for value in row] for row in rows])
        content_type, extension = "text/csv; charset=utf-8", "csv"
    else:
        body = xlsx_bytes([(title, table.header, [[_export_value(value) for value in row] for row in rows])])
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        extension = "xlsx"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, f"{stem}.{extension}")
    return response
