"""Audits learns of completed library courses through resources' signal (audits.receivers)."""

from __future__ import annotations

from datetime import date

import pytest

from audits.models import AuditorProfile
from brukarkraft.roles import Role
from brukarkraft.tests.factories import UserFactory
from resources.models import Registration
from resources.signals import course_completed
from resources.tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


def completed(*, qualifies_auditors: bool) -> Registration:
    course = CourseFactory(qualifies_auditors=qualifies_auditors)
    person = UserFactory(roles=[Role.AUDITOR])
    return Registration.objects.create(
        course=course,
        participant=person,
        registered_by=person,
        status=Registration.Status.COMPLETED,
    )


def test_a_completed_course_that_qualifies_makes_the_participant_a_trained_auditor():
    registration = completed(qualifies_auditors=True)

    course_completed.send(
        sender=type(registration.course), registration=registration, valid_until=date(2030, 1, 31)
    )

    profile = AuditorProfile.objects.get(user=registration.participant)
    assert profile.training == AuditorProfile.Training.TRAINED
    assert profile.trained_until == date(2030, 1, 31)


def test_a_completed_course_that_does_not_qualify_leaves_the_pool_alone():
    registration = completed(qualifies_auditors=False)

    course_completed.send(
        sender=type(registration.course), registration=registration, valid_until=None
    )

    assert not AuditorProfile.objects.exists()
