"""Reading uploaded spreadsheets (CSV, XLSX) within limits, and writing spreadsheet-safe CSV/XLSX.

Every uploaded table goes through ``read_table``. A file becomes a ``Table``: its header and
``(row number, cells)`` pairs, numbered as a spreadsheet shows them (the header is row 1).
Problems with the file as a whole raise ``ValidationError`` with a message for the user: too
large, too many rows or columns, a cell too long, not a CSV or XLSX file, unreadable, an XML
document type declaration. Problems with single cells are left to the caller, which reports
them per row.

The caps (settings, see docs/operations.md) are checked while reading, so reading stops at the
first row past a cap instead of reading everything first:

- ``CRM_MAX_UPLOAD_BYTES``: the file's size, before anything is parsed;
- ``IMPORT_MAX_ROWS``: non-blank rows after the header;
- ``IMPORT_MAX_COLUMNS``: the last column holding a value, in any row;
- ``IMPORT_MAX_CELL_CHARS``: the characters of one cell;
- ``IMPORT_MAX_UNPACKED_BYTES``: what an XLSX (a zip archive) unpacks to, from its directory.

An XLSX sheet is read cell by cell from its XML: the sheet's declared ``<dimension>`` is never
trusted and nothing is padded, so a sheet declaring ``A1:XFD1048576`` with three real cells
reads three cells. XML parsing goes through defusedxml (openpyxl uses it when installed), and
any part of the workbook that declares a DTD is refused before openpyxl opens it.
"""

import csv
import datetime
import io
import logging
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls, and password-protected .xlsx
MAX_ARCHIVE_MEMBERS = 10_000
OLD_FORMATS = (".xls", ".et", ".numbers", ".ods")


@dataclass(frozen=True)
class Formula:
    """An XLSX cell holding a formula. Formulas are never evaluated."""

    text: str


@dataclass
class Table:
    header: list
    rows: list  # [(row number, [cell, ...]), ...]


# Limits -----------------------------------------------------------------------------------------


def _mb(size):
    return size / 1024 / 1024


def _refuse_over(size, limit, message):
    """``message`` (with %(size)s and %(limit)s in MB) as a ValidationError when ``size`` passes ``limit``."""
    if size > limit:
        raise ValidationError(message % {"size": _mb(size), "limit": _mb(limit)}, code="too_large")


def check_size(size, max_bytes=None):
    _refuse_over(
        size,
        settings.CRM_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes,
        _("The file is %(size).1f MB; files of up to %(limit).0f MB can be imported. Split it and import the parts."),
    )


def check_row_count(count):
    """Refuse more than ``IMPORT_MAX_ROWS`` data rows (files and the sales-sync API alike)."""
    limit = settings.IMPORT_MAX_ROWS
    if count > limit:
        raise ValidationError(
            _("More than %(limit)d rows; at most %(limit)d rows can be imported at once. Split the data into parts.")
            % {"limit": limit},
            code="too_many_rows",
        )


def _check_cells(number, cells):
    """The row's cells without trailing blanks; refuses a value past the column cap or too long a cell."""
    last = len(cells)
    while last and not _filled(cells[last - 1]):
        last -= 1
    if last > settings.IMPORT_MAX_COLUMNS:
        _refuse_column(number, last)
    limit = settings.IMPORT_MAX_CELL_CHARS
    for position, cell in enumerate(cells[:last], start=1):
        if isinstance(cell, str) and len(cell) > limit:
            raise ValidationError(
                _("Row %(row)d, column %(column)d has %(length)d characters; a cell may hold at most %(limit)d.")
                % {"row": number, "column": position, "length": len(cell), "limit": limit},
                code="cell_too_long",
            )
    return list(cells[:last])


def _refuse_column(number, column):
    raise ValidationError(
        _("Row %(row)d has a value in column %(column)d; at most %(limit)d columns can be imported.")
        % {"row": number, "column": column, "limit": settings.IMPORT_MAX_COLUMNS},
        code="too_many_columns",
    )


def _filled(cell):
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _table(records):
    """Header = first non-empty row; blank rows are skipped but keep their numbers.

    ``records`` yields ``(row number, cells)``; it is consumed only up to the first row past a cap.
    """
    header, rows = None, []
    for number, raw in records:
        cells = _check_cells(number, raw)
        if not cells:
            continue
        if header is None:
            header = ["" if cell is None else str(cell).strip() for cell in cells]
            continue
        check_row_count(len(rows) + 1)
        rows.append((number, cells))
    if header is None:
        raise ValidationError(_("The file is empty."), code="empty")
    return Table(header=header, rows=rows)


# Reading ----------------------------------------------------------------------------------------


def _size_of(file):
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        file.seek(0, io.SEEK_END)
        size = file.tell()
        file.seek(position)
    return size


def _save_as_advice():
    return _("Save the sheet as .xlsx or .csv (UTF-8 or GBK) and import that file.")


