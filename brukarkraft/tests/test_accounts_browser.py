"""Account pages, start pages and error pages in a real browser, scanned with axe-core."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from brukarkraft.roles import Role
from brukarkraft.tests.factories import (
    DEFAULT_PASSWORD,
    AccessibilityFeedbackFactory,
    CountyFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = [("sv", ""), ("nb", "/nb"), ("en", "/en")]
NEW_PASSWORD = "Blue-kettle-morning-47"


def in_language(code: str):
    """Run the test in one language, given to it as `language`: (code, URL prefix).

    Each test runs in one of the three, spread over the file. The axe crawl
    (e2e/test_axe_all_pages.py) visits every one of these pages in all three languages.
    """
    prefix = dict(LANGUAGES)[code]
    return pytest.mark.parametrize("language", [(code, prefix)], ids=[code])


def open_page(page, url: str, code: str) -> None:
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.locator("h1")).to_have_count(1)


# --- Anonymous pages -------------------------------------------------------------


@in_language("sv")
def test_login_page_passes_axe_also_with_errors(page, live_server, axe, language):
    code, prefix = language
    open_page(page, f"{live_server.url}{prefix}/accounts/login/", code)
    axe(page, f"login ({code})")

    page.locator("main button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    expect(page.locator("#id_username")).to_have_attribute("aria-invalid", "true")
    axe(page, f"login with empty fields ({code})")

    page.fill("#id_username", "nobody@example.se")
    page.fill("#id_password", "wrong-password")
    page.locator("main button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    axe(page, f"login with a wrong password ({code})")


@in_language("nb")
def test_password_reset_pages_pass_axe(page, live_server, axe, language):
    code, prefix = language
    user = UserFactory(preferred_language=code)

    open_page(page, f"{live_server.url}{prefix}/accounts/password/reset/", code)
    axe(page, f"password reset form ({code})")
    page.locator("main button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    axe(page, f"password reset form with errors ({code})")

    page.fill("#id_email", user.email)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}{prefix}/accounts/password/reset/sent/")
    axe(page, f"password reset sent ({code})")

    open_page(page, f"{live_server.url}{prefix}/accounts/password/reset/MQ/wrong-token/", code)
    expect(page.locator("main a.btn")).to_have_attribute(
        "href", f"{prefix}/accounts/password/reset/"
    )
    axe(page, f"password reset with an invalid link ({code})")

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    open_page(page, f"{live_server.url}{prefix}/accounts/password/reset/{uid}/{token}/", code)
    expect(page.locator("#id_new_password1")).to_be_visible()
    axe(page, f"choose a new password ({code})")

    page.fill("#id_new_password1", "short")
    page.fill("#id_new_password2", "other")
    page.locator("main button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    axe(page, f"choose a new password with errors ({code})")

    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}{prefix}/accounts/password/reset/complete/")
    axe(page, f"password reset complete ({code})")


@in_language("en")
def test_lockout_page_passes_axe(page, live_server, axe, language):
    code, prefix = language
    user = UserFactory()
    page.goto(f"{live_server.url}{prefix}/accounts/login/")
    for _attempt in range(5):
        page.fill("#id_username", user.email)
        page.fill("#id_password", "wrong-password")
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state()

    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.locator("main a.btn")).to_have_attribute(
        "href", f"{prefix}/accounts/password/reset/"
    )
    axe(page, f"lockout ({code})")


@in_language("nb")
def test_404_page_passes_axe(page, live_server, axe, language):
    code, prefix = language
    response = page.goto(f"{live_server.url}{prefix}/no-such-page/")

    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", code)
    axe(page, f"404 ({code})")


# --- Logged-in pages ---------------------------------------------------------------


def log_in(page, live_server, user, prefix: str) -> None:
    page.goto(f"{live_server.url}{prefix}/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def test_login_lands_a_norwegian_user_on_the_norwegian_start_page(page, live_server):
    nora = UserFactory(preferred_language="nb", roles=[Role.AUDITOR])

    log_in(page, live_server, nora, "")

    expect(page).to_have_url(f"{live_server.url}/nb/start/auditor/")
    expect(page.locator("html")).to_have_attribute("lang", "nb")


@in_language("en")
def test_profile_and_password_change_pass_axe(page, live_server, axe, language):
    code, prefix = language
    user = UserFactory(preferred_language=code, roles=[Role.COMMISSIONER])
    MembershipFactory(user=user, organisation=OrganisationFactory(name="Region Örebro län"))
    log_in(page, live_server, user, prefix)

    open_page(page, f"{live_server.url}{prefix}/accounts/profile/", code)
    expect(page.locator("main table")).to_contain_text("Region Örebro län")
    axe(page, f"profile ({code})")
    page.fill("#id_full_name", "")
    page.locator("main button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    axe(page, f"profile with errors ({code})")

    open_page(page, f"{live_server.url}{prefix}/accounts/password/change/", code)
    axe(page, f"password change ({code})")
    page.locator("main button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    axe(page, f"password change with errors ({code})")

    page.fill("#id_old_password", DEFAULT_PASSWORD)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}{prefix}/accounts/password/change/done/")
    axe(page, f"password change done ({code})")


def test_saving_the_profile_with_the_keyboard_switches_the_language(page, live_server):
    user = UserFactory(roles=[Role.AUDITOR])
    log_in(page, live_server, user, "")
    page.goto(f"{live_server.url}/accounts/profile/")

    page.locator("#id_preferred_language_2").focus()
    page.keyboard.press("Space")
    page.locator("main button[type=submit]").focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/en/accounts/profile/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".messages")).to_contain_text("Your profile has been saved.")


@pytest.fixture
def start_page_data(db):
    county = CountyFactory()
    organisation = OrganisationFactory(
        name="Örebro kommun, arbetsmarknadsenheten",
        org_number="212000-1882",
        email="arbetsmarknad@example.se",
        phone="019-21 10 00",
    )
    CountyFactory(code="01", name="Stockholms län", letter="AB")
    AccessibilityFeedbackFactory.create_batch(2)
    return {"county": county, "organisation": organisation}


@pytest.mark.parametrize(
    ("role", "url_name", "code"),
    [
        (Role.COMMISSIONER, "commissioner", "sv"),
        (Role.AUDITOR, "auditor", "nb"),
        (Role.STAFF, "staff", "en"),
        (Role.ADMIN, "admin", "sv"),
    ],
)
def test_each_start_page_passes_axe(page, live_server, axe, start_page_data, role, url_name, code):
    prefix = dict(LANGUAGES)[code]
    user = UserFactory(
        preferred_language=code,
        roles=[role],
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    MembershipFactory(user=user, organisation=start_page_data["organisation"])
    MembershipFactory(organisation=start_page_data["organisation"], title="Enhetschef")
    log_in(page, live_server, user, prefix)

    expect(page).to_have_url(f"{live_server.url}{prefix}/start/{url_name}/")
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.locator("h1")).to_have_count(1)
    axe(page, f"start page of {role} ({code})")


@in_language("nb")
def test_no_role_page_passes_axe(page, live_server, axe, language):
    code, prefix = language
    user = UserFactory(preferred_language=code)
    log_in(page, live_server, user, prefix)

    expect(page).to_have_url(f"{live_server.url}{prefix}/start/")
    expect(page.locator("main")).to_contain_text(re.compile(r"@"))
    axe(page, f"no role ({code})")


@in_language("en")
def test_403_page_passes_axe(page, live_server, axe, language):
    code, prefix = language
    user = UserFactory(preferred_language=code, roles=[Role.COMMISSIONER])
    log_in(page, live_server, user, prefix)

    response = page.goto(f"{live_server.url}{prefix}/start/staff/")

    assert response.status == 403
    expect(page.locator("html")).to_have_attribute("lang", code)
    axe(page, f"403 ({code})")


def test_logout_button_logs_out_and_lands_on_home(page, live_server):
    user = UserFactory(roles=[Role.AUDITOR], preferred_language="en")
    log_in(page, live_server, user, "/en")

    page.get_by_role("button", name="Log out").click()

    expect(page).to_have_url(f"{live_server.url}/en/")
    expect(page.locator(".messages")).to_contain_text("You are logged out.")
    expect(page.get_by_role("link", name="Log in", exact=True)).to_be_visible()
