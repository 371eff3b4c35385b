"""The surveys' part of a person's data: the surveys they build or read, and what they made
(see brukarkraft.privacy). Answers are anonymous by design: nothing links a response to a
person, so there is nothing of a respondent to find, export or erase."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from brukarkraft.privacy import Item, Match, Person, Replacement, account_matches

from .models import ExportJob, Survey, SurveyMember

KEY = "surveys"
TITLE = _("Surveys")

KEPT_FOR_ACCOUNT = _("Kept; they show the anonymised account's replacement name.")
ITEMS = {
    "survey_memberships": Item(
        _("Places on survey teams"), _("Deleted: the person no longer builds or reads them.")
    ),
    "surveys_created": Item(_("Surveys created"), KEPT_FOR_ACCOUNT),
    "exports_requested": Item(_("Exports of answers requested"), KEPT_FOR_ACCOUNT),
}


def find(query: str) -> list[Match]:
    return account_matches(_("Survey team member"), query, Q(survey_memberships__isnull=False))


def export(person: Person) -> dict:
    data: dict = {key: [] for key in ITEMS}
    data["about_answers"] = gettext(
        "Answers to surveys are anonymous: no answer is linked to a person, an address or a"
        " device, so none of them can be listed here."
    )
    user = person.user
    if user is None:
        return data
    data["survey_memberships"] = [
        {"survey": row.survey.title_sv, "version": row.survey.version, "role": row.role}
        for row in SurveyMember.objects.filter(user=user).select_related("survey")
    ]
    data["surveys_created"] = [
        {
            "survey": row.title_sv,
            "version": row.version,
            "status": row.status,
            "created": row.created_at,
        }
        for row in Survey.objects.filter(created_by=user)
    ]
    data["exports_requested"] = [
        {"survey": row.survey.title_sv, "format": row.format, "requested": row.created_at}
        for row in ExportJob.objects.filter(Q(requested_by=user)).select_related("survey")
    ]
    return data


def erase(person: Person, replacement: Replacement) -> int:
    if person.user is None:
        return 0
    return SurveyMember.objects.filter(user=person.user).delete()[0]
