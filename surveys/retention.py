"""Retention rules for surveys: unused one-time codes, unfinished responses and raw answers.

Run nightly by brukarkraft.retention.apply_all, each in its own transaction. Sent answers
are never touched here except by the survey's own raw-answer period, which keeps totals.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce

from brukarkraft.retention import (
    Rule,
    cutoff,
    delete_counting,
    delete_files_on_commit,
    queryset_rule,
)

from . import services
from .models import CodeBatch, OneTimeCode, Response, Survey

# When a survey stopped taking answers: closed by hand, or its closing date. Publishing
# again clears closed_at and needs a closing date in the future, so a reopened survey
# is never "closed long ago".
SURVEY_CLOSED = Coalesce("survey__closed_at", "survey__closes_at")


def unused_codes_due(now: datetime) -> QuerySet[OneTimeCode]:
    """Codes nobody ever started with, once their survey closed more than the period ago.

    A survey with no closing date at all counts from the batch's printing, except while it
    is published: then the slips may still be out there, and a code is no personal data.
    """
    limit = cutoff("unused_survey_codes", now)
    return (
        OneTimeCode.objects.filter(response__isnull=True, used_at__isnull=True)
        .alias(survey_closed=SURVEY_CLOSED)
        .filter(
            Q(survey_closed__lt=limit)
            | (
                Q(survey_closed__isnull=True, batch__created_at__lt=limit)
                & ~Q(survey__status=Survey.Status.OPEN)
            )
        )
    )


def delete_unused_codes(now: datetime) -> int:
    due = unused_codes_due(now)
    batch_ids = set(due.values_list("batch_id", flat=True).distinct())
    deleted = delete_counting(due)
    # A batch left without codes is only its slips PDF, full of codes that no longer work.
    empty = list(
        CodeBatch.objects.filter(pk__in=batch_ids)
        .annotate(codes_left=Count("codes"))
        .filter(codes_left=0)
        .values_list("pk", "slips")
    )
    if empty:
        CodeBatch.objects.filter(pk__in=[pk for pk, _slips in empty]).delete()
        delete_files_on_commit(CodeBatch, "slips", [slips for _pk, slips in empty])
    return deleted


def unfinished_responses_due(now: datetime) -> QuerySet[Response]:
    """Responses never sent, once their survey stopped taking answers more than the period
    ago: from then on nobody can continue them. Sent responses are never included."""
    return (
        Response.objects.filter(status=Response.Status.IN_PROGRESS, submitted_at__isnull=True)
        .alias(survey_closed=SURVEY_CLOSED)
        .filter(survey_closed__lt=cutoff("abandoned_drafts", now))
    )


def raw_answers_due(now: datetime) -> list[Survey]:
    """Surveys whose own raw-answer period has ended (as surveys.services.surveys_purge_expired
    decides it: counted from closing, never while the survey still takes answers)."""
    candidates = (
        Survey.objects.filter(raw_deleted_at=None)
        .exclude(status=Survey.Status.DRAFT)
        .only("pk", "status", "closes_at", "closed_at", "retention_days")
    )
    due = []
    for survey in candidates:
        finished = survey.status == Survey.Status.CLOSED or (
            survey.closes_at is not None and survey.closes_at <= now
        )
        if finished and survey.raw_delete_due is not None and survey.raw_delete_due <= now:
            due.append(survey)
    return due


def delete_raw_answers(now: datetime) -> int:
    surveys = raw_answers_due(now)
    for survey in surveys:
        services.survey_purge_raw_answers(survey=survey)
    return len(surveys)


# Unfinished responses go first: the codes they held are then unused and go in the same run.
RULES = [
    queryset_rule("abandoned_survey_responses", unfinished_responses_due),
    queryset_rule("unused_survey_codes", unused_codes_due, delete_unused_codes),
    Rule(
        name="survey_raw_answers",
        count_due=lambda now: len(raw_answers_due(now)),
        delete_due=delete_raw_answers,
    ),
]
