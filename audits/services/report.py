"""The report: numbered PDF versions made by a worker, retried and swept when a job is lost,
and the approval that freezes one of them."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext

from brukarkraft.models import User
from brukarkraft.queue import enqueue_by_name, requeue_lost
from brukarkraft.storage import RETRY_ON_STORAGE_OUTAGE

from .. import access, workflow
from ..models import Audit, Notification, ReportVersion
from ..workflow import REPORT_STATES, STEPS
from .base import _lock, _move, _notify, _refuse, _require, _require_state

logger = logging.getLogger(__name__)

GENERATE_REPORT = "audits.tasks.generate_report"


# --- The report ---------------------------------------------------------------


@transaction.atomic
def report_request(*, audit: Audit, by: User) -> ReportVersion:
    """Queue a new numbered version of the report; a worker makes the PDF."""
    audit = _lock(audit)
    if not (access.can_manage(by, audit) or access.is_on_team(by, audit)):
        raise PermissionDenied
    if audit.status not in REPORT_STATES:
        _refuse(
            audit, gettext("A new report version can be made only before the report is approved.")
        )
    pending = audit.reports.filter(
        status__in=[ReportVersion.Status.QUEUED, ReportVersion.Status.RUNNING]
    ).first()
    if pending is not None:
        return pending  # A double press gives the version already on its way.
    number = (audit.reports.aggregate(top=Max("number"))["top"] or 0) + 1
    version = ReportVersion.objects.create(
        audit=audit, number=number, language=audit.language, requested_by=by
    )
    _queue_report(version)
    return version


def _queue_report(version: ReportVersion) -> None:
    version_id = version.pk
    enqueue_by_name(GENERATE_REPORT, version_id)


@transaction.atomic
def report_retry(*, version: ReportVersion, by: User) -> ReportVersion:
    """Queue a failed version again."""
    audit = _lock(version.audit)
    if not (access.can_manage(by, audit) or access.is_on_team(by, audit)):
        raise PermissionDenied
    version = ReportVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != ReportVersion.Status.FAILED:
        raise ValidationError(
            gettext("Only a failed report can be tried again."), code="not_failed"
        )
    if audit.status not in REPORT_STATES:
        _refuse(
            audit, gettext("A new report version can be made only before the report is approved.")
        )
    version.status = ReportVersion.Status.QUEUED
    version.error = ""
    version.save(update_fields=["status", "error"])
    _queue_report(version)
    return version


# A delivery that finds its version still RUNNING means an earlier one died mid-run (its worker
# was killed). A report that kills its worker every time would otherwise be redelivered forever.
# Attempts are never reset, so "Try again" on such a version gives it one more delivery.
MAX_REPORT_DELIVERIES = 3
# A version queued or being made for longer than this has lost its job (a crash between the
# commit and the publish, or Redis losing its queue): the sweep sends it again. Well beyond
# the task's time limit, so a report still being made is not sent twice in the normal case
# (and a second delivery would be harmless: report_render is idempotent). The default of
# settings.REPORT_STALE_AFTER_SECONDS, which the multinode test shortens to seconds.
STALE_REPORT_AFTER = timedelta(minutes=15)


def reports_requeue_stale(*, now=None) -> int:
    """Send again every report version whose job was lost; returns how many were sent."""
    after = timedelta(seconds=settings.REPORT_STALE_AFTER_SECONDS)
    cutoff = (now or timezone.now()) - after
    stale = ReportVersion.objects.filter(
        status__in=[ReportVersion.Status.QUEUED, ReportVersion.Status.RUNNING],
        requested_at__lt=cutoff,
    ).values_list("pk", flat=True)
    return requeue_lost(GENERATE_REPORT, stale)


def _render_pdf(version: ReportVersion) -> tuple[bytes, int]:
    # Looked up at each call, so a test can replace audits.pdf.audit_report_pdf.
    from ..pdf import audit_report_pdf

    return audit_report_pdf(version.audit, version.language, version=version.number)


def report_render(*, version_id: int) -> ReportVersion | None:
    """Make a version's PDF (worker side). A redelivered task for a ready version does nothing;
    a failure is recorded on the version, so the page can say so and offer a retry."""
    with transaction.atomic():
        version = (
            ReportVersion.objects.select_for_update()
            .select_related("audit")
            .filter(pk=version_id)
            .first()
        )
        if version is None or version.status == ReportVersion.Status.READY:
            return version
        if (
            version.status == ReportVersion.Status.RUNNING
            and version.attempts >= MAX_REPORT_DELIVERIES
        ):
            logger.error(
                "Report version %s stopped its worker %s times", version_id, version.attempts
            )
            version.status = ReportVersion.Status.FAILED
            version.error = "WorkerLost"
            version.finished_at = timezone.now()
            version.save(update_fields=["status", "error", "finished_at"])
            return None
        version.status = ReportVersion.Status.RUNNING
        version.attempts += 1
        version.save(update_fields=["status", "attempts"])
    try:
        pdf, pages = _render_pdf(version)
    except Exception as error:  # noqa: BLE001 — any failure must be shown, not lost
        logger.exception("Report version %s failed", version_id)
        ReportVersion.objects.filter(pk=version_id).update(
            status=ReportVersion.Status.FAILED,
            error=type(error).__name__,
            finished_at=timezone.now(),
        )
        return None
    try:
        with transaction.atomic():
            version = ReportVersion.objects.select_for_update().get(pk=version_id)
            if version.status == ReportVersion.Status.READY:
                return version
            version.file.save(
                f"{version.audit.reference or version.audit_id}-v{version.number}.pdf",
                ContentFile(pdf),
                save=False,
            )
            version.sha256 = hashlib.sha256(pdf).hexdigest()
            version.size = len(pdf)
            version.pages = pages
            version.status = ReportVersion.Status.READY
            version.finished_at = timezone.now()
            version.save()
    except RETRY_ON_STORAGE_OUTAGE:
        # The file store is down: no fault of the report's. Back in the queue, this delivery
        # not counted against MAX_REPORT_DELIVERIES; the task retries with back-off, and the
        # stale sweep sends it again should the outage outlast the retries.
        ReportVersion.objects.filter(pk=version_id, status=ReportVersion.Status.RUNNING).update(
            status=ReportVersion.Status.QUEUED, attempts=F("attempts") - 1
        )
        raise
    return version


@workflow.performs("approve_report")
@transaction.atomic
def report_approve(
    *, audit: Audit, by: User, comment: str = "", version: int | None = None
) -> Audit:
    """Approve the latest ready version; it is frozen and is the report from now on.

    `version` is the number the approver was shown: if a newer one was made since, nothing
    is approved, so no one freezes a version they have not read."""
    audit = _lock(audit)
    step = STEPS["approve_report"]
    _require(step, by, audit)
    _require_state(step, audit, gettext("Only a report draft can be approved."))
    if audit.reports.filter(
        status__in=[ReportVersion.Status.QUEUED, ReportVersion.Status.RUNNING]
    ).exists():
        raise ValidationError(
            gettext("A report version is still being made. Approve it once it is ready."),
            code="report_pending",
        )
    latest = audit.reports.order_by("-number").first()
    if latest is None or latest.status != ReportVersion.Status.READY:
        raise ValidationError(
            gettext("Make the report PDF and check it before approving it."), code="no_report"
        )
    if version is not None and version != latest.number:
        raise ValidationError(
            gettext(
                "Version %(number)s has been made since you opened this page. Read it, then"
                " approve again."
            )
            % {"number": latest.number},
            code="stale_version",
        )
    latest.approved = True
    latest.save(update_fields=["approved"])
    _move(
        audit,
        to=step.to_state,
        by=by,
        action=step.kind,
        comment=comment or gettext("Version %(number)s") % {"number": latest.number},
    )
    _notify(audit, Notification.Kind.REPORT_READY)
    return audit
