"""The councils portal: public pages per council, the member area (notices, documents,
cases), the participation self-assessment, annual reports and a member's own data.

Who reaches what is decided in councils.access: a public council's page is open to everyone;
a council that is not public exists only for its members and the centre's staff (everyone
else gets 404). The member area needs a login and a membership (a current or past term) or
the staff role: others get 403 for a public council and 404 for one that is not.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from .. import access, selectors, services
from ..forms import QUESTIONS, AnnualReportForm, AssessmentForm, CaseForm
from ..models import (
    AgendaItem,
    AnnualReport,
    Assessment,
    AssessmentAnswer,
    Case,
    Council,
    Meeting,
    Member,
    council_page_queryset,
)

# Members listed on a council's page in this order, the chair first.
ROLE_ORDER = {role: index for index, role in enumerate(Member.Role.values)}
ROLE_ORDER.update(
    {
        Member.Role.CHAIR: 0,
        Member.Role.VICE_CHAIR: 1,
        Member.Role.SECRETARY: 2,
        Member.Role.MEMBER: 3,
        Member.Role.DEPUTY: 4,
        Member.Role.OBSERVER: 5,
    }
)


# --- Access (the rules are in councils.access) ------------------------------------------


def _public_council(request: HttpRequest, slug: str, queryset=None) -> tuple[Council, bool]:
    """The council for its public pages, and whether the user may enter its member area.
    A council that is not public is 404 for everyone but its members and staff."""
    queryset = queryset if queryset is not None else Council.objects.all()
    council = get_object_or_404(queryset.visible_to(request.user), slug=slug)
    return council, access.can_enter(request.user, council)


def _member_council(request: HttpRequest, slug: str) -> Council:
    """The council for its member area: 404 if the user may not know it exists, 403 if the
    user may see the public page but is not a member. Call after login_required."""
    council = get_object_or_404(Council.objects.visible_to(request.user), slug=slug)
    if not access.can_enter(request.user, council):
        raise PermissionDenied
    return council


def _add_error(form: Form, error: ValidationError) -> None:
    """Put a service's refusal on the form, on the field it names when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for item in errors:
                form.add_error(field if field in form.fields else None, item.messages)
    else:
        form.add_error(None, error.messages)


def _file(field, filename: str) -> FileResponse:
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(handle, filename=filename)


# --- Public pages --------------------------------------------------------------------------


def council_list(request: HttpRequest) -> HttpResponse:
    # Meta.ordering does not apply to a grouped (annotated) query: order explicitly.
    councils = Council.objects.public().filter(is_active=True).for_list().order_by("name", "pk")
    return render(request, "councils/list.html", {"councils": councils})


def council_detail(request: HttpRequest, slug: str) -> HttpResponse:
    queryset = council_page_queryset().prefetch_related(
        Prefetch(
            "meetings",
            queryset=Meeting.objects.upcoming(),
            to_attr="upcoming_meetings",
        ),
        Prefetch(
            "meetings",
            queryset=Meeting.objects.published().order_by("-starts_at"),
            to_attr="published_meetings",
        ),
        Prefetch(
            "annual_reports",
            queryset=AnnualReport.objects.filter(status=Meeting.PdfStatus.READY).exclude(file=""),
            to_attr="ready_reports",
        ),
    )
    council, member = _public_council(request, slug, queryset)
    today = timezone.localdate()
    # Only people serving now who agreed to be named; never contact details or gender.
    members = sorted(
        (
            m
            for m in council.members.all()
            if m.is_named_in_public and m.term_start <= today <= m.term_end
        ),
        key=lambda m: (ROLE_ORDER.get(m.role, 9), m.display_name),
    )
    mandates = list(council.mandates.all())
    context = {
        "council": council,
        "mandate": mandates[0] if mandates else None,
        "mandate_count": len(mandates),
        "members": members,
        "upcoming": council.upcoming_meetings,
        "minutes": council.published_meetings,
        "reports": council.ready_reports,
        "is_member": member,
    }
    return render(request, "councils/detail.html", context)


def mandate_history(request: HttpRequest, slug: str) -> HttpResponse:
    council, _member = _public_council(request, slug)
    mandates = council.mandates.order_by("-number")
    return render(
        request, "councils/mandate_history.html", {"council": council, "mandates": mandates}
    )


def minutes_pdf(request: HttpRequest, slug: str, meeting: int) -> FileResponse:
    council, _member = _public_council(request, slug)
    found = get_object_or_404(
        council.meetings.published(), pk=meeting, minutes_pdf_status=Meeting.PdfStatus.READY
    )
    date = timezone.localtime(found.starts_at).date().isoformat()
    return _file(found.minutes_pdf, f"minutes-{council.slug}-{date}.pdf")


