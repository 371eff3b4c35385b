"""Who may do what with a survey. Lists come from the querysets' `visible_to(user)`,
`editable_by(user)` and `publishable_by(user)` (models.survey); a view fetches one survey
through `visible_survey` (404 for a survey outside the user's reach) and asks `can_<verb>`
(403 for a visible survey the user may not change). Access an audit's team has is derived
through `grants`; access given by hand is a `SurveyMember`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from brukarkraft.permissions import role_required
from brukarkraft.roles import Role

from .models import Survey

# Builders and readers of results; respondents never log in.
survey_people = role_required(Role.STAFF, Role.ADMIN, Role.AUDITOR)
staff_only = role_required(Role.STAFF, Role.ADMIN)


def visible_survey(user, pk: int) -> Survey:
    """The survey `pk` if `user` may see it; 404 otherwise, so nothing is revealed."""
    return get_object_or_404(Survey.objects.visible_to(user), pk=pk)


def editable_survey(user, pk: int) -> Survey:
    """The survey `pk` to build: 404 if `user` may not see it, 403 if they may not edit it."""
    survey = visible_survey(user, pk)
    if not can_edit(user, survey):
        raise PermissionDenied
    return survey


def can_edit(user, survey: Survey) -> bool:
    return Survey.objects.editable_by(user).filter(pk=survey.pk).exists()


def can_publish(user, survey: Survey) -> bool:
    if user.has_role(Role.STAFF, Role.ADMIN):
        return True  # No query: staff may publish every survey.
    return Survey.objects.publishable_by(user).filter(pk=survey.pk).exists()
