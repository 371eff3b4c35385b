"""One consent rule for every public output of a council: the council's page, the minutes PDF
and the annual report PDF name only members who agreed to be named (and were not erased);
the others are counted, never named. Each output is fetched as an anonymous visitor."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from brukarkraft.tests.factories import UserFactory
from councils import services
from councils.models import Attendance, Member
from councils.tests.factories import CouncilFactory, MeetingFactory, MemberFactory

pytestmark = pytest.mark.django_db

SECRET = "Hemliga Helena"
DEPUTY = "Dolda Dagny"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pdf_text(response) -> str:
    data = b"".join(response.streaming_content)
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def council(django_capture_on_commit_callbacks):
    """A public council for mental health where Helena (a member who approved the minutes)
    and her deputy Dagny did not agree to be named, and Petra did."""
    council = CouncilFactory(name="Brukarrådet för psykisk hälsa", slug="psykisk-halsa")
    petra = MemberFactory(council=council, user=UserFactory(full_name="Publika Petra"))
    helena = MemberFactory(
        council=council, user=UserFactory(full_name=SECRET), publish_consent=False
    )
    dagny = MemberFactory(
        council=council,
        role=Member.Role.DEPUTY,
        user=UserFactory(full_name=DEPUTY),
        publish_consent=False,
    )
    absent = MemberFactory(
        council=council, user=UserFactory(full_name="Frånvarande Frida"), publish_consent=False
    )
    meeting = MeetingFactory(council=council, starts_at=timezone.now() - timedelta(days=2))
    services.attendance_record(
        meeting=meeting,
        rows=[
            {"member": petra, "status": Attendance.Status.PRESENT},
            {"member": helena, "status": Attendance.Status.PRESENT},
            {"member": absent, "status": Attendance.Status.DEPUTY, "deputy": dagny},
        ],
    )
    services.minutes_save(meeting=meeting, text="Rådet talade om väntetider.")
    with django_capture_on_commit_callbacks(execute=True):
        services.minutes_approve(meeting=meeting, by=helena.user)
        services.annual_report_request(council=council, year=meeting.starts_at.year)
    council.meeting = meeting
    return council


def test_the_rule_is_the_same_on_a_row_and_in_the_database(council):
    members = list(council.members.all())
    named = {m.pk for m in members if m.is_named_in_public}

    assert named == set(council.members.published().values_list("pk", flat=True))
    assert {m.display_name for m in members if m.pk in named} == {"Publika Petra"}


def test_the_council_page_does_not_name_a_member_who_did_not_consent(client, council):
    response = client.get(reverse("councils:detail", args=[council.slug]))

    assert response.status_code == 200
    assert "Publika Petra" in response.content.decode()
    assert SECRET not in response.content.decode()
    assert DEPUTY not in response.content.decode()


def test_the_public_minutes_pdf_counts_but_does_not_name_members_who_did_not_consent(
    client, council
):
    url = reverse("councils:minutes_pdf", args=[council.slug, council.meeting.pk])

    text = pdf_text(client.get(url))

    assert "Publika Petra" in text
    assert "Rådet talade om väntetider." in text
    # Helena was present and approved the minutes, Dagny stood in for Frida: none is named.
    for name in (SECRET, DEPUTY, "Frånvarande Frida"):
        assert name not in text
    with translation.override("sv"):
        assert (
            translation.ngettext(
                "%(counter)s more member was present who is not named here, having not agreed"
                " to be named in public.",
                "%(counter)s more members were present who are not named here, having not"
                " agreed to be named in public.",
                1,
            )
            % {"counter": 1}
            in text
        )


def test_the_public_annual_report_counts_but_does_not_name_members_who_did_not_consent(
    client, council
):
    url = reverse("councils:annual_report_pdf", args=[council.slug, council.meeting.starts_at.year])

    text = pdf_text(client.get(url))

    assert "Publika Petra" in text
    for name in (SECRET, DEPUTY, "Frånvarande Frida"):
        assert name not in text


def test_an_erased_member_is_not_named_in_public_even_with_consent(council):
    petra = council.members.get(display_name="Publika Petra")

    services.member_erase(user=petra.user)

    petra.refresh_from_db()
    assert not petra.is_named_in_public
    assert not council.members.published().exists()
