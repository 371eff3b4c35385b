"""Courses: the public list and course page, registration and cancelling, the participant's
own courses and training records, and the centre's registrations and attendance."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from brukarkraft.http import post_only

from .. import services
from ..access import is_staff, staff_required
from ..forms.training import AttendanceForm, RegistrationForm
from ..models import Course, CourseSession, Registration, SessionAttendance, TrainingRecord

# A place is taken by these; the service counts the same.
HOLDING_PLACE = [Registration.Status.REGISTERED, Registration.Status.COMPLETED]


# --- Helpers ------------------------------------------------------------------


def _with_queue_position(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    """Annotate `position`: a waiting registration's place in its course's queue (1 = next)."""
    ahead = (
        Registration.objects.filter(course=OuterRef("course"), status=Registration.Status.WAITING)
        .filter(
            Q(registered_at__lt=OuterRef("registered_at"))
            | Q(registered_at=OuterRef("registered_at"), pk__lte=OuterRef("pk"))
        )
        .order_by()
        .values("course")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return registrations.annotate(position=Subquery(ahead))


def _places_left(course: Course) -> int:
    """For a course from Course.objects.for_list()."""
    return max(course.capacity - course.registered, 0)


def _registered_message(registration: Registration) -> str:
    name = registration.participant.full_name
    if registration.status == Registration.Status.WAITING:
        position = _with_queue_position(Registration.objects.filter(pk=registration.pk)).get()
        return gettext(
            "The course is full: %(name)s is on the waiting list, number %(position)s in"
            " the queue. We tell you if a place becomes free."
        ) % {"name": name, "position": position.position}
    return gettext("%(name)s is registered for the course.") % {"name": name}


def _course_page(request: HttpRequest, course: Course, form: RegistrationForm | None = None):
    sessions = list(course.sessions.all())
    mine = []
    if request.user.is_authenticated:
        mine = list(
            _with_queue_position(
                course.registrations.filter(
                    Q(participant=request.user) | Q(registered_by=request.user),
                    status__in=[Registration.Status.REGISTERED, Registration.Status.WAITING],
                ).select_related("participant")
            )
        )
        if form is None:
            form = RegistrationForm(user=request.user)
    context = {
        "course": course,
        "sessions": sessions,
        "places_left": _places_left(course),
        "form": form,
        "mine": mine,
        "is_staff": is_staff(request.user),
    }
    return render(request, "resources/training/course.html", context)


# --- Public pages ---------------------------------------------------------------


def courses(request: HttpRequest) -> HttpResponse:
    course_list = list(
        Course.objects.visible_to(request.user)
        .for_list()
        .prefetch_related("sessions")
        .order_by("title", "pk")
    )
    for course in course_list:
        sessions = list(course.sessions.all())
        course.first_session = sessions[0] if sessions else None
        course.last_session = sessions[-1] if sessions else None
        course.places_left = _places_left(course)
    context = {"courses": course_list, "is_staff": is_staff(request.user)}
    return render(request, "resources/training/courses.html", context)


def course(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_object_or_404(Course.objects.visible_to(request.user).for_list(), slug=slug)
    return _course_page(request, course)


@post_only("resources:course", "slug")
@login_required
def register(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_object_or_404(Course.objects.visible_to(request.user).for_list(), slug=slug)
    form = RegistrationForm(request.POST, user=request.user)
    if form.is_valid():
        participant = form.cleaned_data.get("participant")
        if participant is None:
            # "Someone else" from a person who may register only themselves.
            raise PermissionDenied
        try:
            registration = services.registration_create(
                course=course,
                participant=participant,
                by=request.user,
                organisation=form.cleaned_data["organisation"],
                needs=form.cleaned_data["needs"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _registered_message(registration))
            return redirect(course)
    return _course_page(request, course, form)


@login_required
def registration_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    # Only the participant and whoever registered them know the registration exists.
    registrations = Registration.objects.visible_to(request.user).select_related(
        "course", "participant"
    )
    registration = get_object_or_404(registrations, course__slug=slug, pk=pk)
    back = "resources:course_manage" if is_staff(request.user) else "resources:my_courses"
    if request.method == "POST":
        try:
            moved_up = services.registration_cancel(registration=registration, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            if moved_up is not None and is_staff(request.user):
                messages.success(
                    request,
                    gettext(
                        "The registration is cancelled. %(name)s moved up from the waiting"
                        " list and has a place."
                    )
                    % {"name": moved_up.participant.full_name},
                )
            else:
                messages.success(request, gettext("The registration is cancelled."))
        if back == "resources:course_manage":
            return redirect(back, slug=registration.course.slug)
        return redirect(back)
    context = {
        "registration": registration,
        "course": registration.course,
        "possible": registration.status
        in {Registration.Status.REGISTERED, Registration.Status.WAITING},
        "is_staff": is_staff(request.user),
    }
    return render(request, "resources/training/registration_cancel.html", context)


@login_required
def my_courses(request: HttpRequest) -> HttpResponse:
    registrations = _with_queue_position(
        Registration.objects.filter(
            Q(participant=request.user) | Q(registered_by=request.user)
        ).select_related("course", "participant", "organisation")
    ).order_by("-registered_at", "-pk")
    records = TrainingRecord.objects.filter(user=request.user).select_related("course")
    context = {
        "registrations": list(registrations),
        "records": list(records),
        "today": timezone.localdate(),
        "cancellable": {Registration.Status.REGISTERED, Registration.Status.WAITING},
    }
    return render(request, "resources/training/my_courses.html", context)


# --- The centre's pages ------------------------------------------------------------


@staff_required
def course_manage(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_object_or_404(Course.objects.for_list(), slug=slug)
    sessions = list(
        course.sessions.annotate(
            present=Count("attendance", filter=Q(attendance__present=True))
        ).order_by("starts_at", "pk")
    )
    registrations = list(
        course.registrations.select_related("participant", "organisation", "registered_by")
        .annotate(
            attended=Count("attendance", filter=Q(attendance__present=True)),
        )
        .order_by("registered_at", "pk")
    )
    groups = {status: [] for status in Registration.Status.values}
    for registration in registrations:
        groups[registration.status].append(registration)
    for position, registration in enumerate(groups[Registration.Status.WAITING], start=1):
        registration.position = position
    # Staff see for each participant whether they may complete the course yet, and why: the
    # same rule the service enforces (Course.completion).
    for registration in groups[Registration.Status.REGISTERED]:
        registration.completion = course.completion(
            attended=registration.attended, sessions=len(sessions)
        )
    # The record a completion gave: it is what makes someone eligible to audit.
    records = {record.user_id: record for record in TrainingRecord.objects.filter(course=course)}
    for registration in groups[Registration.Status.COMPLETED]:
        registration.record = records.get(registration.participant_id)
    context = {
        "course": course,
        "sessions": sessions,
        "places_left": _places_left(course),
        "registered": groups[Registration.Status.REGISTERED],
        "waiting": groups[Registration.Status.WAITING],
        "completed": groups[Registration.Status.COMPLETED],
        "cancelled": groups[Registration.Status.CANCELLED],
        "today": timezone.localdate(),
    }
    return render(request, "resources/training/course_manage.html", context)


@staff_required
def session_attendance(request: HttpRequest, slug: str, session: int) -> HttpResponse:
    session = get_object_or_404(
        CourseSession.objects.select_related("course"), course__slug=slug, pk=session
    )
    registrations = list(
        session.course.registrations.filter(status__in=HOLDING_PLACE)
        .select_related("participant")
        .order_by("participant__full_name", "pk")
    )
    if request.method == "POST":
        form = AttendanceForm(request.POST, registrations=registrations)
        if form.is_valid():
            try:
                count = services.attendance_set(
                    session=session, by=request.user, present_ids=form.cleaned_data["present"]
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request,
                    gettext("Attendance is saved: %(count)s of %(total)s present.")
                    % {"count": count, "total": len(registrations)},
                )
                return redirect("resources:course_manage", slug=session.course.slug)
    else:
        present = SessionAttendance.objects.filter(session=session, present=True).values_list(
            "registration_id", flat=True
        )
        form = AttendanceForm(
            registrations=registrations, initial={"present": [str(pk) for pk in present]}
        )
    context = {
        "session": session,
        "course": session.course,
        "form": form,
        "registrations": registrations,
    }
    return render(request, "resources/training/session_attendance.html", context)


@post_only("resources:course_manage", "slug")
@staff_required
def registration_complete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    registration = get_object_or_404(
        Registration.objects.select_related("participant", "course"), course__slug=slug, pk=pk
    )
    try:
        record = services.registration_complete(registration=registration, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(
                request,
                gettext("%(name)s cannot complete the course yet: %(reason)s")
                % {"name": registration.participant.full_name, "reason": message},
            )
    else:
        if record.valid_until:
            text = gettext("%(name)s has completed the course. It is valid until %(date)s.")
        else:
            text = gettext("%(name)s has completed the course.")
        messages.success(
            request,
            text
            % {
                "name": registration.participant.full_name,
                "date": date_format(record.valid_until) if record.valid_until else "",
            },
        )
    return redirect("resources:course_manage", slug=registration.course.slug)
