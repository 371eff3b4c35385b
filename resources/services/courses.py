"""Courses: registrations and the waiting list, attendance, and completion with its
training record. Completion sends `resources.signals.course_completed`, so that apps that
need training records (audits' auditor pool) learn of it without resources importing them.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from brukarkraft.models import Organisation, User
from brukarkraft.roles import Role

from ..access import can_cancel, require_staff
from ..models import (
    Course,
    CourseSession,
    Registration,
    SessionAttendance,
    TrainingRecord,
)
from ..signals import course_completed


@transaction.atomic
def registration_create(
    *,
    course: Course,
    participant: User,
    by: User,
    organisation: Organisation | None = None,
    needs: str = "",
) -> Registration:
    """Register a participant; when the course is full they go on the waiting list."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if not course.registration_open or not course.is_published:
        raise ValidationError(gettext("Registration for this course is closed."), code="closed")
    is_staff = by.has_role(Role.STAFF, Role.ADMIN)
    if by.pk != participant.pk and not is_staff:
        # Someone else only for an organisation both belong to: no place is taken by a
        # registration made for a stranger.
        if (
            organisation is None
            or organisation.memberships.filter(user__in=[by, participant])
            .values("user")
            .distinct()
            .count()
            < 2
        ):
            raise PermissionDenied
    elif organisation is not None and not is_staff:
        if not organisation.memberships.filter(user=by).exists():
            raise PermissionDenied
    if organisation is None and by.pk != participant.pk and is_staff:
        # Staff register on someone's behalf: the organisation recorded is the participant's.
        organisation = _only_organisation_of(participant)
    if (
        course.registrations.exclude(status=Registration.Status.CANCELLED)
        .filter(participant=participant)
        .exists()
    ):
        raise ValidationError(
            gettext("%(name)s is already registered for this course.")
            % {"name": participant.full_name},
            code="duplicate",
        )
    taken = course.registrations.filter(
        status__in=[Registration.Status.REGISTERED, Registration.Status.COMPLETED]
    ).count()
    status = (
        Registration.Status.REGISTERED if taken < course.capacity else Registration.Status.WAITING
    )
    return Registration.objects.create(
        course=course,
        participant=participant,
        organisation=organisation,
        registered_by=by,
        needs=needs,
        status=status,
    )


def _only_organisation_of(person: User) -> Organisation | None:
    """The one organisation `person` belongs to; None with none or several."""
    organisations = list(Organisation.objects.filter(memberships__user=person)[:2])
    return organisations[0] if len(organisations) == 1 else None


@transaction.atomic
def registration_cancel(*, registration: Registration, by: User) -> Registration | None:
    """Cancel a place; the first on the waiting list gets it. Returns who moved up."""
    course = Course.objects.select_for_update().get(pk=registration.course_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if not can_cancel(by, registration):
        raise PermissionDenied
    if registration.status not in {Registration.Status.REGISTERED, Registration.Status.WAITING}:
        raise ValidationError(gettext("This registration cannot be cancelled."), code="state")
    had_place = registration.status == Registration.Status.REGISTERED
    registration.status = Registration.Status.CANCELLED
    registration.save(update_fields=["status"])
    if not had_place:
        return None
    first = (
        course.registrations.filter(status=Registration.Status.WAITING)
        .order_by("registered_at", "pk")
        .first()
    )
    if first is not None:
        first.status = Registration.Status.REGISTERED
        first.save(update_fields=["status"])
    return first


@transaction.atomic
def attendance_set(*, session: CourseSession, by: User, present_ids: set[int]) -> int:
    """Record who came to a session (registered participants only)."""
    require_staff(by)
    registrations = session.course.registrations.filter(
        status__in=[Registration.Status.REGISTERED, Registration.Status.COMPLETED]
    )
    unknown = set(present_ids) - set(registrations.values_list("pk", flat=True))
    if unknown:
        raise ValidationError(gettext("Only registered participants can be marked present."))
    count = 0
    for registration in registrations:
        SessionAttendance.objects.update_or_create(
            session=session,
            registration=registration,
            defaults={"present": registration.pk in present_ids},
        )
        count += registration.pk in present_ids
    return count


@transaction.atomic
def registration_complete(
    *, registration: Registration, by: User, on: date | None = None
) -> TrainingRecord:
    """Mark the course completed: the participant gets a training record (with its expiry),
    and a course that qualifies user auditors makes them trained in the auditor pool."""
    require_staff(by)
    registration = (
        Registration.objects.select_for_update().select_related("course").get(pk=registration.pk)
    )
    course = registration.course
    if registration.status != Registration.Status.REGISTERED:
        raise ValidationError(
            gettext("Only a registered participant can complete the course."), code="state"
        )
    # Completion needs the attendance the course requires (Course.completion), counted in
    # the database: the sessions of this course this participant was present at.
    completion = course.completion(
        attended=SessionAttendance.objects.filter(
            registration=registration, session__course=course, present=True
        ).count(),
        sessions=course.sessions.count(),
    )
    if not completion.allowed:
        raise ValidationError(completion.reason, code="attendance")
    on = on or timezone.localdate()
    valid_until = None
    if course.validity_months:
        valid_until = on + timedelta(days=round(course.validity_months * 30.44))
    registration.status = Registration.Status.COMPLETED
    registration.completed_at = timezone.now()
    registration.save(update_fields=["status", "completed_at"])
    record, _created = TrainingRecord.objects.update_or_create(
        user=registration.participant,
        course=course,
        defaults={"completed_on": on, "valid_until": valid_until},
    )
    # Audits' auditor pool learns of it here (audits.receivers), when the course qualifies.
    course_completed.send(sender=Course, registration=registration, valid_until=valid_until)
    return record
