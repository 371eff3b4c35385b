"""The report bank's pages for the axe crawl: the public bank (list, search, a published
audit's page, the open-data page and its index of feeds) and an audit's publication page and terms form, for the commissioner (who
consents) and staff (who publish). Its own audits, ordered by the commissioner persona's
organisation, so the audit crawl's steps are not disturbed."""

from __future__ import annotations

from audits import services as audit_services
from audits.bank import services
from audits.models import Audit
from audits.tests.factories import audit_in_state

from .crawl import Visit, submit_main_form

EVERYTHING = {
    "may_publish_report": True,
    "may_publish_findings": True,
    "may_publish_quotes": True,
    "publish_from": None,
}


def bank_crawl_data(commissioner, staff, organisation) -> dict:
    published = audit_in_state(
        Audit.Status.CLOSED, commissioner=commissioner, staff=staff, findings=3
    )
    services.terms_save(audit=published, by=staff, data=EVERYTHING)
    services.consent(audit=published, by=commissioner)
    services.publish(audit=published, by=staff)
    # A re-audit of the published audit's unit, published too: the side-by-side pages.
    reaudit = audit_in_state(
        Audit.Status.CLOSED, commissioner=commissioner, staff=staff, findings=1
    )
    reaudit.units.add(published.units.get())
    audit_services.audit_link_reaudit(audit=reaudit, earlier=published, by=staff)
    services.terms_save(audit=reaudit, by=staff, data=EVERYTHING)
    services.consent(audit=reaudit, by=commissioner)
    services.publish(audit=reaudit, by=staff)
    # Approved, terms allowing: the commissioner may consent on its page.
    waiting = audit_in_state(Audit.Status.FEEDBACK_HELD, commissioner=commissioner, staff=staff)
    services.terms_save(audit=waiting, by=staff, data={**EVERYTHING, "may_publish_quotes": False})
    # Quoted, no terms yet: the terms form.
    quoted = audit_in_state(Audit.Status.QUOTED, commissioner=commissioner, staff=staff)
    return {"published": published, "reaudit": reaudit, "waiting": waiting, "quoted": quoted}


def _pk(data, name: str) -> dict:
    return {"pk": data["bank"][name].pk}


def _tick_quotes_only(page):
    # Quotes without the findings: the form refuses, showing its error summary.
    page.check("main input[name=may_publish_quotes]")
    return submit_main_form(page)


def anonymous_bank_visits(data) -> list[Visit]:
    return [
        Visit("report bank", "bank:list"),
        Visit("report bank, searched", "bank:list", query="?q=kontaktperson&area=lss"),
        Visit("report bank, a published audit", "bank:detail", _pk(data, "published")),
        Visit("report bank, unpublished (404)", "bank:detail", _pk(data, "waiting"), status=404),
        Visit(
            "publication page, anonymous, goes to login", "bank:publication", _pk(data, "waiting")
        ),
        Visit("national picture", "bank:national"),
        Visit("national picture, narrowed", "bank:national", query="?area=other&year=1999"),
        Visit("re-audit side by side (bank)", "bank:compare", _pk(data, "reaudit")),
        Visit(
            "re-audit side by side, unlinked (404)",
            "bank:compare",
            _pk(data, "published"),
            status=404,
        ),
        Visit("national picture for staff, anonymous, goes to login", "bank:national_staff"),
        # Open data (audits/opendata/): the page about it and the index of the feeds.
        Visit("open data", "open_data:page"),
        Visit("open data, the feeds", "open_data:feeds"),
    ]


def commissioner_bank_visits(data) -> list[Visit]:
    return [
        Visit("publication page (commissioner)", "bank:publication", _pk(data, "waiting")),
        Visit(
            "publication page, published (commissioner)", "bank:publication", _pk(data, "published")
        ),
        Visit(
            "withdraw without a reason (commissioner)",
            "bank:publication",
            _pk(data, "published"),
            action=lambda page: _withdraw_empty(page),
        ),
        Visit("publication terms (commissioner)", "bank:terms", _pk(data, "quoted")),
        Visit("re-audit side by side (commissioner)", "audits:compare", _pk(data, "reaudit")),
        Visit("national picture for staff (403)", "bank:national_staff", status=403),
        Visit(
            "publication terms with errors",
            "bank:terms",
            _pk(data, "quoted"),
            action=_tick_quotes_only,
        ),
    ]


def _withdraw_empty(page):
    with page.expect_navigation() as navigation:
        page.locator("main form[action*='/withdraw/'] [type=submit]").click()
    return navigation.value


def staff_bank_visits(data) -> list[Visit]:
    return [
        Visit("publication page (staff)", "bank:publication", _pk(data, "published")),
        Visit("publication terms (staff)", "bank:terms", _pk(data, "waiting")),
        Visit("report bank (staff)", "bank:list"),
        Visit("national picture with unpublished audits (staff)", "bank:national_staff"),
        Visit("re-audit link (staff)", "audits:reaudit_link", _pk(data, "reaudit")),
        Visit("re-audit side by side (staff)", "audits:compare", _pk(data, "reaudit")),
        Visit("open data (staff)", "open_data:page"),
    ]


# POST-only steps: their buttons are pressed on the publication page; the PDF and the
# national picture's CSV files are files.
# Open data's files, feeds and API answer CSV, Atom and JSON, not pages (their own tests
# and e2e/test_open_data_journey.py read them).
BANK_NOT_PAGES = {
    "bank:report",
    "bank:consent",
    "bank:publish",
    "bank:withdraw",
    "bank:public_report_retry",
    "bank:national_csv",
    "bank:national_staff_csv",
    "open_data:audits_csv",
    "open_data:findings_csv",
    "open_data:proposals_csv",
    "open_data:feed",
    "open_data:area_feed",
    "api:audits",
    "api:audit",
    "api:findings",
    "api:finding",
    "api:proposals",
    "api:proposal",
    "api:schema",
}
