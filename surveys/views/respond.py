"""Answering a survey: anonymous, one question per page by default, saved as it is given.

The respondent's browser session remembers which response is theirs; nothing about the
person, their address or their device is stored with the answers. A code lets them
continue on any device.
"""

from __future__ import annotations

from typing import NamedTuple

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext

from brukarkraft.http import post_only
from brukarkraft.ratelimits import limit_posts

from .. import services
from ..forms import AnswerForm, ResumeForm, StartForm
from ..models import Option, Question, Response, Survey, Unit
from ..qr import qr_svg
from .access import survey_people, visible_survey
from .devices import end_answering, idle_minutes, just_sent, shared_device

SESSION_RESPONSES = "survey_responses"
SESSION_CODES = "survey_resume_codes"
# Every answering page: no-store, and the respondent's place expires when idle.
answering = shared_device(SESSION_RESPONSES, SESSION_CODES)


def _target(token: str) -> tuple[Survey, Unit | None]:
    """The survey (and unit) behind a link; drafts are not found by respondents."""
    # The survey's own link is the common case: one query; a unit's link costs a second.
    survey = Survey.objects.filter(Q(token=token) | Q(units__token=token)).first()
    if survey is None or survey.status == Survey.Status.DRAFT:
        raise Http404
    unit = None if survey.token == token else Unit.objects.get(token=token)
    return survey, unit


def _remember(request: HttpRequest, response: Response, resume_code: str | None) -> None:
    responses = request.session.get(SESSION_RESPONSES, {})
    responses[str(response.survey_id)] = response.pk
    request.session[SESSION_RESPONSES] = responses
    if resume_code:
        codes = request.session.get(SESSION_CODES, {})
        codes[str(response.pk)] = resume_code
        request.session[SESSION_CODES] = codes
    # A new session key when answering starts: no one else's cookie can be reused.
    request.session.cycle_key()


def _session_response(request: HttpRequest, survey: Survey) -> Response | None:
    pk = request.session.get(SESSION_RESPONSES, {}).get(str(survey.pk))
    if pk is None:
        return None
    return Response.objects.filter(pk=pk, survey=survey).first()


def _questions(survey: Survey) -> list[Question]:
    return list(
        survey.questions.in_order().select_related("show_if_option").prefetch_related("options")
    )


class Step(NamedTuple):
    """What navigation needs of a question, without its texts and options."""

    pk: int
    show_if_option_id: int | None
    is_practice: bool


def _steps(survey: Survey) -> list[Step]:
    # The answering pages need every question's place and condition, but only the
    # current question in full: loading all of them with options costs most of a page.
    return [
        Step(*row)
        for row in survey.questions.in_order().values_list("pk", "show_if_option_id", "is_practice")
    ]


def _visible(questions: list, response: Response | None) -> list:
    chosen = services.answered_option_ids(response) if response else set()
    return [q for q in questions if services.is_visible(q, chosen)]


def _answers_by_question(response: Response | None) -> dict[int, list]:
    found: dict[int, list] = {}
    if response is None:
        return found
    for answer in response.answers.all():
        found.setdefault(answer.question_id, []).append(answer)
    return found


def _closed(request: HttpRequest, survey: Survey) -> HttpResponse:
    return render(request, "surveys/answer_closed.html", {"survey": survey})


def _first_page(token: str, survey: Survey, visible: list[Question], answered=()) -> str:
    if not survey.one_question_per_page:
        return reverse("surveys:answer_all", args=[token])
    for question in visible:
        if question.pk not in answered:
            return reverse("surveys:answer_question", args=[token, question.pk])
    return reverse("surveys:answer_review", args=[token])


