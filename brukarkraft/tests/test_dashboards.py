"""Role start pages: who lands where, what each page shows, and who is turned away."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from brukarkraft.models import AccessibilityFeedback, Organisation
from brukarkraft.permissions import role_required
from brukarkraft.roles import Role
from brukarkraft.tests.factories import (
    AccessibilityFeedbackFactory,
    CountyFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def en(name: str) -> str:
    # English pages, so the assertions read the source wording whatever is translated.
    with translation.override("en"):
        return reverse(name)


def row_count(html: str, label: str) -> int:
    """The number in the table row headed `label`."""
    match = re.search(
        rf'<th scope="row">{re.escape(label)}</th>\s*<td class="text-end">(\d+)</td>', html
    )
    assert match, f"no row for {label!r}"
    return int(match.group(1))


# --- Where `start` sends each role ----------------------------------------------


@pytest.mark.parametrize(
    ("persona", "page"),
    [
        ("commissioner", "start_commissioner"),
        ("auditor", "start_auditor"),
        ("staff", "start_staff"),
        ("admin_user", "start_admin"),
    ],
)
def test_start_sends_each_role_to_its_page(client, request, persona, page):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("start"))

    assert response.status_code == 302
    assert response.url == reverse(page)
    assert client.get(response.url).status_code == 200


def test_start_sends_a_person_with_several_roles_to_the_widest(client):
    both = UserFactory(roles=[Role.COMMISSIONER, Role.STAFF])
    client.force_login(both)

    assert client.get(reverse("start")).url == reverse("start_staff")


def test_start_keeps_the_language_of_the_request(client, auditor):
    client.force_login(auditor)

    assert client.get("/nb/start/").url == "/nb/start/auditor/"


def test_start_explains_to_an_outsider_that_the_account_has_no_role(client, outsider, settings):
    settings.PORTAL_CONTACT_EMAIL = "hjalp@example.se"
    client.force_login(outsider)

    response = client.get(en("start"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Your account has no role yet" in html
    assert 'href="mailto:hjalp@example.se"' in html


def test_start_sends_an_anonymous_visitor_to_log_in(client):
    response = client.get(reverse("start"))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('start')}"


# --- Denials --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "page"),
    [
        ("commissioner", "start_staff"),
        ("commissioner", "start_auditor"),
        ("commissioner", "start_admin"),
        ("auditor", "start_admin"),
        ("auditor", "start_commissioner"),
        ("auditor", "start_staff"),
        ("staff", "start_admin"),
        ("staff", "start_commissioner"),
        ("outsider", "start_commissioner"),
        ("outsider", "start_auditor"),
        ("outsider", "start_staff"),
        ("outsider", "start_admin"),
    ],
)
def test_a_start_page_of_another_role_is_forbidden(client, request, persona, page):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse(page))

    assert response.status_code == 403
    assert "You do not have access to this page" in client.get(en(page)).content.decode()


@pytest.mark.parametrize(
    "page", ["start_commissioner", "start_auditor", "start_staff", "start_admin"]
)
def test_a_start_page_sends_an_anonymous_visitor_to_log_in(client, page):
    response = client.get(reverse(page))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse(page)}"


def test_an_admin_may_also_open_the_staff_page(client, admin_user):
    client.force_login(admin_user)

    assert client.get(reverse("start_staff")).status_code == 200


# --- role_required ----------------------------------------------------------


def _request(user, path="/somewhere/?x=1"):
    request = RequestFactory().get(path)
    request.user = user
    return request


def test_role_required_lets_a_holder_of_any_listed_role_through(auditor):
    @role_required(Role.STAFF, Role.AUDITOR)
    def view(request):
        return HttpResponse("ok")

    assert view(_request(auditor)).content == b"ok"


def test_role_required_refuses_other_roles(commissioner):
    @role_required(Role.STAFF)
    def view(request):
        return HttpResponse("ok")

    with pytest.raises(PermissionDenied):
        view(_request(commissioner))


def test_role_required_sends_anonymous_visitors_to_log_in_with_next():
    from django.contrib.auth.models import AnonymousUser

    @role_required(Role.STAFF)
    def view(request):
        return HttpResponse("ok")

    response = view(_request(AnonymousUser()))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/somewhere/%3Fx%3D1"


def test_role_required_without_roles_is_a_programming_error():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        role_required()


# --- Commissioner ---------------------------------------------------------------


def test_commissioner_page_shows_the_organisation_colleagues_steps_and_contact(
    client, commissioner, organisation, other_commissioner, settings
):
    settings.PORTAL_CONTACT_EMAIL = "hjalp@example.se"
    organisation.org_number = "212000-1967"
    organisation.email = "arbetsmarknad@orebro.se"
    organisation.phone = "019-21 10 00"
    organisation.save()
    colleague = UserFactory(full_name="Kim Kollega", roles=[Role.COMMISSIONER])
    MembershipFactory(user=colleague, organisation=organisation, title="Enhetschef")
    client.force_login(commissioner)

    response = client.get(en("start_commissioner"))

    html = response.content.decode()
    assert organisation.name in html
    assert "Municipality" in html
    assert "212000-1967" in html
    assert f"<dd>{organisation.municipality.name}</dd>" in html
    assert f"<dd>{organisation.county.name}</dd>" in html
    assert 'href="mailto:arbetsmarknad@orebro.se"' in html
    assert "019-21 10 00" in html
    assert "Kim Kollega, Enhetschef" in html
    # Colleagues are the other members; Olof belongs to another organisation.
    assert "Cecilia Beställare</li>" not in html
    assert other_commissioner.full_name not in html
    for step in [
        "Order the audit",
        "Accept the quote and the agreement",
        "Help recruit informants",
        "Receive the report at the feedback meeting",
        "Answer each improvement proposal",
        "Follow up",
    ]:
        assert step in html
    assert "accept it in part or reject it" in html
    assert 'href="mailto:hjalp@example.se"' in html


def test_commissioner_page_without_an_organisation_says_whom_to_ask(client):
    loner = UserFactory(roles=[Role.COMMISSIONER])
    client.force_login(loner)

    html = client.get(en("start_commissioner")).content.decode()

    assert "Your account is not linked to an organisation yet." in html


def test_commissioner_page_runs_a_fixed_number_of_queries(
    client, commissioner, organisation, django_assert_max_num_queries
):
    county = CountyFactory(code="03", name="Uppsala län", letter="C")
    for n in range(8):
        municipality = MunicipalityFactory(code=f"03{n:02d}", name=f"Kommun {n}", county=county)
        extra = OrganisationFactory(municipality=municipality)
        MembershipFactory(user=commissioner, organisation=extra)
        for _colleague in range(5):
            MembershipFactory(organisation=extra)
    client.force_login(commissioner)

    # Session, user, roles, organisations, colleagues, the audits (with the own drafts),
    # the person's notices.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("start_commissioner"))

    assert len(response.context["organisations"]) == 9


# --- Auditor ----------------------------------------------------------------------


def test_auditor_page_shows_the_association_and_what_the_role_involves(client, auditor, settings):
    settings.PORTAL_CONTACT_EMAIL = "hjalp@example.se"
    association = OrganisationFactory(name="RSMH Örebro", kind=Organisation.Kind.USER_ORGANISATION)
    MembershipFactory(user=auditor, organisation=association)
    client.force_login(auditor)

    html = client.get(en("start_auditor")).content.decode()

    assert "RSMH Örebro" in html
    assert "User organisation" in html
    assert "Confidentiality" in html
    assert "No names in the data" in html
    assert "Results for groups, never for single persons" in html
    assert "Fee" in html
    assert 'href="mailto:hjalp@example.se"' in html


def test_auditor_page_runs_a_fixed_number_of_queries(
    client, auditor, django_assert_max_num_queries
):
    for _n in range(10):
        MembershipFactory(user=auditor, organisation=OrganisationFactory())
    client.force_login(auditor)

    # Session, user, roles, organisations, the audits, the undertaking, this month's hours,
    # the person's notices.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("start_auditor"))

    assert len(response.context["organisations"]) == 10


# --- Staff ------------------------------------------------------------------------


@pytest.fixture
def counties(db):
    return [
        CountyFactory(code="01", name="Stockholms län", letter="AB"),
        CountyFactory(code="18", name="Örebro län", letter="T"),
        CountyFactory(code="25", name="Norrbottens län", letter="BD"),
    ]


def test_staff_page_counts_open_feedback_by_status_and_links_to_the_inbox(client, staff):
    AccessibilityFeedbackFactory.create_batch(3)
    AccessibilityFeedbackFactory.create_batch(2, status=AccessibilityFeedback.Status.IN_PROGRESS)
    AccessibilityFeedbackFactory.create_batch(4, status=AccessibilityFeedback.Status.RESOLVED)
    client.force_login(staff)

    response = client.get(en("start_staff"))

    html = response.content.decode()
    counts = {row.value: row.count for row in response.context["feedback_by_status"]}
    assert counts == {"new": 3, "in_progress": 2}
    assert '<span class="stat-list__number">3</span> New' in html
    assert '<span class="stat-list__number">2</span> In progress' in html
    assert f'href="{en("feedback_inbox")}"' in html
    assert "Open the feedback inbox (5 open reports)" in html


def test_staff_page_tables_organisations_by_kind_and_by_county(client, staff, counties):
    stockholm, orebro, norrbotten = counties
    solna = MunicipalityFactory(code="0184", name="Solna", county=stockholm)
    OrganisationFactory.create_batch(2, kind=Organisation.Kind.REGION, municipality=solna)
    OrganisationFactory(kind=Organisation.Kind.FINSAM)
    OrganisationFactory(kind=Organisation.Kind.FINSAM, is_active=False)
    client.force_login(staff)

    html = client.get(en("start_staff")).content.decode()

    assert "<caption>Active organisations by kind</caption>" in html
    assert '<th scope="col">Kind</th>' in html
    assert row_count(html, "Region") == 2
    assert row_count(html, "Coordination association (Finsam)") == 1
    assert row_count(html, "Study association") == 0
    assert "<caption>Active organisations in each county</caption>" in html
    assert row_count(html, stockholm.name) == 2
    assert row_count(html, orebro.name) == 1
    # Counties without any organisation are listed too: the goal is all counties.
    assert row_count(html, norrbotten.name) == 0


def test_staff_page_counts_users_per_role(client, staff, commissioner, auditor, outsider):
    UserFactory(roles=[Role.AUDITOR])
    UserFactory(roles=[Role.AUDITOR], is_active=False)
    UserFactory(is_superuser=True, is_staff=True)
    client.force_login(staff)

    html = client.get(en("start_staff")).content.decode()

    assert "<caption>Active users per role</caption>" in html
    assert row_count(html, "User auditor") == 2
    assert row_count(html, "Commissioner") == 1
    assert row_count(html, "Resource-centre staff") == 1
    assert row_count(html, "Administrator") == 1
    assert row_count(html, "No role yet") == 1


def test_staff_page_runs_a_fixed_number_of_queries(
    client, staff, counties, django_assert_max_num_queries
):
    for kind in Organisation.Kind.values:
        for county in counties:
            municipality = MunicipalityFactory(
                code=f"{county.code}{len(kind):02d}", name=f"{kind} {county.code}", county=county
            )
            OrganisationFactory.create_batch(2, kind=kind, municipality=municipality)
    AccessibilityFeedbackFactory.create_batch(20)
    for role in Role.values:
        UserFactory.create_batch(3, roles=[role])
    client.force_login(staff)

    # Session, user, roles, then one query per table on the page, one for the audits, one
    # for the requests to join an organisation, and one for the person's notices.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("start_staff"))

    assert response.status_code == 200


# --- Admin ------------------------------------------------------------------------


def test_admin_page_counts_and_links_into_the_administration(client, admin_user, staff):
    OrganisationFactory.create_batch(3)
    AccessibilityFeedbackFactory.create_batch(2)
    AccessibilityFeedbackFactory(status=AccessibilityFeedback.Status.RESOLVED)
    client.force_login(admin_user)

    response = client.get(en("start_admin"))

    html = response.content.decode()
    assert '<span class="stat-list__number">3</span> active organisations' in html
    assert '<span class="stat-list__number">2</span> open accessibility reports' in html
    assert row_count(html, "Administrator") == 1
    assert row_count(html, "Resource-centre staff") == 1
    with translation.override("en"):
        for name in [
            "admin:index",
            "admin:brukarkraft_user_changelist",
            "admin:brukarkraft_organisation_changelist",
            "admin:brukarkraft_accessibilityfeedback_changelist",
        ]:
            assert f'href="{reverse(name)}"' in html


def test_admin_page_runs_a_fixed_number_of_queries(
    client, admin_user, django_assert_max_num_queries
):
    OrganisationFactory.create_batch(15)
    AccessibilityFeedbackFactory.create_batch(15)
    UserFactory.create_batch(15, roles=[Role.COMMISSIONER])
    client.force_login(admin_user)

    # One more than the counts: the person's notices.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("start_admin"))

    assert response.status_code == 200
