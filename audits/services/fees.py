"""Auditors' fees: the hours and travel they log on an audit while it is under way."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from brukarkraft.faults import repeat_of
from brukarkraft.models import User

from .. import workflow
from ..models import Audit, AuditorProfile, FeeEntry
from ..workflow import FEE_STATES, STEPS
from .base import _lock, _refuse, _require, _require_state

logger = logging.getLogger(__name__)


# --- Fees ---------------------------------------------------------------------


@workflow.performs("fees")
@transaction.atomic
def fee_log(*, audit: Audit, by: User, data: dict) -> FeeEntry:
    """An auditor logs their own hours and travel on an audit they are on."""
    audit = _lock(audit)
    step = STEPS["fees"]
    _require(step, by, audit)
    _require_state(step, audit, gettext("Hours can be logged while the audit is under way."))
    # Sent twice: one entry, not two claims for the same hours.
    repeat = repeat_of(FeeEntry.objects.filter(audit=audit), at="created_at", auditor=by, **data)
    if repeat is not None:
        return repeat
    profile = AuditorProfile.objects.filter(user=by).first()
    rate = profile.hourly_rate if profile else AuditorProfile._meta.get_field("hourly_rate").default
    entry = FeeEntry(audit=audit, auditor=by, hourly_rate=rate, **data)
    if entry.worked_on and entry.worked_on > timezone.localdate():
        raise ValidationError(
            {"worked_on": gettext("The date cannot be in the future.")}, code="future"
        )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def fee_delete(*, entry: FeeEntry, by: User) -> None:
    if entry.auditor_id != by.pk:
        raise PermissionDenied
    audit = _lock(entry.audit)
    if audit.status not in FEE_STATES:
        _refuse(audit, gettext("Hours can be removed only while the audit is under way."))
    entry.delete()


def fee_total(entries: Iterable[FeeEntry]) -> Decimal:
    return sum((entry.total for entry in entries), Decimal("0"))
