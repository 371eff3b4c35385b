"""Building a survey: creating it, its sections, questions and answer options, the
question bank, access given by staff, and copying a survey as a new version.

Every change to questions is refused once anyone has answered (results would no longer
match) and moves the survey's `updated_at`, which the answering pages' cache follows.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from brukarkraft.faults import Submission, repeat_of

from ..models import (
    CHOICE_KINDS,
    FIXED_OPTION_KINDS,
    LANGUAGES,
    BankQuestion,
    Kind,
    Option,
    Question,
    Section,
    Survey,
    SurveyMember,
    Unit,
)

Smiley = Option.Smiley
# value, smiley, label — labels are stored in all three languages when the options are made.
FIXED_OPTIONS = {
    Kind.SCALE3: [
        ("1", Smiley.SAD, _("Bad")),
        ("2", Smiley.NEUTRAL, _("Okay")),
        ("3", Smiley.HAPPY, _("Good")),
    ],
    Kind.SCALE5: [
        ("1", Smiley.VERY_SAD, _("Very bad")),
        ("2", Smiley.SAD, _("Bad")),
        ("3", Smiley.NEUTRAL, _("Neither good nor bad")),
        ("4", Smiley.HAPPY, _("Good")),
        ("5", Smiley.VERY_HAPPY, _("Very good")),
    ],
    Kind.YES_NO: [("yes", "", _("Yes")), ("no", "", _("No"))],
}


def _in_all_languages(text) -> dict[str, str]:
    values = {}
    for language in LANGUAGES:
        with translation.override(language):
            values[language] = str(text)
    return values


def survey_ensure_editable(survey: Survey) -> None:
    """Refuse changes to questions once anyone has answered: results would no longer match."""
    if survey.responses.exists() or survey.raw_deleted_at:
        raise ValidationError(
            gettext(
                "People have already answered this survey, so its questions cannot be changed"
                " without making the results wrong. Make a new version of the survey and"
                " change that one instead."
            ),
            code="has_responses",
        )


def _questions_changing(survey: Survey) -> None:
    """Refuse the change if it is too late; otherwise mark the survey as changed.

    The answering pages keep a survey's questions under its `updated_at`
    (question_cache), so every change to sections, questions or options moves it.
    """
    survey_ensure_editable(survey)
    Survey.objects.filter(pk=survey.pk).update(updated_at=timezone.now())


@transaction.atomic
def survey_create(*, by, title_sv: str, title_nb: str = "", title_en: str = "", **fields) -> Survey:
    if by is not None:
        get_user_model().objects.select_for_update().get(pk=by.pk)
        repeat = repeat_of(
            Survey.objects.filter(status=Survey.Status.DRAFT, previous_version=None),
            at="created_at",
            created_by=by,
            title_sv=title_sv,
            title_nb=title_nb,
            title_en=title_en,
        )
        if repeat is not None:
            return repeat  # Sent twice: the survey the first one created.
    survey = Survey.objects.create(
        created_by=by, title_sv=title_sv, title_nb=title_nb, title_en=title_en, **fields
    )
    Section.objects.create(
        survey=survey, position=1, **{f"title_{k}": v for k, v in _default_section().items()}
    )
    if by is not None and not by.has_role("staff", "admin"):
        SurveyMember.objects.create(survey=survey, user=by, role=SurveyMember.Role.BUILDER)
    return survey


def _default_section() -> dict[str, str]:
    return _in_all_languages(_("Questions"))


@transaction.atomic
def survey_update(*, survey: Survey, **fields) -> Survey:
    for name, value in fields.items():
        setattr(survey, name, value)
    survey.save()
    return survey


@transaction.atomic
def survey_grant_access(*, survey: Survey, user, role: str) -> SurveyMember:
    """Let a person build or read the results of a survey (given by staff; an audit's team has
    access through the audit, see grants)."""
    member, _created = SurveyMember.objects.update_or_create(
        survey=survey, user=user, defaults={"role": role}
    )
    return member


@transaction.atomic
def survey_revoke_access(*, survey: Survey, user) -> None:
    SurveyMember.objects.filter(survey=survey, user=user).delete()


@transaction.atomic
def section_add(
    *, survey: Survey, title_sv: str, title_nb: str = "", title_en: str = ""
) -> Section:
    _questions_changing(survey)
    last = survey.sections.aggregate(m=Max("position"))["m"] or 0
    return Section.objects.create(
        survey=survey, position=last + 1, title_sv=title_sv, title_nb=title_nb, title_en=title_en
    )


def _make_fixed_options(question: Question) -> None:
    question.options.all().delete()
    for position, (value, smiley, label) in enumerate(FIXED_OPTIONS[question.kind], start=1):
        labels = _in_all_languages(label)
        Option.objects.create(
            question=question,
            position=position,
            value=value,
            smiley=smiley,
            **{f"label_{k}": v for k, v in labels.items()},
        )


@transaction.atomic
def question_add(*, section: Section, kind: str, submission_id: str = "", **fields) -> Question:
    """Add a question (with its picture, if any) at the end of `section`.

    `submission_id` is the builder form's double-submit key: the same form sent again (a
    double click, a retry on another web node) gives the question the first send stored,
    and stores no second question and no second picture."""
    Survey.objects.select_for_update().get(pk=section.survey_id)
    # Read under the survey's lock: a second send waits here until the first has stored.
    submission = Submission.of(f"surveys:question-add:{section.survey_id}", submission_id)
    if earlier := submission.earlier():
        stored = Question.objects.filter(pk=earlier, survey_id=section.survey_id).first()
        if stored is not None:
            return stored
    _questions_changing(section.survey)
    last = section.questions.aggregate(m=Max("position"))["m"] or 0
    question = Question.objects.create(
        survey=section.survey, section=section, position=last + 1, kind=kind, **fields
    )
    if kind in FIXED_OPTION_KINDS:
        _make_fixed_options(question)
    submission.remember(question.pk)
    return question


@transaction.atomic
def question_update(*, question: Question, **fields) -> Question:
    _questions_changing(question.survey)
    old_kind = question.kind
    for name, value in fields.items():
        setattr(question, name, value)
    question.save()
    if question.kind != old_kind:
        if question.kind in FIXED_OPTION_KINDS:
            _make_fixed_options(question)
        elif question.kind not in CHOICE_KINDS:
            question.options.all().delete()
        elif old_kind in FIXED_OPTION_KINDS:
            question.options.all().delete()
    return question


@transaction.atomic
def question_save(
    *,
    question: Question,
    submission_id: str = "",
    option_changes: Iterable[tuple[Option | None, dict | None]] = (),
    **fields,
) -> Question:
    """Save the builder's question page at once: the question (and its picture) and its
    answer options, each `(option, fields)` (a new one with None, a deleted one with None
    for its fields).

    `submission_id` is the form's double-submit key: the same page sent again (a double
    click, a retry on another web node) stores nothing more, so no picture is written twice
    and no new answer option is added twice."""
    Survey.objects.select_for_update().get(pk=question.survey_id)
    # Read under the survey's lock: a second send waits here until the first has stored.
    submission = Submission.of(f"surveys:question-save:{question.pk}", submission_id)
    if submission.earlier():
        return Question.objects.get(pk=question.pk)
    question_update(question=question, **fields)
    for option, option_fields in option_changes:
        if option_fields is None:
            if option is not None:
                option_delete(option=option)
        else:
            option_save(question=question, option=option, **option_fields)
    submission.remember()
    return question


@transaction.atomic
def question_delete(*, question: Question) -> None:
    _questions_changing(question.survey)
    Question.objects.filter(show_if_option__question=question).update(show_if_option=None)
    question.delete()


@transaction.atomic
def question_move(*, question: Question, direction: str) -> Question:
    """Move a question one step up or down; at a section's edge it moves to the next section."""
    _questions_changing(question.survey)
    siblings = list(question.section.questions.order_by("position", "pk"))
    index = siblings.index(question)
    step = -1 if direction == "up" else 1
    target = index + step
    if 0 <= target < len(siblings):
        other = siblings[target]
        siblings[index], siblings[target] = other, question
        for position, item in enumerate(siblings, start=1):
            Question.objects.filter(pk=item.pk).update(position=position)
    else:
        sections = list(question.survey.sections.order_by("position", "pk"))
        s_index = sections.index(question.section) + step
        if not 0 <= s_index < len(sections):
            raise ValidationError(
                gettext("The question is already first.")
                if step < 0
                else gettext("The question is already last."),
                code="at_edge",
            )
        new_section = sections[s_index]
        if step < 0:
            position = (new_section.questions.aggregate(m=Max("position"))["m"] or 0) + 1
        else:
            new_section.questions.update(position=F("position") + 1)
            position = 1
        Question.objects.filter(pk=question.pk).update(section=new_section, position=position)
    question.refresh_from_db()
    return question


