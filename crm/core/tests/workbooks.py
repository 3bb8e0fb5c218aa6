"""Small XLSX files for upload tests, and hostile variants of them made by editing their parts."""

import io
import re
import zipfile

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
)


def workbook_bytes(rows, *, cells=()):
    """An XLSX whose first sheet holds ``rows`` (appended from row 1) and ``cells`` ((row, column, value))."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for row, column, value in cells:
        sheet.cell(row=row, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def patch_part(data, part, change):
    """The same workbook with the bytes of one part replaced by ``change(bytes)``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info, change(content) if info.filename == part else content)
    return buffer.getvalue()


def declare_dimension(data, ref):
    """The workbook with its first sheet's ``<dimension ref>`` replaced (openpyxl writes one)."""
    return patch_part(
        data, SHEET, lambda xml: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), xml)
    )


def with_dtd(data, part=SHEET, dtd=BILLION_LAUGHS):
    """The workbook with a DTD placed before the root element of one XML part."""

    return patch_part(data, part, lambda xml: dtd + re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml))
