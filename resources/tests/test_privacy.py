"""The library's part of a person's data: found, exported and erased (resources/privacy.py)."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from brukarkraft.privacy import Person, Replacement
from brukarkraft.tests.factories import UserFactory
from resources import privacy, services
from resources.models import GuidanceRequest, Registration, TrainingRecord
from resources.tests.factories import CourseFactory, GuidanceRequestFactory

pytestmark = pytest.mark.django_db


def test_someone_who_asked_for_guidance_without_an_account_is_found_exported_and_erased(
    staff,
):
    asked = GuidanceRequestFactory(name="Gun Frågare", email="gun@example.se", phone="070-111")
    other = GuidanceRequestFactory(name="Olle Annan", email="olle@example.se")
    person = Person(email="gun@example.se", name="Gun Frågare")

    matches = privacy.find("GUN@example.se")
    data = privacy.export(person)
    changed = privacy.erase(person, Replacement(number=1, by=staff))

    assert [(m.name, m.ref) for m in matches] == [
        ("Gun Frågare", ("resources.guidancerequest", asked.pk, "email"))
    ]
    assert [row["phone"] for row in data["guidance_requests"]] == ["070-111"]
    assert "olle@example.se" not in json.dumps(data, default=str)
    assert changed == 1
    assert list(GuidanceRequest.objects.all()) == [other]


def test_a_participants_registrations_go_and_the_waiting_list_moves_up(staff):
    course = CourseFactory(capacity=1)
    done = CourseFactory()
    participant = UserFactory(full_name="Pia Deltagare")
    waiting = UserFactory()
    services.registration_create(course=course, participant=participant, by=participant)
    services.registration_create(course=course, participant=waiting, by=waiting)
    finished = services.registration_create(course=done, participant=participant, by=participant)
    Registration.objects.filter(pk=finished.pk).update(
        status=Registration.Status.COMPLETED, completed_at=timezone.now()
    )
    TrainingRecord.objects.create(user=participant, course=done, completed_on=timezone.localdate())
    person = Person.for_user(participant)

    data = privacy.export(person)
    changed = privacy.erase(person, Replacement(number=2, by=staff))

    assert {row["status"] for row in data["registrations"]} == {"registered", "completed"}
    assert [row["course"] for row in data["training_records"]] == [done.title]
    assert changed == 3
    assert not Registration.objects.filter(participant=participant).exists()
    assert not TrainingRecord.objects.filter(user=participant).exists()
    assert Registration.objects.get(participant=waiting).status == Registration.Status.REGISTERED
    assert privacy.erase(person, Replacement(number=3, by=staff)) == 0
