"""Who may see and do what in the councils portal.

The pattern every app follows: lists are queryset methods, `visible_to(user)`, and single
objects are asked predicates, `can_<verb>(user, obj) -> bool`. Views fetch a council with
`get_object_or_404(Council.objects.visible_to(user), ...)`, so a council outside the user's
reach is a 404, then ask `can_<verb>` and answer 403 for a council the user may see but not
use that way.

- A public council is visible to everyone; one that is not public exists only for its members
  (any term, past ones too) and the centre's staff.
- The member area (notices, documents, cases, self-assessments, annual reports) is for the
  same members and staff: `can_enter`. Everyone else gets 403 for a public council and, as
  it is not visible to them, 404 for one that is not.
- Cases come from members serving now, and from staff; annual reports are asked for by staff.

This module imports no model: the models' querysets take their access methods from here.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from brukarkraft.roles import Role


def is_staff(user) -> bool:
    """The centre's staff and admins: they see and may do everything in every council."""
    return user.is_authenticated and user.has_role(Role.STAFF, Role.ADMIN)


class CouncilAccessQuerySet(models.QuerySet):
    """The lists of councils a user may reach; CouncilQuerySet inherits them."""

    def visible_to(self, user) -> models.QuerySet:
        """Councils whose pages `user` may see: the public ones, and the others to their
        members and staff."""
        if is_staff(user):
            return self.all()
        if not user.is_authenticated:
            return self.filter(is_public=True)
        return self.filter(Q(is_public=True) | Q(members__user=user)).distinct()

    def enterable_by(self, user) -> models.QuerySet:
        """Councils whose member area `user` may enter: staff all, members (any term) their
        own."""
        if not user.is_authenticated:
            return self.none()
        if is_staff(user):
            return self.all()
        return self.filter(members__user=user).distinct()


def can_enter(user, council) -> bool:
    """Whether `user` may enter the council's member area: staff, or a member of any term."""
    if not user.is_authenticated:
        return False
    return is_staff(user) or council.members.filter(user=user).exists()


def can_submit_case(user, council) -> bool:
    """Former members may read the member area, but cases come from those serving now."""
    if not user.is_authenticated:
        return False
    return is_staff(user) or council.members.current().filter(user=user).exists()


def can_request_annual_report(user, council) -> bool:
    """Staff ask for the annual report; members read the reports that are ready."""
    return is_staff(user)
