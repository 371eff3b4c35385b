"""The public pages: home, the accessibility statement and the privacy notice."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext

pytestmark = pytest.mark.django_db

LANGUAGES = ["sv", "nb", "en"]


def url(name: str, language: str = "en") -> str:
    with translation.override(language):
        return reverse(name)


def main_of(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def h1_of(html: str) -> str:
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", main_of(html), flags=re.S)
    assert len(headings) == 1, headings
    return headings[0].strip()


def heading_levels(html: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", main_of(html))]


def local_links(html: str) -> list[str]:
    hrefs = re.findall(r'href="([^"]+)"', main_of(html))
    return [href for href in hrefs if href.startswith("/")]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("home", "User audits led by the users themselves"),
        ("accessibility", "Accessibility statement for Brukarkraft"),
        ("privacy", "Privacy notice"),
    ],
)
def test_each_page_renders_in_every_language_with_its_heading(client, name, heading, language):
    response = client.get(url(name, language))

    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text
    with translation.override(language):
        assert h1_of(response.text) == gettext(heading)


@pytest.mark.parametrize("name", ["home", "accessibility", "privacy"])
def test_headings_never_skip_a_level(client, name):
    levels = heading_levels(client.get(url(name)).text)

    assert levels[0] == 1
    assert all(after - before <= 1 for before, after in zip(levels, levels[1:], strict=False))


@pytest.mark.parametrize("name", ["home", "accessibility", "privacy"])
@pytest.mark.parametrize("persona", [None, "commissioner"])
def test_every_link_on_a_page_leads_to_a_page_that_exists(client, request, name, persona):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    links = local_links(client.get(url(name)).text)

    assert links
    for link in links:
        try:
            resolve(urlsplit(link).path)
        except Resolver404:
            pytest.fail(f"{name} links to {link}, which is no page")


# --- Home -------------------------------------------------------------------------


def test_home_tells_a_visitor_what_the_centre_offers(client):
    text = client.get(url("home")).text

    for offer in [
        "User-led user audits",
        "Accessible surveys",
        "User councils",
        "Library, training and method guidance",
    ]:
        assert f"<h3>{offer}</h3>" in text
    assert "all 21 counties" in text


def test_home_explains_how_to_order_an_audit_step_by_step(client):
    text = main_of(client.get(url("home")).text)

    steps = re.findall(r'<h3 class="h5">(.*?)</h3>', text)
    assert steps == [
        "You order",
        "Quote and agreement",
        "A team of trained user auditors",
        "Information meeting and data collection",
        "Report and feedback meeting",
        "Your response and follow-up",
    ]
    assert '<ol class="steps">' in text
    for who in [
        "municipal labour-market units",
        "Finsam",
        "Försäkringskassan",
        "Arbetsförmedlingen",
        "social services",
        "regions",
        "private providers",
    ]:
        assert who in text


def test_home_offers_an_anonymous_visitor_ordering_login_and_the_centres_address(client, settings):
    settings.PORTAL_CONTACT_EMAIL = "bestall@example.se"

    text = main_of(client.get(url("home")).text)

    assert f'href="{url("login")}?next={url("audits:order_start")}"' in text
    assert f'href="{url("audits:order_register")}"' in text
    assert "Create an account and order" in text
    assert 'href="mailto:bestall@example.se"' in text
    assert f'href="{url("start")}"' not in text


@pytest.mark.parametrize("persona", ["commissioner", "auditor", "staff", "outsider"])
def test_home_links_a_logged_in_person_to_their_start_page(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    text = main_of(client.get(url("home")).text)

    assert f'href="{url("start")}"' in text
    assert "Go to your start page" in text


# --- Accessibility statement -------------------------------------------------------


def test_the_statement_names_the_law_and_the_compliance_level(client):
    text = client.get(url("accessibility")).text

    assert "DOS-lagen, SFS 2018:1937" in text
    assert "<strong>partially compliant</strong>" in text
    assert "WCAG) 2.1 at level AA" in text
    assert "EN 301 549" in text


def test_the_statement_lists_the_known_gaps(client):
    text = client.get(url("accessibility")).text

    assert '<h2 id="not-accessible">Content that is not accessible</h2>' in text
    for gap in [
        "Older PDF documents in the library.",
        "Read-aloud in surveys.",
        "Switch and eye-gaze control have not been tested.",
        "The administration interface.",
    ]:
        assert f"<strong>{gap}</strong>" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_statement_links_to_diggs_complaint_form_and_gives_the_assessment_date(
    client, language
):
    text = client.get(url("accessibility", language)).text

    assert 'href="https://www.digg.se/tdosanmalan"' in text
    assert text.count('<time datetime="2026-11-24">') == 2  # assessed and last updated


def test_the_statement_says_how_it_was_assessed(client):
    text = client.get(url("accessibility")).text

    assert "self-assessment" in text
    assert "axe-core" in text
    assert "in Swedish, Norwegian and English, against WCAG 2.1 level AA" in text
    assert "only the keyboard" in text
    assert "200 percent" in text
    assert "screen reader" in text


def test_the_statement_says_how_to_report_a_problem_or_ask_for_another_format(client, settings):
    settings.PORTAL_CONTACT_EMAIL = "tillganglighet@example.se"

    text = client.get(url("accessibility")).text

    assert f'href="{url("feedback")}?kind=format"' in text
    assert f'href="{url("feedback")}?kind=problem"' in text
    assert 'href="mailto:tillganglighet@example.se"' in text
    assert "We answer within 5 working days." in text


def test_the_statement_says_in_english_and_norwegian_that_diggs_form_is_swedish(client):
    assert "(the form is in Swedish)" in client.get(url("accessibility", "en")).text
    with translation.override("sv"):
        note = gettext("(the form is in Swedish)")
    assert note not in client.get(url("accessibility", "sv")).text


# --- Privacy notice -------------------------------------------------------------------


def test_the_privacy_notice_covers_what_the_law_asks_for(client, settings):
    settings.PORTAL_CONTACT_EMAIL = "dataskydd@example.se"

    text = client.get(url("privacy")).text

    for heading in [
        "Who is responsible for your personal data?",
        "Which personal data we process and why",
        "Who can see your personal data?",
        "Cookies",
        "Your rights",
        "If you want to complain",
    ]:
        assert f"<h2>{heading}</h2>" in text
    assert 'href="mailto:dataskydd@example.se"' in text
    assert 'href="https://www.imy.se"' in text
    assert "Integritetsskyddsmyndigheten" in text
    assert "article 9" in text
    assert "We never sell personal data." in text
    assert "data processing agreement" in text
    for right in ["access", "rectification", "erasure", "restriction", "portability", "objection"]:
        assert f"({right}, article" in text


def test_the_privacy_notice_says_feedback_may_be_anonymous_and_keeps_no_ip_address(client):
    text = client.get(url("privacy")).text

    assert "You may stay anonymous." in text
    assert "We never store your IP address or your web browser’s description" in text
    assert "no IP address or browser description is stored with the answers" in text


def test_the_privacy_notice_lists_the_cookies_the_settings_actually_use(client, settings):
    settings.SESSION_COOKIE_NAME = "bk_session"
    settings.SESSION_COOKIE_AGE = 60 * 60 * 24 * 3
    settings.LANGUAGE_COOKIE_AGE = None

    text = client.get(url("privacy")).text

    assert "only cookies that are strictly necessary" in text
    assert "<code>bk_session</code>" in text
    assert "3 days or until you log out" in text
    assert f"<code>{settings.CSRF_COOKIE_NAME}</code>" in text
    assert f"<code>{settings.LANGUAGE_COOKIE_NAME}</code>" in text
    assert "Until you close the web browser" in text
    assert "<code>messages</code>" in text


# --- Every page of the layout reaches these pages ----------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_footer_links_to_the_statement_the_feedback_form_and_the_privacy_notice(
    client, language
):
    text = client.get(url("privacy", language)).text
    footer = text.split('<footer class="site-footer">', 1)[1]

    assert f'href="{url("accessibility", language)}"' in footer
    assert f'href="{url("feedback", language)}?page=' in footer
    assert f'href="{url("privacy", language)}"' in footer