@transaction.atomic
def option_save(*, question: Question, option: Option | None = None, **fields) -> Option:
    _questions_changing(question.survey)
    if question.kind not in CHOICE_KINDS or question.kind in FIXED_OPTION_KINDS:
        raise ValidationError(
            gettext("This kind of question has fixed answer options."), code="fixed"
        )
    if option is None:
        last = question.options.aggregate(m=Max("position"))["m"] or 0
        option = Option(question=question, position=last + 1)
    for name, value in fields.items():
        setattr(option, name, value)
    if not option.value:
        option.value = str(option.position)
    option.save()
    return option


@transaction.atomic
def option_delete(*, option: Option) -> None:
    _questions_changing(option.question.survey)
    Question.objects.filter(show_if_option=option).update(show_if_option=None)
    option.delete()


@transaction.atomic
def question_copy_from_bank(*, bank_question: BankQuestion, section: Section) -> Question:
    Section.objects.select_for_update().get(pk=section.pk)
    newest = section.questions.order_by("-position").first()
    if newest is not None and newest.bank_key == bank_question.key:
        return newest  # Sent twice: the copy the first one made.
    texts = {}
    for language in LANGUAGES:
        for field in ("text", "easy", "help"):
            texts[f"{field}_{language}"] = getattr(bank_question, f"{field}_{language}")
    question = question_add(
        section=section, kind=bank_question.kind, bank_key=bank_question.key, **texts
    )
    if bank_question.kind not in FIXED_OPTION_KINDS:
        for position, item in enumerate(bank_question.options, start=1):
            Option.objects.create(
                question=question,
                position=position,
                value=item.get("value") or str(position),
                **{f"label_{k}": item.get(f"label_{k}", "") for k in LANGUAGES},
            )
    return question


