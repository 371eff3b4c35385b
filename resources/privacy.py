"""The library's part of a person's data: course registrations, training records, method
guidance requests, and the texts they wrote or reviewed (see brukarkraft.privacy)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from brukarkraft.privacy import (
    MATCH_LIMIT,
    Item,
    Match,
    Person,
    Replacement,
    account_matches,
    matching,
)

from .models import GuidanceRequest, Registration, Resource, Review, TrainingRecord

KEY = "resources"
TITLE = _("Library, courses and method guidance")

ITEMS = {
    "registrations": Item(
        _("Course registrations, with attendance"),
        _(
            "Deleted. A place not yet used is cancelled first, so the first person on the"
            " waiting list gets it."
        ),
    ),
    "training_records": Item(_("Completed training"), _("Deleted.")),
    "guidance_requests": Item(_("Requests for method guidance"), _("Deleted.")),
    "resources_written": Item(
        _("Library texts written"), _("Kept; they show the anonymised account's replacement name.")
    ),
    "reviews": Item(
        _("Reviews of library texts"),
        _("Kept; they show the anonymised account's replacement name."),
    ),
}

OPEN_STATES = (Registration.Status.REGISTERED, Registration.Status.WAITING)


def find(query: str) -> list[Match]:
    matches = account_matches(
        _("Course participant"),
        query,
        Q(course_registrations__isnull=False),
        Q(training_records__isnull=False),
    )
    requests = GuidanceRequest.objects.filter(matching(query, email="email", name="name"))
    for request in requests.order_by("-created_at")[:MATCH_LIMIT]:
        matches.append(
            Match(
                _("Asked for method guidance"),
                request.name,
                request.email,
                ("resources.guidancerequest", request.pk, "email"),
                detail=request.organisation_name,
            )
        )
    return matches


def _guidance(person: Person):
    rule = Q(email__iexact=person.email) if person.email else Q(pk__in=[])
    if person.user is not None:
        rule |= Q(requested_by=person.user)
    return GuidanceRequest.objects.filter(rule)


def _guidance_row(row: GuidanceRequest, person: Person) -> dict:
    data = {
        "received": row.created_at,
        "organisation": row.organisation_name,
        "topic": row.topic,
        "question": row.message,
        "times_that_suit": row.preferred_times,
        "format": row.format,
        "status": row.status,
        "answer": row.answer,
        "answered_at": row.answered_at,
    }
    # Someone may have asked for a colleague, giving the colleague's details: not theirs.
    if person.email and row.email.strip().lower() == person.email:
        data.update(name=row.name, email=row.email, phone=row.phone)
    return data


def export(person: Person) -> dict:
    data: dict = {key: [] for key in ITEMS}
    data["guidance_requests"] = [
        _guidance_row(row, person) for row in _guidance(person).order_by("created_at")
    ]
    user = person.user
    if user is None:
        return data
    data["registrations"] = [
        {
            "course": row.course.title,
            "status": row.status,
            "organisation": row.organisation.name if row.organisation else None,
            "needs": row.needs,
            "registered_at": row.registered_at,
            "completed_at": row.completed_at,
            "sessions_present": sum(1 for a in row.attendance.all() if a.present),
        }
        for row in Registration.objects.filter(participant=user)
        .select_related("course", "organisation")
        .prefetch_related("attendance")
    ]
    data["training_records"] = [
        {
            "course": row.course.title,
            "completed_on": row.completed_on,
            "valid_until": row.valid_until,
        }
        for row in TrainingRecord.objects.filter(user=user).select_related("course")
    ]
    data["resources_written"] = [
        {"title": row.title, "language": row.language, "status": row.status}
        for row in Resource.objects.filter(author=user)
    ]
    data["reviews"] = [
        {"resource": row.resource.title, "decision": row.decision, "decided_at": row.decided_at}
        for row in Review.objects.filter(reviewer=user).select_related("resource")
    ]
    return data


def erase(person: Person, replacement: Replacement) -> int:
    from .services import registration_cancel

    changed = _guidance(person).delete()[0]
    user = person.user
    if user is None:
        return changed
    registrations = Registration.objects.filter(participant=user)
    if replacement.by is not None:
        for registration in registrations.filter(status__in=OPEN_STATES):
            registration_cancel(registration=registration, by=replacement.by)
    changed += registrations.delete()[0]
    changed += TrainingRecord.objects.filter(user=user).delete()[0]
    return changed
