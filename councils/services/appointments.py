"""Appointments (docs/domain.md §3): the request for representatives, the call, and each
step of a nomination (nominate, recommend, appoint, decline or withdraw).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from brukarkraft.models import Organisation, User

from ..models import (
    NOMINATION_CRITERIA,
    AppointmentRequest,
    Council,
    Member,
    Nomination,
    Seat,
)
from ..selectors import balance_needs, gender_balance
from .members import member_add

# --- Appointments ---------------------------------------------------------------


@transaction.atomic
def request_create(
    *,
    council: Council,
    by: User | None,
    places: int,
    description: str,
    deadline: date,
    categories: list[str] | None = None,
) -> AppointmentRequest:
    if deadline < timezone.localdate():
        raise ValidationError(
            {"deadline": gettext("The deadline cannot be in the past.")}, code="past"
        )
    return AppointmentRequest.objects.create(
        council=council,
        places=places,
        description=description,
        deadline=deadline,
        categories=categories or [],
        requested_by=by,
    )


@transaction.atomic
def request_call(
    *, request: AppointmentRequest, organisations: list[Organisation]
) -> AppointmentRequest:
    """Send the call for nominations to user organisations (recorded with the time)."""
    request = AppointmentRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == AppointmentRequest.Status.CLOSED:
        raise ValidationError(gettext("The request is closed."), code="closed")
    if not organisations:
        raise ValidationError(
            {"organisations": gettext("Choose at least one organisation.")}, code="none"
        )
    request.called_organisations.add(*organisations)
    request.status = AppointmentRequest.Status.CALLED
    request.called_at = request.called_at or timezone.now()
    request.save(update_fields=["status", "called_at"])
    return request


@transaction.atomic
def nomination_create(
    *,
    request: AppointmentRequest,
    by: User | None,
    candidate: User,
    organisation: Organisation,
    motivation: str,
    criteria: dict[str, str],
    organisation_confirms_trust: bool,
    category: str = "",
    gender: str = "",
) -> Nomination:
    """An organisation nominates a candidate it trusts, answering the criteria of docs/domain.md §3."""
    request = AppointmentRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != AppointmentRequest.Status.CALLED:
        raise ValidationError(
            gettext("Nominations are made after the call has gone out and before it closes."),
            code="not_called",
        )
    errors = {}
    if not request.called_organisations.filter(pk=organisation.pk).exists():
        errors["organisation"] = gettext("This organisation was not called.")
    if not organisation_confirms_trust:
        errors["organisation_confirms_trust"] = gettext(
            "The organisation must confirm that the candidate has its trust."
        )
    for name in NOMINATION_CRITERIA:
        if not criteria.get(name, "").strip():
            errors[name] = gettext("Answer this criterion.")
    if not motivation.strip():
        errors["motivation"] = gettext("Say why you nominate this person.")
    if request.nominations.filter(candidate=candidate).exists():
        errors["candidate"] = gettext("This person is already nominated.")
    if errors:
        raise ValidationError(errors, code="invalid_nomination")
    return Nomination.objects.create(
        request=request,
        candidate=candidate,
        organisation=organisation,
        motivation=motivation,
        organisation_confirms_trust=True,
        category=category,
        gender=gender,
        nominated_by=by,
        **{name: criteria[name] for name in NOMINATION_CRITERIA},
    )


def _lock_nomination(nomination: Nomination) -> Nomination:
    return (
        Nomination.objects.select_for_update()
        .select_related("request__council")
        .get(pk=nomination.pk)
    )


@transaction.atomic
def nomination_recommend(*, nomination: Nomination, by: User | None) -> Nomination:
    """The umbrella body or the centre recommends the candidate to the owner (innstilling)."""
    nomination = _lock_nomination(nomination)
    if nomination.status != Nomination.Status.NOMINATED:
        raise ValidationError(
            gettext("Only a nominated candidate can be recommended."), code="not_nominated"
        )
    nomination.status = Nomination.Status.RECOMMENDED
    nomination.recommended_by = by
    nomination.recommended_at = timezone.now()
    nomination.save(update_fields=["status", "recommended_by", "recommended_at"])
    return nomination


@transaction.atomic
def nomination_appoint(
    *,
    nomination: Nomination,
    by: User | None,
    role: str = Member.Role.MEMBER,
    term_start: date,
    term_end: date | None = None,
    seat: Seat | None = None,
    publish_consent: bool = False,
    balance_exception: str = "",
) -> Member:
    """The owner appoints a recommended candidate: the membership and its term are created.
    Where the council's rules require a gender balance, an appointment that leaves it unmet
    needs `balance_exception`, the reason, which is recorded and counted in the annual
    figures (the Norwegian rules allow exceptions with a justification)."""
    nomination = _lock_nomination(nomination)
    if nomination.status != Nomination.Status.RECOMMENDED:
        raise ValidationError(
            gettext("Only a nominated and recommended candidate can be appointed."),
            code="not_recommended",
        )
    council = nomination.request.council
    term_end = term_end or term_start.replace(year=term_start.year + council.term_years)
    balance_exception = balance_exception.strip()
    if council.requires_gender_balance:
        # Locked, so that two appointments at once cannot both read the balance as met.
        Council.objects.select_for_update().get(pk=council.pk)
        after = gender_balance(council, adding=nomination.gender, on=term_start)
        if after.ok:
            balance_exception = ""  # nothing to excuse
        elif not balance_exception:
            raise ValidationError(
                {
                    "balance_exception": gettext(
                        "After this appointment the council's gender balance is not met:"
                        " %(balance)s Give the reason for the exception."
                    )
                    % {"balance": balance_needs(after)}
                },
                code="balance_exception_required",
            )
    else:
        balance_exception = ""
    member = member_add(
        council=council,
        user=nomination.candidate,
        role=role,
        term_start=term_start,
        term_end=term_end,
        seat=seat,
        organisation=nomination.organisation,
        category=nomination.category,
        gender=nomination.gender,
        publish_consent=publish_consent,
    )
    nomination.status = Nomination.Status.APPOINTED
    nomination.decided_by = by
    nomination.decided_at = timezone.now()
    nomination.member = member
    nomination.balance_exception = balance_exception
    nomination.save(
        update_fields=["status", "decided_by", "decided_at", "member", "balance_exception"]
    )
    return member


@transaction.atomic
def nomination_close(
    *, nomination: Nomination, by: User | None, status: str, reason: str
) -> Nomination:
    """Decline (the owner) or withdraw (the organisation or candidate) a nomination."""
    nomination = _lock_nomination(nomination)
    if status not in {Nomination.Status.DECLINED, Nomination.Status.WITHDRAWN}:
        raise ValueError(status)
    if nomination.status in {
        Nomination.Status.APPOINTED,
        Nomination.Status.DECLINED,
        Nomination.Status.WITHDRAWN,
    }:
        raise ValidationError(gettext("This nomination is already decided."), code="decided")
    if not reason.strip():
        raise ValidationError({"reason": gettext("Give a reason.")}, code="reason_required")
    nomination.status = status
    nomination.reason = reason
    nomination.decided_by = by
    nomination.decided_at = timezone.now()
    nomination.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    return nomination
