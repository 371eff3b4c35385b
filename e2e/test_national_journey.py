"""The national picture in a real browser, by keyboard only: from the report bank a reader
tabs to the national picture, narrows the findings to one service area, reads the chart's
table and reaches the CSV download; the axe scan passes; then a published re-audit is read
side by side with its earlier audit."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from django.utils.translation import gettext

from audits import services as audit_services
from audits.bank import services
from audits.models import Audit, ServiceArea
from audits.tests.factories import audit_in_state

from .helpers import focused, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EVERYTHING = {
    "may_publish_report": True,
    "may_publish_findings": True,
    "may_publish_quotes": True,
    "publish_from": None,
}


def sv(message: str) -> str:
    with translation.override("sv"):
        return gettext(message)


def publish(audit: Audit, commissioner, staff) -> Audit:
    version = audit.reports.get(approved=True)
    version.file.save("report.pdf", ContentFile(PDF))
    services.terms_save(audit=audit, by=staff, data=EVERYTHING)
    services.consent(audit=audit, by=commissioner)
    services.publish(audit=audit, by=staff)
    return audit


@pytest.fixture
def pair(settings, tmp_path, commissioner, staff):
    settings.MEDIA_ROOT = tmp_path
    earlier = audit_in_state(
        Audit.Status.CLOSED, commissioner=commissioner, staff=staff, findings=4
    )
    later = audit_in_state(Audit.Status.CLOSED, commissioner=commissioner, staff=staff, findings=2)
    later.units.add(earlier.units.get())
    audit_services.audit_link_reaudit(audit=later, earlier=earlier, by=staff)
    return publish(earlier, commissioner, staff), publish(later, commissioner, staff)


def test_the_national_picture_by_keyboard(new_context, url, axe, pair):
    earlier, later = pair
    area = earlier.units.get().service_area
    with translation.override("sv"):
        area_label = str(ServiceArea(area).label)
    page = new_context().new_page()
    page.goto(url("bank:list"))

    tab_to(page, "e => (e.getAttribute('href') || '').endsWith('/national/')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == sv("The national picture")

    # Narrow the findings to the audits' service area, by keyboard.
    tab_to(page, "e => e.name === 'area'")
    # The first choice is every area; the next is the only area with audits.
    page.keyboard.press("ArrowDown")
    assert page.locator("select[name=area] option:checked").inner_text() == area_label
    tab_to(page, "e => e.type === 'submit' && e.closest('form.audit-filter')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"area={area}" in page.url

    # Every chart has its table, with the same figures, and a CSV download.
    tables = page.locator("main table")
    assert tables.count() == 5
    assert page.locator("main svg[role=img]").count() == 5
    theme_table = page.get_by_role(
        "table", name=sv("Positive and negative findings per theme"), exact=False
    )
    assert theme_table.count() == 1
    # Findings=4 and 2: treatment positive in both.
    treatment = sv("Treatment and respect")
    row = theme_table.get_by_role("row", name=treatment, exact=False)
    assert row.locator("td").first.inner_text() == "2"
    tab_to(page, "e => (e.getAttribute('href') || '').includes('findings-theme.csv')")
    assert focused(page, "e => e.hasAttribute('download')")
    axe(page, "national picture")

    # The re-audit next to its earlier audit, from its page in the bank.
    page.goto(url("bank:detail", pk=later.pk))
    tab_to(page, "e => (e.getAttribute('href') || '').endsWith('/compare/')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name=sv("What improved")).count() == 1
    assert page.get_by_role("table").count() == 1
    axe(page, "re-audit side by side")
