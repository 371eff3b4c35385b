"""Fees for payout: what each auditor has earned over a period, on screen and as CSV."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, DecimalField, ExpressionWrapper, F, QuerySet, Sum, Value
from django.db.models.functions import Round
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext

from brukarkraft.exports import csv_response
from brukarkraft.permissions import role_required
from brukarkraft.roles import Role

from ..forms.payout import PayoutFilterForm
from ..models import FeeEntry

MONEY = DecimalField(max_digits=14, decimal_places=2)
AMOUNTS = ("hours", "fee", "mileage", "travel_cost", "total")


def with_amounts(entries: QuerySet[FeeEntry]) -> QuerySet[FeeEntry]:
    """Each entry's fee, mileage and total computed in the database, rounded per entry
    as FeeEntry.fee does, so the sums match the entries an auditor sees."""
    fee = Round(ExpressionWrapper(F("hours") * F("hourly_rate"), output_field=MONEY), 2)
    mileage = ExpressionWrapper(F("travel_km") * Value(FeeEntry.KM_RATE), output_field=MONEY)
    return entries.annotate(line_fee=fee, line_mileage=mileage).annotate(
        line_total=ExpressionWrapper(
            F("line_fee") + F("line_mileage") + F("travel_cost"), output_field=MONEY
        )
    )


def payout_rows(entries: QuerySet[FeeEntry]) -> list[dict]:
    """One row per auditor with the sums, in a single grouped query."""
    return list(
        with_amounts(entries)
        .values("auditor", "auditor__full_name", "auditor__email")
        .annotate(
            hours=Sum("hours"),
            fee=Sum("line_fee"),
            mileage=Sum("line_mileage"),
            travel_cost=Sum("travel_cost"),
            total=Sum("line_total"),
            entries=Count("pk"),
        )
        .order_by("auditor__full_name", "auditor")
    )


def payout_totals(rows: list[dict]) -> dict:
    totals = {name: sum((row[name] for row in rows), Decimal("0")) for name in AMOUNTS}
    totals["entries"] = sum(row["entries"] for row in rows)
    return totals


def entries_in(start: date, end: date, auditor=None) -> QuerySet[FeeEntry]:
    entries = FeeEntry.objects.filter(worked_on__gte=start, worked_on__lte=end)
    if auditor is not None:
        entries = entries.filter(auditor=auditor)
    return entries


def money(value: Decimal | None) -> str:
    """Two decimals with the language's decimal mark, which is what Excel expects here."""
    return formats.number_format(value or Decimal("0"), 2, use_l10n=True, force_grouping=False)


def summary_csv(rows: list[dict], start: date, end: date) -> HttpResponse:
    response, writer = csv_response(f"fees-{start}-{end}.csv")
    writer.writerow(
        [
            gettext("Auditor"),
            gettext("E-mail"),
            gettext("Period start"),
            gettext("Period end"),
            gettext("Hours"),
            gettext("Fee"),
            gettext("Mileage"),
            gettext("Travel costs"),
            gettext("Total"),
            gettext("Entries"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row["auditor__full_name"],
                row["auditor__email"],
                start.isoformat(),
                end.isoformat(),
                *(money(row[name]) for name in AMOUNTS),
                row["entries"],
            ]
        )
    return response


def detail_csv(entries: QuerySet[FeeEntry], start: date, end: date) -> HttpResponse:
    response, writer = csv_response(f"fees-detail-{start}-{end}.csv")
    writer.writerow(
        [
            gettext("Auditor"),
            gettext("E-mail"),
            gettext("Date"),
            gettext("Audit reference"),
            gettext("Activity"),
            gettext("Hours"),
            gettext("Hourly fee"),
            gettext("Kilometres"),
            gettext("Travel costs"),
            gettext("Total"),
        ]
    )
    rows = (
        with_amounts(entries)
        .select_related("auditor", "audit")
        .order_by("auditor__full_name", "auditor", "worked_on", "pk")
    )
    for entry in rows:
        writer.writerow(
            [
                entry.auditor.full_name,
                entry.auditor.email,
                entry.worked_on.isoformat(),
                entry.audit.reference,
                entry.get_activity_display(),
                money(entry.hours),
                money(entry.hourly_rate),
                entry.travel_km,
                money(entry.travel_cost),
                money(entry.line_total),
            ]
        )
    return response


@role_required(Role.STAFF, Role.ADMIN)
def fees_payout(request: HttpRequest) -> HttpResponse:
    form = PayoutFilterForm(request.GET)
    context = {"form": form, "rows": None}
    if form.is_valid():
        data = form.cleaned_data
        rows = payout_rows(entries_in(data["date_from"], data["date_to"], data["auditor"]))
        context.update(
            rows=rows,
            totals=payout_totals(rows),
            start=data["date_from"],
            end=data["date_to"],
            query=form_query(form),
        )
    return render(request, "audits/payout/fees.html", context)


def form_query(form: PayoutFilterForm) -> str:
    """The query string of the filter as applied, for the download links."""
    data = form.cleaned_data
    params = {"date_from": data["date_from"].isoformat(), "date_to": data["date_to"].isoformat()}
    if data["auditor"] is not None:
        params["auditor"] = data["auditor"].pk
    return urlencode(params)


@role_required(Role.STAFF, Role.ADMIN)
def fees_payout_csv(request: HttpRequest) -> HttpResponse:
    form = PayoutFilterForm(request.GET)
    if not form.is_valid():
        # A hand-edited address: show the page with the errors instead of an empty file.
        return render(request, "audits/payout/fees.html", {"form": form, "rows": None})
    data = form.cleaned_data
    entries = entries_in(data["date_from"], data["date_to"], data["auditor"])
    if request.GET.get("detail") == "1":
        return detail_csv(entries, data["date_from"], data["date_to"])
    return summary_csv(payout_rows(entries), data["date_from"], data["date_to"])
