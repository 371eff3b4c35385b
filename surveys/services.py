"""Every change to surveys, questions and responses: one function per action, in a transaction."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from urllib.parse import urljoin

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from brukarkraft.faults import repeat_of
from brukarkraft.queue import enqueue

from .checks import survey_problems
from .models import (
    CHOICE_KINDS,
    FIXED_OPTION_KINDS,
    LANGUAGES,
    Answer,
    BankQuestion,
    CodeBatch,
    ExportJob,
    FrozenCount,
    Kind,
    OneTimeCode,
    Option,
    Question,
    Response,
    Section,
    Survey,
    SurveyMember,
    Unit,
)
from .question_cache import survey_questions

# Letters and digits that cannot be mistaken for each other when read aloud or copied.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# The slips PDF is made by a worker (about 45 s for 2,000 slips), not while anyone waits.
MAX_CODES_PER_BATCH = 2000
MAX_TEXT_ANSWER = 5000

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


def new_code(length: int = 8) -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    # People type O for 0 and I for 1; the alphabet has neither, so map them to what was meant.
    raw = raw.replace("0", "O").replace("1", "I")
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def _in_all_languages(text) -> dict[str, str]:
    values = {}
    for language in LANGUAGES:
        with translation.override(language):
            values[language] = str(text)
    return values


# --- Building --------------------------------------------------------------------------


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
def question_add(*, section: Section, kind: str, **fields) -> Question:
    _questions_changing(section.survey)
    last = section.questions.aggregate(m=Max("position"))["m"] or 0
    question = Question.objects.create(
        survey=section.survey, section=section, position=last + 1, kind=kind, **fields
    )
    if kind in FIXED_OPTION_KINDS:
        _make_fixed_options(question)
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


# --- Distribution ----------------------------------------------------------------------


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
) -> CodeBatch:
    """Make `size` one-time codes and have a worker print them on slips."""
    from .tasks import write_code_slips

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
    transaction.on_commit(lambda: enqueue(write_code_slips, batch.pk))
    return batch


def code_slips_write(*, batch_id: int) -> CodeBatch | None:
    """Print a batch's codes on slips (PDF); a redelivered task for ready slips does nothing."""
    from django.core.files.base import ContentFile

    from .pdf import code_slips_pdf

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
    from .tasks import write_code_slips

    if batch.slips_status != CodeBatch.SlipsStatus.FAILED:
        raise ValidationError(gettext("Only failed slips can be made again."), code="not_failed")
    CodeBatch.objects.filter(pk=batch.pk).update(slips_status=CodeBatch.SlipsStatus.QUEUED)
    transaction.on_commit(lambda: enqueue(write_code_slips, batch.pk))
    batch.slips_status = CodeBatch.SlipsStatus.QUEUED
    return batch


# --- Answering ---------------------------------------------------------------------------


def _ensure_accepting(survey: Survey) -> None:
    if not survey.is_accepting_answers():
        raise ValidationError(
            gettext("This survey is not open for answers right now."), code="closed"
        )


@dataclass
class Started:
    response: Response
    resume_code: str | None  # shown once; None when the response already existed


@transaction.atomic
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
    """Begin answering. The same start key (a double click, a resent form) gives the same response."""
    _ensure_accepting(survey)
    existing = Response.objects.filter(start_key=start_key, survey=survey).first()
    if existing is not None:
        return Started(existing, None)
    code_row = None
    if one_time_code is not None:
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
        if code_row.response_id:
            if code_row.response.status == Response.Status.SUBMITTED:
                raise ValidationError(
                    gettext("That code has already been used to send answers."),
                    code="used_code",
                )
            return Started(code_row.response, None)
        unit = code_row.batch.unit or unit
    elif not survey.open_link_enabled:
        raise ValidationError(
            gettext("This survey is answered with a personal code. Enter the code from your slip."),
            code="code_required",
        )
    if support != Response.Support.HELPED:
        support_role = ""
    response = None
    # A clash of the start key means a second identical request raced this one; a clash
    # of the resume code (40 bits, unique) means: draw another.
    for _attempt in range(5):
        resume_code = new_code()
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    survey=survey,
                    unit=unit,
                    start_key=start_key,
                    easy_read=easy_read,
                    support=support,
                    support_role=support_role,
                    resume_hash=code_hash(resume_code),
                )
            break
        except IntegrityError:
            raced = Response.objects.filter(start_key=start_key).first()
            if raced is not None:
                return Started(raced, None)
    if response is None:
        raise IntegrityError("no free resume code after five attempts")
    if code_row is not None:
        code_row.response = response
        code_row.save(update_fields=["response"])
    return Started(response, resume_code)


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


