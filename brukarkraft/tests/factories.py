"""factory_boy factories for the shared identity models."""

import factory
from django.contrib.auth.models import Group

from brukarkraft.models import (
    AccessibilityFeedback,
    County,
    Membership,
    Municipality,
    Organisation,
    User,
)
from brukarkraft.roles import Role

DEFAULT_PASSWORD = "Correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.se")
    full_name = factory.Faker("name", locale="sv_SE")
    preferred_language = "sv"
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create:
            return
        for role in extracted or []:
            group, _ = Group.objects.get_or_create(name=role)
            self.groups.add(group)
        self.save()


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ("code",)

    code = "18"
    name = "Örebro län"
    letter = "T"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    code = "1880"
    name = "Örebro"
    county = factory.SubFactory(CountyFactory)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.MUNICIPALITY
    municipality = factory.SubFactory(MunicipalityFactory)
    county = factory.SelfAttribute("municipality.county")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class AccessibilityFeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessibilityFeedback

    kind = AccessibilityFeedback.Kind.PROBLEM
    page_url = "/"
    message = "The menu cannot be reached with the keyboard."
    language = "sv"


def demo_municipalities() -> list[Municipality]:
    """The municipalities seed_demo needs, where the data migration has not made them.

    get_or_create on the code: no-ops where the migration has run.
    """
    orebro_county = CountyFactory(code="18", name="Örebro län", letter="T")
    stockholm_county = CountyFactory(code="01", name="Stockholms län", letter="AB")
    return [
        MunicipalityFactory(code="1880", name="Örebro", county=orebro_county),
        MunicipalityFactory(code="1881", name="Kumla", county=orebro_county),
        MunicipalityFactory(code="0180", name="Stockholm", county=stockholm_county),
    ]


def user_with_role(role: str, **kwargs) -> User:
    return UserFactory(roles=[role], **kwargs)


__all__ = ["Role", "user_with_role"]
