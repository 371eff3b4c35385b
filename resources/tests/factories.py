"""factory_boy factories for the library, courses and guidance; `published_resource`
takes a resource through the real review (two people) so tests start from reachable states."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from brukarkraft.roles import Role
from brukarkraft.tests.factories import UserFactory
from resources import services
from resources.models import (
    Audience,
    Course,
    CourseSession,
    GuidanceRequest,
    Kind,
    Resource,
    Topic,
)


class ResourceFactory(factory.django.DjangoModelFactory):
    """A draft (working copy only)."""

    class Meta:
        model = Resource

    slug = factory.Sequence(lambda n: f"revisionsmanual-{n}")
    kind = Kind.AUDIT_MANUAL
    language = "sv"
    topics = [Topic.USER_AUDIT]
    audiences = [Audience.AUDITORS]
    title = factory.Sequence(lambda n: f"Revisionsmanual för brukarrevision {n}")
    summary = "Så planerar, genomför och återkopplar ni en brukarstyrd brukarrevision."
    body = (
        "# Innan revisionen\n\nBeställaren och revisorerna kommer överens om "
        "revisionsfrågorna.\n\n# Datainsamling\n\nIntervjuer och fokusgrupper hålls "
        "av två revisorer."
    )
    author = factory.SubFactory(UserFactory, roles=[Role.STAFF])


def published_resource(*, author=None, reviewer=None, **kwargs) -> Resource:
    """A resource written by `author` and approved by `reviewer` (two staff members)."""
    author = author or UserFactory(roles=[Role.STAFF])
    reviewer = reviewer or UserFactory(roles=[Role.STAFF])
    resource = ResourceFactory(author=author, **kwargs)
    services.resource_submit(resource=resource, by=author)
    services.resource_review(resource=resource, by=reviewer, decision="approved")
    resource.refresh_from_db()
    return resource


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    slug = factory.Sequence(lambda n: f"grundutbildning-{n}")
    title = factory.Sequence(lambda n: f"Grundutbildning för brukarrevisorer {n}")
    kind = Course.Kind.AUDITOR_BASIC
    description = "Fem dagar om intervjuteknik, etik, lagar, tystnadsplikt och analys."
    capacity = 3
    validity_months = 36
    qualifies_auditors = True


class CourseSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseSession

    course = factory.SubFactory(CourseFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=20))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=6))
    place = "Verdandi, Stockholm"
    topic = "Intervjuteknik"


class GuidanceRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuidanceRequest

    organisation_name = "Örebro kommun, arbetsmarknadsenheten"
    name = "Cecilia Beställare"
    email = "cecilia@example.se"
    topic = GuidanceRequest.Topic.ORDERING
    message = "Hur formulerar vi revisionsfrågor som brukarna själva äger?"
