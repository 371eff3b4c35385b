"""Who may do what in the library, the courses and method guidance.

Lists are read through the querysets' `visible_to(user)` (models); single objects are asked
`can_<verb>(user, obj)` here. Views fetch with `get_object_or_404(<queryset>.visible_to(user))`
(an outsider gets 404) and check the predicate (403 for a visible object the user may not
change); services check the same predicates, so a request that skips the page is refused too.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from brukarkraft.permissions import role_required
from brukarkraft.roles import Role

from .models import Registration, Resource

STAFF_ROLES = (Role.STAFF, Role.ADMIN)
# The centre's staff write the library, run the courses and answer method guidance.
staff_required = role_required(*STAFF_ROLES)


def is_staff(user) -> bool:
    return user.is_authenticated and user.has_role(*STAFF_ROLES)


def require_staff(user) -> None:
    if not is_staff(user):
        raise PermissionDenied


def can_review(user, resource: Resource) -> bool:
    """A resource in review, by someone who neither wrote it nor sent it for review."""
    return resource.status == Resource.Status.IN_REVIEW and user.pk not in {
        resource.author_id,
        resource.submitted_by_id,
    }


def can_cancel(user, registration: Registration) -> bool:
    """The participant, whoever registered them, and staff."""
    return user.pk in {
        registration.participant_id,
        registration.registered_by_id,
    } or user.has_role(*STAFF_ROLES)
