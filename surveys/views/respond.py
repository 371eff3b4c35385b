"""Answering a survey: anonymous, one question per page by default, saved as it is given.

A signed cookie remembers which response is the respondent's (surveys.place); nothing
about the person, their address or their device is stored with the answers. A code lets
them continue on any device.
"""

from __future__ import annotations

from typing import NamedTuple

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext

from brukarkraft.http import post_only
from brukarkraft.ratelimits import limit_posts

from .. import answering_sql, services
from ..forms import AnswerForm, ResumeForm, StartForm
from ..models import Option, Question, Response, Survey, Unit
from ..place import keeps_place, respondent_key
from ..qr import qr_svg
from ..question_cache import survey_questions
from .access import survey_people, visible_survey


def _target(token: str) -> tuple[Survey, Unit | None]:
    """The survey (and unit) behind a link; drafts are not found by respondents."""
    # The survey's own link is the common case: one lookup on its unique token (no join and
    # no ordering, which cost more to build than to run); a unit's link costs a second.
    survey, unit = answering_sql.survey_by_token(token), None
    if survey is None:
        unit = get_object_or_404(Unit.objects.select_related("survey"), token=token)
        survey = unit.survey
    if survey.status == Survey.Status.DRAFT:
        raise Http404
    return survey, unit


def _has_codes(survey: Survey) -> bool:
    # Found by its own link, the survey came with the answer (answering_sql.survey_by_token).
    found = getattr(survey, "has_codes", None)
    return survey.codes.exists() if found is None else bool(found)


def _answering(request: HttpRequest, token: str) -> tuple[Survey, Response | None, Progress]:
    """The survey behind the link, the respondent's response to it and their answers so far:
    one statement for all three (answering_sql).

    The place cookie names the respondent's responses (a handful at most): they are
    fetched by key with their survey and answers, and the link is matched here. A lookup
    by key is far cheaper than a join on the link, and this runs on every answering page.
    """
    found = answering_sql.responses_with_answers(request.survey_place.response_ids())
    for place in found:
        survey = place.response.survey
        if survey.token == token and survey.status != Survey.Status.DRAFT:
            return survey, place.response, Progress.from_rows(place.answers)
    # A unit's link (or none of theirs): find the survey by the link, then their response.
    survey, _unit = _target(token)
    mine = next((p for p in found if p.response.survey_id == survey.pk), None)
    if mine is None:
        return survey, None, Progress({}, set())
    mine.response.survey = survey
    return survey, mine.response, Progress.from_rows(mine.answers)


def _closed(request: HttpRequest, survey: Survey) -> HttpResponse:
    return render(request, "surveys/answer_closed.html", {"survey": survey})


class Progress(NamedTuple):
    """What the answering pages know about a response: answers by question and chosen options."""

    answers: dict[int, list[answering_sql.GivenRow]]
    chosen: set[int]

    @classmethod
    def of(cls, response: Response | None) -> Progress:
        if response is None:
            return cls({}, set())
        found = answering_sql.responses_with_answers([response.pk])
        return cls.from_rows(found[0].answers if found else {})

    @classmethod
    def from_rows(cls, answers: dict[int, list[answering_sql.GivenRow]]) -> Progress:
        chosen = {a.option_id for found in answers.values() for a in found if a.option_id}
        return cls(answers, chosen)


def _visible(questions: list[Question], chosen: set[int]) -> list[Question]:
    return [q for q in questions if services.is_visible(q, chosen)]


def _first_page(token: str, survey: Survey, visible: list[Question], answered=()) -> str:
    if not survey.one_question_per_page:
        return reverse("surveys:answer_all", args=[token])
    for question in visible:
        if question.pk not in answered:
            return reverse("surveys:answer_question", args=[token, question.pk])
    return reverse("surveys:answer_review", args=[token])


def _continue_url(
    token: str, survey: Survey, response: Response, *, new: bool = False, progress=None
) -> str:
    # A response made just now has no answers to read.
    if progress is None:
        progress = Progress({}, set()) if new else Progress.of(response)
    visible = _visible(survey_questions(survey), progress.chosen)
    return _first_page(token, survey, visible, set(progress.answers))


