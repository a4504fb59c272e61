"""Every CSV file Moim writes goes through the one writer here (SECURITY.md,
"Exports"); nothing else in the project imports ``csv``, which
tests/test_exports.py checks.

A spreadsheet program reads a cell that starts with ``=``, ``+``, ``-`` or
``@`` (or their full-width forms, which Korean and Japanese input methods
type), a tab or a line break as a formula: a question label or an answer
written by a member would run on the reader's machine, or send the sheet's
other cells to another site (OWASP, "CSV Injection"). Such a text cell is
written with a leading apostrophe, which spreadsheets read as "this is
text" and do not show. Numbers stay numbers.
"""

import csv
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header

FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def cell_safe(value: object) -> str | int | float | Decimal:
    """``value`` as a CSV cell that no spreadsheet runs: numbers as they
    are, text with an apostrophe before a formula's first character (also
    after leading spaces, which some programs skip)."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    if text[:1] in FORMULA_STARTS or text.lstrip()[:1] in FORMULA_STARTS:
        return "'" + text
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
