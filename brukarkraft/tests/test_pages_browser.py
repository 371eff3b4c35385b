"""The public pages and the feedback pages in a real browser, scanned with axe-core."""

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from brukarkraft.models import AccessibilityFeedback
from brukarkraft.tests.factories import AccessibilityFeedbackFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_language(language: str):
    """Run the test in one language, given to it as `language`.

    Each test runs in one of the three, spread over the file. The axe crawl
    (e2e/test_axe_all_pages.py) visits every one of these pages in all three languages.
    """
    return pytest.mark.parametrize("language", [language])


@pytest.fixture
def address(live_server):
    def build(name: str, language: str, query: str = "", **kwargs) -> str:
        with translation.override(language):
            return f"{live_server.url}{reverse(name, kwargs=kwargs or None)}{query}"

    return build


def open_page(page, address: str, language: str) -> None:
    response = page.goto(address)
    assert response.status == 200, address
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("main h1")).to_have_count(1)


@pytest.mark.parametrize(
    ("name", "language"), [("home", "sv"), ("accessibility", "nb"), ("privacy", "en")]
)
def test_public_pages_pass_axe(page, address, axe, language, name):
    open_page(page, address(name, language), language)

    axe(page, f"{name} ({language})")


@in_language("nb")
def test_home_passes_axe_for_a_logged_in_person(
    page, address, axe, language, login_in_browser, commissioner
):
    login_in_browser(page, commissioner)
    open_page(page, address("home", language), language)

    with translation.override(language):
        start = reverse("start")
    expect(page.locator(f"main a[href='{start}']").first).to_be_visible()
    axe(page, f"home, logged in ({language})")


@in_language("en")
def test_the_feedback_form_passes_axe_empty_and_with_errors(page, address, axe, language):
    open_page(page, address("feedback", language, "?page=/privacy/"), language)
    expect(page.locator("#id_page_url")).to_have_value("/privacy/")
    axe(page, f"feedback form ({language})")

    page.check("#id_kind_1")  # content in another format, but no format chosen
    page.fill("#id_page_url", "https://example.com/")
    page.locator("main form button[type=submit]").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.locator("a")).to_have_count(3)  # format, page and message
    expect(page.locator("#id_message")).to_have_attribute("aria-invalid", "true")
    axe(page, f"feedback form with errors ({language})")
    assert AccessibilityFeedback.objects.count() == 0


@in_language("nb")
def test_feedback_sent_from_the_browser_lands_on_the_thanks_page(page, address, axe, language):
    open_page(page, address("feedback", language, "?page=/privacy/"), language)
    page.check("#id_kind_0")
    page.fill("#id_message", "Fokusmarkeringen syns inte i menyn.")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(address("feedback_thanks", language, "?page=%2Fprivacy%2F"))
    expect(page.locator("main a[href='/privacy/']")).to_have_count(1)
    axe(page, f"feedback thanks ({language})")
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.language == language
    assert feedback.page_url == "/privacy/"


@in_language("en")
def test_pasted_text_over_the_limit_is_kept_counted_and_refused(page, address, axe, language):
    open_page(page, address("feedback", language), language)
    name = page.locator("#id_name")
    expect(page.locator("#id_name_helptext")).to_contain_text("At most 200 characters.")
    expect(page.locator("#id_name_count")).to_have_text("Characters left: 200")

    name.fill("Å" * 250)  # as a paste does: the browser must not cut it

    assert len(name.input_value()) == 250
    expect(page.locator("#id_name_count")).to_have_text("Characters too many: 50")
    page.check("#id_kind_0")
    page.fill("#id_message", "Namnet blev för långt.")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("at most 200 characters")
    assert len(page.locator("#id_name").input_value()) == 250
    axe(page, f"feedback form over the limit ({language})")
    assert not AccessibilityFeedback.objects.exists()


def test_a_double_click_on_send_stores_the_feedback_once(page, address):
    open_page(page, address("feedback", "sv"), "sv")
    page.check("#id_kind_0")
    page.fill("#id_message", "Knappen reagerar långsamt.")

    page.locator("main form button[type=submit]").dblclick()

    expect(page).to_have_url(address("feedback_thanks", "sv"))
    assert AccessibilityFeedback.objects.count() == 1


@in_language("en")
def test_the_inbox_and_the_handling_page_pass_axe_for_staff(
    page, address, axe, language, login_in_browser, staff
):
    feedback = AccessibilityFeedbackFactory(
        message="PDF-filen går inte att läsa med skärmläsare.",
        kind=AccessibilityFeedback.Kind.FORMAT,
        requested_format=AccessibilityFeedback.Format.EASY_READ,
        name="Elsa Exempel",
        email="elsa@example.se",
    )
    AccessibilityFeedbackFactory(status=AccessibilityFeedback.Status.RESOLVED, handled_by=staff)
    login_in_browser(page, staff)

    open_page(page, address("feedback_inbox", language), language)
    axe(page, f"feedback inbox ({language})")

    page.select_option("#id_status", "resolved")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main tbody tr")).to_have_count(1)
    axe(page, f"feedback inbox filtered ({language})")

    open_page(page, address("feedback_handle", language, pk=feedback.pk), language)
    axe(page, f"feedback handling ({language})")

    page.check("#id_status_1")
    page.fill("#id_staff_note", "Skickade en lättläst version.")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".messages [role=status]")).to_be_visible()
    axe(page, f"feedback handling saved ({language})")
    feedback.refresh_from_db()
    assert feedback.status == AccessibilityFeedback.Status.IN_PROGRESS
    assert feedback.handled_by == staff