@keeps_place
@limit_posts("survey_start")
@limit_posts("survey", key=respondent_key)
def answer_start(request: HttpRequest, token: str) -> HttpResponse:
    survey, unit = _target(token)
    if not survey.is_accepting_answers():
        return _closed(request, survey)
    # With the open link turned off, only a one-time code lets a person in; with it on, a
    # slip's code (from its QR link or typed) still counts as that slip's answers.
    needs_code = not survey.open_link_enabled
    offers_code = needs_code or bool(request.GET.get("code")) or _has_codes(survey)
    place = request.survey_place
    has_place = bool(place.response_ids()) and not place.is_sent(survey.pk)
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
                response = started.response
                place.remember(
                    survey_id=survey.pk, response_id=response.pk, code=started.resume_code
                )
                new = started.resume_code is not None
                return redirect(_continue_url(token, survey, response, new=new))
    else:
        initial = {"start_key": services.new_start_key()}
        if offers_code and request.GET.get("code"):
            initial["code"] = request.GET["code"][:20]
        form = StartForm(initial=initial, needs_code=needs_code, offers_code=offers_code)
    questions = survey_questions(survey)
    context = {
        "survey": survey,
        "unit": unit,
        "form": form,
        "token": token,
        # Only a response still being answered can be continued (one query, only for them).
        "existing": has_place and _answering(request, token)[1] is not None,
        "question_count": len([q for q in questions if not q.is_practice]),
        "idle_minutes": settings.SURVEY_IDLE_MINUTES,
        "has_practice": any(q.is_practice for q in questions),
    }
    return render(request, "surveys/answer_start.html", context)


def _require_response(
    request: HttpRequest, survey: Survey, token: str, response: Response | None
) -> HttpResponse | None:
    """Where someone without an open response to this survey goes instead (None: carry on)."""
    place = request.survey_place
    if response is not None and response.is_submitted:
        # Sent from another device with the code: this one forgets it too.
        place.end(survey_id=survey.pk, easy_read=response.easy_read)
    if response is None and not place.is_sent(survey.pk):
        messages.info(request, gettext("Start the survey here, or continue with your code."))
        return redirect("surveys:answer_start", token=token)
    if response is None or response.is_submitted:
        messages.info(request, gettext("Your answers have already been sent. Thank you!"))
        return redirect("surveys:answer_done", token=token)
    if not survey.is_accepting_answers():
        return _closed(request, survey)
    return None


def _numbering(questions: list[Question]) -> dict[int, int]:
    """Each counted question's number among all that can appear: it never changes on the way."""
    counted = [q for q in questions if not q.is_practice]
    return {q.pk: number for number, q in enumerate(counted, start=1)}


def _question_context(survey, token, questions, visible, current, **extra) -> dict:
    """The progress shown above a question. Counts every question that can appear, so
    neither the number nor the total moves when an answer shows or hides a later one."""
    numbers = _numbering(questions)
    pks = [q.pk for q in visible]
    return {
        "survey": survey,
        "token": token,
        "question": current,
        "position": questions.index(current) + 1,
        "total": len(questions),
        "counted_position": numbers.get(current.pk),
        "counted_total": len(numbers),
        "has_previous": current.pk in pks and pks.index(current.pk) > 0,
        **extra,
    }


@keeps_place
@limit_posts("survey", key=respondent_key)
def answer_question(request: HttpRequest, token: str, question: int) -> HttpResponse:
    survey, response, progress = _answering(request, token)
    early = _require_response(request, survey, token, response)
    if early:
        return early
    questions = survey_questions(survey)
    current = next((q for q in questions if q.pk == question), None)
    if current is None:
        raise Http404
    action = request.POST.get("action", "next") if request.method == "POST" else None
    asked_to_skip = False
    if action == "explain":
        services.question_mark_not_understood(question=current)
        url = reverse("surveys:answer_question", args=[token, current.pk])
        return redirect(f"{url}?explain=1#question")
    if request.method == "POST":
        form = AnswerForm(request.POST, question=current)
        if action == "skip" or form.is_valid():
            given = services.GivenAnswer([]) if action == "skip" else form.given()
            # Next with nothing chosen asks once whether to skip; the same again means yes.
            if action == "next" and given.is_empty and not request.POST.get("empty_ok"):
                asked_to_skip = True
            else:
                try:
                    chosen = services.answer_save(response=response, question=current, given=given)
                except ValidationError as error:
                    form.add_error("answer", error)
                else:
                    now_visible = [q.pk for q in _visible(questions, chosen)]
                    return redirect(_after(token, now_visible, current.pk, action))
        # Nothing was saved: the answers read with the response are still the ones there are.
    else:
        form = AnswerForm(
            initial=AnswerForm.initial_for(current, progress.answers.get(current.pk, [])),
            question=current,
        )
    visible = _visible(questions, progress.chosen)
    if current not in visible:
        messages.info(request, gettext("That question is not part of your survey."))
        return redirect(_first_page(token, survey, visible))
    context = _question_context(
        survey,
        token,
        questions,
        visible,
        current,
        form=form,
        response=response,
        easy=response.easy_read,
        explain=request.GET.get("explain") == "1",
        asked_to_skip=asked_to_skip,
    )
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