def annual_report_pdf(request: HttpRequest, slug: str, year: int) -> FileResponse:
    council, _member = _public_council(request, slug)
    report = get_object_or_404(council.annual_reports, year=year, status=Meeting.PdfStatus.READY)
    return _file(report.file, f"annual-report-{council.slug}-{year}.pdf")


# --- The member area ---------------------------------------------------------------------


def _agenda_prefetch() -> Prefetch:
    return Prefetch(
        "agenda",
        queryset=AgendaItem.objects.select_related("case", "document").order_by("position"),
    )


@login_required
def member_home(request: HttpRequest, slug: str) -> HttpResponse:
    council = _member_council(request, slug)
    now = timezone.now()
    meetings = council.meetings.prefetch_related(_agenda_prefetch())
    context = {
        "council": council,
        "notices": meetings.filter(starts_at__gte=now, notice_sent_at__isnull=False).order_by(
            "starts_at"
        ),
        "planned": council.meetings.filter(
            starts_at__gte=now, notice_sent_at__isnull=True
        ).order_by("starts_at"),
        "past": council.meetings.filter(starts_at__lt=now).order_by("-starts_at"),
        "documents": council.documents.order_by("-uploaded_at"),
        "open_cases": council.cases.open().order_by("submitted_at", "number"),
        "is_staff": access.is_staff(request.user),
    }
    return render(request, "councils/member_home.html", context)


@login_required
def meeting(request: HttpRequest, slug: str, meeting: int) -> HttpResponse:
    council = _member_council(request, slug)
    found = get_object_or_404(council.meetings.prefetch_related(_agenda_prefetch()), pk=meeting)
    context = {"council": council, "meeting": found, "is_staff": access.is_staff(request.user)}
    return render(request, "councils/meeting.html", context)


@login_required
def document(request: HttpRequest, slug: str, document: int) -> FileResponse:
    council = _member_council(request, slug)
    found = get_object_or_404(council.documents, pk=document)
    return _file(found.file, found.file.name.rsplit("/", 1)[-1])


@login_required
def cases(request: HttpRequest, slug: str) -> HttpResponse:
    council = _member_council(request, slug)
    decided = [Case.Status.CLOSED, Case.Status.REJECTED]
    context = {
        "council": council,
        "open_cases": council.cases.open().order_by("submitted_at", "number"),
        "decided_cases": council.cases.filter(status__in=decided).order_by("-closed_at", "-number"),
        "may_submit": access.can_submit_case(request.user, council),
    }
    return render(request, "councils/cases.html", context)


@login_required
def case_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    council = _member_council(request, slug)
    case = get_object_or_404(council.cases.select_related("submitted_by"), number=number)
    history = case.agenda_items.select_related("meeting", "document").order_by(
        "meeting__starts_at", "position"
    )
    return render(
        request,
        "councils/case_detail.html",
        {"council": council, "case": case, "history": history},
    )


@login_required
def case_submit(request: HttpRequest, slug: str) -> HttpResponse:
    council = _member_council(request, slug)
    if not access.can_submit_case(request.user, council):
        raise PermissionDenied
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_submit(council=council, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                gettext("Case %(number)s is submitted. The secretary puts it on an agenda.")
                % {"number": case.number},
            )
            return redirect("councils:case_detail", slug=council.slug, number=case.number)
    return render(request, "councils/case_submit.html", {"council": council, "form": form})


# --- Participation self-assessment ---------------------------------------------------------


def _answer_rows(assessments: list[Assessment]) -> list[dict]:
    """The 15 cells, each with every assessment's answer in order: change over time."""
    by_assessment = [
        {(a.level, a.stage): a for a in assessment.answers.all()} for assessment in assessments
    ]
    stage_labels = dict(AssessmentAnswer.Stage.choices)
    level_labels = dict(AssessmentAnswer.Level.choices)
    return [
        {
            "level": level,
            "level_label": level_labels[level],
            "stage_label": stage_labels[stage],
            "question": question,
            "answers": [answers.get((level, stage)) for answers in by_assessment],
        }
        for (level, stage), question in sorted(QUESTIONS.items(), key=lambda item: item[0])
    ]


@login_required
def assessments(request: HttpRequest, slug: str) -> HttpResponse:
    council = _member_council(request, slug)
    rows = list(council.assessments.prefetch_related("answers").order_by("held_on", "pk"))
    context = {"council": council, "assessments": rows, "answer_rows": _answer_rows(rows)}
    return render(request, "councils/assessments.html", context)


