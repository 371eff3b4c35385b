"""Answering: starting (by link, slip or resume code), saving answers one question or one
page at a time, sending them, and entering paper questionnaires.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from .. import answering_sql
from ..models import (
    CHOICE_KINDS,
    Answer,
    Kind,
    OneTimeCode,
    Question,
    Response,
    Survey,
    Unit,
)
from ..question_cache import survey_questions
from .codes import code_hash, new_code, normalise_code

MAX_TEXT_ANSWER = 5000


def _ensure_accepting(survey: Survey) -> None:
    if not survey.is_accepting_answers():
        raise ValidationError(
            gettext("This survey is not open for answers right now."), code="closed"
        )


@dataclass
class Started:
    response: Response
    resume_code: str | None  # shown once; None when the response already existed


def response_start(
    *,
    survey: Survey,
    start_key: str,
    unit: Unit | None = None,
    easy_read: bool = False,
    support: str = "",
    support_role: str = "",
    one_time_code: str | None = None,
) -> Started:
    """Begin answering. The same start key (a double click, a resent form) gives the same response.

    By the open link this is one INSERT (the first page of every survey answered); with a
    one-time code, the code is locked and tied to the new response in one transaction.
    """
    _ensure_accepting(survey)
    if support != Response.Support.HELPED:
        support_role = ""
    fields = {
        "survey": survey,
        "start_key": start_key,
        "easy_read": easy_read,
        "support": support,
        "support_role": support_role,
    }
    if one_time_code is None:
        if not survey.open_link_enabled:
            raise ValidationError(
                gettext(
                    "This survey is answered with a personal code. Enter the code from your slip."
                ),
                code="code_required",
            )
        return _start(unit=unit, **fields)
    with transaction.atomic():
        code_row = _code_to_start_with(survey, one_time_code)
        if code_row.response_id:
            return Started(code_row.response, None)
        started = _start(unit=code_row.batch.unit or unit, **fields)
        if started.resume_code is not None:
            code_row.response = started.response
            code_row.save(update_fields=["response"])
        return started


def _start(*, survey: Survey, start_key: str, **fields) -> Started:
    """A new response, or the one this start key already made."""
    # A clash of the start key means the same form was sent before (or at the same
    # moment): that response is theirs. A clash of the resume code (40 bits, unique)
    # means: draw another.
    for _attempt in range(5):
        resume_code = new_code()
        response = Response(
            survey=survey, start_key=start_key, resume_hash=code_hash(resume_code), **fields
        )
        if answering_sql.insert_response(response):
            return Started(response, resume_code)
        existing = Response.objects.filter(start_key=start_key).first()
        if existing is not None:
            if existing.survey_id != survey.pk:
                # A start form of another survey sent here (an edited form): nothing to join.
                raise ValidationError(
                    gettext("Something went wrong. Start the survey again from its first page."),
                    code="bad_start",
                )
            return Started(existing, None)
    raise IntegrityError("no free resume code after five attempts")


def _code_to_start_with(survey: Survey, one_time_code: str) -> OneTimeCode:
    """The survey's one-time code, locked; refused when unknown or its answers were sent."""
    code_row = (
        # Lock the code only: its batch's unit is an outer join, which cannot be locked.
        OneTimeCode.objects.select_for_update(of=("self",))
        .select_related("batch__unit")
        .filter(survey=survey, code=normalise_code(one_time_code))
        .first()
    )
    if code_row is None:
        raise ValidationError(
            gettext("We do not recognise that code. Check the letters and try again."),
            code="bad_code",
        )
    if code_row.response_id and code_row.response.status == Response.Status.SUBMITTED:
        raise ValidationError(
            gettext("That code has already been used to send answers."),
            code="used_code",
        )
    return code_row


def unused_slip(*, code: str) -> OneTimeCode | None:
    """A one-time code from a slip that nobody has started answering with yet."""
    return (
        OneTimeCode.objects.select_related("survey", "batch__unit")
        .filter(code=normalise_code(code), response=None)
        .first()
    )


