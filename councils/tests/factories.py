"""factory_boy factories for councils."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from brukarkraft.models import Organisation
from brukarkraft.tests.factories import OrganisationFactory, UserFactory
from councils.models import (
    AppointmentRequest,
    Case,
    Council,
    Gender,
    MandateVersion,
    Meeting,
    Member,
    Seat,
    UserCategory,
)


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council

    name = factory.Sequence(lambda n: f"Brukarrådet {n}")
    slug = factory.Sequence(lambda n: f"brukarradet-{n}")
    owner = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.MUNICIPALITY)
    level = Council.Level.MUNICIPAL
    description = "Rådet ger kommunen råd om stöd och service till personer med psykisk ohälsa."


class MandateVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MandateVersion

    council = factory.SubFactory(CouncilFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = "Brukarrådet är rådgivande och behandlar inte enskilda ärenden."
    adopted_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=200))
    revision_due = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=500))


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    council = factory.SubFactory(CouncilFactory)
    organisation = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.USER_ORGANISATION)
    category = UserCategory.MENTAL_HEALTH
    places = 1
    deputies = 1


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    council = factory.SubFactory(CouncilFactory)
    user = factory.SubFactory(UserFactory)
    display_name = factory.SelfAttribute("user.full_name")
    role = Member.Role.MEMBER
    gender = Gender.WOMAN
    category = UserCategory.MENTAL_HEALTH
    term_start = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=100))
    term_end = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=600))
    publish_consent = True


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    council = factory.SubFactory(CouncilFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    place = "Stadshuset, sal 3"
    accessibility = "Entré utan trappsteg, hörslinga, tillgänglig toalett."


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    council = factory.SubFactory(CouncilFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "Färdtjänsten kommer för sent"
    why = "Flera missar sina tider på dagverksamheten."
    where = "Färdtjänsten i hela kommunen."
    when = "Varje vecka, oftast på morgonen."
    proposed_solution = "Inför en kontaktperson hos färdtjänsten för brukarrådet."


class AppointmentRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentRequest

    council = factory.SubFactory(CouncilFactory)
    places = 2
    description = "Två representanter för personer med egen erfarenhet av psykisk ohälsa."
    deadline = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
