"""Django admin and django-import-export work under the strict Content-Security-Policy.

The admin's own axe crawl (test_axe_admin.py) only loads pages; here an administrator uses the
widgets that build markup with JavaScript, where inline styles could slip in, and the
browser's console must report no CSP violation.
"""

import pytest

from brukarkraft.tests.factories import MunicipalityFactory, OrganisationFactory
from e2e.crawl import watch_csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin_page(page, live_server, login_in_browser, admin_user, settings):
    settings.TWO_FACTOR_REQUIRED = False
    page.set_default_timeout(5_000)
    login_in_browser(page, admin_user)
    return page


def test_admin_widgets_work_without_csp_violations(admin_page, live_server):
    page = admin_page
    violations = watch_csp_violations(page)
    organisation = OrganisationFactory()
    MunicipalityFactory(name="Örebro")

    # An autocomplete (select2) field: open it, search, choose.
    page.goto(f"{live_server.url}/admin/brukarkraft/organisation/{organisation.pk}/change/")
    page.locator("#id_municipality + .select2 .select2-selection").click()
    page.keyboard.type("Öre")
    page.locator(".select2-results__option", has_text="Örebro").click()
    assert "Örebro" in page.locator("#id_municipality + .select2").inner_text()

    # Date shortcuts, the calendar pop-up and a new inline row.
    page.goto(f"{live_server.url}/admin/councils/council/add/")
    page.locator(".datetimeshortcuts a").first.click()
    page.locator("a[id^=calendarlink]").first.click()
    rows = page.locator(".inline-related").count()
    page.locator(".add-row a").first.click()
    assert page.locator(".inline-related").count() == rows + 1

    # The change list: select all, filters, the light/dark switch.
    page.goto(f"{live_server.url}/admin/audits/audit/")
    page.locator("#changelist-filter details summary").first.click()
    page.locator("button.theme-toggle").first.click()

    assert not violations, "\n".join(violations)


def test_import_export_pages_work_under_the_csp(admin_page, live_server):
    page = admin_page
    OrganisationFactory()
    violations = watch_csp_violations(page)

    page.goto(f"{live_server.url}/admin/brukarkraft/organisation/import/")
    assert page.locator("input[type=file]").count() == 1
    assert not violations, "\n".join(violations)

    # "Select all" clears and ticks every field through static/js/admin_export.js.
    page.goto(f"{live_server.url}/admin/brukarkraft/organisation/export/")
    fields = page.locator('.selectable-field-export-row input[type="checkbox"]')
    page.locator("input.select-toggle").click()
    assert not any(fields.evaluate_all("boxes => boxes.map((box) => box.checked)"))
    page.locator("input.select-toggle").click()
    assert all(fields.evaluate_all("boxes => boxes.map((box) => box.checked)"))

    # django-import-export's own template has two style="" attributes and an onchange=""
    # that the CSP blocks: cosmetic (padding, bold), and the handler is replaced above.
    unexpected = [
        violation
        for violation in violations
        if "/export/" not in violation
        or not ("Applying inline style" in violation or "inline event handler" in violation)
    ]
    assert not unexpected, "\n".join(unexpected)
