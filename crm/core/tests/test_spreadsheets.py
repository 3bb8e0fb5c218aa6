"""Reading uploaded CSV/XLSX within the caps, and refusing damaged or hostile files clearly."""

import io
import time
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from crm.core.spreadsheets import Formula, read_table, xlsx_bytes

from .workbooks import SHEET, declare_dimension, patch_part, with_dtd, workbook_bytes

HEADER = ["product_key", "name", "price"]


def read(data, name="data.xlsx"):
    return read_table(io.BytesIO(data), name)


def refusal(data, name="data.xlsx"):
    with pytest.raises(ValidationError) as error:
        read(data, name)
    return error.value


# Declared dimensions --------------------------------------------------------------------------------


def test_a_sheet_declaring_the_whole_grid_reads_only_its_real_cells_quickly():
    data = declare_dimension(
        workbook_bytes([HEADER, ["P1", "电视机", 1]], cells=[(5000, 1, "P2"), (5000, 3, 2)]), "A1:XFD1048576"
    )
    started = time.monotonic()
    table = read(data)
    assert time.monotonic() - started < 3
    assert table.header == HEADER
    assert table.rows == [(2, ["P1", "电视机", 1]), (5000, ["P2", None, 2])]


def test_formatted_empty_cells_far_to_the_right_are_ignored():
    data = patch_part(
        workbook_bytes([HEADER, ["P1", "x", 1]]),
        SHEET,
        lambda xml: xml.replace(b'<c r="C2" t="n"><v>1</v></c>', b'<c r="C2" t="n"><v>1</v></c><c r="XFD2" s="0"/>'),
    )
    assert b"XFD2" in zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    assert read(data).rows == [(2, ["P1", "x", 1])]


# Caps -------------------------------------------------------------------------------------------------


def test_rows_past_the_row_cap_are_refused(settings):
    settings.IMPORT_MAX_ROWS = 3
    read(workbook_bytes([HEADER] + [[f"P{i}", "x", 1] for i in range(3)]))
    error = refusal(workbook_bytes([HEADER] + [[f"P{i}", "x", 1] for i in range(4)]))
    assert error.code == "too_many_rows"
    assert error.messages == ["More than 3 rows; at most 3 rows can be imported at once. Split the data into parts."]


def test_reading_stops_at_the_first_row_past_the_cap(settings):
    # The fifth line would fail the CSV reader (a field over its own limit): it is never reached.
    settings.IMPORT_MAX_ROWS = 2
    data = ("product_key,name\nP1,x\nP2,x\nP3,x\nP4," + "y" * 200_000 + "\n").encode()
    assert refusal(data, "p.csv").code == "too_many_rows"


def test_a_value_past_the_column_cap_is_refused_in_csv_and_xlsx(settings):
    settings.IMPORT_MAX_COLUMNS = 5
    error = refusal(b"a,b,c\n1,2,3,,,,7\n", "p.csv")
    assert error.code == "too_many_columns"
    assert error.messages == ["Row 2 has a value in column 7; at most 5 columns can be imported."]
    error = refusal(declare_dimension(workbook_bytes([HEADER], cells=[(2, 16384, "far")]), "A1:XFD2"))
    assert error.messages == ["Row 2 has a value in column 16384; at most 5 columns can be imported."]


def test_trailing_empty_columns_do_not_count_against_the_column_cap(settings):
    settings.IMPORT_MAX_COLUMNS = 3
    table = read(b"a,b,c" + b"," * 500 + b"\n1,2,3" + b"," * 500 + b"\n", "p.csv")
    assert table.header == ["a", "b", "c"] and table.rows == [(2, ["1", "2", "3"])]


