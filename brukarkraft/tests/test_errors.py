"""Error pages: 403, 404, 500 and a failed CSRF check, in every language."""

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("prefix", "language"), [("", "sv"), ("/nb", "nb"), ("/en", "en")])
def test_a_missing_page_gets_the_404_page_in_the_language_of_its_address(client, prefix, language):
    response = client.get(f"{prefix}/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}">' in html
    assert html.count("<h1>") == 1
    # The way out stays in the same language.
    assert f'<li><a href="{prefix}/">' in html
    assert f'href="{prefix}/accessibility/"' in html


def test_the_404_page_offers_the_start_page_to_a_logged_in_user(client, auditor):
    client.force_login(auditor)

    html = client.get("/en/no-such-page/").content.decode()

    assert "Page not found" in html
    assert 'href="/en/start/"' in html


def test_the_404_page_names_the_contact_address(client, settings):
    settings.PORTAL_CONTACT_EMAIL = "hjalp@example.se"

    html = client.get("/en/no-such-page/").content.decode()

    assert 'href="mailto:hjalp@example.se"' in html


@pytest.mark.parametrize(("prefix", "language"), [("", "sv"), ("/nb", "nb"), ("/en", "en")])
def test_a_wrong_role_gets_the_403_page_in_its_language(client, commissioner, prefix, language):
    client.force_login(commissioner)

    response = client.get(f"{prefix}/start/staff/")

    html = response.content.decode()
    assert response.status_code == 403
    assert f'<html lang="{language}">' in html
    assert f'href="{prefix}/start/"' in html


def test_the_403_page_explains_and_offers_the_start_page(client, auditor):
    client.force_login(auditor)

    html = client.get("/en/start/admin/").content.decode()

    assert "You do not have access to this page" in html
    assert "contact the resource centre" in html


@pytest.mark.parametrize("language", ["sv", "nb", "en"])
def test_the_500_page_needs_no_database_and_sets_the_language(language, django_assert_num_queries):
    request = RequestFactory().get("/")

    with translation.override(language), django_assert_num_queries(0):
        response = server_error(request)

    html = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{language}">' in html
    assert html.count("<h1>") == 1
    assert "<main>" in html
    home = "/" if language == "sv" else f"/{language}/"
    assert f'<a href="{home}">' in html


def test_the_500_page_speaks_plainly():
    with translation.override("en"):
        html = server_error(RequestFactory().get("/")).content.decode()

    assert "Something went wrong" in html
    assert "It is not your fault" in html


@pytest.mark.parametrize(("prefix", "language"), [("", "sv"), ("/nb", "nb"), ("/en", "en")])
def test_a_form_without_a_csrf_token_gets_the_plain_language_403_page(prefix, language):
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(f"{prefix}/accounts/login/", {"username": "a@b.se", "password": "x"})

    html = response.content.decode()
    assert response.status_code == 403
    assert f'<html lang="{language}">' in html
    assert f'<a href="{prefix}/">' in html


def test_the_csrf_page_tells_what_to_do():
    strict = Client(enforce_csrf_checks=True)

    html = strict.post("/en/accounts/login/", {}).content.decode()

    assert "The form could not be sent" in html
    assert "reload the page" in html
    assert "CSRF" not in html
