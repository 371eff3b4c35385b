"""Spreadsheet files that cannot run code: every CSV and XLSX the portal writes goes through here.

Text in an export often comes from people outside the centre: a respondent's free-text
answer, a name chosen at self-registration. A spreadsheet program reads a cell that starts
with =, +, -, @, a tab or a carriage return as a formula, and a formula such as
=HYPERLINK("http://…?"&A2, "…") can send the other cells of the file off-site.

- CSV: such text gets a leading apostrophe, which spreadsheets read as "this is text".
- XLSX: text is written as a text cell, never as a formula, exactly as typed.
- Numbers stay numbers in both; a plain number written as text ("-12,50") is left alone.

The formats offered by django-import-export in admin (IMPORT_EXPORT_FORMATS in settings)
use the same rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone
from import_export.formats import base_formats

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# "-12,50" or "-3" is a number, not a formula: a spreadsheet reads it as the number it is.
PLAIN_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
# Characters that may not appear in XLSX text at all (openpyxl refuses the whole file).
XLSX_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")


def inert(value):
    """The value as a CSV cell that a spreadsheet shows as written and never calculates."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        if not PLAIN_NUMBER.fullmatch(value):
            return "'" + value
    return value


def inert_row(row: Iterable) -> list:
    return [inert(value) for value in row]


def as_written(value):
    """The reverse of inert(), for a file the portal wrote and someone imports again."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


class CsvWriter:
    """csv.writer with every cell made inert."""

    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable):
        return self._writer.writerow(inert_row(row))

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out, *, delimiter: str = ";") -> CsvWriter:
    """The portal's CSV files use ";" (Swedish Excel reads "," as the decimal mark)."""
    return CsvWriter(out, delimiter=delimiter)


def csv_response(filename: str):
    """An HttpResponse to download as `filename`, and an inert CSV writer into it."""
    from django.http import HttpResponse

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The byte-order mark makes Excel read the file as UTF-8 (å, ä, ö intact).
    response.write("\ufeff")
    return response, csv_writer(response)


def _xlsx_value(value):
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        # Excel has no time zones: write the local time the portal shows.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, dt.date | dt.time):
        return value
    return XLSX_ILLEGAL.sub("", str(value))


def xlsx_cells(sheet, row: Iterable) -> list:
    """One row for a write-only sheet: text as text cells (never formulas), numbers as numbers."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in row:
        value = _xlsx_value(value)
        if isinstance(value, str) and value.startswith("="):
            # openpyxl makes any text that starts with "=" a formula; this cell stays text.
            # Other values go in as they are: a cell object for each would slow big exports.
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            value = cell
        cells.append(value)
    return cells


def xlsx_workbook(title: str, header: list, rows: Iterable[Iterable]):
    """A workbook of one sheet, written row by row (openpyxl's write-only mode)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    if header:
        sheet.append(xlsx_cells(sheet, header))
    for row in rows:
        sheet.append(xlsx_cells(sheet, row))
    return book


# --- django-import-export's formats --------------------------------------------------------


class _InertText:
    """CSV and TSV downloads in admin: the library's own escaping removes a leading "="
    only, and turns every number into text; this makes each text cell inert instead."""

    def _escape_formulae(self, dataset):
        rows = [inert_row(dataset.lpop()) for _ in range(len(dataset))]
        for row in rows:
            dataset.append(row)
        if dataset.headers:
            dataset.headers = inert_row(dataset.headers)

    def export_data(self, dataset, **kwargs):
        self._escape_formulae(dataset)
        return dataset.export(self.get_title(), **kwargs)

    def create_dataset(self, in_stream, **kwargs):
        # A file exported here and imported again: the apostrophes added above come off.
        dataset = super().create_dataset(in_stream, **kwargs)
        rows = [[as_written(value) for value in dataset.lpop()] for _ in range(len(dataset))]
        for row in rows:
            dataset.append(row)
        return dataset


class CSV(_InertText, base_formats.CSV):
    pass


class TSV(_InertText, base_formats.TSV):
    pass


class XLSX(base_formats.XLSX):
    """XLSX downloads in admin with text cells as text, written by the portal's own writer."""

    def export_data(self, dataset, **kwargs):
        book = xlsx_workbook(dataset.title or "Sheet1", dataset.headers or [], dataset)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


class JSON(base_formats.JSON):
    """JSON is not opened as a spreadsheet: its values go out as they are."""

    def export_data(self, dataset, **kwargs):
        return dataset.export(self.get_title(), **kwargs)


FORMATS = [CSV, XLSX, TSV, JSON]
# The admin gives numbers, dates and booleans their own types only to the formats in this
# list, by exact class; without it every cell of the XLSX above would be text.
if XLSX not in base_formats.BINARY_FORMATS:
    base_formats.BINARY_FORMATS.append(XLSX)