@answering
@limit_posts("survey")
def answer_start(request: HttpRequest, token: str) -> HttpResponse:
    survey, unit = _target(token)
    if not survey.is_accepting_answers():
        return _closed(request, survey)
    # With the open link turned off, only a one-time code lets a person in; with it on, a
    # slip's code (from its QR link or typed) still counts as that slip's answers.
    needs_code = not survey.open_link_enabled
    offers_code = needs_code or bool(request.GET.get("code")) or survey.codes.exists()
    existing = _session_response(request, survey)
    if existing and existing.is_submitted:
        existing = None
    if request.method == "POST":
        form = StartForm(request.POST, needs_code=needs_code, offers_code=offers_code)
        if form.is_valid():
            data = form.cleaned_data
            try:
                started = services.response_start(
                    survey=survey,
                    unit=unit,
                    start_key=data["start_key"],
                    easy_read=data["easy_read"],
                    support=data["support"],
                    support_role=data["support_role"],
                    one_time_code=data.get("code") or None,
                )
            except ValidationError as error:
                form.add_error("code" if "code" in form.fields else None, error)
            else:
                _remember(request, started.response, started.resume_code)
                visible = _visible(_steps(survey), started.response)
                answered = set(_answers_by_question(started.response))
                return redirect(_first_page(token, survey, visible, answered))
    else:
        initial = {"start_key": services.new_start_key()}
        if offers_code and request.GET.get("code"):
            initial["code"] = request.GET["code"][:20]
        form = StartForm(initial=initial, needs_code=needs_code, offers_code=offers_code)
    steps = _steps(survey)
    questions = [q for q in steps if not q.is_practice]
    context = {
        "survey": survey,
        "unit": unit,
        "form": form,
        "token": token,
        "existing": existing,
        "question_count": len(questions),
        "has_practice": any(q.is_practice for q in steps),
        "idle_minutes": idle_minutes(),
    }
    return render(request, "surveys/answer_start.html", context)


def _require_response(request: HttpRequest, survey: Survey, token: str, response=None):
    response = response or _session_response(request, survey)
    if response is None and just_sent(request, survey.pk):
        messages.info(request, gettext("Your answers have already been sent. Thank you!"))
        return None, redirect("surveys:answer_done", token=token)
    if response is None:
        messages.info(request, gettext("Start the survey here, or continue with your code."))
        return None, redirect("surveys:answer_start", token=token)
    if response.is_submitted:
        messages.info(request, gettext("Your answers have already been sent. Thank you!"))
        return None, redirect("surveys:answer_done", token=token)
    if not survey.is_accepting_answers():
        return None, _closed(request, survey)
    return response, None


@answering
@limit_posts("survey")
def answer_question(request: HttpRequest, token: str, question: int) -> HttpResponse:
    survey, unit = _target(token)
    response, early = _require_response(request, survey, token)
    if early:
        return early
    steps = _steps(survey)
    if question not in {step.pk for step in steps}:
        raise Http404
    visible = _visible(steps, response)
    pks = [step.pk for step in visible]
    if question not in pks:
        messages.info(request, gettext("That question is not part of your survey."))
        return redirect(_first_page(token, survey, visible))
    current = survey.questions.prefetch_related("options").get(pk=question)
    explain = request.GET.get("explain") == "1"
    if request.method == "POST":
        action = request.POST.get("action", "next")
        if action == "explain":
            services.question_mark_not_understood(question=current)
            url = reverse("surveys:answer_question", args=[token, current.pk])
            return redirect(f"{url}?explain=1#question")
        form = AnswerForm(request.POST, question=current)
        if action == "skip" or form.is_valid():
            given = services.GivenAnswer([]) if action == "skip" else form.given()
            try:
                services.answer_save(response=response, question=current, given=given)
            except ValidationError as error:
                form = AnswerForm(request.POST, question=current)
                form.is_valid()
                form.add_error("answer", error)
            else:
                # What is visible now follows from the answer just saved: no need to ask again.
                chosen = services.answered_option_ids(response)
                now_visible = [q.pk for q in steps if services.is_visible(q, chosen)]
                return redirect(_after(token, now_visible, current.pk, action))
    else:
        answers = response.answers.filter(question=current)
        form = AnswerForm(initial=AnswerForm.initial_for(current, list(answers)), question=current)
    index = pks.index(current.pk)
    context = {
        "survey": survey,
        "token": token,
        "response": response,
        "question": current,
        "form": form,
        "easy": response.easy_read,
        "explain": explain,
        "position": index + 1,
        "total": len(visible),
        "counted_position": len([q for q in visible[: index + 1] if not q.is_practice]),
        "counted_total": len([q for q in visible if not q.is_practice]),
        "has_previous": index > 0,
        "resume_code": request.session.get(SESSION_CODES, {}).get(str(response.pk)),
    }
    return render(request, "surveys/answer_question.html", context)


