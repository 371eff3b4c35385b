"""Who may do what with an audit's publication (the pattern of audits/access.py): the
commissioner consents, the centre's staff publish, either withdraws; the terms are set by
the staff or the commissioner while nothing is consented or published."""

from __future__ import annotations

from audits import access
from audits.models import Audit

from .models import Publication


def active_publication(audit: Audit) -> Publication | None:
    """The audit's consent or publication in force, or None (none yet, or withdrawn)."""
    publication = getattr(audit, "publication", None)
    if publication is None or publication.status == Publication.Status.WITHDRAWN:
        return None
    return publication


def can_edit_terms(user, audit: Audit) -> bool:
    # Consent is given to the terms as they are: they stay fixed while it stands.
    if audit.status in {Audit.Status.DRAFT, Audit.Status.CANCELLED}:
        return False
    if active_publication(audit) is not None:
        return False
    return access.is_staff(user) or access.is_commissioner_of(user, audit)


def can_consent(user, audit: Audit) -> bool:
    return access.is_commissioner_of(user, audit)


def can_publish(user, audit: Audit) -> bool:
    # The centre's own staff, not a coordinator: publishing speaks for the centre.
    return access.is_staff(user)


def can_withdraw(user, audit: Audit) -> bool:
    return access.is_staff(user) or access.is_commissioner_of(user, audit)
