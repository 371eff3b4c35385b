"""Cases (saker): submitted by anyone on the council, or rejected with a reason. Their
progress on agendas is recorded by services.meetings.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from brukarkraft.faults import repeat_of
from brukarkraft.models import User

from ..models import (
    Case,
    Council,
)

# --- Cases ----------------------------------------------------------------------


@transaction.atomic
def case_submit(
    *,
    council: Council,
    by: User | None,
    title: str,
    why: str,
    where: str,
    when: str,
    proposed_solution: str,
) -> Case:
    """Anyone on the council submits a case: why, where and when it is a problem, and a fix."""
    Council.objects.select_for_update().get(pk=council.pk)
    repeat = repeat_of(
        council.cases,
        at="submitted_at",
        submitted_by=by,
        title=title,
        why=why,
        where=where,
        when=when,
        proposed_solution=proposed_solution,
    )
    if repeat is not None:
        return repeat  # Sent twice: the case the first one made.
    number = (council.cases.aggregate(top=Max("number"))["top"] or 0) + 1
    case = Case(
        council=council,
        number=number,
        title=title,
        why=why,
        where=where,
        when=when,
        proposed_solution=proposed_solution,
        submitted_by=by,
    )
    case.full_clean()
    case.save()
    return case


@transaction.atomic
def case_reject(*, case: Case, reason: str) -> Case:
    """Reject a case with a reason (for example an individual case)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status in {Case.Status.CLOSED, Case.Status.REJECTED}:
        raise ValidationError(gettext("This case is already decided."), code="decided")
    if not reason.strip():
        raise ValidationError({"rejection_reason": gettext("Give a reason.")}, code="required")
    case.status = Case.Status.REJECTED
    case.rejection_reason = reason
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "rejection_reason", "closed_at"])
    return case
