"""Load demo data: four accounts with a published password, Swedish organisations, feedback.

Running it again brings the same rows back to the same state (update_or_create on a
natural key everywhere), so it can run on every `make run`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from brukarkraft import registry
from brukarkraft.models import (
    AccessibilityFeedback,
    JoinRequest,
    Membership,
    Municipality,
    Organisation,
    User,
)
from brukarkraft.roles import Role

# Published in the README: these accounts exist only where DEBUG is on.
DEMO_PASSWORD = "Brukarkraft-demo-2026"  # noqa: S105  (published on purpose)

OREBRO = "1880"
KUMLA = "1881"
STOCKHOLM = "0180"


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    kind: str
    org_number: str
    municipality: str
    city: str
    website: str = ""
    # Fictional numbers from the ranges PTS keeps free for films and examples.
    phone: str = ""


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    roles: tuple[str, ...]
    organisation: str
    title: str
    is_contact: bool = False
    preferred_language: str = "sv"
    is_superuser: bool = False
    # Demo accounts get DEMO_PASSWORD; colleagues exist as data and cannot log in.
    can_log_in: bool = False
    also_in: tuple[str, ...] = field(default_factory=tuple)


K = Organisation.Kind
AME = "Örebro kommun, arbetsmarknadsenheten"
FINSAM = "Finsam Örebro"
CENTRE = "Verdandi resurscentrum"
RSMH = "RSMH Örebro"
VERDANDI_OREBRO = "Verdandi Örebro"

# Organisation numbers: the public ones of Örebro kommun, Region Örebro län,
# Försäkringskassan and Arbetsförmedlingen; the others are made up with a valid check digit.
ORGANISATIONS = [
    DemoOrganisation(
        AME,
        K.MUNICIPALITY,
        "212000-1967",
        OREBRO,
        "Örebro",
        "https://www.orebro.se",
        "031-390 06 10",
    ),
    DemoOrganisation(FINSAM, K.FINSAM, "222000-1354", OREBRO, "Örebro", phone="031-390 06 11"),
    DemoOrganisation(
        "Försäkringskassan",
        K.STATE_AGENCY,
        "202100-5521",
        STOCKHOLM,
        "Stockholm",
        "https://www.forsakringskassan.se",
    ),
    DemoOrganisation(
        "Arbetsförmedlingen",
        K.STATE_AGENCY,
        "202100-2114",
        STOCKHOLM,
        "Stockholm",
        "https://arbetsformedlingen.se",
    ),
    DemoOrganisation(
        "Region Örebro län",
        K.REGION,
        "232100-0164",
        OREBRO,
        "Örebro",
        "https://www.regionorebrolan.se",
    ),
    DemoOrganisation(
        CENTRE,
        K.RESOURCE_CENTRE,
        "802004-9154",
        STOCKHOLM,
        "Stockholm",
        phone="08-465 004 10",
    ),
    DemoOrganisation(
        RSMH, K.USER_ORGANISATION, "802009-1396", OREBRO, "Örebro", phone="031-390 06 12"
    ),
    DemoOrganisation(
        VERDANDI_OREBRO,
        K.USER_ORGANISATION,
        "802013-0558",
        OREBRO,
        "Örebro",
        phone="031-390 06 13",
    ),
    DemoOrganisation(
        "NSPH, Nationell samverkan för psykisk hälsa",
        K.UMBRELLA_BODY,
        "802006-3072",
        STOCKHOLM,
        "Stockholm",
        phone="08-465 004 11",
    ),
    DemoOrganisation(
        "NBV, Nykterhetsrörelsens bildningsverksamhet",
        K.STUDY_ASSOCIATION,
        "802008-3575",
        STOCKHOLM,
        "Stockholm",
        phone="08-465 004 12",
    ),
    DemoOrganisation(
        "Vägen framåt arbetsträning AB",
        K.PRIVATE_PROVIDER,
        "556677-8899",
        KUMLA,
        "Kumla",
        phone="031-390 06 14",
    ),
]

DEMO = "demo.brukarkraft.se"
PEOPLE = [
    DemoPerson(
        f"bestallare@{DEMO}",
        "Cecilia Lindqvist",
        (Role.COMMISSIONER,),
        AME,
        "Enhetschef",
        is_contact=True,
        can_log_in=True,
    ),
    DemoPerson(
        f"revisor@{DEMO}",
        "Amira Hassan",
        (Role.AUDITOR,),
        VERDANDI_OREBRO,
        "Brukarrevisor",
        can_log_in=True,
    ),
    DemoPerson(
        f"personal@{DEMO}",
        "Sara Nilsson",
        (Role.STAFF,),
        CENTRE,
        "Metodhandledare",
        can_log_in=True,
    ),
    DemoPerson(
        f"admin@{DEMO}",
        "Adam Berg",
        (Role.ADMIN,),
        CENTRE,
        "Systemförvaltare",
        is_superuser=True,
        can_log_in=True,
    ),
    DemoPerson(f"jonas.ekstrom@{DEMO}", "Jonas Ekström", (Role.COMMISSIONER,), AME, "Handläggare"),
    DemoPerson(
        f"leila.karimi@{DEMO}",
        "Leila Karimi",
        (Role.COMMISSIONER,),
        FINSAM,
        "Förbundschef",
        is_contact=True,
    ),
    DemoPerson(
        f"per.andersson@{DEMO}",
        "Per Andersson",
        (Role.AUDITOR,),
        RSMH,
        "Brukarrevisor",
        also_in=(VERDANDI_OREBRO,),
    ),
    DemoPerson(
        f"maria.svensson@{DEMO}",
        "Maria Svensson",
        (Role.AUDITOR,),
        VERDANDI_OREBRO,
        "Ledande brukarrevisor",
        is_contact=True,
    ),
    DemoPerson(
        f"ingrid.solberg@{DEMO}",
        "Ingrid Solberg",
        (Role.STAFF,),
        CENTRE,
        "Utbildningsansvarig",
        preferred_language="nb",
    ),
]
ACCOUNTS = [person for person in PEOPLE if person.can_log_in]

F = AccessibilityFeedback
FEEDBACK = [
    {
        "kind": F.Kind.PROBLEM,
        "status": F.Status.NEW,
        "language": "sv",
        "page_url": "/",
        "message": (
            "Jag använder bara tangentbordet och fastnar i språkväljaren: "
            "fokus syns inte när jag tabbar förbi den."
        ),
        "age": timedelta(hours=3),
    },
    {
        "kind": F.Kind.FORMAT,
        "status": F.Status.IN_PROGRESS,
        "language": "nb",
        "page_url": "/nb/accessibility/",
        "requested_format": F.Format.EASY_READ,
        "name": "Kari Nordmann",
        "email": f"kari.nordmann@{DEMO}",
        "message": "Kan jeg få tilgjengelighetserklæringen på lettlest norsk?",
        "staff_note": "Lättläst version beställd från översättaren, klar inom två veckor.",
        "age": timedelta(days=4),
    },
    {
        "kind": F.Kind.OTHER,
        "status": F.Status.RESOLVED,
        "language": "en",
        "page_url": "/en/privacy/",
        "message": "The links in the footer were hard to tell apart from the text on my phone.",
        "staff_note": "Footer links are underlined now; answered by e-mail.",
        "age": timedelta(days=12),
    },
]


class Command(BaseCommand):
    help = "Create or refresh the demo accounts and organisations (DEBUG only)."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a published password, so it runs only "
                "with DEBUG on. Never load demo data into production."
            )
        with transaction.atomic():
            organisations = self.seed_organisations()
            people = self.seed_people(organisations)
            feedback = self.seed_feedback(handled_by=people[f"personal@{DEMO}"])
            self.seed_join_request(people[f"bestallare@{DEMO}"])
            # Each app's demo data, in the order the apps registered (portal_hooks).
            demo = registry.DemoData(people=people, organisations=organisations)
            summaries = []
            for seeder in registry.demo_seeders():
                demo.results[seeder.app], summary = seeder.seed(demo)
                summaries.append(summary)

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(organisations)} organisations, {len(people)} people, "
                f"{len(feedback)} pieces of accessibility feedback"
                + "".join(f", {summary}" for summary in summaries)
                + "."
            )
        )
        self.stdout.write(f"Log in with one of these (password {DEMO_PASSWORD}):")
        for person in ACCOUNTS:
            self.stdout.write(f"  {person.email:32} {Role(person.roles[0]).label}")

    def seed_organisations(self) -> dict[str, Organisation]:
        codes = {org.municipality for org in ORGANISATIONS}
        municipalities = {m.code: m for m in Municipality.objects.filter(code__in=codes)}
        missing = sorted(codes - municipalities.keys())
        if missing:
            raise CommandError(
                f"Municipalities {', '.join(missing)} are missing. They come from a migration: "
                "run `python manage.py migrate` first."
            )
        organisations = {}
        for org in ORGANISATIONS:
            municipality = municipalities[org.municipality]
            organisations[org.name], _created = Organisation.objects.update_or_create(
                name=org.name,
                defaults={
                    "kind": org.kind,
                    "org_number": org.org_number,
                    "municipality": municipality,
                    "county_id": municipality.county_id,
                    "city": org.city,
                    "website": org.website,
                    "phone": org.phone,
                    "email": f"kontakt.{org.org_number.replace('-', '')}@{DEMO}",
                    "is_active": True,
                },
            )
        return organisations

    def seed_people(self, organisations: dict[str, Organisation]) -> dict[str, User]:
        groups = {role: Group.objects.get_or_create(name=role)[0] for role in Role.values}
        people = {}
        for person in PEOPLE:
            user, created = User.objects.update_or_create(
                email=person.email,
                defaults={
                    "full_name": person.full_name,
                    "preferred_language": person.preferred_language,
                    "is_active": True,
                    # Staff run councils and courses in admin: the role gives admin access.
                    "is_staff": person.is_superuser or Role.STAFF in person.roles,
                    "is_superuser": person.is_superuser,
                },
            )
            if person.can_log_in and not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            elif not person.can_log_in and created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            user.groups.set([groups[role] for role in person.roles])
            for name in (person.organisation, *person.also_in):
                Membership.objects.update_or_create(
                    user=user,
                    organisation=organisations[name],
                    defaults={
                        "title": person.title,
                        "is_contact": person.is_contact and name == person.organisation,
                    },
                )
            people[person.email] = user
        return people

    def seed_join_request(self, commissioner: User) -> JoinRequest:
        """A newcomer who registered with the number of the demo commissioner's
        organisation: a request to join it, waiting for staff (its commissioners were told)."""
        organisation = commissioner.organisations.order_by("name").first()
        newcomer, created = User.objects.update_or_create(
            email=f"linnea.lind@{DEMO}",
            defaults={"full_name": "Linnea Lind", "preferred_language": "sv", "is_active": True},
        )
        if created:
            newcomer.set_unusable_password()
            newcomer.save(update_fields=["password"])
        newcomer.groups.set([Group.objects.get_or_create(name=Role.COMMISSIONER)[0]])
        Membership.objects.filter(user=newcomer).delete()
        JoinRequest.objects.filter(user=newcomer).delete()
        return JoinRequest.objects.create(
            user=newcomer,
            organisation=organisation,
            organisation_name_given=f"{organisation.name}, stab",
            commissioners_told_at=timezone.now(),
        )

    def seed_feedback(self, *, handled_by: User) -> list[AccessibilityFeedback]:
        now = timezone.now()
        rows = []
        for item in FEEDBACK:
            item = dict(item)
            received = now - item.pop("age")
            handled = item["status"] != F.Status.NEW
            feedback, created = F.objects.update_or_create(
                message=item.pop("message"),
                defaults={**item, "handled_by": handled_by if handled else None},
                # Times are set once, so a second run leaves the rows exactly as they were.
                create_defaults={
                    **item,
                    "handled_by": handled_by if handled else None,
                    "handled_at": received + timedelta(hours=20) if handled else None,
                    # Already "notified": demo rows never mail the contact address.
                    "staff_notified_at": received,
                },
            )
            if created:
                # created_at is auto_now_add; backdate it so the inbox shows a spread of days.
                F.objects.filter(pk=feedback.pk).update(created_at=received)
                feedback.refresh_from_db()
            rows.append(feedback)
        return rows
