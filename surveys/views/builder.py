"""The survey builder for staff and lead auditors."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.forms import modelformset_factory
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from brukarkraft.http import post_only
from brukarkraft.storage import refuses_upload_on_outage

from .. import services
from ..access import can_edit, can_publish, editable_survey, survey_people, visible_survey
from ..checks import survey_problems
from ..forms import OptionForm, QuestionForm, SectionForm, SurveySettingsForm
from ..models import FIXED_OPTION_KINDS, BankQuestion, Option, Question, Survey

QUESTION_FIELDS = [name for name in QuestionForm.Meta.fields if name != "section"]


def _error(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@survey_people
def survey_list(request: HttpRequest) -> HttpResponse:
    surveys = (
        Survey.objects.visible_to(request.user)
        .with_counts()
        .annotate(
            question_count=Count("questions", filter=Q(questions__is_practice=False), distinct=True)
        )
        .order_by("-created_at", "-pk")
    )
    context = {"surveys": surveys, "can_create": request.user.has_role("staff", "admin", "auditor")}
    return render(request, "surveys/survey_list.html", context)


@survey_people
def survey_create(request: HttpRequest) -> HttpResponse:
    form = SurveySettingsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        survey = services.survey_create(by=request.user, **form.cleaned_data)
        messages.success(request, gettext("The survey is created. Now add its questions."))
        return redirect("surveys:builder", pk=survey.pk)
    return render(request, "surveys/survey_settings.html", {"form": form, "survey": None})


@survey_people
def survey_settings(request: HttpRequest, pk: int) -> HttpResponse:
    survey = editable_survey(request.user, pk)
    form = SurveySettingsForm(request.POST or None, instance=survey)
    if request.method == "POST" and form.is_valid():
        services.survey_update(survey=survey, **form.cleaned_data)
        messages.success(request, gettext("The survey's settings are saved."))
        return redirect("surveys:builder", pk=survey.pk)
    return render(request, "surveys/survey_settings.html", {"form": form, "survey": survey})


@survey_people
def builder(request: HttpRequest, pk: int) -> HttpResponse:
    survey = visible_survey(request.user, pk)
    sections = list(survey.sections.order_by("position", "pk"))
    questions = list(
        survey.questions.in_order()
        .select_related("section", "show_if_option__question")
        .prefetch_related("options")
    )
    numbers = {q.pk: n for n, q in enumerate(questions, start=1)}
    for section in sections:
        section.question_list = [q for q in questions if q.section_id == section.pk]
        for question in section.question_list:
            question.number = numbers[question.pk]
            if question.show_if_option_id:
                question.condition_number = numbers.get(question.show_if_option.question_id)
    response_count = survey.responses.count()
    context = {
        "survey": survey,
        "sections": sections,
        "question_count": len(questions),
        "problems": survey_problems(survey),
        "has_responses": response_count > 0,
        "can_edit": can_edit(request.user, survey),
        "test_answers": services.test_answers_deletable(survey, response_count),
        "can_publish": can_publish(request.user, survey),
        "newer": survey.next_versions.order_by("-version").first(),
    }
    return render(request, "surveys/builder.html", context)


@survey_people
def section_create(request: HttpRequest, pk: int) -> HttpResponse:
    survey = editable_survey(request.user, pk)
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.section_add(survey=survey, **form.cleaned_data)
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, gettext("The section is added."))
        return redirect("surveys:builder", pk=survey.pk)
    return render(request, "surveys/section_form.html", {"form": form, "survey": survey})


# Empty answer-option blocks on the page: two by default, more on request ("Save and show
# more empty answer options", or builder.js adding blocks without a round trip).
EMPTY_OPTIONS = 2
MAX_EMPTY_OPTIONS = 20


def option_formset(extra: int):
    return modelformset_factory(Option, form=OptionForm, extra=extra, can_delete=True)


def _empty_options(value) -> int:
    try:
        return max(1, min(MAX_EMPTY_OPTIONS, int(value)))
    except (TypeError, ValueError):
        return EMPTY_OPTIONS


@survey_people
@refuses_upload_on_outage
def question_create(request: HttpRequest, pk: int) -> HttpResponse:
    survey = editable_survey(request.user, pk)
    initial = {}
    if request.GET.get("section", "").isdigit():
        initial["section"] = request.GET["section"]
    form = QuestionForm(request.POST or None, request.FILES or None, survey=survey, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in QUESTION_FIELDS}
        data["image"] = data["image"] or ""
        try:
            question = services.question_add(
                section=form.cleaned_data["section"], submission_id=form.submission_key, **data
            )
        except ValidationError as error:
            _error(request, error)
            return redirect("surveys:builder", pk=survey.pk)
        messages.success(request, gettext("The question is added."))
        if question.has_options and question.kind not in FIXED_OPTION_KINDS:
            messages.info(request, gettext("Now write the answer options."))
            return redirect("surveys:question_edit", pk=survey.pk, question=question.pk)
        return redirect("surveys:builder", pk=survey.pk)
    return render(
        request, "surveys/question_form.html", {"form": form, "survey": survey, "question": None}
    )


@survey_people
@refuses_upload_on_outage
def question_edit(request: HttpRequest, pk: int, question: int) -> HttpResponse:
    survey = editable_survey(request.user, pk)
    question = get_object_or_404(survey.questions, pk=question)
    editable_options = question.has_options and question.kind not in FIXED_OPTION_KINDS
    form = QuestionForm(
        request.POST or None, request.FILES or None, survey=survey, instance=question
    )
    formset = (
        option_formset(_empty_options(request.GET.get("rows", EMPTY_OPTIONS)))(
            request.POST or None,
            request.FILES or None,
            queryset=question.options.order_by("position", "pk"),
            prefix="options",
        )
        if editable_options
        else None
    )
    if request.method == "POST":
        # Read the bound values before is_valid() copies them onto the instance.
        question = Question.objects.get(pk=question.pk)
        if form.is_valid() and (formset is None or formset.is_valid()):
            data = {name: form.cleaned_data[name] for name in QUESTION_FIELDS}
            data["section"] = form.cleaned_data["section"]
            if data["image"] is False:
                data["image"] = ""
            elif data["image"] is None:
                data.pop("image")
            try:
                services.question_save(
                    question=question,
                    submission_id=form.submission_key,
                    option_changes=_option_changes(formset) if formset is not None else (),
                    **data,
                )
            except ValidationError as error:
                _error(request, error)
                return redirect("surveys:builder", pk=survey.pk)
            messages.success(request, gettext("The question is saved."))
            if formset is not None and request.POST.get("action") == "more_options":
                rows = _empty_options(request.POST.get("more_options"))
                url = reverse("surveys:question_edit", args=[survey.pk, question.pk])
                return redirect(f"{url}?rows={rows}#options")
            return redirect("surveys:builder", pk=survey.pk)
    context = {
        "form": form,
        "formset": formset,
        "survey": survey,
        "question": question,
        "max_empty_options": MAX_EMPTY_OPTIONS,
    }
    return render(request, "surveys/question_form.html", context)


def _option_changes(formset) -> list[tuple[Option | None, dict | None]]:
    """The answer options the page changes: (option or None for a new one, its fields or
    None to delete it)."""
    changes: list[tuple[Option | None, dict | None]] = []
    for option_form in formset.forms:
        if not option_form.has_changed() and not option_form.instance.pk:
            continue
        data = option_form.cleaned_data
        if not data:
            continue
        instance = option_form.instance if option_form.instance.pk else None
        if data.get("DELETE"):
            if instance:
                changes.append((instance, None))
            continue
        fields = {name: data[name] for name in OptionForm.Meta.fields}
        if fields["image"] is False:
            fields["image"] = ""
        elif fields["image"] is None:
            fields.pop("image")
        changes.append((instance, fields))
    return changes


@survey_people
def question_delete(request: HttpRequest, pk: int, question: int) -> HttpResponse:
    survey = editable_survey(request.user, pk)
    question = get_object_or_404(survey.questions, pk=question)
    if request.method == "POST":
        try:
            services.question_delete(question=question)
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, gettext("The question is deleted."))
        return redirect("surveys:builder", pk=survey.pk)
    return render(request, "surveys/question_delete.html", {"survey": survey, "question": question})


@post_only("surveys:builder", "pk")
@survey_people
def question_move(request: HttpRequest, pk: int, question: int) -> HttpResponse:
    survey = editable_survey(request.user, pk)
    question = get_object_or_404(survey.questions, pk=question)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    try:
        services.question_move(question=question, direction=direction)
    except ValidationError as error:
        _error(request, error)
    else:
        message = (
            gettext("The question “%(text)s” moved up.")
            if direction == "up"
            else gettext("The question “%(text)s” moved down.")
        )
        messages.success(request, message % {"text": question.text[:60]})
    # Come back to the moved question's buttons so keyboard users keep their place.
    return redirect(f"{reverse('surveys:builder', args=[survey.pk])}#question-{question.pk}")


@survey_people
def bank(request: HttpRequest, pk: int) -> HttpResponse:
    survey = editable_survey(request.user, pk)
    sections = list(survey.sections.order_by("position", "pk"))
    if request.method == "POST":
        item = get_object_or_404(BankQuestion, pk=request.POST.get("bank_question"))
        section = next(
            (s for s in sections if str(s.pk) == request.POST.get("section")), sections[-1]
        )
        try:
            services.question_copy_from_bank(bank_question=item, section=section)
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(
                request,
                gettext("“%(text)s” is copied into the survey.") % {"text": item.text[:60]},
            )
        return redirect("surveys:bank", pk=survey.pk)
    used = set(survey.questions.exclude(bank_key="").values_list("bank_key", flat=True))
    topics = []
    items = list(BankQuestion.objects.all())
    for value, label in BankQuestion.Topic.choices:
        topics.append((label, [i for i in items if i.topic == value]))
    context = {"survey": survey, "topics": topics, "used": used, "sections": sections}
    return render(request, "surveys/bank.html", context)


@post_only("surveys:builder", "pk")
@survey_people
def survey_publish(request: HttpRequest, pk: int) -> HttpResponse:
    survey = editable_survey(request.user, pk)
    try:
        services.survey_publish(survey=survey, by=request.user)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, gettext("The survey is published. Share its link or codes."))
        return redirect("surveys:distribution", pk=survey.pk)
    return redirect("surveys:builder", pk=survey.pk)


@post_only("surveys:builder", "pk")
@survey_people
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = editable_survey(request.user, pk)
    try:
        services.survey_close(survey=survey, by=request.user)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, gettext("The survey is closed. No more answers can be given."))
    return redirect("surveys:builder", pk=survey.pk)


@survey_people
def survey_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a draft, after a page that says what goes with it."""
    if request.method == "POST" and services.survey_deleted_by(pk=pk, user=request.user):
        return redirect("surveys:list")  # Pressed twice: the first press deleted it.
    survey = editable_survey(request.user, pk)
    if request.method == "POST":
        try:
            services.survey_delete(survey=survey, by=request.user)
        except ValidationError as error:
            _error(request, error)
            return redirect("surveys:builder", pk=survey.pk)
        messages.success(
            request, gettext("The draft “%(title)s” is deleted.") % {"title": survey.title}
        )
        return redirect("surveys:list")
    context = {"survey": survey, "deletable": survey.status == Survey.Status.DRAFT}
    return render(request, "surveys/survey_delete.html", context)


@survey_people
def test_answers_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete the answers given to try the survey out, after a page that counts them."""
    survey = editable_survey(request.user, pk)
    if request.method == "POST":
        try:
            count = services.survey_delete_test_answers(survey=survey, by=request.user)
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s test answer is deleted. The questions can be changed again.",
                    "%(count)s test answers are deleted. The questions can be changed again.",
                    count,
                )
                % {"count": count},
            )
        return redirect("surveys:builder", pk=survey.pk)
    context = {
        "survey": survey,
        "deletable": services.test_answers_deletable(survey),
        "response_count": survey.responses.count(),
        "max": services.TEST_ANSWERS_MAX,
    }
    return render(request, "surveys/test_answers_delete.html", context)


@post_only("surveys:builder", "pk")
@survey_people
def survey_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    survey = editable_survey(request.user, pk)
    copy = services.survey_new_version(survey=survey, by=request.user)
    messages.success(
        request,
        gettext(
            "Version %(version)s is a draft copy you can change. Version %(old)s is kept as it was."
        )
        % {"version": copy.version, "old": survey.version},
    )
    return redirect("surveys:builder", pk=copy.pk)
