"""Reading import files (CSV, XLSX) into rows, and writing spreadsheet-safe CSV/XLSX.

A file becomes a ``Table``: its header and ``(row number, cells)`` pairs, numbered as a
spreadsheet shows them (the header is row 1). Problems with the file as a whole (too large,
unreadable, wrong format) raise ``ValidationError``; problems with single cells are left to the
importers, which report them per row.
"""

import csv
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Formula:
    """An XLSX cell holding a formula. Formulas are never evaluated, so such a cell is a row error."""

    text: str


@dataclass
class Table:
    header: list
    rows: list  # [(row number, [cell, ...]), ...]


def _size_of(file):
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        file.seek(0, io.SEEK_END)
        size = file.tell()
        file.seek(position)
    return size


def check_size(size, max_bytes=None):
    limit = settings.CRM_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    if size > limit:
        raise ValidationError(
            _(
                "The file is %(size).1f MB; files of up to %(limit).0f MB can be imported. "
                "Split it and import the parts."
            )
            % {"size": size / 1024 / 1024, "limit": limit / 1024 / 1024},
            code="too_large",
        )


def read_table(file, file_name, *, max_bytes=None):
    """Read a CSV or XLSX file (a file object) into a Table, after checking its size."""
    check_size(_size_of(file), max_bytes)
    file.seek(0)
    name = (file_name or "").lower()
    head = file.read(4)
    file.seek(0)
    if name.endswith(".xlsx") or (not name.endswith(".csv") and head == b"PK\x03\x04"):
        return _read_xlsx(file)
    if name.endswith((".xls", ".et", ".numbers", ".ods")):
        raise ValidationError(_("Save the sheet as .xlsx or .csv (UTF-8 or GBK) and import that file."), code="format")
    return _read_csv(file.read())


def decode_csv(data):
    """CSV text in UTF-8 (with or without BOM) or GBK/GB18030, the encodings Excel writes in China."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file is neither UTF-8 nor GBK text. Save it as CSV (UTF-8) and try again."))


def _delimiter(first_line):
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_csv(data):
    if b"\x00" in data[:4096]:
        raise ValidationError(_("The file is not a CSV text file. Import a .csv or .xlsx file."), code="format")
    text = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        records = list(reader)
    except csv.Error as error:
        raise ValidationError(
            _("The CSV file cannot be read near line %(line)d: %(error)s") % {"line": reader.line_num, "error": error}
        )
    return _table(records)


def _table(records):
    """Header = first non-empty row; blank rows are skipped but keep their numbers."""
    header, rows = None, []
    for number, cells in enumerate(records, start=1):
        if not any(_filled(cell) for cell in cells):
            continue
        if header is None:
            header = ["" if cell is None else str(cell).strip() for cell in cells]
            continue
        rows.append((number, list(cells)))
    if header is None:
        raise ValidationError(_("The file is empty."), code="empty")
    return Table(header=header, rows=rows)


def _filled(cell):
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _read_xlsx(file):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # read_only streams the sheet; data_only stays off so a formula shows up as a formula
        # (with data_only it would silently read as its cached value, or as empty).
        workbook = load_workbook(file, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise ValidationError(_("The file is not a readable .xlsx workbook."), code="format")
    try:
        sheet = workbook.worksheets[0]
        records = []
        for row in sheet.iter_rows():
            records.append([Formula(str(cell.value)) if cell.data_type == "f" else cell.value for cell in row])
    finally:
        workbook.close()
    return _table(records)


# Writing ---------------------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\x00")


def neutralise(value):
    """A cell a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_bytes(header, rows):
    """UTF-8 CSV with a BOM (so Excel shows Chinese correctly), every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(sheets):
    """An XLSX workbook from ``[(title, header, rows), ...]``; cells are written as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        bold = []
        for cell in header:
            styled = WriteOnlyCell(sheet, value=neutralise(cell))
            styled.font = Font(bold=True)
            bold.append(styled)
        sheet.append(bold)
        for row in rows:
            sheet.append([neutralise(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