def read_table(file, file_name, *, max_bytes=None):
    """Read a CSV or XLSX upload (a file object) into a Table, within the caps."""
    check_size(_size_of(file), max_bytes)
    file.seek(0)
    name = (file_name or "").lower()
    head = file.read(8)
    file.seek(0)
    if name.endswith(OLD_FORMATS):
        raise ValidationError(_save_as_advice(), code="format")
    if head.startswith(OLE2_MAGIC):
        raise ValidationError(
            _("The file is an old Excel workbook (.xls) or a password-protected one.") + " " + _save_as_advice(),
            code="format",
        )
    if name.endswith(".xlsx") or (not name.endswith(".csv") and head.startswith(XLSX_MAGIC)):
        if not head.startswith(XLSX_MAGIC):
            raise _unreadable_xlsx()
        return _read_xlsx(file)
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
    if b"\x00" in data[:4096] or data.startswith(XLSX_MAGIC):
        raise ValidationError(_("The file is not a CSV text file. Import a .csv or .xlsx file."), code="format")
    text = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))

    def records():
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as error:
            raise ValidationError(
                _("The CSV file cannot be read near line %(line)d: %(error)s")
                % {"line": reader.line_num, "error": error}
            )

    return _table(records())


def _unreadable_xlsx():
    return ValidationError(
        _("The file is not a readable .xlsx workbook. Open it in Excel, save it as .xlsx and try again."),
        code="format",
    )


def _read_xlsx(file):
    try:
        _check_archive(file)
        return _table(_xlsx_records(file))
    except ValidationError:
        raise
    except Exception as error:
        # openpyxl, zipfile and the XML parser fail on damaged or hostile input with a wide range of
        # exceptions (BadZipFile, zlib.error, ParseError, defusedxml's refusals, KeyError, TypeError,
        # …); whatever the cause, the upload is unreadable and the user gets one clear message.
        logger.info("Unreadable XLSX upload: %r", error)
        raise _unreadable_xlsx() from error


def _check_archive(file):
    """Refuse a zip that unpacks to too much (a zip bomb) or holds an XML part with a DTD."""
    with zipfile.ZipFile(file) as archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) > MAX_ARCHIVE_MEMBERS:
            raise _unreadable_xlsx()
        _refuse_over(
            sum(info.file_size for info in members),
            settings.IMPORT_MAX_UNPACKED_BYTES,
            _(
                "The workbook unpacks to %(size).0f MB; at most %(limit).0f MB can be read. "
                "Split it or save it as .csv and import that file."
            ),
        )
        # zipfile stops reading a member at its declared size, so the sum above bounds the work.
        for info in members:
            with archive.open(info) as member:
                if declares_dtd(member):
                    raise ValidationError(
                        _(
                            "The workbook contains an XML document type declaration (DTD), which is not "
                            "accepted. Open it in Excel, save it as .xlsx and try again."
                        ),
                        code="format",
                    )


class _Found(Exception):
    pass


class _Prolog(Exception):
    pass


def declares_dtd(stream):
    """Whether an XML document declares a DTD (``<!DOCTYPE …>``), reading only its prolog.

    A DTD can only come before the root element, so parsing stops there. A part that is not XML
    at all (an image) declares none.
    """
    parser = expat.ParserCreate()

    def doctype(*args):
        raise _Found

    def root(*args):
        raise _Prolog

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = root
    try:
        while chunk := stream.read(64 * 1024):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Found:
        return True
    except (_Prolog, expat.ExpatError):
        return False
    return False


def _xlsx_records(file):
    """``(row number, cells)`` of the first sheet, from the cells the sheet's XML really holds."""
    from openpyxl import load_workbook
    from openpyxl.worksheet._reader import WorkSheetParser

    # read_only streams the sheet; data_only stays off so a formula shows up as a formula
    # (with data_only it would silently read as its cached value, or as empty).
    workbook = load_workbook(file, read_only=True, data_only=False)
    try:
        sheet = workbook.worksheets[0]
        # The parser openpyxl's own read-only rows use, without their padding to the declared
        # dimension: every row and cell comes from the XML as written. This uses read-only
        # internals of openpyxl (pinned in requirements.txt): check them when upgrading it.
        with sheet._get_source() as source:
            parser = WorkSheetParser(
                source,
                sheet._shared_strings,
                data_only=False,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            limit = settings.IMPORT_MAX_COLUMNS
            for number, cells in parser.parse():
                values = {}
                for cell in cells:
                    value = cell["value"]
                    if value is None:
                        continue  # a formatted but empty cell, anywhere in the row
                    if cell["column"] > limit:
                        _refuse_column(number, cell["column"])
                    if cell["data_type"] == "f":
                        value = Formula(str(getattr(value, "text", value)))
                    values[cell["column"]] = value
                yield number, [values.get(column) for column in range(1, max(values, default=0) + 1)]
    finally:
        workbook.close()


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


def _xlsx_value(value):
    """Numbers and dates stay numbers and dates (so the sheet sums and sorts); anything else is safe text."""
    if isinstance(value, (int, float, Decimal, datetime.date)) or value is None:
        return value
    return neutralise(value)


def xlsx_bytes(sheets):
    """An XLSX workbook from ``[(title, header, rows), ...]``; the header is bold."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=neutralise(title)[:31])
        bold = []
        for label in header:
            cell = WriteOnlyCell(sheet, value=neutralise(label))
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
        for row in rows:
            sheet.append([_xlsx_value(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