@keeps_place
@limit_posts("survey", key=respondent_key)
def answer_all(request: HttpRequest, token: str) -> HttpResponse:
    """All questions on one page; conditional ones say when to answer them."""
    survey, response, progress = _answering(request, token)
    early = _require_response(request, survey, token, response)
    if early:
        return early
    questions = survey_questions(survey)
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
        answers = progress.answers
        forms = [
            AnswerForm(initial=AnswerForm.initial_for(q, answers.get(q.pk, [])), question=q)
            for q in questions
        ]
    return render(
        request,
        "surveys/answer_all.html",
        _all_context(survey, token, forms, response.easy_read, response=response),
    )


def _all_context(survey, token, forms, easy, *, response=None) -> dict:
    numbers = _numbering([form.question for form in forms])
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
    }


@keeps_place
@limit_posts("survey", key=respondent_key)
def answer_review(request: HttpRequest, token: str) -> HttpResponse:
    survey, response, progress = _answering(request, token)
    if response is not None and response.is_submitted:
        request.survey_place.end(survey_id=survey.pk, easy_read=response.easy_read)
        return redirect("surveys:answer_done", token=token)
    early = _require_response(request, survey, token, response)
    if early:
        return early
    if request.method == "POST":
        try:
            services.response_submit(response=response)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("surveys:answer_review", token=token)
        # Sending ends the respondent's place: the next person at this computer sees nothing.
        request.survey_place.end(survey_id=survey.pk, easy_read=response.easy_read)
        return redirect("surveys:answer_done", token=token)
    questions = survey_questions(survey)
    numbers = _numbering(questions)
    visible = [q for q in _visible(questions, progress.chosen) if not q.is_practice]
    rows = [(numbers[q.pk], q, q.pk in progress.answers) for q in visible]
    context = {
        "survey": survey,
        "token": token,
        "rows": rows,
        "answered_count": sum(1 for row in rows if row[2]),
        "easy": response.easy_read,
    }
    return render(request, "surveys/answer_review.html", context)


@keeps_place
def answer_done(request: HttpRequest, token: str) -> HttpResponse:
    survey, unit = _target(token)
    place = request.survey_place
    if not place.is_sent(survey.pk):
        return redirect("surveys:answer_start", token=token)
    return render(
        request,
        "surveys/answer_done.html",
        {"survey": survey, "easy": place.sent_easy_read(survey.pk)},
    )


@keeps_place
def answer_pause(request: HttpRequest, token: str) -> HttpResponse:
    survey, response, progress = _answering(request, token)
    early = _require_response(request, survey, token, response)
    if early:
        return early
    code = request.survey_place.code(survey.pk)
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
        "continue_url": _continue_url(token, survey, response, progress=progress),
    }
    return render(request, "surveys/answer_pause.html", context)


@keeps_place
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
                survey = response.survey
                request.survey_place.remember(
                    survey_id=survey.pk,
                    response_id=response.pk,
                    code=services.normalise_code(form.cleaned_data["code"]),
                )
                token = response.unit.token if response.unit_id else survey.token
                messages.success(request, gettext("Welcome back. Your earlier answers are kept."))
                return redirect(_continue_url(token, survey, response))
    else:
        form = ResumeForm(
            initial={"code": request.GET.get("code", "")[:20]} if request.GET.get("code") else None
        )
    return render(request, "surveys/resume.html", {"form": form})


@post_only("surveys:answer_start", "token")
@keeps_place
@limit_posts("survey", key=respondent_key)
def answer_settings(request: HttpRequest, token: str) -> HttpResponse:
    """The easy-to-read switch, available on every question page."""
    survey, response, _progress = _answering(request, token)
    early = _require_response(request, survey, token, response)
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
    questions = survey_questions(survey)
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
    context = _question_context(
        survey,
        survey.token,
        questions,
        questions,
        current,
        form=AnswerForm(question=current),
        easy=easy,
        explain=action == "explain",
        preview=True,
    )
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
