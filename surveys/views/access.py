"""Scoped lookups: a person who may not see a survey gets 404, never its data."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from brukarkraft.permissions import role_required
from brukarkraft.roles import Role

from ..models import Survey

# Builders and readers of results; respondents never log in.
survey_people = role_required(Role.STAFF, Role.ADMIN, Role.AUDITOR)
staff_only = role_required(Role.STAFF, Role.ADMIN)


def visible_survey(request, pk: int) -> Survey:
    return get_object_or_404(Survey.objects.visible_to(request.user), pk=pk)


def editable_survey(request, pk: int) -> Survey:
    survey = visible_survey(request, pk)
    if not Survey.objects.editable_by(request.user).filter(pk=survey.pk).exists():
        raise PermissionDenied
    return survey


def can_edit(request, survey: Survey) -> bool:
    return Survey.objects.editable_by(request.user).filter(pk=survey.pk).exists()


def can_publish(request, survey: Survey) -> bool:
    if request.user.has_role(Role.STAFF, Role.ADMIN):
        return True  # No query: staff may publish every survey.
    return Survey.objects.publishable_by(request.user).filter(pk=survey.pk).exists()