def _after(token: str, visible: list[int], current: int, action: str) -> str:
    """Where a button leads, given the questions (by id) that are visible now."""
    if action == "pause":
        return reverse("surveys:answer_pause", args=[token])
    index = visible.index(current) if current in visible else -1
    if action == "back":
        if index > 0:
            return reverse("surveys:answer_question", args=[token, visible[index - 1]])
        return reverse("surveys:answer_start", args=[token])
    if 0 <= index < len(visible) - 1:
        return reverse("surveys:answer_question", args=[token, visible[index + 1]])
    return reverse("surveys:answer_review", args=[token])


@answering
@limit_posts("survey")
def answer_all(request: HttpRequest, token: str) -> HttpResponse:
    """All questions on one page; conditional ones say when to answer them."""
    survey, unit = _target(token)
    response, early = _require_response(request, survey, token)
    if early:
        return early
    questions = _questions(survey)
    answers = _answers_by_question(response)
    if request.method == "POST":
        forms = [AnswerForm(request.POST, question=q) for q in questions]
        if all(form.is_valid() for form in forms):
            given = {form.question.pk: form.given() for form in forms}
            try:
                services.answers_save_all(response=response, given=given)
            except ValidationError as error:
                by_question = getattr(error, "error_dict", {})
                for form in forms:
                    for item in by_question.get(form.question.pk, []):
                        form.add_error("answer", item)
            else:
                if request.POST.get("action") == "pause":
                    return redirect("surveys:answer_pause", token=token)
                return redirect("surveys:answer_review", token=token)
    else:
        forms = [
            AnswerForm(initial=AnswerForm.initial_for(q, answers.get(q.pk, [])), question=q)
            for q in questions
        ]
    return render(
        request,
        "surveys/answer_all.html",
        _all_context(survey, token, forms, response.easy_read, response=response, request=request),
    )


def _all_context(survey, token, forms, easy, *, response=None, request=None) -> dict:
    numbers = {}
    counted = 0
    for form in forms:
        if not form.question.is_practice:
            counted += 1
            numbers[form.question.pk] = counted
    for form in forms:
        form.number = numbers.get(form.question.pk)
        condition = form.question.show_if_option
        form.condition = (
            {"number": numbers.get(condition.question_id), "label": condition.label}
            if condition
            else None
        )
    errors = [form for form in forms if form.errors]
    return {
        "survey": survey,
        "token": token,
        "forms": forms,
        "error_forms": errors,
        "easy": easy,
        "response": response,
        "resume_code": (
            request.session.get(SESSION_CODES, {}).get(str(response.pk))
            if request is not None and response is not None
            else None
        ),
    }


@answering
@limit_posts("survey")
def answer_review(request: HttpRequest, token: str) -> HttpResponse:
    survey, unit = _target(token)
    response = _session_response(request, survey)
    if response is not None and response.is_submitted:
        return redirect("surveys:answer_done", token=token)
    response, early = _require_response(request, survey, token, response)
    if early:
        return early
    if request.method == "POST":
        try:
            services.response_submit(response=response)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("surveys:answer_review", token=token)
        end_answering(
            request,
            SESSION_RESPONSES,
            SESSION_CODES,
            survey_id=survey.pk,
            easy_read=response.easy_read,
        )
        return redirect("surveys:answer_done", token=token)
    visible = [q for q in _visible(_questions(survey), response) if not q.is_practice]
    answered = _answers_by_question(response)
    rows = [(number, q, q.pk in answered) for number, q in enumerate(visible, start=1)]
    context = {
        "survey": survey,
        "token": token,
        "rows": rows,
        "answered_count": sum(1 for row in rows if row[2]),
        "easy": response.easy_read,
    }
    return render(request, "surveys/answer_review.html", context)


@answering
def answer_done(request: HttpRequest, token: str) -> HttpResponse:
    survey, unit = _target(token)
    sent = just_sent(request, survey.pk)
    if sent is None:
        return redirect("surveys:answer_start", token=token)
    return render(request, "surveys/answer_done.html", {"survey": survey, "easy": sent["easy"]})


@answering
def answer_pause(request: HttpRequest, token: str) -> HttpResponse:
    survey, unit = _target(token)
    response, early = _require_response(request, survey, token)
    if early:
        return early
    code = request.session.get(SESSION_CODES, {}).get(str(response.pk))
    resume_url = request.build_absolute_uri(reverse("surveys:resume"))
    context = {
        "survey": survey,
        "token": token,
        "code": code,
        "slip_code": not code and hasattr(response, "one_time_code"),
        "resume_url": resume_url,
        "qr": qr_svg(f"{resume_url}?code={code}", title=gettext("QR code to continue the survey"))
        if code
        else "",
        "easy": response.easy_read,
        "continue_url": _first_page(
            token,
            survey,
            _visible(_steps(survey), response),
            set(_answers_by_question(response)),
        ),
    }
    return render(request, "surveys/answer_pause.html", context)


