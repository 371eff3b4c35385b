"""Exports of the raw answers: the request (queued for a worker by task name) and the
worker's run that writes the file with its progress.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from brukarkraft.queue import enqueue_by_name

from ..models import (
    LANGUAGES,
    ExportJob,
    Response,
    Survey,
)


@transaction.atomic
def export_request(
    *,
    survey: Survey,
    format: str,
    by,
    language: str = "",
    values: str = ExportJob.Values.LABELS,
) -> ExportJob:
    """Queue an export of the raw answers; a worker writes the file.

    Without a language the file is in the language of the person who asked."""
    if survey.raw_deleted_at:
        raise ValidationError(
            gettext("The single answers have been deleted at the end of the retention period."),
            code="deleted",
        )
    Survey.objects.select_for_update().get(pk=survey.pk)
    language = language if language in LANGUAGES else ""
    waiting = survey.exports.filter(
        format=format,
        language=language,
        values=values,
        requested_by=by,
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
    ).first()
    if waiting is not None:
        return waiting  # Asked twice: the file on its way already.
    job = ExportJob.objects.create(
        survey=survey,
        format=format,
        language=language,
        values=values,
        requested_by=by,
        rows_total=survey.responses.filter(status=Response.Status.SUBMITTED).count(),
    )
    enqueue_by_name("surveys.tasks.write_export", job.pk)
    return job


def export_run(*, job_id: int) -> ExportJob | None:
    """Write the file of one export job, reporting progress as it goes."""
    from django.core.files import File

    from .. import exports

    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == ExportJob.Status.READY:
            return job
        job.status = ExportJob.Status.RUNNING
        job.rows_done = 0
        job.error = ""
        job.save(update_fields=["status", "rows_done", "error"])

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(rows_done=done)

    language = job.language or getattr(job.requested_by, "preferred_language", "sv") or "sv"
    try:
        handle = exports.write(job.survey, job.format, language, progress, values=job.values)
        name = f"survey-{job.survey_id}-v{job.survey.version}-{job.pk}.{job.format}"
        with handle, transaction.atomic():
            locked = ExportJob.objects.select_for_update().get(pk=job_id)
            # Two deliveries of one task may write at once; only the first stores a file.
            if locked.status == ExportJob.Status.READY:
                return locked
            locked.file.save(name, File(handle), save=False)
            locked.status = ExportJob.Status.READY
            locked.finished_at = timezone.now()
            locked.save(update_fields=["file", "status", "finished_at"])
    except Exception as error:  # noqa: BLE001 — any failure is shown to the person who asked
        ExportJob.objects.filter(pk=job_id).exclude(status=ExportJob.Status.READY).update(
            status=ExportJob.Status.FAILED, error=type(error).__name__, finished_at=timezone.now()
        )
        raise
    return locked
