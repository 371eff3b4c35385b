"""Dates in the wrong order are refused with a plain message on the field: a survey that
closes before it opens (in the builder and in admin) and a results period that ends
before it starts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from brukarkraft.tests.admin_forms import page_data
from surveys.forms import ResultsFilterForm
from surveys.models import Survey

from .factories import make_survey

pytestmark = pytest.mark.django_db


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def codes(form, field: str) -> list[str]:
    return [error.code for error in form.errors.as_data().get(field, [])]


@pytest.fixture
def opens():
    return timezone.now() + timedelta(days=7)


def test_a_new_survey_closing_before_it_opens_is_refused(client, staff, opens):
    client.force_login(staff)

    response = client.post(
        reverse("surveys:create"),
        {
            "title_sv": "Enkät om boendet",
            "retention_days": 30,
            "opens_at": local(opens),
            "closes_at": local(opens - timedelta(hours=6)),
        },
    )

    assert response.status_code == 200
    assert codes(response.context["form"], "closes_at") == ["ends_before_start"]
    assert not Survey.objects.filter(title_sv="Enkät om boendet").exists()


def test_a_survey_closing_when_it_opens_is_refused_in_its_settings(client, staff, opens):
    survey = make_survey(title_sv="Enkät om boendet")
    client.force_login(staff)

    response = client.post(
        reverse("surveys:settings", args=[survey.pk]),
        {
            "title_sv": "Enkät om boendet",
            "retention_days": 30,
            "opens_at": local(opens),
            "closes_at": local(opens),
        },
    )

    assert response.status_code == 200
    assert codes(response.context["form"], "closes_at") == ["ends_before_start"]
    survey.refresh_from_db()
    assert survey.opens_at is None and survey.closes_at is None


def test_a_survey_closing_before_it_opens_is_refused_in_admin(client, admin_user, opens):
    survey = make_survey(title_sv="Enkät om boendet")
    client.force_login(admin_user)
    change = reverse("admin:surveys_survey_change", args=[survey.pk])
    data = page_data(client.get(change), opens_at=opens, closes_at=opens - timedelta(days=1))

    response = client.post(change, data)

    assert response.status_code == 200
    assert codes(response.context["adminform"].form, "closes_at") == ["ends_before_start"]
    survey.refresh_from_db()
    assert survey.closes_at is None


@pytest.mark.parametrize(
    ("date_to", "valid"), [(date(2026, 3, 31), False), (date(2026, 4, 1), True)]
)
def test_a_results_period_ending_before_it_starts_is_refused(date_to, valid):
    survey = make_survey()
    form = ResultsFilterForm(
        {"date_from": "2026-04-01", "date_to": date_to.isoformat()}, survey=survey
    )

    assert form.is_valid() is valid
    assert codes(form, "date_to") == ([] if valid else ["ends_before_start"])
