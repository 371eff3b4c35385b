"""What outside judges see on the public pages: no console error (the favicon included),
a meta description in the page's language."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC = [
    "home",
    "accessibility",
    "privacy",
    "feedback",
    "login",
    "password_reset",
    "audits:order_start",
    "councils:list",
    "resources:library",
    "resources:courses",
]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_public_pages_have_no_console_errors_and_a_description(page, url, language):
    errors: list[str] = []
    failed: list[str] = []
    page.on(
        "console", lambda m: errors.append(f"{m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    for name in PUBLIC:
        page.goto(url(name, language))
        page.wait_for_load_state("load")
        description = page.locator('meta[name="description"]').get_attribute("content")
        assert description and len(description) > 50, name
        # Browsers ask for /favicon.ico whatever the page links: it must answer.
        icon = page.request.get(url("favicon"))
        assert icon.ok, "favicon.ico"

    assert errors == [], errors
    assert failed == [], failed
