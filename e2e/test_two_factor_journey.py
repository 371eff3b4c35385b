"""Two-step login for staff, with the keyboard only: the first login sets up the app from the
key written out as text (as a screen-reader user would), the next login asks for a code."""

import pytest

from e2e.crawl import totp_code, watch_csp_violations
from e2e.helpers import describe_focus, focused, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE_FIELD = "(e) => e.name === 'code'"


def press_and_wait(page, key: str) -> None:
    """Press a key that submits a form or follows a link, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()


def log_in_with_the_keyboard(page, url, user, password) -> None:
    page.goto(url("login"))
    tab_to(page, "(e) => e.name === 'username'")
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    assert focused(page, "(e) => e.name === 'password'"), describe_focus(page)
    page.keyboard.type(password)
    press_and_wait(page, "Enter")


def test_staff_set_up_two_step_login_then_give_a_code_at_the_next_login(
    page, url, settings, staff, password, axe
):
    settings.TWO_FACTOR_REQUIRED = True
    csp_violations = watch_csp_violations(page)

    # The first login lands on the set-up page, which will lead on to the start page.
    log_in_with_the_keyboard(page, url, staff, password)
    assert page.url.startswith(url("two_factor_setup") + "?next=")
    assert page.locator("main svg[role=img] title").count() == 1
    secret = page.locator("[data-secret-key]").inner_text()
    assert len(secret.replace(" ", "")) == 32

    # A code from the key typed into an app: Enter in the field turns two-step login on.
    tab_to(page, CODE_FIELD)
    page.keyboard.type(totp_code(secret))
    press_and_wait(page, "Enter")
    assert page.url.startswith(url("two_factor_backup_codes"))
    codes = page.locator("[data-backup-codes] code").all_inner_texts()
    assert len(codes) == 10
    axe(page, "backup codes")

    tab_to(page, "(e) => e.matches('main a.btn')")
    press_and_wait(page, "Enter")
    assert page.url == url("start_staff")

    # Log out with the menu's button.
    tab_to(page, "(e) => e.matches('nav.main-nav form button[type=submit]')")
    press_and_wait(page, "Enter")
    assert page.url == url("home")

    # The next login asks for a code. A wrong one is explained in the error summary.
    log_in_with_the_keyboard(page, url, staff, password)
    assert page.url.startswith(url("two_factor_verify") + "?next=")
    tab_to(page, CODE_FIELD)
    page.keyboard.type("000000" if totp_code(secret, steps_ahead=1) != "000000" else "111111")
    press_and_wait(page, "Enter")
    assert focused(page, "(e) => e.hasAttribute('data-error-summary')"), describe_focus(page)
    axe(page, "code at login with an error")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert focused(page, CODE_FIELD), describe_focus(page)

    # django-otp pauses a second after a wrong code; a person takes longer to look it up.
    page.wait_for_timeout(1_100)
    page.keyboard.press("Control+A")
    page.keyboard.type(totp_code(secret, steps_ahead=1))
    press_and_wait(page, "Enter")
    assert page.url == url("start_staff")

    assert not csp_violations, csp_violations


def test_a_commissioner_logs_in_without_a_code(page, url, settings, commissioner, password):
    settings.TWO_FACTOR_REQUIRED = True

    log_in_with_the_keyboard(page, url, commissioner, password)

    assert page.url == url("start_commissioner")