@login_required
def assessment_new(request: HttpRequest, slug: str) -> HttpResponse:
    council = _member_council(request, slug)
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_record(
                by=request.user,
                council=council,
                held_on=form.cleaned_data["held_on"],
                rapporteur=form.cleaned_data["rapporteur"],
                secretary=form.cleaned_data["secretary"],
                answers=form.answers(),
                reflections=form.reflections(),
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(request, gettext("The self-assessment is saved."))
            return redirect(
                "councils:assessment_detail", slug=council.slug, assessment=assessment.pk
            )
    return render(request, "councils/assessment_new.html", {"council": council, "form": form})


# The ladder drawing's geometry in SVG user units; the SVG scales to the page's width.
LADDER_LABEL_WIDTH = 110
LADDER_CELL_WIDTH = 170
LADDER_RUNG_HEIGHT = 56
LADDER_TOP = 40
LADDER_SWATCH = 28


def _ladder(profile: list[dict]) -> dict:
    """Positions for the inline SVG: one rung per level (5 at the top), three cells each."""
    rungs = []
    for index, rung in enumerate(profile):
        y = LADDER_TOP + index * LADDER_RUNG_HEIGHT
        cells = []
        for column, cell in enumerate(rung["stages"]):
            x = LADDER_LABEL_WIDTH + column * LADDER_CELL_WIDTH
            answer = cell["answer"].answer if cell["answer"] else ""
            cells.append(
                {
                    "x": x + 4,
                    "y": y + 4,
                    "width": LADDER_CELL_WIDTH - 8,
                    "height": LADDER_RUNG_HEIGHT - 8,
                    "swatch_x": x + 14,
                    "swatch_y": y + (LADDER_RUNG_HEIGHT - LADDER_SWATCH) // 2,
                    "text_x": x + 14 + LADDER_SWATCH + 10,
                    "text_y": y + LADDER_RUNG_HEIGHT // 2 + 5,
                    "answer": answer,
                    "answer_label": (
                        cell["answer"].get_answer_display() if cell["answer"] else "–"
                    ),
                    "stage_label": cell["stage_label"],
                }
            )
        rungs.append(
            {
                "level": rung["level"],
                "label": rung["label"],
                "y": y,
                "label_y": y + LADDER_RUNG_HEIGHT // 2 + 5,
                "cells": cells,
            }
        )
    return {
        "rungs": rungs,
        "width": LADDER_LABEL_WIDTH + 3 * LADDER_CELL_WIDTH + 10,
        "height": LADDER_TOP + len(profile) * LADDER_RUNG_HEIGHT + 10,
        "swatch": LADDER_SWATCH,
        "label_x": 10,
        "headers": [
            {
                "x": LADDER_LABEL_WIDTH + column * LADDER_CELL_WIDTH + LADDER_CELL_WIDTH // 2,
                "label": label,
            }
            for column, (_stage, label) in enumerate(AssessmentAnswer.Stage.choices)
        ],
        "header_y": LADDER_TOP - 14,
        "rail_left": LADDER_LABEL_WIDTH - 2,
        "rail_right": LADDER_LABEL_WIDTH + 3 * LADDER_CELL_WIDTH + 2,
        "rail_top": LADDER_TOP,
        "rail_bottom": LADDER_TOP + len(profile) * LADDER_RUNG_HEIGHT,
    }


@login_required
def assessment_detail(request: HttpRequest, slug: str, assessment: int) -> HttpResponse:
    council = _member_council(request, slug)
    found = get_object_or_404(council.assessments.prefetch_related("answers"), pk=assessment)
    profile = selectors.ladder_profile(found)
    context = {
        "council": council,
        "assessment": found,
        "profile": profile,
        "ladder": _ladder(profile),
        "questions": QUESTIONS,
    }
    return render(request, "councils/assessment_detail.html", context)


# --- Annual reports ------------------------------------------------------------------------


@login_required
def annual_reports(request: HttpRequest, slug: str) -> HttpResponse:
    council = _member_council(request, slug)
    staff = access.can_request_annual_report(request.user, council)
    if request.method == "POST" and not staff:
        raise PermissionDenied
    form = AnnualReportForm(request.POST or None) if staff else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            report = services.annual_report_request(council=council, year=form.cleaned_data["year"])
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                gettext("The annual report for %(year)s is being made.") % {"year": report.year},
            )
            return redirect("councils:annual_reports", slug=council.slug)
    reports = council.annual_reports.order_by("-year")
    if not staff:
        reports = reports.filter(status=Meeting.PdfStatus.READY)
    context = {"council": council, "reports": reports, "form": form, "is_staff": staff}
    return render(request, "councils/annual_reports.html", context)


# --- A member's own data -----------------------------------------------------------------


@require_GET
@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        services.member_export(user=request.user), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="my-council-data.json"'
    return response