def response_for_resume_code(*, code: str) -> Response:
    response = Response.objects.select_related("survey").filter(resume_hash=code_hash(code)).first()
    if response is None:
        code_row = (
            OneTimeCode.objects.select_related("response__survey")
            .filter(code=normalise_code(code), response__isnull=False)
            .first()
        )
        response = code_row.response if code_row else None
    if response is None and (slip := unused_slip(code=code)) is not None:
        _ensure_accepting(slip.survey)  # a slip printed before publishing: "not open"
    if response is None:
        raise ValidationError(
            gettext("We do not recognise that code. Check the letters and try again."),
            code="bad_code",
        )
    if response.is_submitted:
        raise ValidationError(
            gettext("The answers for that code have already been sent. Thank you!"),
            code="already_sent",
        )
    _ensure_accepting(response.survey)
    return response


@transaction.atomic
def response_update_settings(
    *, response: Response, easy_read: bool | None = None, support=None, support_role=None
) -> Response:
    if easy_read is not None:
        response.easy_read = easy_read
    if support is not None:
        response.support = support
        response.support_role = support_role if support == Response.Support.HELPED else ""
    response.save(update_fields=["easy_read", "support", "support_role"])
    return response


def is_visible(question: Question, chosen_options: set[int]) -> bool:
    return question.show_if_option_id is None or question.show_if_option_id in chosen_options


@dataclass
class GivenAnswer:
    """What a respondent gave for one question, after the form has parsed it."""

    option_ids: list[int]
    dont_know: bool = False
    text: str = ""
    number: int | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.option_ids or self.dont_know or self.text.strip() or self.number is not None
        )


def validate_answer(question: Question, given: GivenAnswer, chosen_options: set[int]) -> None:
    """Refuse tampered or impossible answers with a message the respondent understands."""
    if not is_visible(question, chosen_options) and not given.is_empty:
        raise ValidationError(
            gettext("This question is not part of your survey, so its answer was not saved."),
            code="hidden_question",
        )
    if given.dont_know and (given.option_ids or given.text.strip() or given.number is not None):
        raise ValidationError(
            gettext("Choose either an answer or “Don't know”, not both."), code="dont_know_and"
        )
    if given.option_ids:
        if question.kind not in CHOICE_KINDS:
            raise ValidationError(gettext("That answer is not one of the choices."), code="bad")
        valid = {option.pk for option in question.options.all()}
        if not set(given.option_ids) <= valid:
            raise ValidationError(
                gettext("That answer is not one of the choices. Choose again."),
                code="bad_option",
            )
        if len(set(given.option_ids)) > 1 and question.kind != Kind.MULTIPLE:
            raise ValidationError(gettext("Choose only one answer."), code="one_only")
    if given.number is not None:
        if question.kind != Kind.NUMBER:
            raise ValidationError(gettext("That answer is not one of the choices."), code="bad")
        low, high = question.min_value, question.max_value
        if (low is not None and given.number < low) or (high is not None and given.number > high):
            raise ValidationError(
                gettext("Write a number from %(low)s to %(high)s.")
                % {
                    "low": low if low is not None else "…",
                    "high": high if high is not None else "…",
                },
                code="out_of_range",
            )
    if given.text and question.kind != Kind.TEXT:
        raise ValidationError(gettext("That answer is not one of the choices."), code="bad")
    if len(given.text) > MAX_TEXT_ANSWER:
        raise ValidationError(
            gettext("Your answer is too long. Write at most %(max)s characters.")
            % {"max": MAX_TEXT_ANSWER},
            code="too_long",
        )


def _rows(question: Question, given: GivenAnswer) -> list[tuple]:
    """The answer rows for one question: (question_id, option_id, dont_know, text, number,
    review); none when skipped, one per ticked option of a multiple-choice question."""
    if given.is_empty:
        return []
    if given.dont_know:
        return [(question.pk, None, True, "", None, "")]
    if given.option_ids:
        return [(question.pk, pk, False, "", None, "") for pk in sorted(set(given.option_ids))]
    if given.number is not None:
        return [(question.pk, None, False, "", given.number, "")]
    return [(question.pk, None, False, given.text.strip(), None, Answer.Review.PENDING)]


def _lock_open_response(response: Response) -> Response:
    # Lock the response only: locking its survey too would make every respondent wait
    # for every other one.
    locked = (
        Response.objects.select_for_update(of=("self",))
        .select_related("survey")
        .get(pk=response.pk)
    )
    _ensure_open(locked.status, locked.channel, locked.survey)
    return locked


def _ensure_open(status: str, channel: str, survey: Survey) -> None:
    if status == Response.Status.SUBMITTED:
        raise ValidationError(
            gettext("These answers have already been sent, so they cannot be changed."),
            code="already_sent",
        )
    if channel == Response.Channel.WEB:
        _ensure_accepting(survey)


