"""The issue's speed rule: council lists and a council's page, in admin and on the portal,
run a fixed number of queries whatever the number of members, meetings and cases.

Each page is measured twice, with one council of one member and one meeting, and with
200 councils × 30 members × 50 meetings (and cases on agendas); the limit is the same.
The limits were measured with the tiny data: a higher count means a query per row crept in.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from brukarkraft.models import Organisation, User
from brukarkraft.tests.factories import OrganisationFactory
from councils.models import (
    AgendaItem,
    Case,
    Council,
    Gender,
    MandateVersion,
    Meeting,
    Member,
    Seat,
    UserCategory,
)

pytestmark = pytest.mark.django_db

TINY = (1, 1, 1)
LARGE = (200, 30, 50)
CASES_PER_COUNCIL = 12

# Queries per page, the same for one council and for two hundred.
PORTAL_LIMITS = {
    "councils:list": 4,
    "councils:detail": 10,
    # One more with notices out: their agendas are prefetched in one query.
    "councils:member_home": 11,
    "councils:cases": 8,
}
ADMIN_LIMITS = {"changelist": 6, "change": 22}


def build(councils: int, members: int, meetings: int) -> tuple[Council, User]:
    """`councils` public councils with their members, meetings and cases, in bulk; returns
    the first council and one of its members."""
    today = timezone.localdate()
    now = timezone.now()
    owner = OrganisationFactory(kind=Organisation.Kind.MUNICIPALITY)
    organisation = OrganisationFactory(kind=Organisation.Kind.USER_ORGANISATION)
    created = Council.objects.bulk_create(
        Council(name=f"Brukarråd {i:03}", slug=f"brukarrad-{i}", owner=owner, level="municipal")
        for i in range(councils)
    )
    MandateVersion.objects.bulk_create(
        MandateVersion(
            council=council,
            number=number,
            text="Rådet ger råd och behandlar inte enskilda ärenden.",
            adopted_on=today - timedelta(days=400 * (3 - number)),
            revision_due=today + timedelta(days=300 * number),
        )
        for council in created
        for number in (1, 2)
    )
    seats = Seat.objects.bulk_create(
        Seat(council=council, organisation=organisation, places=members) for council in created
    )
    users = User.objects.bulk_create(
        User(email=f"ledamot-{i}-{j}@example.se", full_name=f"Ledamot {i}-{j}", password="!")
        for i in range(councils)
        for j in range(members)
    )
    roles = list(Member.Role.values)
    Member.objects.bulk_create(
        Member(
            council=created[index // members],
            seat=seats[index // members],
            user=user,
            display_name=user.full_name,
            role=roles[index % len(roles)],
            organisation=organisation,
            category=UserCategory.MENTAL_HEALTH,
            gender=Gender.WOMAN if index % 2 else Gender.MAN,
            term_start=today - timedelta(days=300),
            # Some terms end within 90 days: the admin page warns about each.
            term_end=today + timedelta(days=60 if index % 3 == 0 else 500),
            publish_consent=index % 4 != 0,
        )
        for index, user in enumerate(users)
    )
    # Half the meetings held with approved minutes, half to come with the notice sent.
    held = meetings // 2 or 1
    made = Meeting.objects.bulk_create(
        Meeting(
            council=council,
            starts_at=now + timedelta(days=7 * (k - held) + 1),
            place="Stadshuset",
            accessibility="Hörslinga.",
            notice_sent_at=now - timedelta(days=30),
            minutes="Protokoll." if k < held else "",
            minutes_status=(
                Meeting.MinutesStatus.APPROVED if k < held else Meeting.MinutesStatus.NONE
            ),
        )
        for council in created
        for k in range(meetings)
    )
    statuses = list(Case.Status.values)
    cases = Case.objects.bulk_create(
        Case(
            council=council,
            number=k + 1,
            title=f"Sak {k + 1}",
            why="-",
            where="-",
            when="-",
            proposed_solution="-",
            status=statuses[k % len(statuses)],
            closed_at=now if statuses[k % len(statuses)] in {"closed", "rejected"} else None,
        )
        for council in created
        for k in range(CASES_PER_COUNCIL if councils > 1 else 1)
    )
    # Every meeting of the first council has a case on its agenda.
    first = created[0]
    first_cases = [case for case in cases if case.council_id == first.pk]
    AgendaItem.objects.bulk_create(
        AgendaItem(
            meeting=meeting,
            position=1,
            title="Ärende",
            case=first_cases[index % len(first_cases)],
        )
        for index, meeting in enumerate(m for m in made if m.council_id == first.pk)
    )
    return first, users[0]


@pytest.mark.parametrize("size", [TINY, LARGE], ids=["tiny", "large"])
@pytest.mark.parametrize("name", list(PORTAL_LIMITS))
def test_a_portal_council_page_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, name, size
):
    council, member = build(*size)
    client.force_login(member)
    kwargs = {} if name == "councils:list" else {"slug": council.slug}

    with django_assert_max_num_queries(PORTAL_LIMITS[name]):
        response = client.get(reverse(name, kwargs=kwargs))

    assert response.status_code == 200
    assert council.name in response.content.decode()


@pytest.mark.parametrize("size", [TINY, LARGE], ids=["tiny", "large"])
@pytest.mark.parametrize("view", list(ADMIN_LIMITS))
def test_an_admin_council_page_runs_a_fixed_number_of_queries(
    client, admin_user, django_assert_max_num_queries, view, size
):
    council, _member = build(*size)
    client.force_login(admin_user)
    args = [] if view == "changelist" else [council.pk]

    with django_assert_max_num_queries(ADMIN_LIMITS[view]):
        response = client.get(reverse(f"admin:councils_council_{view}", args=args))

    assert response.status_code == 200
    assert council.name in response.content.decode()


def test_the_large_data_is_as_large_as_the_issue_asks():
    build(*LARGE)

    assert Council.objects.count() == 200
    assert Member.objects.count() == 200 * 30
    assert Meeting.objects.count() == 200 * 50
    assert Case.objects.count() == 200 * CASES_PER_COUNCIL
