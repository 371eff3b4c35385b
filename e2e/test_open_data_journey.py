"""Open data in a real browser: a reader finds the open-data page from the start page with
the keyboard, reads about the licence and the fields, and fetches the API, a CSV file and
the feed; the report is withdrawn and every one of them has lost it at once."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from django.utils.translation import gettext

from audits.bank import services
from audits.models import Audit
from audits.tests.factories import audit_in_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EVERYTHING = {
    "may_publish_report": True,
    "may_publish_findings": True,
    "may_publish_quotes": True,
    "publish_from": None,
}


def en(message: str) -> str:
    with translation.override("en"):
        return gettext(message)


@pytest.fixture
def published(settings, tmp_path, commissioner, staff):
    settings.MEDIA_ROOT = tmp_path
    audit = audit_in_state(Audit.Status.CLOSED, commissioner=commissioner, staff=staff)
    audit.reports.get(approved=True).file.save("report.pdf", ContentFile(PDF))
    services.terms_save(audit=audit, by=staff, data=EVERYTHING)
    services.consent(audit=audit, by=commissioner)
    services.publish(audit=audit, by=staff)
    return audit


def test_find_read_download_then_withdrawn(new_context, url, live_server, published, staff):
    title = published.title or published.reference
    finding = published.findings.first()
    page = new_context().new_page()

    # From the start page to open data, with the keyboard only.
    page.goto(url("home", "en"))
    link = page.get_by_role("link", name=en("Open data"), exact=True)
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == en("Open data")
    assert page.locator("main a[rel=license]").get_attribute("href") == (
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert page.get_by_role("table").count() == 3  # the fields of the three data sets
    feed_link = page.locator("head link[rel=alternate][type='application/atom+xml']")
    assert feed_link.count() == 1

    # The links on the page lead to the data, each with the licence.
    api_href = page.locator("main a[href$='/api/v1/audits/']").get_attribute("href")
    audits = page.request.get(f"{live_server.url}{api_href}")
    assert audits.status == 200
    assert audits.headers["link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    assert [row["title"] for row in audits.json()["results"]] == [published.title]
    csv_href = page.locator("main a[href$='findings.csv']").get_attribute("href")
    findings = page.request.get(f"{live_server.url}{csv_href}")
    rows = list(csv.DictReader(io.StringIO(findings.text().lstrip("\ufeff")), delimiter=";"))
    assert finding.title in [row["title"] for row in rows]
    feed = page.request.get(f"{live_server.url}{feed_link.get_attribute('href')}")
    assert title in feed.text()
    schema = page.request.get(f"{live_server.url}/api/v1/schema/?format=json")
    assert schema.json()["info"]["license"]["name"] == "CC BY 4.0"

    # The feeds by service area, one link each.
    page.get_by_role("link", name=en("Feeds by service area")).click()
    page.wait_for_load_state()
    with translation.override("en"):
        area = str(published.units.get().get_service_area_display())
    area_href = page.get_by_role("link", name=area, exact=True).get_attribute("href")
    assert title in page.request.get(f"{live_server.url}{area_href}").text()

    services.withdraw(audit=published, by=staff, reason="Fel i rapporten.")

    assert page.request.get(f"{live_server.url}{api_href}").json()["results"] == []
    again = page.request.get(f"{live_server.url}{csv_href}").text().lstrip("\ufeff")
    assert list(csv.DictReader(io.StringIO(again), delimiter=";")) == []
    assert (
        title not in page.request.get(f"{live_server.url}{feed_link.get_attribute('href')}").text()
    )
    assert title not in page.request.get(f"{live_server.url}{area_href}").text()
    detail = page.request.get(f"{live_server.url}/api/v1/audits/{published.pk}/")
    assert detail.status == 404
    page.goto(url("home", "en"))
    assert title not in page.content()
