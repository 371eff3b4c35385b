"""axe-core (WCAG 2.1 AA) on every page of Django admin the demo administrator reaches.

The admin is part of the product: administrators who run councils include people with
disabilities. The demo data is seeded and the demo administrator logs in once; the crawl
then visits the admin's index, every app's index, and every registered model's change
list, add page and the change page of an object the demo data has, each page in Swedish,
Norwegian or English in turn (all three across the crawl). CRAWL_ALL_LANGUAGES=1 visits
every page in every language.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Error as PlaywrightError

from brukarkraft.management.commands.seed_demo import DEMO_PASSWORD
from brukarkraft.models import User
from brukarkraft.tests.factories import demo_municipalities
from e2e.crawl import watch_csp_violations
from e2e.helpers import LANGUAGES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_ADMIN = "admin@demo.brukarkraft.se"
ALL_LANGUAGES = os.environ.get("CRAWL_ALL_LANGUAGES", "") not in ("", "0")


@dataclass(frozen=True)
class AdminPage:
    label: str
    url_name: str
    args: tuple = ()


def admin_pages(user: User) -> list[AdminPage]:
    """The admin's index, each app's index, and each model's change list, add and change page.

    Read from the admin site's registry, so a newly registered model is crawled without
    anyone adding it here. The add page only where the administrator may add.
    """
    request = RequestFactory().get("/admin/")
    request.user = user
    pages = [AdminPage("admin index", "admin:index")]
    apps = set()
    for model, model_admin in sorted(
        admin.site._registry.items(), key=lambda item: item[0]._meta.label
    ):
        opts = model._meta
        if opts.app_label not in apps:
            apps.add(opts.app_label)
            pages.append(
                AdminPage(f"{opts.app_label} app index", "admin:app_list", (opts.app_label,))
            )
        base = f"admin:{opts.app_label}_{opts.model_name}"
        pages.append(AdminPage(f"{opts.label} list", f"{base}_changelist"))
        if model_admin.has_add_permission(request):
            pages.append(AdminPage(f"{opts.label} add", f"{base}_add"))
        example = model_admin.get_queryset(request).order_by("pk").first()
        if example is not None:
            pages.append(AdminPage(f"{opts.label} change", f"{base}_change", (example.pk,)))
    return pages


@pytest.fixture
def demo_admin(settings, tmp_path):
    """The demo data, seeded as `make run` does, and its administrator."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # seed_demo refuses to run with DEBUG off; the admin's two-step login is asked for only
    # with DEBUG off, as for the demo accounts of `make run`.
    settings.DEBUG = True
    settings.TWO_FACTOR_REQUIRED = False
    demo_municipalities()
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
    return User.objects.get(email=DEMO_ADMIN)


def test_every_admin_page_passes_axe(new_context, live_server, axe, demo_admin):
    page = new_context().new_page()
    page.set_default_timeout(5_000)
    csp_violations = watch_csp_violations(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", DEMO_ADMIN)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    pages = admin_pages(demo_admin)
    failures = []
    visits = [
        (admin_page, language)
        for admin_page_index, admin_page in enumerate(pages)
        for language in (
            LANGUAGES if ALL_LANGUAGES else [LANGUAGES[admin_page_index % len(LANGUAGES)]]
        )
    ]
    for admin_page, language in visits:
        with translation.override(language):
            address = live_server.url + reverse(admin_page.url_name, args=admin_page.args)
        where = f"{admin_page.label} [{language}] {address}"
        try:
            response = page.goto(address)
        except PlaywrightError as error:
            failures.append(f"{where}: could not be reached: {error.message.splitlines()[0]}")
            continue
        if response is None or response.status != 200 or page.url != address:
            status = response.status if response else "no response"
            failures.append(f"{where}: status {status} at {page.url}, expected 200")
            continue
        if (lang := page.evaluate("document.documentElement.lang")) != language:
            failures.append(f'{where}: <html lang="{lang}">, expected "{language}"')
        # Read before axe runs: axe itself sets style attributes while it measures.
        failures.extend(f"{where}: CSP violation at {violation}" for violation in csp_violations)
        try:
            axe(page, where)
        except AssertionError as error:
            failures.append(str(error))
        csp_violations.clear()

    assert not failures, "\n\n".join(failures)
