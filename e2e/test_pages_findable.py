"""Everyone can find their pages: starting from a demo account's start page (with the main
menu on it), following links reaches every page that role may use. No browser: the test
client follows the links, a few pages of each kind, in the default language."""

from __future__ import annotations

from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve

from brukarkraft.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_demo")]


@pytest.fixture(scope="module", autouse=True)
def _media(tmp_path_factory):
    # Before seeded_demo (autouse comes first): the demo's PDFs go to a folder of our own.
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


# The pages each role uses, by URL name; admin pages count when a link to them is found.
PUBLIC = {
    "home",
    "councils:list",
    "councils:detail",
    "resources:library",
    "resources:detail",
    # Open data is found from the report bank in the main menu.
    "open_data:page",
    "open_data:feeds",
}
ROLE_PAGES = {
    "bestallare@demo.brukarkraft.se": PUBLIC
    | {
        "start_commissioner",
        "profile",
        "audits:list",
        "audits:detail",
        "audits:order_start",
        "resources:courses",
        "resources:course",
        "resources:my_courses",
        "resources:guidance",
    },
    "revisor@demo.brukarkraft.se": PUBLIC
    | {
        "start_auditor",
        "profile",
        "audits:list",
        "audits:detail",
        "audits:auditor_profile",
        "audits:conflicts",
        "surveys:list",
        "resources:courses",
        "resources:course",
        "resources:my_courses",
        "councils:member_home",
        "councils:meeting",
        "councils:cases",
        "councils:case_detail",
        "councils:assessments",
        "councils:assessment_new",
        "resources:guidance",
    },
    "personal@demo.brukarkraft.se": PUBLIC
    | {
        "start_staff",
        "profile",
        "feedback_inbox",
        "audits:queue",
        "audits:list",
        "surveys:list",
        "audits:coverage",
        "bank:national_staff",
        "audits:fees_payout",
        "councils:member_home",
        "councils:meeting",
        "councils:annual_reports",
        "councils:assessments",
        "resources:editor",
        "resources:create",
        "resources:edit",
        "resources:courses",
        "resources:course_manage",
        "resources:session_attendance",
        "resources:guidance",
        "resources:guidance_queue",
        "resources:guidance_handle",
        "admin:index",
        "admin:councils_council_changelist",
        "admin:resources_course_changelist",
        "admin:resources_course_add",
    },
    "admin@demo.brukarkraft.se": PUBLIC
    | {
        "start_admin",
        "profile",
        "feedback_inbox",
        "audits:list",
        "councils:member_home",
        "resources:editor",
        "resources:courses",
        "resources:course_manage",
        "resources:guidance_queue",
        "admin:index",
        "admin:brukarkraft_user_changelist",
        "admin:councils_council_changelist",
        "admin:resources_course_changelist",
    },
}
# Pages of one kind fetched at most this often: the links of a few show the rest.
PER_KIND = 3
# Links that are not pages to read: leaving, switching language, admin's inside.
NOT_FOLLOWED = ("/logout", "/admin/", "/i18n/", "/en/", "/nb/", "/static/", "/media/")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def links(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        href = urldefrag(href)[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue  # another site, mailto: or a bare fragment
        found.append(parts.path)
    return found


def crawl(client, start: str) -> set[str]:
    """The URL names of every page reached by links from `start`, and of admin pages linked."""
    reached: set[str] = set()
    fetched: Counter[str] = Counter()
    seen = {start}
    queue = deque([start])
    while queue:
        path = queue.popleft()
        try:
            name = resolve(path).view_name
        except Resolver404:
            continue
        reached.add(name)
        if path.startswith(NOT_FOLLOWED) or fetched[name] >= PER_KIND:
            continue
        fetched[name] += 1
        response = client.get(path, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for target, _status in response.redirect_chain:
            reached.add(resolve(urlsplit(target).path).view_name)
        for link in links(response.content.decode()):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return reached


@pytest.mark.parametrize("email", list(ROLE_PAGES))
def test_every_page_of_a_role_is_reached_by_links_from_its_start_page(client, email):
    client.force_login(User.objects.get(email=email))

    reached = crawl(client, "/start/")

    assert ROLE_PAGES[email] - reached == set()


def test_the_library_links_courses_and_guidance_and_only_staff_see_the_editor(client):
    from django.urls import reverse

    page = client.get(reverse("resources:library")).content.decode()
    assert reverse("resources:courses") in page
    assert reverse("resources:guidance") in page
    assert reverse("resources:editor") not in page
    assert reverse("resources:guidance_queue") not in page

    client.force_login(User.objects.get(email="personal@demo.brukarkraft.se"))
    page = client.get(reverse("resources:library")).content.decode()
    assert reverse("resources:editor") in page
    assert reverse("resources:guidance_queue") in page
