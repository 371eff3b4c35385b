"""The client's address behind the reverse proxy, for rate limits and login lock-outs alike,
and the admin's login going through the portal's."""

import pytest
from django.test import Client
from django.urls import reverse

from brukarkraft.ratelimits import client_ip
from brukarkraft.tests.factories import DEFAULT_PASSWORD, UserFactory
from brukarkraft.tests.rate_limiting import rate_limits_on

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


@pytest.fixture
def behind_proxy(settings):
    settings.CLIENT_IP_META_KEY = "HTTP_X_REAL_IP"
    return settings


def from_address(address: str) -> Client:
    """A browser at `address`, reaching the portal through the proxy (REMOTE_ADDR is its)."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=address)


def log_in(client: Client, email: str, password: str = DEFAULT_PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_the_address_is_read_from_the_proxys_header(behind_proxy, rf):
    assert client_ip(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="198.51.100.7")) == (
        "198.51.100.7"
    )
    # Not through the proxy (a health check on the machine itself): its own address.
    assert client_ip(rf.get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"


def test_a_lockout_behind_the_proxy_never_stops_the_real_user_elsewhere(behind_proxy, commissioner):
    attacker = from_address("203.0.113.66")
    for _attempt in range(6):
        log_in(attacker, commissioner.email, "wrong-password")
    assert log_in(attacker, commissioner.email).status_code == 429

    real_user = from_address("198.51.100.7")
    response = log_in(real_user, commissioner.email)

    assert response.status_code == 302
    assert real_user.session["_auth_user_id"] == str(commissioner.pk)


def test_the_login_rate_limit_counts_each_client_behind_the_proxy(behind_proxy, commissioner):
    with rate_limits_on(login="2/m"):
        busy = from_address("203.0.113.66")
        for _attempt in range(2):
            log_in(busy, commissioner.email, "wrong-password")
        assert log_in(busy, commissioner.email, "wrong-password").status_code == 429

        assert log_in(from_address("198.51.100.7"), commissioner.email).status_code == 302


def test_the_admin_login_sends_everyone_to_the_portal_login(client):
    response = client.get(reverse("admin:login") + "?next=/admin/councils/")

    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=%2Fadmin%2Fcouncils%2F"


def test_the_admin_login_checks_no_password_and_so_needs_no_limit_of_its_own(client):
    admin = UserFactory(is_staff=True, is_superuser=True)

    for _attempt in range(41):
        response = client.post(
            reverse("admin:login"), {"username": admin.email, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_the_admin_login_refuses_a_logged_in_person_without_admin_access(client, commissioner):
    client.force_login(commissioner)

    assert client.get(reverse("admin:login")).status_code == 403


def test_the_admin_login_passes_a_logged_in_admin_on(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:login") + "?next=https://evil.example/")

    assert response["Location"] == reverse("admin:index")
