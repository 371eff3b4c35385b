"""Who reads and writes field notes: the audit's team only, having signed the undertaking.

Not the commissioner, not auditors outside the team; staff and coordinators see counts
only. Membership is asked on every request, so an auditor taken off the team loses access
at once while the notes they wrote stay with the team.
"""

from __future__ import annotations

from audits import access
from audits.models import Audit


def can_read_notes(user, audit: Audit) -> bool:
    return access.is_on_team(user, audit) and access.has_undertaking(user)


def can_write_notes(user, audit: Audit) -> bool:
    return can_read_notes(user, audit) and audit.status in Audit.CONDUCTING


def can_see_counts(user, audit: Audit) -> bool:
    return can_read_notes(user, audit) or access.can_manage(user, audit)
