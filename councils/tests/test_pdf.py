"""Minutes and annual report PDFs: their content, tagged in the council's language, fast."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from brukarkraft.tests.factories import UserFactory
from councils import services
from councils.models import Attendance, Case, Member
from councils.pdf import annual_context, annual_report_pdf, minutes_context, minutes_pdf
from councils.tests.factories import (
    CaseFactory,
    CouncilFactory,
    MandateVersionFactory,
    MeetingFactory,
    MemberFactory,
)

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    # Lines wrap wherever the layout wants; compare on single spaces.
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def held_meeting(council, *, members: int = 3, items: int = 2, approver=None):
    """A past meeting with attendance, decisions on cases, and approved minutes."""
    people = [
        MemberFactory(council=council, user=UserFactory(full_name=f"Ledamot Nummer{n}"))
        for n in range(members)
    ]
    deputy = MemberFactory(
        council=council, role=Member.Role.DEPUTY, user=UserFactory(full_name="Ersättare Ebba")
    )
    meeting = MeetingFactory(council=council, starts_at=timezone.now() - timedelta(days=3))
    for n in range(items):
        case = CaseFactory(council=council, title=f"Ärende om väntetider {n}")
        services.agenda_add(meeting=meeting, title="", case=case)
    rows = [{"member": m, "status": Attendance.Status.PRESENT} for m in people[1:]]
    rows.append({"member": people[0], "status": Attendance.Status.DEPUTY, "deputy": deputy})
    services.attendance_record(meeting=meeting, rows=rows)
    for item in meeting.agenda.all():
        services.agenda_record(
            item=item,
            decision=f"Rådet föreslår kortare väntetider {item.position}.",
            follow_up="Återkommer i maj.",
            case_status=Case.Status.FOLLOW_UP,
        )
    services.minutes_save(meeting=meeting, text="Mötet var välbesökt och engagerat.")
    services.minutes_approve(
        meeting=meeting, by=approver or UserFactory(full_name="Signe Sekreterare")
    )
    meeting.refresh_from_db()
    return meeting


def test_the_minutes_name_the_council_the_decisions_the_people_and_the_approver():
    council = CouncilFactory(name="Brukarrådet i Lindesberg")

    meeting = held_meeting(council)
    reader, text = text_of(minutes_pdf(meeting))

    assert "Brukarrådet i Lindesberg" in text
    assert "Rådet föreslår kortare väntetider 1." in text
    assert "Återkommer i maj." in text
    assert "Mötet var välbesökt och engagerat." in text
    assert "Ledamot Nummer1" in text
    assert "Signe Sekreterare" in text
    with translation.override("sv"):
        # The deputy is said to stand in for the member, in words.
        stand_in = gettext("%(deputy)s for %(member)s")
        assert stand_in % {"deputy": "Ersättare Ebba", "member": "Ledamot Nummer0"} in text
        assert gettext("Deputies attending") in text
        assert gettext("Page %(page)s of %(pages)s") % {"page": 1, "pages": len(reader.pages)} in (
            text
        )


@pytest.mark.parametrize("language", ["sv", "nb", "en"])
def test_the_minutes_are_a_tagged_pdf_in_the_councils_language(language):
    council = CouncilFactory(language=language)
    meeting = held_meeting(council, members=2, items=1)

    # Whatever language is active, the document is in the council's.
    with translation.override("en" if language != "en" else "sv"):
        reader, text = text_of(minutes_pdf(meeting))

    root = reader.trailer["/Root"]
    assert root["/Lang"] == language
    assert "/StructTreeRoot" in root
    with translation.override(language):
        assert gettext("Agenda and decisions") in text
        assert gettext("Present") in text


def test_the_minutes_context_loads_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    small = held_meeting(CouncilFactory(), members=2, items=1)
    large = held_meeting(CouncilFactory(), members=25, items=12)

    for meeting in (small, large):
        with django_assert_max_num_queries(4):
            context = minutes_context(meeting)
    assert len(context["present"]) == 24
    assert len(context["items"]) == 12


def test_an_erased_member_is_counted_not_named_in_the_minutes():
    council = CouncilFactory()
    meeting = held_meeting(council, members=2, items=1)
    person = council.members.get(display_name="Ledamot Nummer1")

    services.member_erase(user=person.user)
    _reader, text = text_of(minutes_pdf(meeting))

    # The public minutes name only those who may be named (Member.is_named_in_public): an
    # erased member has withdrawn that consent, so is counted among the present instead.
    assert "Ledamot Nummer1" not in text
    with translation.override("sv"):
        assert gettext("Former member %(number)s") % {"number": person.pk} not in text
    assert minutes_context(meeting)["present_unnamed"] == 1


def annual_council():
    council = CouncilFactory(name="Brukarrådet för äldre, Kumla")
    MandateVersionFactory(council=council, number=1, text="Gammalt mandat.")
    MandateVersionFactory(council=council, number=2, text="Rådet ger råd om äldreomsorgen.")
    MemberFactory(council=council, user=UserFactory(full_name="Publik Person"))
    MemberFactory(
        council=council, user=UserFactory(full_name="Hemlig Person"), publish_consent=False
    )
    return council


def test_the_annual_report_has_the_figures_the_named_members_and_the_mandate():
    council = annual_council()
    meeting = held_meeting(council, members=2, items=1)
    year = meeting.starts_at.year
    rejected = services.case_reject(
        case=CaseFactory(council=council, title="Min egen handläggare"),
        reason="Ett enskilt ärende.",
    )

    reader, text = text_of(annual_report_pdf(council, year))

    assert "Brukarrådet för äldre, Kumla" in text
    assert "Publik Person" in text
    assert "Hemlig Person" not in text  # no consent: counted, never named
    assert "Rådet ger råd om äldreomsorgen." in text
    assert "Gammalt mandat." not in text
    assert rejected.title in text  # decided this year, listed by number
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    with translation.override("sv"):
        assert gettext("Meetings held") in text
        assert gettext("Page %(page)s of %(pages)s") % {"page": 1, "pages": len(reader.pages)} in (
            text
        )
    figures = annual_context(council, year)["figures"]
    assert figures["meetings_held"] == 1
    assert figures["cases_rejected"] == 1


def test_the_annual_report_is_in_norwegian_for_a_norwegian_council():
    council = CouncilFactory(language="nb", name="Brukerutvalget i Hamar")

    reader, text = text_of(annual_report_pdf(council, timezone.localdate().year))

    assert reader.trailer["/Root"]["/Lang"] == "nb"
    with translation.override("nb"):
        assert gettext("The year in figures") in text
        assert gettext("No terms of reference are recorded.") in text


def test_the_annual_context_loads_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    year = timezone.localdate().year
    small = annual_council()
    large = annual_council()
    for _n in range(30):
        MemberFactory(council=large)
    held_meeting(large, members=10, items=8)

    for council in (small, large):
        with django_assert_max_num_queries(15):
            context = annual_context(council, year)
    assert len(context["members"]) == 1 + 30 + 10 + 1