@transaction.atomic
def survey_new_version(*, survey: Survey, by) -> Survey:
    """Copy the survey, its sections, questions, options, units and members as a new draft."""
    Survey.objects.select_for_update().get(pk=survey.pk)
    if by is not None:
        drafts = survey.next_versions.filter(status=Survey.Status.DRAFT)
        repeat = repeat_of(drafts, at="created_at", created_by=by)
        if repeat is not None:
            return repeat  # The same person pressed twice: the copy the first press made.
    copy = Survey.objects.get(pk=survey.pk)
    copy.pk = None
    copy.token = Survey._meta.get_field("token").default()
    copy.status = Survey.Status.DRAFT
    # A second copy of the same version gets the next free number, not a duplicate.
    siblings = survey.next_versions.aggregate(m=Max("version"))["m"] or 0
    copy.version = max(survey.version, siblings) + 1
    copy.previous_version = survey
    copy.created_by = by
    copy.published_at = copy.closed_at = copy.raw_deleted_at = None
    copy.save()
    option_map: dict[int, Option] = {}
    conditions: list[tuple[Question, int]] = []
    for section in survey.sections.all():
        questions = list(section.questions.prefetch_related("options"))
        section.pk = None
        section.survey = copy
        section.save()
        for question in questions:
            options = list(question.options.all())
            condition = question.show_if_option_id
            question.pk = None
            question.survey = copy
            question.section = section
            question.show_if_option = None
            question.not_understood_count = 0
            question.save()
            if condition:
                conditions.append((question, condition))
            for option in options:
                old_pk = option.pk
                option.pk = None
                option.question = question
                option.save()
                option_map[old_pk] = option
    for question, old_option in conditions:
        question.show_if_option = option_map.get(old_option)
        question.save(update_fields=["show_if_option"])
    for unit in survey.units.all():
        Unit.objects.create(survey=copy, name=unit.name)
    for member in survey.members.all():
        SurveyMember.objects.create(survey=copy, user=member.user, role=member.role)
    return copy
