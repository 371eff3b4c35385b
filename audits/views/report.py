"""The report PDF: its versions, making a new one in the background, retrying, downloading.

The team and the managers see every version; the commissioner sees the report only once
it is approved, and then only the approved (frozen) version.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from brukarkraft.http import post_only
from brukarkraft.queue import is_kept

from .. import access, services
from ..models import Audit, ReportVersion
from ..tasks import generate_report


def _report_audit(request: HttpRequest, pk: int) -> Audit:
    """The audit if the user may see its report: 404 if not visible, 403 if not yet theirs."""
    audit = access.visible_audit(request.user, pk)
    access.require(access.can_download_report(request.user, audit))
    return audit


def _versions(user, audit: Audit) -> QuerySet[ReportVersion]:
    versions = audit.reports.select_related("requested_by").order_by("-number")
    if not access.works_on(user, audit):
        versions = versions.filter(approved=True)
    return versions


def _version(request: HttpRequest, audit: Audit, version: int) -> ReportVersion:
    return get_object_or_404(_versions(request.user, audit), pk=version)


@login_required
@require_safe
def report(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _report_audit(request, pk)
    versions = list(_versions(request.user, audit))
    works_on = access.works_on(request.user, audit)
    open_for_versions = audit.status in services.REPORT_STATES
    newest = versions[0] if versions else None
    context = {
        "audit": audit,
        "versions": versions,
        "newest": newest,
        # One query, and only while the newest version waits: was it kept for the broker?
        "kept_for_queue": newest is not None
        and newest.status == ReportVersion.Status.QUEUED
        and is_kept(generate_report, newest.pk),
        "can_request": works_on and open_for_versions,
        "can_retry": works_on and open_for_versions,
        "works_on": works_on,
    }
    return render(request, "audits/report/report.html", context)


@login_required
@post_only("audits:report", "pk")
def report_request(request: HttpRequest, pk: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    access.require(access.works_on(request.user, audit))
    try:
        version = services.report_request(audit=audit, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            gettext("Version %(number)s of the report is being made. It takes a minute or two.")
            % {"number": version.number},
        )
    return redirect("audits:report", pk=audit.pk)


@login_required
@post_only("audits:report", "pk")
def report_retry(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    access.require(access.works_on(request.user, audit))
    version = get_object_or_404(audit.reports, pk=version)
    try:
        services.report_retry(version=version, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            gettext("Version %(number)s of the report is being made again.")
            % {"number": version.number},
        )
    return redirect("audits:report", pk=audit.pk)


@login_required
@require_safe
def report_download(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    audit = _report_audit(request, pk)
    version = _version(request, audit, version)
    if version.status != ReportVersion.Status.READY or not version.file:
        raise Http404
    return FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=f"{audit.reference or audit.pk}-v{version.number}.pdf",
        content_type="application/pdf",
    )


@login_required
@require_safe
def report_status(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    """The version's status for report.js, which polls it while the PDF is being made."""
    audit = _report_audit(request, pk)
    version = _version(request, audit, version)
    return JsonResponse(
        {
            "status": version.status,
            "label": version.get_status_display(),
            "number": version.number,
        }
    )
