"""The foundation's required journey, with the keyboard only: log in, switch language,
send accessibility feedback. No mouse clicks: Tab, arrow keys, Space, Enter and typing."""

import pytest

from brukarkraft.models import AccessibilityFeedback
from e2e.helpers import describe_focus, focused, html_lang, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MESSAGE = "Knappen för att skicka enkäten går inte att nå med tangentbordet."


def press_and_wait(page, key: str) -> None:
    """Press a key that submits a form or follows a link, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()


def test_a_keyboard_user_logs_in_switches_to_norwegian_and_sends_feedback(
    page, url, commissioner, password
):
    # The start page, anonymous: Tab to "Log in" in the main menu.
    page.goto(url("home"))
    tab_to(page, "(e) => e.matches('nav.main-nav a[href$=\"/accounts/login/\"]')")
    press_and_wait(page, "Enter")
    assert page.url == url("login")

    # Log in with e-mail address and password; Enter in the field submits.
    tab_to(page, "(e) => e.name === 'username'")
    page.keyboard.type(commissioner.email)
    page.keyboard.press("Tab")
    assert focused(page, "(e) => e.name === 'password'"), describe_focus(page)
    page.keyboard.type(password)
    press_and_wait(page, "Enter")
    assert page.url == url("start_commissioner")
    assert html_lang(page) == "sv"

    # Switch to Norwegian bokmål with the language button in the header.
    tab_to(page, "(e) => e.matches('.language-switcher button[lang=nb]')")
    press_and_wait(page, "Enter")
    assert html_lang(page) == "nb"
    assert page.url == url("start_commissioner", "nb")
    assert "/nb/" in page.url

    # The footer's feedback link, still in Norwegian.
    tab_to(page, "(e) => e.matches('.site-footer a[href*=\"/nb/feedback/\"]')")
    press_and_wait(page, "Enter")
    assert page.url.startswith(url("feedback", "nb"))
    assert html_lang(page) == "nb"

    # Sending the form empty puts focus on the error summary, whose links lead to the fields.
    submit = "(e) => e.matches('main form button[type=submit], main form input[type=submit]')"
    tab_to(page, submit)
    press_and_wait(page, "Enter")
    assert focused(page, "(e) => e.hasAttribute('data-error-summary')"), describe_focus(page)
    page.keyboard.press("Tab")
    assert focused(page, "(e) => e.matches('[data-error-summary] a')"), describe_focus(page)
    target = page.evaluate("document.activeElement.getAttribute('href')").removeprefix("#")
    page.keyboard.press("Enter")
    assert focused(page, f"(e) => e.id === {target!r}"), describe_focus(page)

    # Choose what the feedback is about with the arrow keys, then confirm with Space.
    kind = "(e) => e.name === 'kind'"
    if not focused(page, kind):
        tab_to(page, kind)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Space")
    chosen = page.evaluate("document.querySelector('input[name=kind]:checked').value")
    assert chosen == AccessibilityFeedback.Kind.PROBLEM

    tab_to(page, "(e) => e.name === 'message'")
    page.keyboard.type(MESSAGE)

    tab_to(page, submit)
    press_and_wait(page, "Space")

    assert page.url.startswith(url("feedback_thanks", "nb"))
    assert html_lang(page) == "nb"
    feedback = AccessibilityFeedback.objects.get(message=MESSAGE)
    assert feedback.kind == AccessibilityFeedback.Kind.PROBLEM
    assert feedback.language == "nb"
