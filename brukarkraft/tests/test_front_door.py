"""The front door's language: a saved choice is followed at "/", a browser that asks for
Norwegian or English is offered the page in it, and Swedish stays the default."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from brukarkraft.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def url_in(language: str, name: str = "home") -> str:
    with translation.override(language):
        return reverse(name)


def test_a_visitor_with_nothing_saved_gets_swedish(client):
    response = client.get("/")

    assert response.status_code == 200
    assert '<html lang="sv"' in response.content.decode()
    assert "language-offer" not in response.content.decode()


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_language_cookie_takes_the_visitor_to_that_language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.get("/")

    assert response.status_code == 302
    assert response.url == url_in(language)


def test_a_swedish_cookie_keeps_the_swedish_start_page(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"

    assert client.get("/").status_code == 200


def test_the_signed_in_persons_language_comes_before_the_cookie(client):
    client.force_login(UserFactory(preferred_language="nb"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/")

    assert response.url == url_in("nb")


def test_a_page_opened_with_its_language_in_the_address_stays(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"

    response = client.get(url_in("en"))

    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()


@pytest.mark.parametrize(
    ("accept", "language", "text"),
    [
        ("nb-NO,nb;q=0.9", "nb", "Denne siden finnes også på norsk."),
        ("no", "nb", "Denne siden finnes også på norsk."),
        ("nn-NO,nn;q=0.8", "nb", "Denne siden finnes også på norsk."),
        ("en-GB,en;q=0.9", "en", "This page is also available in English."),
    ],
)
def test_a_browser_asking_for_another_language_is_offered_the_page_in_it(
    client, accept, language, text
):
    response = client.get(url_in("sv", "accessibility"), HTTP_ACCEPT_LANGUAGE=accept)

    assert response.status_code == 200  # never a redirect
    page = response.content.decode()
    assert '<html lang="sv"' in page
    assert f'<div class="container language-offer" lang="{language}">' in page
    assert text in page
    assert f'href="{url_in(language, "accessibility")}"' in page


def test_a_browser_that_asks_for_swedish_anywhere_first_is_offered_nothing(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="sv-SE,sv;q=0.9,en;q=0.8")

    assert "language-offer" not in response.content.decode()


def test_a_page_already_in_another_language_offers_nothing(client):
    response = client.get(url_in("en"), HTTP_ACCEPT_LANGUAGE="nb")

    assert "language-offer" not in response.content.decode()