def test_a_cell_longer_than_the_cap_is_refused(settings):
    settings.IMPORT_MAX_CELL_CHARS = 100
    error = refusal(("a,b\n1," + "x" * 101 + "\n").encode(), "p.csv")
    assert error.code == "cell_too_long"
    assert error.messages == ["Row 2, column 2 has 101 characters; a cell may hold at most 100."]
    assert refusal(workbook_bytes([HEADER, ["P1", "x" * 101, 1]])).code == "cell_too_long"


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(settings):
    settings.CRM_MAX_UPLOAD_BYTES = 1024
    error = refusal(b"PK\x03\x04" + b"\x00" * 2048)
    assert error.code == "too_large" and "files of up to" in error.messages[0]


def test_a_workbook_that_unpacks_past_the_cap_is_refused(settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 200_000
    # Compresses to a few KB; unpacks to 1 MB of sheet XML.
    data = patch_part(workbook_bytes([HEADER]), SHEET, lambda xml: xml + b" " * 1_000_000)
    assert len(data) < 20_000
    error = refusal(data)
    assert error.code == "too_large" and "unpacks to 1 MB; at most 0 MB can be read" in error.messages[0]


# Damaged and hostile files ----------------------------------------------------------------------------


UNREADABLE = "The file is not a readable .xlsx workbook. Open it in Excel, save it as .xlsx and try again."


def test_broken_sheet_xml_is_refused_clearly():
    data = patch_part(workbook_bytes([HEADER, ["P1", "x", 1]]), SHEET, lambda xml: xml[: len(xml) // 2])
    assert refusal(data).messages == [UNREADABLE]


@pytest.mark.parametrize("part", [SHEET, "xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml"])
def test_a_dtd_in_any_part_is_refused_before_it_is_parsed(part):
    error = refusal(with_dtd(workbook_bytes([HEADER, ["P1", "x", 1]]), part))
    assert error.code == "format"
    assert "document type declaration (DTD)" in error.messages[0]


def test_even_a_harmless_dtd_is_refused():
    data = with_dtd(workbook_bytes([HEADER]), dtd=b"<!DOCTYPE worksheet>\n")
    assert "DTD" in refusal(data).messages[0]


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image.xlsx"),  # a picture renamed
        (b"PK\x03\x04garbage", "broken.xlsx"),  # a zip header and nothing else
        (b"%PDF-1.4", "document.xlsx"),
    ],
)
def test_a_file_that_is_no_workbook_is_refused(content, name):
    assert refusal(content, name).code == "format"


def test_a_zip_with_a_damaged_member_is_refused():
    data = bytearray(workbook_bytes([HEADER, ["P1", "电视机", 1]] * 50))
    start = bytes(data).index(SHEET.encode()) + len(SHEET)
    for offset in range(start + 20, start + 60):
        data[offset] ^= 0xFF  # scramble the compressed sheet
    assert refusal(bytes(data)).messages == [UNREADABLE]


def test_an_old_excel_file_is_refused_with_advice_whatever_its_name():
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    for name in ("data.xlsx", "data.csv", "data.xls"):
        assert "Save the sheet as .xlsx or .csv" in refusal(ole2, name).messages[0]


def test_a_workbook_named_csv_is_refused_as_not_csv():
    assert "not a CSV text file" in refusal(workbook_bytes([HEADER]), "data.csv").messages[0]


# Formulas and writing ----------------------------------------------------------------------------------


def test_formulas_are_read_as_formulas_and_formula_like_csv_text_as_text():
    table = read(workbook_bytes([HEADER, ["P1", "x", "=100*75"]]))
    assert table.rows == [(2, ["P1", "x", Formula("=100*75")])]
    assert read(b"a,b\n=1+2,@SUM\n", "p.csv").rows == [(2, ["=1+2", "@SUM"])]


def test_written_workbooks_keep_numbers_and_neutralise_formula_like_text():
    data = xlsx_bytes([("=title", ["=h"], [[1, "=1+2", None, "x"]])])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.title == "'=title"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["'=h", None, None, None],
        [1, "'=1+2", None, "x"],
    ]
