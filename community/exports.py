"""Every CSV file and spreadsheet Moim writes goes through the writers here
(SECURITY.md, "Exports"); nothing else in the project imports ``csv`` or
``openpyxl``, which tests/test_exports.py checks.

A spreadsheet program reads a cell that starts with ``=``, ``+``, ``-`` or
``@`` (or their full-width forms, which Korean and Japanese input methods
type), a tab or a line break as a formula: a question label or an answer
written by a member would run on the reader's machine, or send the sheet's
other cells to another site (OWASP, "CSV Injection"). Such a text cell is
written with a leading apostrophe, which spreadsheets read as "this is
text" and do not show. Numbers stay numbers.

In an .xlsx workbook the same cell is written as what it is: a typed string
cell (never a formula, which openpyxl would make of a text starting with
``=``) with the "quote prefix" style, the workbook's own way of saying the
apostrophe, so a reader who edits the cell does not turn it into a formula
either.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
# Characters XML 1.0 cannot hold (openpyxl refuses them): dropped from text.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class QuotedText(str):
    """A spreadsheet cell's text that would otherwise run as a formula: the
    workbook writer stores it as text with the quote prefix."""

    __slots__ = ()


def cell_safe(
    value: object, *, xlsx: bool = False
) -> str | int | float | Decimal | QuotedText:
    """``value`` as a cell that no spreadsheet runs: numbers as they are,
    text with an apostrophe before a formula's first character (also after
    leading spaces, which some programs skip). With ``xlsx``, such a text
    comes back unchanged as ``QuotedText`` (the workbook marks it as text
    itself), and characters a workbook cannot hold are dropped."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    if xlsx:
        text = XML_ILLEGAL.sub("", text)
    if text[:1] in FORMULA_STARTS or text.lstrip()[:1] in FORMULA_STARTS:
        return QuotedText(text) if xlsx else "'" + text
    return text


def csv_response(*, filename: str, rows: Iterable[Sequence]) -> HttpResponse:
    """A CSV download of ``rows``, every cell through ``cell_safe``; UTF-8
    with a byte-order mark, so that spreadsheet programs read the Korean."""
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=filename
            )
        },
    )
    response.write("\ufeff")
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([cell_safe(value) for value in row])
    return response


def xlsx_response(
    *, filename: str, rows: Iterable[Sequence], sheet_title: str = "Sheet1"
) -> HttpResponse:
    """An .xlsx download of ``rows`` on one sheet, every cell through
    ``cell_safe``: text is always a string cell, never a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=XML_ILLEGAL.sub("", sheet_title)[:31])
    for row in rows:
        cells = []
        for value in row:
            safe = cell_safe(value, xlsx=True)
            cell = WriteOnlyCell(sheet, value=safe)
            if isinstance(safe, str):
                # openpyxl reads a text starting with "=" as a formula.
                cell.data_type = "s"
                cell.quotePrefix = isinstance(safe, QuotedText)
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return HttpResponse(
        buffer.getvalue(),
        content_type=XLSX_MEDIA_TYPE,
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=filename
            )
        },
    )
