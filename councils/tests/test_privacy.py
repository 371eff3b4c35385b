"""The councils' part of a person's data: found, exported and erased (councils/privacy.py)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from brukarkraft.privacy import Person, Replacement
from brukarkraft.tests.factories import UserFactory
from councils import privacy
from councils.models import AgendaItem, Assessment, Attendance, Meeting, Member, Nomination
from councils.tests.factories import (
    AppointmentRequestFactory,
    CaseFactory,
    CouncilFactory,
    MeetingFactory,
    MemberFactory,
)

pytestmark = pytest.mark.django_db


def held_meeting(council, *members, minutes=""):
    meeting = MeetingFactory(
        council=council,
        starts_at=timezone.now() - timedelta(days=3),
        minutes=minutes,
        minutes_status=Meeting.MinutesStatus.APPROVED,
        minutes_pdf="councils/minutes/old.pdf",
        minutes_pdf_status=Meeting.PdfStatus.READY,
    )
    for member in members:
        Attendance.objects.create(meeting=meeting, member=member, status="present")
    return meeting


def assessment(council, **fields):
    return Assessment.objects.create(
        council=council,
        held_on=timezone.localdate(),
        rapporteur=fields.get("rapporteur", "Rita Rapportör"),
        secretary=fields.get("secretary", "Sven Sekreterare"),
    )


@pytest.fixture
def maja():
    # Maja sits on a council; Olle sits on the same council and must be left alone.
    council = CouncilFactory()
    maja = MemberFactory(council=council, user=UserFactory(full_name="Maja Medlem"))
    olle = MemberFactory(council=council, user=UserFactory(full_name="Olle Annan"))
    return maja, olle


def test_the_export_holds_terms_attendance_minutes_and_nothing_of_others(maja):
    member, olle = maja
    held_meeting(member.council, member, olle, minutes="Maja Medlem och Olle Annan var där.")
    nomination_for(member.user)
    CaseFactory(council=member.council, submitted_by=member.user, title="Mitt ärende")
    assessment(member.council, secretary="Maja Medlem")

    data = privacy.export(Person.for_user(member.user))

    (term,) = data["memberships"]
    assert term["name"] == "Maja Medlem"
    assert [a["status"] for a in term["attendance"]] == ["present"]
    assert len(data["minutes_naming"]) == 1
    assert [n["motivation"] for n in data["nominations"]] == ["Erfaren."]
    assert [c["title"] for c in data["cases_submitted"]] == ["Mitt ärende"]
    assert [a["named_as"] for a in data["assessments_naming"]] == [["secretary"]]
    text = json.dumps(data, default=str)
    assert olle.user.email not in text
    assert "Rita" not in text  # the rapporteur of her assessment is someone else


def test_the_export_takes_the_same_queries_for_one_term_or_many(django_assert_num_queries):
    few = MemberFactory()
    held_meeting(few.council, few)
    many_user = UserFactory()
    for _ in range(4):
        member = MemberFactory(user=many_user)
        for _ in range(3):
            held_meeting(member.council, member)

    with django_assert_num_queries(6) as few_queries:
        privacy.export(Person.for_user(few.user))
    with django_assert_num_queries(len(few_queries)):
        privacy.export(Person.for_user(many_user))


def nomination_for(user):
    request = AppointmentRequestFactory()
    return Nomination.objects.create(
        request=request,
        candidate=user,
        organisation=request.council.owner,
        gender="woman",
        motivation="Erfaren.",
        representativeness="Brukare.",
        candidate_motivation="Vill påverka.",
        organisation_or_umbrella="RSMH",
        national_or_local="Lokal",
        assignment="Råd",
        ability_and_willingness="Ja",
        capacity="Ja",
    )


def test_erasure_replaces_the_name_in_the_term_minutes_history_and_assessments(
    maja, django_capture_on_commit_callbacks
):
    member, olle = maja
    member.role = Member.Role.CHAIR
    member.save()  # a second history row with her name
    meeting = held_meeting(
        member.council, member, olle, minutes="Maja Medlem öppnade. Olle Annan höll med."
    )
    AgendaItem.objects.create(
        meeting=meeting, position=1, title="Val", decision="Maja Medlem valdes till ordförande."
    )
    named = assessment(member.council, rapporteur="Maja Medlem")
    elsewhere = assessment(CouncilFactory(), rapporteur="Maja Medlem")

    with django_capture_on_commit_callbacks() as callbacks:
        result = privacy.erase_user(member.user)

    label = Replacement(number=member.pk).label("member")
    member.refresh_from_db()
    meeting.refresh_from_db()
    named.refresh_from_db()
    elsewhere.refresh_from_db()
    assert result.terms == 1
    assert member.display_name == label
    assert meeting.minutes == f"{label} öppnade. Olle Annan höll med."
    assert meeting.agenda.get().decision == f"{label} valdes till ordförande."
    assert not Member.history.filter(display_name="Maja Medlem").exists()
    assert set(Member.history.filter(id=member.pk).values_list("gender", flat=True)) == {""}
    assert named.rapporteur == label
    assert elsewhere.rapporteur == "Maja Medlem"  # another council: perhaps someone else
    # The approved minutes PDF printed the old name: it is made again after the commit.
    assert meeting.minutes_pdf_status == Meeting.PdfStatus.QUEUED and not meeting.minutes_pdf
    assert len(callbacks) == 1
    olle.refresh_from_db()
    assert olle.display_name == "Olle Annan"


def test_erasing_twice_changes_nothing_the_second_time(maja):
    member, _olle = maja
    nomination_for(member.user)
    CaseFactory(council=member.council, submitted_by=member.user)

    first = privacy.erase(Person.for_user(member.user), Replacement(number=1))
    second = privacy.erase(Person.for_user(member.user), Replacement(number=2))

    assert first > 0
    assert second == 0


def test_a_rapporteur_known_only_by_name_is_found_and_erased():
    kept = assessment(CouncilFactory(), rapporteur="Rita Rapportör", secretary="Rita Rapportör")
    other = assessment(CouncilFactory(), rapporteur="Annan Person")

    matches = privacy.find("rapportör")
    changed = privacy.erase(Person(email="", name="Rita Rapportör"), Replacement(number=4))

    assert {m.ref for m in matches} == {
        ("councils.assessment", kept.pk, "rapporteur"),
        ("councils.assessment", kept.pk, "secretary"),
    }
    kept.refresh_from_db()
    other.refresh_from_db()
    assert changed == 2
    assert kept.rapporteur == kept.secretary == Replacement(number=4).label("person")
    assert other.rapporteur == "Annan Person"
