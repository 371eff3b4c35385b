"""Retention of answers: deleting a survey's single answers at the end of its period
while keeping the totals (FrozenCount) the results are then drawn from.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ..models import (
    Answer,
    ExportJob,
    FrozenCount,
    Response,
    Survey,
)


@transaction.atomic
def survey_purge_raw_answers(*, survey: Survey) -> int:
    """Keep totals per question, unit, channel and support, then delete the single answers."""
    from django.db.models import Count, Sum

    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.raw_deleted_at:
        return 0
    submitted = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
    frozen = [
        FrozenCount(
            survey=survey,
            unit_id=row["unit"],
            channel=row["channel"],
            support=row["support"],
            count=row["n"],
        )
        for row in submitted.values("unit", "channel", "support").annotate(n=Count("pk"))
    ]
    answers = Answer.objects.filter(response__in=submitted)
    for row in answers.values(
        "question",
        "option",
        "dont_know",
        "response__unit",
        "response__channel",
        "response__support",
    ).annotate(n=Count("pk"), total=Sum("number")):
        frozen.append(
            FrozenCount(
                survey=survey,
                question_id=row["question"],
                option_id=row["option"],
                dont_know=row["dont_know"],
                unit_id=row["response__unit"],
                channel=row["response__channel"],
                support=row["response__support"],
                count=row["n"],
                number_sum=row["total"],
            )
        )
    FrozenCount.objects.bulk_create(frozen)
    deleted, _ = Response.objects.filter(survey=survey).delete()
    for job in ExportJob.objects.filter(survey=survey):
        job.file.delete(save=False)
        job.delete()
    survey.raw_deleted_at = timezone.now()
    survey.save(update_fields=["raw_deleted_at"])
    return deleted


def surveys_purge_expired(*, now=None) -> int:
    now = now or timezone.now()
    purged = 0
    candidates = Survey.objects.filter(raw_deleted_at=None).exclude(status=Survey.Status.DRAFT)
    for survey in candidates:
        # Retention runs from closing: a survey still taking answers keeps them.
        finished = survey.status == Survey.Status.CLOSED or (
            survey.closes_at is not None and survey.closes_at <= now
        )
        due = survey.raw_delete_due
        if finished and due is not None and due <= now:
            survey_purge_raw_answers(survey=survey)
            purged += 1
    return purged
