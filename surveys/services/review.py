"""Reviewing free-text answers before they are shown in results (one or many at once);
hiding a text withdraws the export files that may hold it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from ..models import (
    Answer,
    ExportJob,
    Response,
    Survey,
)


def _check_decision(decision: str) -> None:
    if decision not in (Answer.Review.APPROVED, Answer.Review.HIDDEN):
        raise ValidationError(gettext("Choose whether the answer may be shown."), code="bad")


@transaction.atomic
def free_text_review(*, answer: Answer, decision: str) -> Answer:
    _check_decision(decision)
    answer.review = decision
    answer.reviewed_at = timezone.now()
    answer.save(update_fields=["review", "reviewed_at"])
    if decision == Answer.Review.HIDDEN:
        _withdraw_exports(answer.question.survey_id)
    return answer


def _withdraw_exports(survey_id: int) -> None:
    """Delete the finished export files of a survey: they may hold a text just hidden as
    identifying. A new export leaves it out."""
    ready = ExportJob.objects.filter(survey_id=survey_id, status=ExportJob.Status.READY)
    files = [job.file for job in ready if job.file]
    ready.delete()
    transaction.on_commit(lambda: [file.delete(save=False) for file in files])


@transaction.atomic
def free_text_review_many(*, survey: Survey, answer_ids, decision: str) -> int:
    """The same decision for many free-text answers at once; returns how many were decided.

    Only answers still waiting in this survey are touched: an id from another survey, or
    one a colleague decided a moment ago, is left as it is."""
    _check_decision(decision)
    ids = {int(pk) for pk in answer_ids if str(pk).isdigit()}
    if not ids:
        raise ValidationError(
            gettext("Tick the answers the decision is for, then choose again."), code="none"
        )
    return Answer.objects.filter(
        pk__in=ids,
        question__survey=survey,
        review=Answer.Review.PENDING,
        response__status=Response.Status.SUBMITTED,
    ).update(review=decision, reviewed_at=timezone.now())
