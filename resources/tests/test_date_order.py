"""Dates in the wrong order are refused with a plain message on the field: a course
session ending before it starts (in admin, alone or on its course's page) and a training
record valid until before it was completed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from brukarkraft.tests.factories import UserFactory
from resources.models import CourseSession, TrainingRecord
from resources.tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

BACKWARDS = "The session must end after it starts."


@pytest.fixture(autouse=True)
def _in_english():
    # The admin is read in English here: the assertions quote the English text.
    translation.activate("en")
    yield
    translation.activate("sv")


@pytest.fixture
def course(db):
    return CourseFactory(slug="grundutbildning", title="Grundutbildning")


def day() -> str:
    return (timezone.localdate() + timedelta(days=20)).isoformat()


def test_a_session_from_three_to_nine_is_refused_in_admin(client, admin_user, course):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:resources_coursesession_add"),
        {
            "course": course.pk,
            "starts_at_0": day(),
            "starts_at_1": "15:00:00",
            "ends_at_0": day(),
            "ends_at_1": "09:00:00",
            "place": "Resurscentrum",
            "topic": "",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["ends_at"] == [BACKWARDS]
    assert not CourseSession.objects.exists()


def test_a_session_ending_before_it_starts_is_refused_on_the_course_page(
    client, admin_user, course
):
    client.force_login(admin_user)
    data = {
        "slug": course.slug,
        "title": course.title,
        "kind": course.kind,
        "language": course.language,
        "description": course.description,
        "capacity": course.capacity,
        "validity_months": "",
        "registration_open": "on",
        "is_published": "on",
        "sessions-TOTAL_FORMS": "1",
        "sessions-INITIAL_FORMS": "0",
        "sessions-0-starts_at_0": day(),
        "sessions-0-starts_at_1": "15:00:00",
        "sessions-0-ends_at_0": day(),
        "sessions-0-ends_at_1": "15:00:00",
        "sessions-0-place": "Resurscentrum",
    }

    response = client.post(reverse("admin:resources_course_change", args=[course.pk]), data)

    assert response.status_code == 200
    (sessions,) = response.context["inline_admin_formsets"]
    assert sessions.formset.forms[0].errors["ends_at"] == [BACKWARDS]
    assert not course.sessions.exists()


def test_a_session_in_the_right_order_is_saved(client, admin_user, course):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:resources_coursesession_add"),
        {
            "course": course.pk,
            "starts_at_0": day(),
            "starts_at_1": "09:00:00",
            "ends_at_0": day(),
            "ends_at_1": "15:00:00",
            "place": "Resurscentrum",
        },
    )

    assert response.status_code == 302
    assert course.sessions.count() == 1


def test_a_training_record_valid_until_before_its_completion_is_refused(course):
    record = TrainingRecord(
        user=UserFactory(),
        course=course,
        completed_on=timezone.localdate(),
        valid_until=timezone.localdate() - timedelta(days=1),
    )

    with pytest.raises(ValidationError) as refused:
        record.full_clean()

    assert refused.value.message_dict == {
        "valid_until": ["The training must be valid until a day after it was completed."]
    }
    record.valid_until = None  # a course that does not expire
    record.full_clean()
