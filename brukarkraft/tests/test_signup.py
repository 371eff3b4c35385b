"""Registering as a new commissioner: the same answer for every address, the address
confirmed before anything exists, and a request to join an organisation that already has an
account, decided by staff, with its commissioners told once in their language."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from brukarkraft import retention, services
from brukarkraft.models import JoinRequest, Membership, Organisation, SignUp, User
from brukarkraft.roles import Role
from brukarkraft.tests.factories import MembershipFactory, MunicipalityFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Lagom-lång-lösen-42"
LINK = re.compile(r"https?://\S+/accounts/sign-up/confirm/\S+/")


def register_post(**overrides) -> dict:
    return {
        "full_name": "Nora Ny",
        "email": "nora@karlskoga.se",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "organisation_name": "Karlskoga kommun, socialtjänsten",
        "organisation_kind": Organisation.Kind.MUNICIPALITY,
        "org_number": "2120001967",
        "municipality": MunicipalityFactory().pk,
        **overrides,
    }


@pytest.fixture
def register(client, django_capture_on_commit_callbacks):
    def post(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("audits:order_register"), register_post(**overrides))

    return post


def confirm_path(message) -> str:
    return urlsplit(LINK.search(message.body)[0]).path


def confirm(client, path, capture):
    with capture(execute=True):
        return client.post(path)


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(
    client, register, commissioner
):
    new = register()
    taken = register(email=commissioner.email)

    assert new.status_code == taken.status_code == 302
    assert new.url == taken.url == reverse("signup_sent")
    page = client.get(new.url).content.decode()
    assert commissioner.full_name not in page
    # The owner is told by e-mail instead, in their own language, with no link to confirm.
    to_owner = [m for m in mail.outbox if m.to == [commissioner.email]]
    assert len(to_owner) == 1
    assert not LINK.search(to_owner[0].body)
    commissioner.refresh_from_db()
    assert commissioner.check_password("Correct-horse-battery-9")


def test_nothing_exists_and_nobody_logs_in_before_the_address_is_confirmed(client, register):
    register()

    assert not User.objects.filter(email="nora@karlskoga.se").exists()
    assert not Organisation.objects.filter(org_number="212000-1967").exists()
    login = client.post(reverse("login"), {"username": "nora@karlskoga.se", "password": PASSWORD})
    assert login.status_code == 200
    assert "_auth_user_id" not in client.session


def test_opening_the_link_only_asks_the_real_click_confirms_once(
    client, register, django_capture_on_commit_callbacks
):
    register()
    path = confirm_path(mail.outbox[-1])

    assert client.get(path).status_code == 200  # a mail scanner opening it uses nothing up
    assert SignUp.objects.count() == 1
    first = confirm(client, path, django_capture_on_commit_callbacks)
    client.logout()
    again = confirm(client, path, django_capture_on_commit_callbacks)

    assert first.url == reverse("start")
    assert again.status_code == 400
    assert User.objects.filter(email="nora@karlskoga.se").count() == 1
    assert Organisation.objects.filter(org_number="212000-1967").count() == 1


def test_registering_again_replaces_the_earlier_link(
    client, register, django_capture_on_commit_callbacks
):
    register()
    old = confirm_path(mail.outbox[-1])
    register(password1="Ett-annat-lösen-77", password2="Ett-annat-lösen-77")
    new = confirm_path(mail.outbox[-1])

    assert confirm(client, old, django_capture_on_commit_callbacks).status_code == 400
    assert confirm(client, new, django_capture_on_commit_callbacks).status_code == 302
    assert User.objects.get(email="nora@karlskoga.se").check_password("Ett-annat-lösen-77")


@pytest.fixture
def existing(db):
    """Karlskoga already has an account, with two commissioners in two languages."""
    organisation = Organisation.objects.create(
        name="Karlskoga kommun", kind=Organisation.Kind.MUNICIPALITY, org_number="212000-1967"
    )
    people = [
        UserFactory(roles=[Role.COMMISSIONER], preferred_language="sv"),
        UserFactory(roles=[Role.COMMISSIONER], preferred_language="nb"),
    ]
    for person in people:
        MembershipFactory(user=person, organisation=organisation)
    return organisation, people


def test_an_existing_organisations_number_becomes_a_request_to_join_it(
    client, register, existing, django_capture_on_commit_callbacks
):
    organisation, (swede, norwegian) = existing
    register(organisation_name="Karlskoga kommunn")
    path = confirm_path(mail.outbox[-1])
    mail.outbox.clear()

    response = confirm(client, path, django_capture_on_commit_callbacks)

    nora = User.objects.get(email="nora@karlskoga.se")
    assert Organisation.objects.filter(org_number="212000-1967").count() == 1  # no look-alike
    assert not Membership.objects.filter(user=nora).exists()
    join_request = JoinRequest.objects.get(user=nora)
    assert join_request.organisation == organisation
    assert join_request.status == JoinRequest.Status.PENDING
    assert join_request.organisation_name_given == "Karlskoga kommunn"
    page = client.get(reverse("audits:order_start")).content.decode()
    with translation.override("sv"):
        waiting = translation.gettext(
            "Your request to join %(organisation)s waits for the resource centre. We write to"
            " you when it is decided; then you can order here."
        ) % {"organisation": organisation.name}
    assert response.url == reverse("start")
    assert waiting in " ".join(page.split())
    # Each commissioner is told once, in their own language.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([swede.email, norwegian.email])
    with translation.override("nb"):
        subject_nb = " ".join(
            translation.gettext("Someone asks to join %(organisation)s on Brukarkraft").split()
        ) % {"organisation": organisation.name}
    assert [m.subject for m in mail.outbox if m.to == [norwegian.email]] == [subject_nb]
    assert services.join_request_tell_commissioners(join_request.pk) == 0
    assert len(mail.outbox) == 2


def test_staff_decide_a_request_and_the_person_is_told(
    client, staff, existing, django_capture_on_commit_callbacks
):
    organisation, _people = existing
    nora = UserFactory(roles=[Role.COMMISSIONER], full_name="Nora Ny")
    join_request = JoinRequest.objects.create(user=nora, organisation=organisation)
    client.force_login(staff)

    listing = client.get(reverse("join_requests"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("join_request_decide", args=[join_request.pk]), {"decision": "approve"}
        )
    twice = client.post(
        reverse("join_request_decide", args=[join_request.pk]), {"decision": "decline"}
    )

    assert "Nora Ny" in listing.content.decode()
    assert response.url == reverse("join_requests")
    assert twice.status_code == 302
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.APPROVED
    assert join_request.decided_by == staff
    assert Membership.objects.filter(user=nora, organisation=organisation).exists()
    assert [m.to for m in mail.outbox] == [[nora.email]]


def test_only_staff_see_and_decide_requests(client, commissioner, existing):
    organisation, _people = existing
    join_request = JoinRequest.objects.create(user=UserFactory(), organisation=organisation)
    decide = reverse("join_request_decide", args=[join_request.pk])

    assert client.get(reverse("join_requests")).status_code == 302
    client.force_login(commissioner)
    assert client.get(reverse("join_requests")).status_code == 403
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.PENDING


def test_the_staff_start_page_leads_to_the_requests(client, staff, existing):
    organisation, _people = existing
    JoinRequest.objects.create(user=UserFactory(), organisation=organisation)
    client.force_login(staff)

    page = client.get(reverse("start_staff")).content.decode()

    assert reverse("join_requests") in page


def test_the_way_in_leads_to_create_an_account_and_order(client):
    register_url = reverse("audits:order_register")
    with translation.override("en"):
        home = client.get("/en/").content.decode()
        login = client.get("/en/accounts/login/").content.decode()
        order = client.get(reverse("audits:order_start")).content.decode()

    for page in (home, login, order):
        assert f"/en{register_url}" in page or register_url in page
        assert "Create an account and order" in page
    assert "Accounts are created by the resource centre" not in login


def test_registrations_never_confirmed_go_once_the_link_has_expired(register, settings):
    register()
    register(email="ny@example.se")
    SignUp.objects.filter(email="ny@example.se").update(
        created_at=timezone.now() - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    )

    assert retention.apply_all()["unconfirmed_signups"] == 1
    assert list(SignUp.objects.values_list("email", flat=True)) == ["nora@karlskoga.se"]