@answering
@limit_posts("survey")
def resume(request: HttpRequest) -> HttpResponse:
    """Continue with a code on any device; opening the QR link only fills in the code."""
    if request.method == "POST":
        form = ResumeForm(request.POST)
        if form.is_valid():
            code = form.cleaned_data["code"]
            slip = services.unused_slip(code=code)
            if slip is not None and slip.survey.status != Survey.Status.DRAFT:
                # A slip not used yet: its survey's start page, with the code filled in.
                url = reverse("surveys:answer_start", args=[slip.survey.token])
                return redirect(f"{url}?{urlencode({'code': slip.code})}")
            try:
                # A draft's slip is refused here, as "not open", like any closed survey's.
                response = services.response_for_resume_code(code=code)
            except ValidationError as error:
                form.add_error("code", error)
            else:
                _remember(request, response, None)
                survey = response.survey
                codes = request.session.get(SESSION_CODES, {})
                codes[str(response.pk)] = services.normalise_code(form.cleaned_data["code"])
                request.session[SESSION_CODES] = codes
                token = response.unit.token if response.unit_id else survey.token
                visible = _visible(_steps(survey), response)
                messages.success(request, gettext("Welcome back. Your earlier answers are kept."))
                return redirect(
                    _first_page(token, survey, visible, set(_answers_by_question(response)))
                )
    else:
        form = ResumeForm(
            initial={"code": request.GET.get("code", "")[:20]} if request.GET.get("code") else None
        )
    return render(request, "surveys/resume.html", {"form": form})


@answering
@post_only("surveys:answer_start", "token")
@limit_posts("survey")
def answer_settings(request: HttpRequest, token: str) -> HttpResponse:
    """The easy-to-read switch, available on every question page."""
    survey, unit = _target(token)
    response, early = _require_response(request, survey, token)
    if early:
        return early
    services.response_update_settings(
        response=response, easy_read=request.POST.get("easy_read") == "1"
    )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("surveys:answer_start", args=[token])
    return redirect(target)


# --- Preview and pictures ---------------------------------------------------------------------


@survey_people
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The respondent's pages exactly as they look, without saving anything."""
    survey = visible_survey(request, pk)
    questions = _questions(survey)
    easy = request.GET.get("easy") == "1"
    if not questions:
        messages.info(request, gettext("Add a question first; then you can preview it."))
        return redirect("surveys:builder", pk=survey.pk)
    if not survey.one_question_per_page and request.GET.get("page") != "one":
        forms = [AnswerForm(question=q) for q in questions]
        context = _all_context(survey, survey.token, forms, easy)
        context["preview"] = True
        return render(request, "surveys/answer_all.html", context)
    current = next((q for q in questions if str(q.pk) == request.GET.get("q")), questions[0])
    index = questions.index(current)
    action = request.GET.get("action")
    if action in ("next", "skip") and index < len(questions) - 1:
        current = questions[index + 1]
    elif action == "back" and index > 0:
        current = questions[index - 1]
    index = questions.index(current)
    context = {
        "survey": survey,
        "token": survey.token,
        "question": current,
        "form": AnswerForm(question=current),
        "easy": easy,
        "explain": action == "explain",
        "position": index + 1,
        "total": len(questions),
        "counted_position": len([q for q in questions[: index + 1] if not q.is_practice]),
        "counted_total": len([q for q in questions if not q.is_practice]),
        "has_previous": index > 0,
        "preview": True,
    }
    return render(request, "surveys/answer_question.html", context)


def picture(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """A question's or option's picture: public once the survey is published."""
    if kind not in ("question", "option"):
        raise Http404
    model = Question if kind == "question" else Option
    lookup = "survey" if kind == "question" else "question__survey"
    item = get_object_or_404(model.objects.select_related(lookup), pk=pk)
    survey = item.survey if kind == "question" else item.question.survey
    if not item.image:
        raise Http404
    if (
        survey.status == Survey.Status.DRAFT
        and not Survey.objects.visible_to(request.user).filter(pk=survey.pk).exists()
    ):
        raise Http404
    response = FileResponse(item.image.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    return response
