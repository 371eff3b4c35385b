"""A survey's life after building: publishing, closing, and deleting a draft or the
answers people gave to try it out (recorded in the admin's history).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from ..checks import survey_problems
from ..models import (
    Option,
    Survey,
)


@transaction.atomic
def survey_publish(*, survey: Survey, by) -> Survey:
    """Open the survey for answers on the portal's domain. `by` None: the system (demo, tests)."""
    if by is not None and not Survey.objects.publishable_by(by).filter(pk=survey.pk).exists():
        raise PermissionDenied(
            gettext("Staff, or the lead auditor of the audit the survey belongs to, publish it.")
        )
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == Survey.Status.OPEN:
        raise ValidationError(gettext("The survey is already published."), code="published")
    problems = survey_problems(survey)
    if problems:
        raise ValidationError(
            gettext(
                "The survey cannot be published until the accessibility check passes."
                " %(count)s things need fixing."
            )
            % {"count": len(problems)},
            code="check_failed",
        )
    if survey.closes_at and survey.closes_at <= timezone.now():
        raise ValidationError(
            gettext("The closing date has passed. Choose a later date first."),
            code="closes_in_past",
        )
    survey.status = Survey.Status.OPEN
    survey.published_at = timezone.now()
    survey.closed_at = None
    survey.save(update_fields=["status", "published_at", "closed_at", "updated_at"])
    return survey


def _record_deletion(by, survey: Survey, message: str, *, whole: bool = True) -> None:
    """The trail of a deletion: who, when and what, in the admin's history (LogEntry)."""
    from django.contrib.admin.models import CHANGE, DELETION, LogEntry

    if by is None or not by.pk:
        return
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=[survey],
        action_flag=DELETION if whole else CHANGE,
        change_message=message,
        single_object=True,
    )


def _stored_files(survey: Survey, *, exports_only: bool = False) -> list:
    """The files stored for the survey: pictures, slips and exports (or the exports only)."""
    fields = [job.file for job in survey.exports.exclude(file="")]
    if not exports_only:
        fields += [q.image for q in survey.questions.exclude(image="")]
        options = Option.objects.filter(question__survey=survey).exclude(image="")
        fields += [o.image for o in options]
        fields += [batch.slips for batch in survey.code_batches.exclude(slips="")]
    return [(field.storage, field.name) for field in fields]


def _delete_files_on_commit(files: list) -> None:
    # After the commit: a deletion rolled back must not have lost the files.
    def delete() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(delete)


@transaction.atomic
def survey_delete(*, survey: Survey, by) -> None:
    """Delete a draft with everything in it. A published survey is kept: people answered it."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError(
            gettext(
                "Only a draft can be deleted. A published survey is kept with its answers;"
                " close it instead."
            ),
            code="not_draft",
        )
    _record_deletion(
        by,
        survey,
        gettext("Deleted the draft survey “%(title)s” (version %(version)s).")
        % {"title": survey.title_sv, "version": survey.version},
    )
    _delete_files_on_commit(_stored_files(survey))
    survey.delete()


# Test answers are those of a survey that has never had enough answers for any result to
# be shown (the anonymity threshold): deleting them cannot change a figure anyone has seen.
# Answers begun but not sent count too: they may be real people's, half-way through.
TEST_ANSWERS_MAX = 4


def test_answers_deletable(survey: Survey, count: int | None = None) -> bool:
    count = survey.responses.count() if count is None else count
    return 0 < count <= TEST_ANSWERS_MAX


def survey_deleted_by(*, pk: int, user) -> bool:
    """Whether this person deleted the survey (a second press of the delete button)."""
    from django.contrib.admin.models import DELETION, LogEntry
    from django.contrib.contenttypes.models import ContentType

    return LogEntry.objects.filter(
        user_id=user.pk,
        content_type=ContentType.objects.get_for_model(Survey),
        object_id=str(pk),
        action_flag=DELETION,
    ).exists()


@transaction.atomic
def survey_delete_test_answers(*, survey: Survey, by) -> int:
    """Delete the answers people gave to try the survey out, so its questions can change again."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not test_answers_deletable(survey):
        raise ValidationError(
            gettext(
                "Only test answers can be deleted: a survey with %(max)s answers or fewer, sent"
                " or begun. Once more people have answered, the answers are kept."
            )
            % {"max": TEST_ANSWERS_MAX},
            code="not_test_answers",
        )
    count = survey.responses.count()
    _record_deletion(
        by,
        survey,
        gettext("Deleted %(count)s test answers of the survey “%(title)s”.")
        % {"count": count, "title": survey.title_sv},
        whole=False,
    )
    _delete_files_on_commit(_stored_files(survey, exports_only=True))
    survey.exports.all().delete()
    # The one-time codes used for a test can be given out again.
    survey.codes.exclude(response=None).update(response=None, used_at=None)
    survey.questions.update(not_understood_count=0)
    survey.responses.all().delete()
    return count


@transaction.atomic
def survey_close(*, survey: Survey, by) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != Survey.Status.OPEN:
        raise ValidationError(gettext("Only a published survey can be closed."), code="not_open")
    survey.status = Survey.Status.CLOSED
    survey.closed_at = timezone.now()
    survey.save(update_fields=["status", "closed_at", "updated_at"])
    return survey
