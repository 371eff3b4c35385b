"""Council, terms of reference and members: the acts that change who sits on a council."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from brukarkraft.models import Organisation, User

from ..models import (
    Council,
    MandateVersion,
    Member,
    Seat,
)

# --- The rules of a term -----------------------------------------------------------


def _check_term(
    *,
    council: Council,
    user: User,
    seat: Seat | None,
    role: str,
    term_start: date,
    term_end: date,
    exclude_pk: int | None = None,
) -> None:
    errors = {}
    if term_end <= term_start:
        errors["term_end"] = gettext("The term must end after it starts.")
    else:
        overlapping = council.members.filter(
            term_start__lt=term_end, term_end__gt=term_start
        ).exclude(pk=exclude_pk)
        if overlapping.filter(user=user).exists():
            errors["term_start"] = gettext(
                "This person already has a term on the council in this period."
            )
        if seat is not None:
            if seat.council_id != council.pk:
                errors["seat"] = gettext("The seat belongs to another council.")
            else:
                deputy = role == Member.Role.DEPUTY
                limit = seat.deputies if deputy else seat.places
                taken = overlapping.filter(seat=seat)
                taken = (
                    taken.filter(role=Member.Role.DEPUTY)
                    if deputy
                    else taken.exclude(role=Member.Role.DEPUTY)
                )
                if taken.count() >= limit:
                    errors["seat"] = gettext(
                        "The seat is already filled for this period: terms may not overlap."
                    )
    if errors:
        raise ValidationError(errors, code="invalid_term")


# --- Council and mandate ------------------------------------------------------------


@transaction.atomic
def mandate_revise(
    *, council: Council, by: User | None, text: str, adopted_on: date, revision_due: date
) -> MandateVersion:
    """Adopt a new version of the terms of reference; earlier versions are kept."""
    if revision_due <= adopted_on:
        raise ValidationError(
            {"revision_due": gettext("The revision date must come after the adoption.")},
            code="bad_dates",
        )
    if not text.strip():
        raise ValidationError({"text": gettext("Write the terms of reference.")}, code="empty")
    Council.objects.select_for_update().get(pk=council.pk)
    number = (council.mandates.aggregate(top=Max("number"))["top"] or 0) + 1
    return MandateVersion.objects.create(
        council=council,
        number=number,
        text=text,
        adopted_on=adopted_on,
        revision_due=revision_due,
        created_by=by,
    )


@transaction.atomic
def member_add(
    *,
    council: Council,
    user: User,
    role: str,
    term_start: date,
    term_end: date,
    seat: Seat | None = None,
    organisation: Organisation | None = None,
    category: str = "",
    gender: str = "",
    publish_consent: bool = False,
) -> Member:
    """Give a person a term on the council (admins; appointments go through nominations)."""
    Council.objects.select_for_update().get(pk=council.pk)
    _check_term(
        council=council,
        user=user,
        seat=seat,
        role=role,
        term_start=term_start,
        term_end=term_end,
    )
    member = Member(
        council=council,
        user=user,
        display_name=user.full_name,
        role=role,
        seat=seat,
        organisation=organisation or (seat.organisation if seat else None),
        category=category or (seat.category if seat else ""),
        gender=gender,
        term_start=term_start,
        term_end=term_end,
        publish_consent=publish_consent,
    )
    member.full_clean()
    member.save()
    return member


def member_validate(member: Member) -> None:
    """The rules member_add applies, for a row edited in admin."""
    _check_term(
        council=member.council,
        user=member.user,
        seat=member.seat,
        role=member.role,
        term_start=member.term_start,
        term_end=member.term_end,
        exclude_pk=member.pk,
    )
