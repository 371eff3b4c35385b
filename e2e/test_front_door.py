"""A browser that asks for Norwegian is offered the Swedish page in bokmål, by keyboard,
and the offer passes axe; no redirect happens on its own."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_norwegian_browser_is_offered_the_page_in_bokmal(browser, url, axe):
    # A context of its own: the suite's contexts are Swedish (conftest.browser_context_args).
    context = browser.new_context(locale="nb-NO")
    page = context.new_page()
    page.goto(url("accessibility", "sv"))

    assert page.locator("html").get_attribute("lang") == "sv"  # no automatic redirect
    offer = page.locator(".language-offer")
    assert offer.get_attribute("lang") == "nb"
    assert "Denne siden finnes også på norsk." in offer.inner_text()
    axe(page, "the language offer")

    link = page.get_by_role("link", name="Les den på norsk")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(url("accessibility", "nb"))
    assert page.locator("html").get_attribute("lang") == "nb"
    assert page.locator(".language-offer").count() == 0
    context.close()
