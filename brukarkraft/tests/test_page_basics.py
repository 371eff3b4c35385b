"""What every page carries: no caching behind login, an icon, a description."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["home", "accessibility", "privacy", "feedback", "login"]


def test_pages_behind_login_are_never_stored(client, commissioner):
    client.force_login(commissioner)

    for path in [reverse("start_commissioner"), reverse("audits:list"), reverse("profile")]:
        cache_control = client.get(path)["Cache-Control"]
        assert "no-store" in cache_control, path
        assert "private" in cache_control, path


def test_a_logged_in_visitor_gets_no_store_on_public_pages_too(client, staff):
    # The header shows the person's name and menu: no shared cache may keep it.
    client.force_login(staff)

    assert "no-store" in client.get(reverse("home"))["Cache-Control"]


def test_an_anonymous_visitors_public_page_may_be_cached(client):
    assert "no-store" not in client.get(reverse("home")).get("Cache-Control", "")


def test_a_view_that_said_no_store_keeps_its_own_header(client, commissioner):
    # A view's own never_cache survives (healthz says it itself).
    client.force_login(commissioner)

    assert "no-store" in client.get(reverse("healthz"))["Cache-Control"]


def test_favicon_ico_answers_with_a_real_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"].endswith("favicon.ico")
    with open(finders.find("favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00", "an ICO file starts with 0 0 1 0"


@pytest.mark.parametrize("language", ["sv", "nb", "en"])
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_every_public_page_has_a_translated_meta_description(client, name, language):
    from django.utils import translation

    with translation.override(language):
        path = reverse(name)
    html = client.get(path).content.decode()

    assert '<meta name="description" content="' in html
    assert 'rel="icon"' in html
    english = "the national resource centre for user-led user audits: order"
    assert (english in html) == (language == "en"), f"{language}: {path}"