def _write_answer(response: Response, question: Question, given: GivenAnswer) -> None:
    Answer.objects.filter(response=response, question=question).delete()
    if given.is_empty:
        return
    if given.dont_know:
        Answer.objects.create(response=response, question=question, dont_know=True)
    elif given.option_ids:
        Answer.objects.bulk_create(
            Answer(response=response, question=question, option_id=pk)
            for pk in sorted(set(given.option_ids))
        )
    elif given.number is not None:
        Answer.objects.create(response=response, question=question, number=given.number)
    else:
        Answer.objects.create(
            response=response,
            question=question,
            text=given.text.strip(),
            review=Answer.Review.PENDING,
        )


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
    # One statement locks the response (only it: locking the survey too would make every
    # respondent wait for every other one) and reads its status and chosen options.
    # It also reads the survey's state as it is now (closed a moment ago means closed).
    rows = list(
        Response.objects.select_for_update(of=("self",))
        .filter(pk=response.pk)
        .values_list(
            "status",
            "channel",
            "survey__status",
            "survey__opens_at",
            "survey__closes_at",
            "answers__question_id",
            "answers__option_id",
        )
    )
    if not rows:
        raise Response.DoesNotExist
    status, channel, survey_status, opens_at, closes_at = rows[0][:5]
    _ensure_open(
        status, channel, Survey(status=survey_status, opens_at=opens_at, closes_at=closes_at)
    )
    chosen = {row[6] for row in rows if row[6] and row[5] != question.pk}
    validate_answer(question, given, chosen)
    # The delete is a statement of its own after the lock: it sees an answer that a
    # request holding the lock before this one has just written, so nothing is doubled.
    _write_answer(response, question, given)
    return chosen | set(given.option_ids)


@transaction.atomic
def answers_save_all(*, response: Response, given: dict[int, GivenAnswer]) -> None:
    """Save a whole page of answers at once (all questions on one page, or paper entry)."""
    response = _lock_open_response(response)
    questions = list(response.survey.questions.in_order().prefetch_related("options"))
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
    for question in questions:
        _write_answer(response, question, given.get(question.pk, GivenAnswer([])))


@transaction.atomic
def response_submit(*, response: Response) -> Response:
    """Send the answers. Sending again (double click, back button, a retry) changes nothing."""
    response = (
        Response.objects.select_for_update(of=("self",))
        .select_related("survey")
        .get(pk=response.pk)
    )
    if response.is_submitted:
        return response
    if response.channel == Response.Channel.WEB:
        _ensure_accepting(response.survey)
    # Answers to questions that an answer changed later made irrelevant are not kept.
    # A condition may rest on a question that is itself hidden: repeat until nothing changes.
    chosen_by_question: dict[int, set[int]] = {}
    for question_id, option_id in response.answers.exclude(option=None).values_list(
        "question_id", "option_id"
    ):
        chosen_by_question.setdefault(question_id, set()).add(option_id)
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
    response.save(update_fields=["status", "submitted_at"])
    OneTimeCode.objects.filter(response=response, used_at=None).update(
        used_at=response.submitted_at
    )
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


def new_start_key() -> str:
    return uuid.uuid4().hex


# --- Results work ---------------------------------------------------------------------------


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
    from .tasks import write_export

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
    transaction.on_commit(lambda: enqueue(write_export, job.pk))
    return job


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


def export_run(*, job_id: int) -> ExportJob | None:
    """Write the file of one export job, reporting progress as it goes."""
    from django.core.files import File

    from . import exports

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
