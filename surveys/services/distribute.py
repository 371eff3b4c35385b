"""Getting a survey to people: units and batches of one-time codes printed on slips by a
worker (enqueued by task name after commit).
"""

from __future__ import annotations

from urllib.parse import urljoin

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from brukarkraft.faults import Submission
from brukarkraft.queue import enqueue_by_name

from ..models import (
    CodeBatch,
    OneTimeCode,
    Survey,
    Unit,
)
from .codes import new_code

# The slips PDF is made by a worker (about 45 s for 2,000 slips), not while anyone waits.
MAX_CODES_PER_BATCH = 2000


@transaction.atomic
def unit_add(*, survey: Survey, name: str) -> Unit:
    if survey.units.filter(name__iexact=name).exists():
        raise ValidationError(gettext("The survey already has a unit with that name."), code="dup")
    return Unit.objects.create(survey=survey, name=name)


@transaction.atomic
def code_batch_create(
    *,
    survey: Survey,
    size: int,
    unit: Unit | None = None,
    language: str = "sv",
    answer_url: str = "",
    submission_id: str = "",
) -> CodeBatch:
    """Make `size` one-time codes and have a worker print them on slips.

    `submission_id` is the form's double-submit key: the same form sent again (a double
    click, a retry on another web node) gives the batch the first send made, even once its
    slips are printed, and makes no second batch. A new form makes a new batch. A form
    without a key (a page from before the key) gets the batch of the same size on its way."""
    if not 1 <= size <= MAX_CODES_PER_BATCH:
        raise ValidationError(
            gettext("A batch holds between 1 and %(max)s codes.") % {"max": MAX_CODES_PER_BATCH},
            code="size",
        )
    if survey.status == Survey.Status.CLOSED or (
        survey.closes_at and survey.closes_at <= timezone.now()
    ):
        # Slips for a survey nobody can answer any more would be "not open" for everyone.
        raise ValidationError(
            gettext(
                "The survey is closed, so codes made now could not be used. Publish it again"
                " with a later closing date, or make a new version, before making slips."
            ),
            code="closed",
        )
    if not answer_url:
        # Without a request (demo data, the shell) the slips carry the configured address.
        # Imported here: brukarkraft.pdf loads WeasyPrint, which web processes need not start with.
        from brukarkraft.pdf import site_base_url

        with translation.override(language):
            path = reverse("surveys:answer_start", args=[survey.token])
        answer_url = urljoin(site_base_url(), path)
    Survey.objects.select_for_update().get(pk=survey.pk)
    # Read under the survey's lock: a second send waits here until the first has stored.
    submission = Submission.of(f"surveys:code-batch:{survey.pk}", submission_id)
    if earlier := submission.earlier():
        made = survey.code_batches.filter(pk=earlier).first()
        if made is not None:
            return made  # Sent twice: the batch the first send made.
    elif not submission_id:
        waiting = survey.code_batches.filter(
            unit=unit,
            size=size,
            slips_language=language,
            slips_status__in=[CodeBatch.SlipsStatus.QUEUED, CodeBatch.SlipsStatus.RUNNING],
        ).first()
        if waiting is not None:
            return waiting  # Sent twice: the slips on their way already.
    batch = CodeBatch.objects.create(
        survey=survey, unit=unit, size=size, slips_language=language, answer_url=answer_url
    )
    codes: set[str] = set()
    while len(codes) < size:
        codes.add(new_code())
    taken = set(OneTimeCode.objects.filter(code__in=codes).values_list("code", flat=True))
    codes -= taken
    while len(codes) < size:
        candidate = new_code()
        if candidate not in codes and not OneTimeCode.objects.filter(code=candidate).exists():
            codes.add(candidate)
    OneTimeCode.objects.bulk_create(
        OneTimeCode(batch=batch, survey=survey, code=code) for code in sorted(codes)
    )
    enqueue_by_name("surveys.tasks.write_code_slips", batch.pk)
    submission.remember(batch.pk)
    return batch


def code_slips_write(*, batch_id: int) -> CodeBatch | None:
    """Print a batch's codes on slips (PDF); a redelivered task for ready slips does nothing."""
    from django.core.files.base import ContentFile

    from ..pdf import code_slips_pdf

    with transaction.atomic():
        batch = (
            CodeBatch.objects.select_for_update(of=("self",))
            .select_related("survey")
            .filter(pk=batch_id)
            .first()
        )
        if batch is None or batch.slips_status == CodeBatch.SlipsStatus.READY:
            return batch
        batch.slips_status = CodeBatch.SlipsStatus.RUNNING
        batch.save(update_fields=["slips_status"])
    try:
        pdf = code_slips_pdf(batch, batch.slips_language, batch.answer_url)
        with transaction.atomic():
            batch = CodeBatch.objects.select_for_update(of=("self",)).get(pk=batch_id)
            # Two deliveries of one task may render at once; only the first stores a file.
            if batch.slips_status != CodeBatch.SlipsStatus.READY:
                name = f"codes-{batch.survey_id}-{batch.pk}.pdf"
                batch.slips.save(name, ContentFile(pdf), save=False)
                batch.slips_status = CodeBatch.SlipsStatus.READY
                batch.save(update_fields=["slips", "slips_status"])
    except Exception:
        CodeBatch.objects.filter(pk=batch_id).exclude(
            slips_status=CodeBatch.SlipsStatus.READY
        ).update(slips_status=CodeBatch.SlipsStatus.FAILED)
        raise
    return batch


@transaction.atomic
def code_slips_retry(*, batch: CodeBatch) -> CodeBatch:
    if batch.slips_status != CodeBatch.SlipsStatus.FAILED:
        raise ValidationError(gettext("Only failed slips can be made again."), code="not_failed")
    CodeBatch.objects.filter(pk=batch.pk).update(slips_status=CodeBatch.SlipsStatus.QUEUED)
    enqueue_by_name("surveys.tasks.write_code_slips", batch.pk)
    batch.slips_status = CodeBatch.SlipsStatus.QUEUED
    return batch