@transaction.atomic
def answer_save(*, response: Response, question: Question, given: GivenAnswer) -> set[int]:
    """Save one question's answer as it is given (replacing an earlier one); empty means skipped.

    Returns the options chosen in the whole response afterwards: what comes next follows
    from them. The question's options are used as given (loaded with the question).
    """
    if question.survey_id != response.survey_id:
        raise ValidationError(gettext("That question is not in this survey."), code="other_survey")
    # One statement locks the response and reads its state, the survey's as it is now and
    # the options chosen elsewhere; one more replaces the question's rows (answering_sql).
    locked = answering_sql.lock_response(response.pk, [question.pk])
    if locked is None:
        raise Response.DoesNotExist
    _ensure_open(locked.status, locked.channel, locked.survey)
    chosen = locked.chosen_elsewhere
    validate_answer(question, given, chosen)
    answering_sql.replace_answers(response.pk, [question.pk], _rows(question, given))
    return chosen | set(given.option_ids)


@transaction.atomic
def answers_save_all(*, response: Response, given: dict[int, GivenAnswer]) -> None:
    """Save a whole page of answers at once (all questions on one page, or paper entry):
    the page's rows replace the earlier ones in one statement."""
    response = _lock_open_response(response)
    questions = survey_questions(response.survey)
    chosen = {pk for answer in given.values() for pk in answer.option_ids}
    errors = {}
    for question in questions:
        answer = given.get(question.pk, GivenAnswer([]))
        try:
            validate_answer(question, answer, chosen)
        except ValidationError as error:
            errors[question.pk] = error
    if errors:
        raise ValidationError(errors)
    rows = [row for q in questions for row in _rows(q, given.get(q.pk, GivenAnswer([])))]
    answering_sql.replace_answers(response.pk, [q.pk for q in questions], rows)


@transaction.atomic
def response_submit(*, response: Response) -> Response:
    """Send the answers. Sending again (double click, back button, a retry) changes nothing."""
    # One statement locks the response and reads it with its survey and answers.
    locked = answering_sql.lock_for_submit(response.pk)
    if locked is None:
        raise Response.DoesNotExist
    response = locked.response
    if response.is_submitted:
        return response
    if response.channel == Response.Channel.WEB:
        _ensure_accepting(response.survey)
    # Answers to questions that an answer changed later made irrelevant are not kept.
    # A condition may rest on a question that is itself hidden: repeat until nothing changes.
    chosen_by_question = {
        question_id: {row.option_id for row in rows if row.option_id}
        for question_id, rows in locked.answers.items()
    }
    conditional = [q for q in survey_questions(response.survey) if q.show_if_option_id]
    hidden: set[int] = set()
    while True:
        chosen = {pk for q, pks in chosen_by_question.items() if q not in hidden for pk in pks}
        newly = {q.pk for q in conditional if q.pk not in hidden and not is_visible(q, chosen)}
        if not newly:
            break
        hidden |= newly
    if hidden:
        response.answers.filter(question_id__in=hidden).delete()
    response.status = Response.Status.SUBMITTED
    response.submitted_at = timezone.now()
    # The status, the time and the one-time code's use in one statement.
    answering_sql.mark_sent(response)
    return response


def question_mark_not_understood(*, question: Question) -> None:
    # F() so that simultaneous presses from many respondents are all counted.
    Question.objects.filter(pk=question.pk).update(
        not_understood_count=F("not_understood_count") + 1
    )


@transaction.atomic
def paper_response_enter(
    *, survey: Survey, unit: Unit | None, support: str, support_role: str, given, entry_key: str
) -> Response:
    """Store the answers of one paper questionnaire, marked as paper. The key stops double entry."""
    existing = Response.objects.filter(start_key=entry_key, survey=survey).first()
    if existing is not None:
        return existing
    if survey.status == Survey.Status.DRAFT:
        raise ValidationError(
            gettext("Paper answers can be entered once the survey is published."), code="draft"
        )
    response = Response.objects.create(
        survey=survey,
        unit=unit,
        channel=Response.Channel.PAPER,
        support=support,
        support_role=support_role if support == Response.Support.HELPED else "",
        start_key=entry_key,
    )
    answers_save_all(response=response, given=given)
    return response_submit(response=response)
