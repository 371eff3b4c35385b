"""axe-core (WCAG 2.1 AA) on every page of the portal, with the page structure (lang, title,
headings) and no Content-Security-Policy violation on the browser's console.

One browser context per persona: the persona logs in once and visits each page it can reach,
including error states (forms sent empty, 403, 404, 429, and 503 while the database is
unreachable), each page in Swedish, Norwegian or English in turn. CRAWL_ALL_LANGUAGES=1
visits every page in every language.
A failure names every page and language that failed, with axe's findings.
"""

import os
from collections.abc import Callable
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import OperationalError
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import get_language_from_path
from playwright.sync_api import Error as PlaywrightError

from brukarkraft.models import JoinRequest
from brukarkraft.roles import Role
from brukarkraft.tests.factories import AccessibilityFeedbackFactory, UserFactory
from brukarkraft.tests.rate_limiting import rate_limits_on
from e2e.analysis_visits import (
    ANALYSIS_NOT_PAGES,
    analysis_crawl_data,
    auditor_analysis_visits,
    staff_analysis_visits,
)
from e2e.audit_visits import (
    AUDIT_NOT_PAGES,
    admin_audit_visits,
    anonymous_audit_visits,
    audit_crawl_data,
    auditor_audit_visits,
    commissioner_audit_visits,
    outsider_audit_visits,
    staff_audit_visits,
)
from e2e.bank_visits import (
    BANK_NOT_PAGES,
    anonymous_bank_visits,
    bank_crawl_data,
    commissioner_bank_visits,
    staff_bank_visits,
)
from e2e.council_visits import (
    COUNCIL_NOT_PAGES,
    admin_council_visits,
    anonymous_council_visits,
    commissioner_council_visits,
    council_crawl_data,
    member_council_visits,
    outsider_council_visits,
    staff_council_visits,
)
from e2e.crawl import Visit, set_up_two_factor, submit_main_form, watch_csp_violations
from e2e.fieldwork_visits import (
    FIELDWORK_NOT_PAGES,
    commissioner_fieldwork_visits,
    fieldwork_crawl_data,
    lead_fieldwork_visits,
    outsider_fieldwork_visits,
    staff_fieldwork_visits,
)
from e2e.helpers import LANGUAGES
from e2e.people_visits import (
    PEOPLE_NOT_PAGES,
    admin_people_visits,
    denied_people_visits,
    people_crawl_data,
    staff_people_visits,
)
from e2e.resource_visits import (
    RESOURCE_NOT_PAGES,
    admin_resource_visits,
    anonymous_resource_visits,
    auditor_resource_visits,
    commissioner_resource_visits,
    outsider_resource_visits,
    resource_crawl_data,
    staff_resource_visits,
)
from e2e.survey_visits import (
    SURVEY_NOT_PAGES,
    auditor_survey_visits,
    respondent_visits,
    staff_survey_visits,
    survey_crawl_data,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit_login_without_csrf_cookie(page):
    page.context.clear_cookies()
    page.fill("input[name=username]", "nobody@example.se")
    page.fill("input[name=password]", "not-the-password")
    return submit_main_form(page)


def fail_login_until_locked_out(page):
    response = None
    for _ in range(5):
        page.fill("input[name=username]", "locked.out@example.se")
        page.fill("input[name=password]", "not-the-password")
        response = submit_main_form(page)
    return response


def send_until_rate_limited(page):
    # Rate limits are off in tests (conftest.py); one POST a minute trips this one.
    with rate_limits_on(feedback="1/m"):
        submit_main_form(page)
        return submit_main_form(page)


def reload_with_the_database_down(page):
    """The same page again while every query fails as if the database had gone away."""

    def unreachable(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    # The live server answers from a thread of this process, so the patch reaches it.
    with mock.patch("django.db.backends.utils.CursorWrapper._execute", unreachable):
        return page.reload()


def log_out(page):
    with page.expect_navigation() as navigation:
        page.locator("nav.main-nav form button[type=submit]").click()
    return navigation.value


def anonymous_visits(data) -> list[Visit]:
    return [
        Visit("home", "home"),
        *respondent_visits(data),
        Visit("accessibility statement", "accessibility"),
        Visit("privacy notice", "privacy"),
        Visit("feedback form", "feedback"),
        Visit("feedback form with errors", "feedback", action=submit_main_form),
        Visit("feedback thanks", "feedback_thanks"),
        Visit("login", "login"),
        Visit("login with errors", "login", action=submit_main_form),
        Visit("password reset form", "password_reset"),
        Visit("password reset with errors", "password_reset", action=submit_main_form),
        Visit("password reset sent", "password_reset_done"),
        Visit(
            "password reset, invalid link",
            "password_reset_confirm",
            {"uidb64": "MQ", "token": "wrong-token"},
        ),
        Visit("password reset, new password form", "password_reset_confirm", data["reset_link"]),
        Visit(
            "password reset, new password with errors",
            "password_reset_confirm",
            data["reset_link"],
            action=submit_main_form,
        ),
        Visit("password reset complete", "password_reset_complete"),
        Visit("registered, check your e-mail", "signup_sent"),
        Visit("confirm the e-mail address", "signup_confirm", {"token": "a-link-from-a-mail"}),
        Visit(
            "confirm the e-mail address, link not valid (400)",
            "signup_confirm",
            {"token": "a-link-from-a-mail"},
            status=400,
            action=submit_main_form,
        ),
        Visit("page not found (404)", path="no-such-page/", status=404),
        Visit("feedback inbox, anonymous, goes to login", "feedback_inbox"),
        Visit(
            "CSRF failure (403)",
            "login",
            status=403,
            action=submit_login_without_csrf_cookie,
        ),
        *anonymous_audit_visits(data),
        *anonymous_bank_visits(data),
        *anonymous_council_visits(data),
        *anonymous_resource_visits(data),
        Visit("locked out (429)", "login", status=429, action=fail_login_until_locked_out),
        Visit("too many requests (429)", "feedback", status=429, action=send_until_rate_limited),
        # No session to load: the view's query fails first and DatabaseErrorMiddleware answers.
        Visit(
            "database unreachable (503)",
            "resources:library",
            status=503,
            action=reload_with_the_database_down,
        ),
    ]


def logged_in_visits(data) -> list[Visit]:
    """Pages every logged-in person reaches."""
    return [
        Visit("profile", "profile"),
        Visit("profile saved", "profile", action=submit_main_form),
        Visit("password change", "password_change"),
        Visit("password change with errors", "password_change", action=submit_main_form),
        Visit("password changed", "password_change_done"),
    ]


VISITS: dict[str, Callable[[dict], list[Visit]]] = {
    "anonymous": anonymous_visits,
    "commissioner": lambda data: [
        Visit("commissioner start page", "start"),
        *logged_in_visits(data),
        Visit("no access (403): staff start page", "start_staff", status=403),
        Visit("no access (403): feedback inbox", "feedback_inbox", status=403),
        Visit("no access (403): surveys", "surveys:list", status=403),
        *commissioner_audit_visits(data),
        *commissioner_fieldwork_visits(data),
        *commissioner_bank_visits(data),
        *commissioner_council_visits(data),
        *commissioner_resource_visits(data),
        *denied_people_visits(data),
        Visit("home after logging out", "home", action=log_out),
    ],
    "auditor": lambda data: [
        Visit("auditor start page", "start"),
        Visit("no access (403): commissioner start page", "start_commissioner", status=403),
        *auditor_survey_visits(data),
        *auditor_audit_visits(data),
        *auditor_analysis_visits(data),
        *lead_fieldwork_visits(data),
        *member_council_visits(data),
        *auditor_resource_visits(data),
    ],
    "staff": lambda data: [
        Visit("staff start page", "start"),
        Visit("feedback inbox", "feedback_inbox"),
        Visit("feedback handling", "feedback_handle", {"pk": data["feedback"].pk}),
        Visit(
            "feedback handling saved",
            "feedback_handle",
            {"pk": data["feedback"].pk},
            action=submit_main_form,
        ),
        Visit("change history", "change_history"),
        Visit(
            "change history with a wrong filter",
            "change_history",
            query="?date_from=2026-05-10&date_to=2026-05-01",
        ),
        Visit("what we keep and for how long", "retention_overview"),
        Visit("requests to join an organisation", "join_requests"),
        *staff_survey_visits(data),
        *staff_audit_visits(data),
        *staff_analysis_visits(data),
        *staff_fieldwork_visits(data),
        *staff_bank_visits(data),
        *staff_council_visits(data),
        *staff_resource_visits(data),
        *staff_people_visits(data),
        # Loading the session fails in a middleware: the 500 handler answers with the 503 page.
        Visit(
            "database unreachable, logged in (503)",
            "start",
            status=503,
            action=reload_with_the_database_down,
        ),
        Visit("profile with two-step login off", "profile"),
        Visit("two-step login set-up", "two_factor_setup"),
        Visit("two-step login set-up with errors", "two_factor_setup", action=submit_main_form),
        Visit("backup codes shown once", "two_factor_setup", action=set_up_two_factor),
        Visit("backup codes left", "two_factor_backup_codes"),
        Visit("profile with two-step login on", "profile"),
        Visit("two-step login code", "two_factor_verify"),
        Visit("two-step login code with errors", "two_factor_verify", action=submit_main_form),
    ],
    "admin_user": lambda data: [
        Visit("admin start page", "start"),
        Visit("staff start page as admin", "start_staff"),
        Visit("feedback inbox as admin", "feedback_inbox"),
        Visit("surveys list as admin", "surveys:list"),
        *admin_audit_visits(data),
        *admin_council_visits(data),
        *admin_resource_visits(data),
        *admin_people_visits(data),
    ],
    "outsider": lambda data: [
        Visit("start page without a role", "start"),
        *logged_in_visits(data),
        Visit("no access (403): commissioner start page", "start_commissioner", status=403),
        *outsider_audit_visits(data),
        *outsider_fieldwork_visits(data),
        *outsider_council_visits(data),
        *outsider_resource_visits(data),
    ],
}

# Names that are not pages of their own, and the admin (e2e/test_axe_admin.py crawls it).
NOT_PAGES = (
    # admin_login and join_request_decide only redirect; the admin is scanned on its own.
    # favicon.ico redirects to a static file; notice_read takes a POST (start pages show it).
    {
        "healthz",
        "set_language",
        "logout",
        "admin_login",
        "join_request_decide",
        "favicon",
        "notice_read",
    }
    | SURVEY_NOT_PAGES
    | AUDIT_NOT_PAGES
    | FIELDWORK_NOT_PAGES
    | BANK_NOT_PAGES
    | COUNCIL_NOT_PAGES
    | RESOURCE_NOT_PAGES
    | PEOPLE_NOT_PAGES
    | ANALYSIS_NOT_PAGES
)


# One round trip to the browser for every check below: the crawl makes a thousand visits.
STRUCTURE = """() => {
    const crumbs = document.querySelectorAll("nav.breadcrumbs li");
    return {
        lang: document.documentElement.lang,
        h1Count: document.querySelectorAll("main h1").length,
        lastCrumbCurrent: crumbs.length
            ? crumbs[crumbs.length - 1].getAttribute("aria-current")
            : "page",
    };
}"""


def structure_problems(page, language: str) -> list[str]:
    """The layout's conventions that axe does not check."""
    problems = []
    found = page.evaluate(STRUCTURE)
    if found["lang"] != language:
        problems.append(f'<html lang="{found["lang"]}">, expected "{language}"')
    if found["h1Count"] != 1:
        problems.append(f"{found['h1Count']} h1 headings in main, expected exactly one")
    if found["lastCrumbCurrent"] != "page":
        problems.append(
            'the last breadcrumb lacks aria-current="page" (fill {% block breadcrumbs %})'
        )
    return problems


@pytest.fixture
def crawl_data(db, settings, tmp_path, staff, auditor, commissioner, organisation):
    # The resources' attachments are stored files: keep them out of the project's media.
    settings.MEDIA_ROOT = tmp_path / "media"
    # Staff reach the two-step login pages by choice, as with DEBUG on; none is forced.
    settings.TWO_FACTOR_REQUIRED = False
    person = UserFactory(email="forgot@example.se")
    # A request to join the commissioner's organisation, for staff to decide.
    JoinRequest.objects.create(
        user=UserFactory(full_name="Nora Ny", roles=[Role.COMMISSIONER]),
        organisation=organisation,
        organisation_name_given="Örebro kommun, AME",
    )
    surveys = survey_crawl_data(staff, auditor)
    # The bank's audits first: the audit crawl's draft must stay the commissioner's newest.
    bank = bank_crawl_data(commissioner, staff, organisation)
    audits = audit_crawl_data(commissioner, staff, auditor, organisation)
    return {
        "surveys": surveys,
        "bank": bank,
        "audits": audits,
        "fieldwork": fieldwork_crawl_data(audits["collecting"], commissioner),
        "analysis": analysis_crawl_data(audits, auditor),
        "councils": council_crawl_data(staff, auditor),
        "resources": resource_crawl_data(staff, auditor),
        "people": people_crawl_data(auditor),
        "feedback": AccessibilityFeedbackFactory(),
        "reset_link": {
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
        },
    }


# One pass per persona, each visit in one of the three languages in turn: every page is
# checked (axe, structure, CSP) once, and every language sees a third of the pages. The
# persona's steps build on each other, so the pages cannot be shared out among three
# tests; one pass in rotation costs what a pass in one language did. CRAWL_ALL_LANGUAGES=1
# makes a whole pass in each language instead (three times as long), worth running after a
# change to the layout or the catalogues.
ALL_LANGUAGES = os.environ.get("CRAWL_ALL_LANGUAGES", "") not in ("", "0")
PASSES = LANGUAGES if ALL_LANGUAGES else ["rotating"]


def language_of_visit(index: int, crawl_pass: str) -> str:
    return LANGUAGES[index % len(LANGUAGES)] if crawl_pass == "rotating" else crawl_pass


def language_of_address(address: str) -> str:
    """The language a portal address is in: its prefix, or the default without one."""
    return get_language_from_path(urlsplit(address).path) or settings.LANGUAGE_CODE


# The personas with the longest crawls first: the suite starts its longest tests first
# (conftest.pytest_collection_modifyitems), so the parallel workers finish together.
PERSONAS_LONGEST_FIRST = ["staff", "auditor", "commissioner", "anonymous", "outsider", "admin_user"]


@pytest.mark.parametrize("crawl_pass", PASSES)
@pytest.mark.parametrize("persona", PERSONAS_LONGEST_FIRST)
def test_every_page_passes_axe(
    request, new_context, live_server, url, axe, login_in_browser, crawl_data, persona, crawl_pass
):
    page = new_context().new_page()
    # A missing button should fail in seconds, not after Playwright's 30-second default.
    page.set_default_timeout(5_000)
    csp_violations = watch_csp_violations(page)
    if persona != "anonymous":
        user = request.getfixturevalue(persona)
        if crawl_pass != "rotating":
            # Saving the profile and logging in follow the person's own language.
            user.preferred_language = crawl_pass
            user.save(update_fields=["preferred_language"])
        login_in_browser(page, user)

    failures = []
    for index, visit in enumerate(VISITS[persona](crawl_data)):
        language = language_of_visit(index, crawl_pass)
        prefix = "" if language == "sv" else f"/{language}"
        address = (
            f"{live_server.url}{prefix}/{visit.path}"
            if visit.path
            else url(visit.name, language, **visit.kwargs) + visit.query
        )
        where = f"{visit.label} [{language}] {address}"
        try:
            response = page.goto(address)
            if visit.action:
                response = visit.action(page)
        except PlaywrightError as error:
            failures.append(f"{where}: could not be reached: {error.message.splitlines()[0]}")
            continue
        where = f"{visit.label} [{language}] {page.url}"
        if response is None or response.status != visit.status:
            status = response.status if response else "no response"
            failures.append(f"{where}: status {status}, expected {visit.status}")
            continue
        # A step may end on a page in the person's own language (saving the profile, logging
        # in again): the page must be in the language of the address it ends on.
        problems = structure_problems(page, language_of_address(page.url))
        try:
            axe(page, where)
        except AssertionError as error:
            problems.append(str(error))
        problems.extend(f"CSP violation at {violation}" for violation in csp_violations)
        csp_violations.clear()
        failures.extend(f"{where}: {problem}" for problem in problems)

    assert not failures, "\n\n".join(failures)


def _page_names(patterns, namespace: str = "") -> set[str]:
    names = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _page_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_the_crawl_visits_every_named_page_of_the_portal(crawl_data):
    visited = {
        visit.name for visits in VISITS.values() for visit in visits(crawl_data) if visit.name
    }
    # The start page redirects each role to its own page.
    visited |= {"start_commissioner", "start_auditor", "start_staff", "start_admin"}

    missing = _page_names(get_resolver().url_patterns) - visited - NOT_PAGES

    assert sorted(PERSONAS_LONGEST_FIRST) == sorted(VISITS), "crawl every persona in VISITS"

    assert not missing, f"add these pages to VISITS in {__name__}: {sorted(missing)}"
