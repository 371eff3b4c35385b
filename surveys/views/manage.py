"""Distribution, paper answers, results, free-text review, exports and who has access."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from brukarkraft.models import User

from .. import services
from ..access import editable_survey, staff_only, survey_people, visible_survey
from ..forms import (
    AnswerForm,
    CodeBatchForm,
    ExportForm,
    MemberForm,
    PaperEntryForm,
    ResultsFilterForm,
    UnitForm,
)
from ..models import Answer, CodeBatch, ExportJob, Response, SurveyMember
from ..qr import qr_svg
from ..question_cache import survey_questions
from ..results import Filters, not_understood, survey_results
from .respond import _all_context

REVIEW_PAGE_SIZE = 50


@survey_people
def distribution(request: HttpRequest, pk: int) -> HttpResponse:
    survey = editable_survey(request.user, pk)
    unit_form = UnitForm(prefix="unit")
    batch_form = CodeBatchForm(prefix="batch", survey=survey)
    if request.method == "POST":
        if "unit-name" in request.POST:
            unit_form = UnitForm(request.POST, prefix="unit")
            if _unit_added(request, survey, unit_form):
                return redirect("surveys:distribution", pk=survey.pk)
        elif "retry" in request.POST:
            _slips_retried(request, survey)
            return redirect("surveys:distribution", pk=survey.pk)
        else:
            batch_form = CodeBatchForm(request.POST, prefix="batch", survey=survey)
            if _codes_made(request, survey, batch_form):
                return redirect("surveys:distribution", pk=survey.pk)
    link = request.build_absolute_uri(reverse("surveys:answer_start", args=[survey.token]))
    units = [
        (unit, request.build_absolute_uri(reverse("surveys:answer_start", args=[unit.token])))
        for unit in survey.units.all()
    ]
    batches = (
        survey.code_batches.select_related("unit")
        .annotate(used=Count("codes", filter=Q(codes__used_at__isnull=False)))
        .order_by("-created_at", "-pk")
    )
    context = {
        "survey": survey,
        "link": link,
        "qr": qr_svg(link, title=gettext("QR code for the survey's link")),
        "units": units,
        "batches": batches,
        "unit_form": unit_form,
        "batch_form": batch_form,
        "form": unit_form if unit_form.errors else batch_form,
    }
    return render(request, "surveys/distribution.html", context)


def _unit_added(request: HttpRequest, survey, form: UnitForm) -> bool:
    if not form.is_valid():
        return False
    try:
        services.unit_add(survey=survey, name=form.cleaned_data["name"])
    except ValidationError as error:
        form.add_error("name", error)
        return False
    messages.success(request, gettext("The unit is added with a link of its own."))
    return True


def _slips_retried(request: HttpRequest, survey) -> None:
    batch = get_object_or_404(survey.code_batches, pk=request.POST["retry"])
    try:
        services.code_slips_retry(batch=batch)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, gettext("The slips are being made again."))


def _codes_made(request: HttpRequest, survey, form: CodeBatchForm) -> bool:
    if not form.is_valid():
        return False
    try:
        batch = services.code_batch_create(
            survey=survey,
            size=form.cleaned_data["size"],
            unit=form.cleaned_data["unit"],
            language=translation.get_language(),
            answer_url=request.build_absolute_uri(
                reverse("surveys:answer_start", args=[survey.token])
            ),
            submission_id=form.submission_key,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return False
    messages.success(
        request,
        gettext(
            "%(count)s codes are made. The slips to print are being made; the"
            " link appears in the list when they are ready."
        )
        % {"count": batch.size},
    )
    if survey.status == survey.Status.DRAFT:
        messages.info(
            request,
            gettext("The codes work once the survey is published: hand out the slips after that."),
        )
    return True


@survey_people
def code_slips(request: HttpRequest, pk: int, batch: int) -> HttpResponse:
    """The batch's slips, once a worker has printed them."""
    survey = editable_survey(request.user, pk)
    batch = get_object_or_404(survey.code_batches, pk=batch)
    if batch.slips_status != CodeBatch.SlipsStatus.READY or not batch.slips:
        messages.info(
            request,
            gettext("The slips are not ready yet. Reload this page in a moment."),
        )
        return redirect("surveys:distribution", pk=survey.pk)
    return FileResponse(
        batch.slips.open("rb"),
        as_attachment=True,
        filename=f"codes-{survey.pk}-{batch.pk}.pdf",
        content_type="application/pdf",
    )


