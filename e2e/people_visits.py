"""The staff's personal-data pages for the axe crawl: find a person, what the portal holds
about them, and erasure from the confirm page to its record.

people_crawl_data points at the `auditor` persona (an account, a council member, a course
participant and an auditor on audits: the fullest detail page), only looked at, and at
a person with an account and accessibility feedback whom the crawl erases for real.
"""

from __future__ import annotations

import re

from brukarkraft.privacy import Person
from brukarkraft.tests.factories import AccessibilityFeedbackFactory, UserFactory

from .crawl import Visit, submit_main_form


def people_crawl_data(auditor) -> dict:
    leaving = UserFactory(full_name="Greta Glömsk", email="greta.glomsk@example.se")
    AccessibilityFeedbackFactory(name=leaving.full_name, email=leaving.email)
    return {
        "auditor": Person.for_user(auditor).token,
        "leaving": Person.for_user(leaving).token,
    }


def _token(data, name: str) -> dict:
    return {"token": data["people"][name]}


def _erase(then: str):
    """Fill in the erasure form and send it; `then` matches the end of the next address."""

    def action(page):
        form = page.locator("main form[method=post]")
        form.locator("textarea[name=reason]").fill("Begäran per e-post den 3 mars.")
        form.locator("input[name=confirm]").check()
        with page.expect_navigation() as navigation:
            form.locator("[type=submit]").click()
        # Not the form again with errors: that page has been scanned already.
        page.wait_for_url(re.compile(then + "$"))
        return navigation.value

    return action


def staff_people_visits(data) -> list[Visit]:
    return [
        Visit("personal data, find a person", "person_search"),
        Visit("personal data, empty search", "person_search", query="?q="),
        Visit("personal data, people found", "person_search", query="?q=Astrid"),
        Visit("personal data, no one found", "person_search", query="?q=Ingen+alls"),
        Visit("a person's data", "person_detail", _token(data, "auditor")),
        Visit("erase a person's data, confirm", "person_erase", _token(data, "auditor")),
        Visit(
            "erase a person's data with errors",
            "person_erase",
            _token(data, "auditor"),
            action=submit_main_form,
        ),
        Visit("a forged person (404)", "person_detail", {"token": "forged"}, status=404),
        Visit(
            "erasure done", "person_erase", _token(data, "leaving"), action=_erase(r"\?done=\d+")
        ),
        # The same form sent again once the data is gone (a reload, a second tab).
        Visit(
            "erasure sent again, nothing left",
            "person_erase",
            _token(data, "leaving"),
            action=_erase(r"\?done=\d+&again=1"),
        ),
    ]


def admin_people_visits(data) -> list[Visit]:
    return [Visit("personal data as admin", "person_search", query="?q=Astrid")]


def denied_people_visits(data) -> list[Visit]:
    return [
        Visit("no access (403): personal data", "person_search", status=403),
        Visit(
            "no access (403): a person's data",
            "person_detail",
            _token(data, "auditor"),
            status=403,
        ),
    ]


# JSON downloads (a person's data for staff, one's own data from the profile).
PEOPLE_NOT_PAGES = {"person_export", "my_data"}
