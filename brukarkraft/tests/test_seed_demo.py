"""seed_demo: the demo accounts log in and land on their pages; running it twice changes nothing."""

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse

from brukarkraft.management.commands.seed_demo import DEMO_PASSWORD
from brukarkraft.models import AccessibilityFeedback, JoinRequest, Membership, Organisation, User
from brukarkraft.roles import Role
from brukarkraft.validators import validate_org_number

# The demo data is seeded once for the module (conftest.seeded_demo).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_demo")]

DEMO_ACCOUNTS = [
    ("bestallare@demo.brukarkraft.se", Role.COMMISSIONER, "start_commissioner"),
    ("revisor@demo.brukarkraft.se", Role.AUDITOR, "start_auditor"),
    ("personal@demo.brukarkraft.se", Role.STAFF, "start_staff"),
    ("admin@demo.brukarkraft.se", Role.ADMIN, "start_admin"),
]


def snapshot() -> dict[str, list]:
    return {
        "users": list(
            User.objects.order_by("email").values_list(
                "email", "full_name", "preferred_language", "is_staff", "is_superuser", "password"
            )
        ),
        "groups": sorted(User.groups.through.objects.values_list("user__email", "group__name")),
        "organisations": list(
            Organisation.objects.order_by("name").values_list(
                "name", "kind", "org_number", "municipality__code", "county__code"
            )
        ),
        "memberships": sorted(
            Membership.objects.values_list("user__email", "organisation__name", "is_contact")
        ),
        "feedback": list(
            AccessibilityFeedback.objects.order_by("pk").values_list(
                "kind", "status", "handled_by__email", "handled_at", "created_at"
            )
        ),
    }


def test_running_it_twice_gives_exactly_the_same_rows(seed_demo_again):
    first = snapshot()

    seed_demo_again()

    assert snapshot() == first
    assert len(first["users"]) >= 4
    assert len(first["organisations"]) == 12  # with Helse Sør-Øst RHF (councils)


@pytest.mark.parametrize(("email", "role", "start_page"), DEMO_ACCOUNTS)
def test_each_demo_account_logs_in_and_lands_on_its_role_page(client, email, role, start_page):
    response = client.post(
        reverse("login"), {"username": email, "password": DEMO_PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse(start_page)
    assert response.status_code == 200
    assert response.wsgi_request.user.email == email
    assert client.get(reverse("start")).url == reverse(start_page)
    assert User.objects.get(email=email).has_role(role)


def test_the_commissioner_is_the_contact_of_orebro_kommuns_labour_market_unit():
    commissioner = User.objects.get(email="bestallare@demo.brukarkraft.se")
    membership = commissioner.memberships.get()
    assert commissioner.full_name == "Cecilia Lindqvist"
    assert commissioner.preferred_language == "sv"
    assert membership.is_contact
    assert membership.organisation.kind == Organisation.Kind.MUNICIPALITY
    assert membership.organisation.municipality.code == "1880"
    assert membership.organisation.county.code == "18"


def test_the_auditor_and_staff_belong_to_verdandi():
    auditor = User.objects.get(email="revisor@demo.brukarkraft.se")
    staff = User.objects.get(email="personal@demo.brukarkraft.se")
    assert [m.organisation.name for m in auditor.memberships.all()] == ["Verdandi Örebro"]
    assert [m.organisation.kind for m in staff.memberships.all()] == [
        Organisation.Kind.RESOURCE_CENTRE
    ]


def test_the_staff_account_may_use_the_administration_without_being_a_superuser():
    # Staff run councils and courses in admin (README); the role gives admin access.
    staff = User.objects.get(email="personal@demo.brukarkraft.se")
    assert staff.is_staff
    assert not staff.is_superuser
    assert staff.has_perm("councils.change_council")
    assert staff.has_perm("resources.add_course")


def test_the_admin_account_is_a_superuser_in_the_admin_group():
    admin = User.objects.get(email="admin@demo.brukarkraft.se")
    assert admin.is_staff
    assert admin.is_superuser
    assert admin.groups.filter(name=Role.ADMIN).exists()


def test_colleagues_exist_as_data_but_cannot_log_in_with_the_demo_password():
    demo_emails = {email for email, _role, _page in DEMO_ACCOUNTS}
    colleagues = User.objects.exclude(email__in=demo_emails)
    assert colleagues.exists()
    for colleague in colleagues:
        assert not colleague.has_usable_password()
        assert (
            colleague.roles
            or colleague.council_memberships.exists()
            or colleague.council_nominations.exists()
        )


def test_every_kind_of_organisation_is_there_with_a_valid_organisation_number():
    organisations = Organisation.objects.all()
    assert {o.kind for o in organisations} == set(Organisation.Kind.values)
    # A Norwegian health trust (a council's owner) has no Swedish organisation number.
    assert list(organisations.filter(org_number="").values_list("name", flat=True)) == [
        "Helse Sør-Øst RHF"
    ]
    for organisation in organisations.exclude(org_number=""):
        validate_org_number(organisation.org_number)
    numbers = dict(organisations.values_list("name", "org_number"))
    assert numbers["Försäkringskassan"] == "202100-5521"
    assert numbers["Arbetsförmedlingen"] == "202100-2114"


def test_staff_see_one_feedback_of_each_kind_in_their_inbox(client):
    feedback = AccessibilityFeedback.objects.all()
    assert {f.kind for f in feedback} == set(AccessibilityFeedback.Kind.values)
    assert {f.status for f in feedback} == set(AccessibilityFeedback.Status.values)
    # Seeded feedback counts as notified, so no worker mails the real contact address.
    assert all(f.staff_notified_at for f in feedback)

    client.force_login(User.objects.get(email="personal@demo.brukarkraft.se"))
    response = client.get(reverse("feedback_inbox"))

    assert response.status_code == 200
    html = response.content.decode()
    for row in feedback:
        assert reverse("feedback_handle", args=[row.pk]) in html


def test_a_second_run_restores_a_changed_demo_password(seed_demo_again):
    user = User.objects.get(email="bestallare@demo.brukarkraft.se")
    user.set_password("Something-else-entirely-1")
    user.save()

    seed_demo_again()

    user.refresh_from_db()
    assert check_password(DEMO_PASSWORD, user.password)


def test_it_prints_the_accounts_and_the_password(seeded_demo):
    output = seeded_demo

    assert "11 organisations" in output
    for email, _role, _page in DEMO_ACCOUNTS:
        assert email in output
    assert DEMO_PASSWORD in output


def test_staff_have_a_request_to_join_the_commissioners_organisation_to_decide(client):
    join_request = JoinRequest.objects.get(user__email="linnea.lind@demo.brukarkraft.se")
    commissioner = User.objects.get(email="bestallare@demo.brukarkraft.se")

    assert join_request.status == JoinRequest.Status.PENDING
    assert join_request.organisation in commissioner.organisations.all()
    client.force_login(User.objects.get(email="personal@demo.brukarkraft.se"))
    assert "Linnea Lind" in client.get(reverse("join_requests")).content.decode()
