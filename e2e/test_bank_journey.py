"""The report bank's journey in a real browser: the commissioner consents on the audit's
publication page, staff publish it, an anonymous reader searches the bank, opens the report
and its PDF link, then the commissioner withdraws it and the reader finds it gone."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from django.utils.translation import gettext

from audits.bank import services
from audits.models import Audit
from audits.tests.factories import audit_in_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def sv(message: str) -> str:
    with translation.override("sv"):
        return gettext(message)


@pytest.fixture
def approved(settings, tmp_path, commissioner, staff):
    settings.MEDIA_ROOT = tmp_path
    audit = audit_in_state(Audit.Status.CLOSED, commissioner=commissioner, staff=staff)
    version = audit.reports.get(approved=True)
    version.file.save("report.pdf", ContentFile(PDF))
    services.terms_save(
        audit=audit,
        by=staff,
        data={
            "may_publish_report": True,
            "may_publish_findings": True,
            "may_publish_quotes": True,
            "publish_from": None,
        },
    )
    return audit


def test_publish_search_read_withdraw(
    new_context, url, login_in_browser, approved, commissioner, staff
):
    finding = approved.findings.first()
    # The commissioner consents.
    page = new_context().new_page()
    login_in_browser(page, commissioner)
    page.goto(url("bank:publication", pk=approved.pk))
    page.get_by_role("button", name=sv("Consent to publishing")).click()
    page.wait_for_load_state()
    assert sv("You have consented. The resource centre publishes the report.") in page.content()

    # Someone at the centre publishes.
    staff_page = new_context().new_page()
    login_in_browser(staff_page, staff)
    staff_page.goto(url("bank:publication", pk=approved.pk))
    staff_page.get_by_role("button", name=sv("Publish in the report bank")).click()
    staff_page.wait_for_load_state()
    assert sv("The report is published in the report bank.") in staff_page.content()

    # A reader without an account searches, finds and reads it, keyboard first.
    reader = new_context().new_page()
    reader.goto(url("home"))
    reader.get_by_role("link", name=sv("Report bank")).first.click()
    reader.get_by_label(sv("Search words")).fill("kontaktpersonen")
    reader.get_by_label(sv("Search words")).press("Enter")
    reader.wait_for_load_state()
    title = approved.title or approved.reference
    reader.get_by_role("link", name=title).click()
    reader.wait_for_load_state()
    assert reader.get_by_role("heading", level=1).inner_text() == title
    assert reader.get_by_role("heading", name=finding.title).count() == 1
    assert reader.get_by_text(finding.quote_lines()[0]).count() >= 1
    pdf_link = reader.locator("main a[href$='report.pdf']")
    assert pdf_link.count() == 1
    assert pdf_link.get_attribute("href").endswith(f"/{approved.pk}/report.pdf")
    assert reader.request.get(url("bank:report", pk=approved.pk)).ok
    report_address = reader.url

    # The commissioner withdraws it; it is gone from the reader's pages at once.
    page.goto(url("bank:publication", pk=approved.pk))
    page.get_by_label(sv("Why is it withdrawn?")).fill("Enheten har lagts ned.")
    page.get_by_role("button", name=sv("Withdraw the report")).click()
    page.wait_for_load_state()
    assert sv("The report is withdrawn. It is no longer public.") in page.content()

    assert reader.goto(report_address).status == 404
    reader.goto(url("bank:list", query="?q=kontaktpersonen"))
    assert reader.get_by_role("link", name=title).count() == 0
    assert reader.request.get(url("bank:report", pk=approved.pk)).status == 404
