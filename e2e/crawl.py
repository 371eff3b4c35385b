"""What the axe crawl visits: a page by URL name (or path), and what to do on it first."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Visit:
    """One page to scan: a URL name (or a path) and, if needed, what to do on it first."""

    label: str
    name: str = ""
    kwargs: dict = field(default_factory=dict)
    path: str = ""
    status: int = 200
    action: Callable | None = None  # (page) -> response of the page to scan
    query: str = ""


def submit_main_form(page):
    with page.expect_navigation() as navigation:
        page.locator("main form [type=submit]").first.click()
    return navigation.value


# Chromium reports a blocked inline script, style or handler, or a blocked load, on the
# console: "Refused to … because it violates the following Content Security Policy …".
CSP_MARKERS = ("Content Security Policy", "Content-Security-Policy", "Refused to")


def watch_csp_violations(page) -> list[str]:
    """Collect the console's CSP violations on `page`, each with the address it happened on.

    The returned list fills as the page is used; empty it after reading it.
    """
    violations: list[str] = []

    def on_console(message) -> None:
        if any(marker in message.text for marker in CSP_MARKERS):
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return violations


def totp_code(secret: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the base32 `secret` (spaces allowed) now."""
    from base64 import b32decode

    from django_otp.oath import TOTP

    totp = TOTP(b32decode(secret.replace(" ", "")), step=30, t0=0, digits=6)
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def set_up_two_factor(page):
    """On the set-up page: read the key as a screen-reader user would, type the app's code."""
    secret = page.locator("[data-secret-key]").inner_text()
    page.fill("input[name=code]", totp_code(secret))
    return submit_main_form(page)
