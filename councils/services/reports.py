"""The annual report: asked for by staff, rendered to PDF by a worker."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from brukarkraft.queue import enqueue_by_name

from .. import pdf as council_pdf
from ..models import (
    AnnualReport,
    Council,
    Meeting,
)

# --- Annual report --------------------------------------------------------------


@transaction.atomic
def annual_report_request(*, council: Council, year: int) -> AnnualReport:
    """Queue the annual report; asking again remakes it (the year may still be running)."""
    if year > timezone.localdate().year:
        raise ValidationError({"year": gettext("The year has not begun.")}, code="future")
    report, _created = AnnualReport.objects.select_for_update().get_or_create(
        council=council, year=year
    )
    report.status = Meeting.PdfStatus.QUEUED
    report.requested_at = timezone.now()
    report.save(update_fields=["status", "requested_at"])
    report_id = report.pk
    enqueue_by_name("councils.tasks.make_annual_report", report_id)
    return report


def annual_report_render(*, report_id: int) -> AnnualReport | None:
    report = AnnualReport.objects.select_related("council").filter(pk=report_id).first()
    # Ready: a redelivered task. Asking again sets the report back to queued first.
    if report is None or report.status == Meeting.PdfStatus.READY:
        return report
    try:
        pdf = council_pdf.annual_report_pdf(report.council, report.year)
    except Exception:  # noqa: BLE001 — recorded so staff can retry
        AnnualReport.objects.filter(pk=report_id).update(status=Meeting.PdfStatus.FAILED)
        raise
    with transaction.atomic():
        report = AnnualReport.objects.select_for_update().get(pk=report_id)
        if report.status == Meeting.PdfStatus.READY:
            return report
        report.file.save(
            f"annual-{report.council.slug}-{report.year}.pdf", ContentFile(pdf), save=False
        )
        report.status = Meeting.PdfStatus.READY
        report.save(update_fields=["file", "status"])
    return report
