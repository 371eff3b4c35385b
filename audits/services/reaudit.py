"""Linking a new audit of a unit to its earlier audit (a re-audit), so the two can be read
side by side. The follow-up stays a stage of one audit; the link joins two audits."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from brukarkraft.models import User

from .. import access
from ..models import Audit, AuditEvent
from .base import _lock, _record

# A chain of re-audits longer than this is not a real history but a data error.
MAX_CHAIN = 50


def reaudit_candidates(audit: Audit):
    """The audits `audit` may be linked to: the same organisation's earlier audits of at
    least one of its units, never drafts or cancelled orders."""
    return (
        Audit.objects.filter(
            organisation_id=audit.organisation_id,
            units__in=audit.units.all(),
            created_at__lt=audit.created_at,
        )
        .exclude(pk=audit.pk)
        .exclude(status__in=[Audit.Status.DRAFT, Audit.Status.CANCELLED])
        .distinct()
        .order_by("-created_at")
    )


def _check_link(audit: Audit, earlier: Audit) -> None:
    if earlier.pk == audit.pk:
        raise ValidationError(gettext("An audit cannot be a re-audit of itself."), code="self")
    if earlier.organisation_id != audit.organisation_id:
        raise ValidationError(
            gettext("The earlier audit must be ordered by the same organisation."),
            code="other_organisation",
        )
    if not earlier.units.filter(pk__in=audit.units.values("pk")).exists():
        raise ValidationError(
            gettext("The earlier audit must have audited at least one of the same units."),
            code="other_unit",
        )
    if earlier.created_at >= audit.created_at:
        raise ValidationError(
            gettext("The audit it re-audits must have been ordered earlier."), code="not_earlier"
        )
    if earlier.status in {Audit.Status.DRAFT, Audit.Status.CANCELLED}:
        raise ValidationError(
            gettext("A draft or cancelled order cannot be re-audited."), code="not_audited"
        )
    # Walk the earlier audit's own chain: meeting `audit` there would close a loop.
    seen = {earlier.pk}
    current = earlier.reaudit_of_id
    for _step in range(MAX_CHAIN):
        if current is None:
            return
        if current == audit.pk or current in seen:
            break
        seen.add(current)
        current = Audit.objects.filter(pk=current).values_list("reaudit_of_id", flat=True).first()
    raise ValidationError(
        gettext("The link would make the audits re-audits of each other."), code="cycle"
    )


@transaction.atomic
def audit_link_reaudit(*, audit: Audit, earlier: Audit | None, by: User) -> Audit:
    """The centre's staff link `audit` as a re-audit of `earlier` (or remove the link with
    None), with a line in the audit's history."""
    audit = _lock(audit)
    if not access.is_staff(by):
        raise PermissionDenied
    if earlier is not None:
        # Read the earlier audit's own link afresh: the caller's copy may be old.
        earlier = _lock(earlier)
        _check_link(audit, earlier)
        comment = gettext("Re-audit of %(audit)s") % {"audit": earlier.reference or earlier.pk}
    elif audit.reaudit_of_id is None:
        return audit
    else:
        comment = gettext("The link to the earlier audit was removed.")
    audit.reaudit_of = earlier
    audit.save(update_fields=["reaudit_of", "updated_at"])
    _record(audit, action=AuditEvent.Kind.REAUDIT_LINKED, by=by, comment=comment)
    return audit
