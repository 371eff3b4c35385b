"""The surveys' part of a person's data (surveys/privacy.py): team places only, since the
answers are anonymous."""

from __future__ import annotations

import pytest
from django.utils import translation

from brukarkraft.privacy import Person, Replacement
from brukarkraft.tests.factories import UserFactory
from surveys import privacy
from surveys.models import Survey, SurveyMember
from surveys.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db


def test_a_survey_builders_place_is_exported_and_erased_and_the_survey_kept():
    builder = UserFactory(full_name="Siv Byggare")
    survey = SurveyFactory(created_by=builder)
    SurveyMember.objects.create(survey=survey, user=builder, role=SurveyMember.Role.BUILDER)
    person = Person.for_user(builder)

    (match,) = privacy.find("byggare")
    data = privacy.export(person)
    changed = privacy.erase(person, Replacement(number=1))

    assert match.ref == ("brukarkraft.user", builder.pk, "email")
    assert [row["role"] for row in data["survey_memberships"]] == ["builder"]
    assert [row["survey"] for row in data["surveys_created"]] == [survey.title_sv]
    with translation.override("en"):
        assert "anonymous" in privacy.export(person)["about_answers"]
    assert changed == 1
    assert not SurveyMember.objects.filter(user=builder).exists()
    assert Survey.objects.filter(pk=survey.pk, created_by=builder).exists()


def test_someone_without_an_account_has_nothing_in_the_surveys():
    person = Person(email="ingen@example.se", name="Ingen")

    assert privacy.find("ingen@example.se") == []
    assert privacy.export(person)["survey_memberships"] == []
    assert privacy.erase(person, Replacement(number=1)) == 0