@survey_people
def paper_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from ..pdf import paper_questionnaire_pdf

    survey = visible_survey(request.user, pk)
    pdf = paper_questionnaire_pdf(survey, translation.get_language(), request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="survey-{survey.pk}.pdf"'
    return response


@survey_people
def paper_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """Auditors type in a paper questionnaire; the response is marked as paper."""
    survey = visible_survey(request.user, pk)
    questions = [q for q in survey_questions(survey) if not q.is_practice]
    if request.method == "POST":
        meta = PaperEntryForm(request.POST, survey=survey)
        forms = [AnswerForm(request.POST, question=q) for q in questions]
        if meta.is_valid() and all(form.is_valid() for form in forms):
            given = {form.question.pk: form.given() for form in forms}
            try:
                services.paper_response_enter(
                    survey=survey,
                    unit=meta.cleaned_data["unit"],
                    support=meta.cleaned_data["support"],
                    support_role=meta.cleaned_data["support_role"],
                    given=given,
                    entry_key=meta.cleaned_data["entry_key"],
                )
            except ValidationError as error:
                by_question = getattr(error, "error_dict", None)
                if by_question is None:
                    meta.add_error(None, error)
                for form in forms:
                    for item in (by_question or {}).get(form.question.pk, []):
                        form.add_error("answer", item)
            else:
                messages.success(
                    request,
                    gettext("The paper answers are saved. You can enter the next questionnaire."),
                )
                return redirect("surveys:paper_entry", pk=survey.pk)
    else:
        meta = PaperEntryForm(initial={"entry_key": services.new_start_key()}, survey=survey)
        forms = [AnswerForm(question=q) for q in questions]
    context = _all_context(survey, survey.token, forms, False)
    context.update(
        {
            "meta": meta,
            "form": meta,
            "paper_count": survey.responses.filter(channel=Response.Channel.PAPER).count(),
        }
    )
    return render(request, "surveys/paper_entry.html", context)


@survey_people
def results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = visible_survey(request.user, pk)
    form = ResultsFilterForm(request.GET or None, survey=survey)
    filters = Filters()
    if form.is_valid():
        filters = Filters(
            **{name: form.cleaned_data[name] or None for name in ("unit", "date_from", "date_to")}
        )
        filters.channel = form.cleaned_data["channel"]
        filters.support = form.cleaned_data["support"]
    context = {
        "survey": survey,
        "filter_form": form,
        "results": survey_results(survey, filters),
        "not_understood": not_understood(survey),
        "pending_texts": Answer.objects.filter(
            question__survey=survey,
            review=Answer.Review.PENDING,
            response__status=Response.Status.SUBMITTED,
        ).count(),
    }
    return render(request, "surveys/results.html", context)


@survey_people
def free_text(request: HttpRequest, pk: int) -> HttpResponse:
    """Auditors read free-text answers before anyone else sees them, and hide identifying ones."""
    survey = visible_survey(request.user, pk)
    pending = (
        Answer.objects.filter(
            question__survey=survey,
            review=Answer.Review.PENDING,
            response__status=Response.Status.SUBMITTED,
        )
        .select_related("question")
        .order_by("question__section__position", "question__position", "pk")
    )
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        # One answer's own button, or the ticked answers with a button for them all.
        chosen = [request.POST["answer"]] if "answer" in request.POST else None
        chosen = chosen or request.POST.getlist("answers")
        try:
            count = services.free_text_review_many(
                survey=survey, answer_ids=chosen, decision=decision
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s answer may now be shown in the results.",
                    "%(count)s answers may now be shown in the results.",
                    count,
                )
                % {"count": count}
                if decision == Answer.Review.APPROVED
                else ngettext(
                    "%(count)s answer is hidden from the results.",
                    "%(count)s answers are hidden from the results.",
                    count,
                )
                % {"count": count},
            )
        return redirect("surveys:free_text", pk=survey.pk)
    context = {
        "survey": survey,
        "answers": pending[:REVIEW_PAGE_SIZE],
        "pending_count": pending.count(),
        "page_size": REVIEW_PAGE_SIZE,
    }
    return render(request, "surveys/free_text.html", context)


@survey_people
def exports(request: HttpRequest, pk: int) -> HttpResponse:
    survey = visible_survey(request.user, pk)
    form = ExportForm(request.POST or None, survey=survey)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.export_request(by=request.user, survey=survey, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("surveys:exports", pk=survey.pk)
        return redirect("surveys:export_status", pk=survey.pk, job=job.pk)
    jobs = survey.exports.filter(requested_by=request.user).order_by("-created_at", "-pk")[:20]
    return render(request, "surveys/exports.html", {"survey": survey, "form": form, "jobs": jobs})


@survey_people
def export_status(request: HttpRequest, pk: int, job: int) -> HttpResponse:
    survey = visible_survey(request.user, pk)
    job = get_object_or_404(survey.exports.filter(requested_by=request.user), pk=job)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": job.status,
                "status_label": job.get_status_display(),
                "percent": job.percent,
                "rows_done": job.rows_done,
                "rows_total": job.rows_total,
            }
        )
    return render(request, "surveys/export_status.html", {"survey": survey, "job": job})


@survey_people
def export_download(request: HttpRequest, pk: int, job: int) -> HttpResponse:
    survey = visible_survey(request.user, pk)
    job = get_object_or_404(
        survey.exports.filter(requested_by=request.user, status=ExportJob.Status.READY), pk=job
    )
    if not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=f"survey-{survey.pk}-v{survey.version}-answers.{job.format}",
    )


@staff_only
def members(request: HttpRequest, pk: int) -> HttpResponse:
    survey = visible_survey(request.user, pk)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and "remove" in request.POST:
        member = get_object_or_404(survey.members, pk=request.POST["remove"])
        services.survey_revoke_access(survey=survey, user=member.user)
        messages.success(request, gettext("%(name)s no longer has access.") % {"name": member.user})
        return redirect("surveys:members", pk=survey.pk)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(email__iexact=form.cleaned_data["email"], is_active=True).first()
        if user is None or not user.has_role("auditor", "staff", "admin"):
            form.add_error(
                "email", gettext("There is no user auditor or staff member with that address.")
            )
        else:
            services.survey_grant_access(survey=survey, user=user, role=form.cleaned_data["role"])
            messages.success(request, gettext("%(name)s now has access.") % {"name": user})
            return redirect("surveys:members", pk=survey.pk)
    people = survey.members.select_related("user").order_by("user__full_name")
    return render(
        request,
        "surveys/members.html",
        {"survey": survey, "form": form, "people": people, "roles": SurveyMember.Role},
    )
