"""The councils' rules, as councils.services applies them: bad input changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext

from brukarkraft.models import Organisation
from brukarkraft.tests.factories import OrganisationFactory, UserFactory
from councils import selectors, services
from councils.models import (
    NOMINATION_CRITERIA,
    Assessment,
    AssessmentAnswer,
    Attendance,
    Case,
    Gender,
    Meeting,
    Member,
    Nomination,
)
from councils.tests.factories import (
    AppointmentRequestFactory,
    CaseFactory,
    CouncilFactory,
    MeetingFactory,
    MemberFactory,
    SeatFactory,
)

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def past_meeting(council, days: int = 3) -> Meeting:
    return MeetingFactory(council=council, starts_at=timezone.now() - timedelta(days=days))


# --- Terms --------------------------------------------------------------------------


def test_a_term_must_end_after_it_starts_and_nothing_is_saved():
    council = CouncilFactory()

    with pytest.raises(ValidationError) as error:
        services.member_add(
            council=council,
            user=UserFactory(),
            role=Member.Role.MEMBER,
            term_start=today(),
            term_end=today() - timedelta(days=1),
        )

    assert "term_end" in error.value.message_dict
    assert not Member.objects.exists()


def test_one_person_cannot_hold_overlapping_terms():
    existing = MemberFactory()

    with pytest.raises(ValidationError) as error:
        services.member_add(
            council=existing.council,
            user=existing.user,
            role=Member.Role.DEPUTY,
            term_start=existing.term_end - timedelta(days=10),
            term_end=existing.term_end + timedelta(days=700),
        )

    assert "term_start" in error.value.message_dict
    assert Member.objects.count() == 1


def test_a_full_seat_takes_no_one_else_for_an_overlapping_period():
    seat = SeatFactory(places=1, deputies=1)
    MemberFactory(council=seat.council, seat=seat)

    with pytest.raises(ValidationError) as error:
        services.member_add(
            council=seat.council,
            user=UserFactory(),
            role=Member.Role.MEMBER,
            seat=seat,
            term_start=today(),
            term_end=today() + timedelta(days=700),
        )

    assert "seat" in error.value.message_dict
    assert Member.objects.count() == 1
    # The deputy place is separate, and the seat is free again after the term.
    services.member_add(
        council=seat.council,
        user=UserFactory(),
        role=Member.Role.DEPUTY,
        seat=seat,
        term_start=today(),
        term_end=today() + timedelta(days=700),
    )
    services.member_add(
        council=seat.council,
        user=UserFactory(),
        role=Member.Role.MEMBER,
        seat=seat,
        term_start=today() + timedelta(days=600),
        term_end=today() + timedelta(days=1300),
    )
    assert Member.objects.count() == 3


# --- Appointments ---------------------------------------------------------------------

CRITERIA = {name: f"Svar om {name}." for name in NOMINATION_CRITERIA}


@pytest.fixture
def user_organisation():
    return OrganisationFactory(kind=Organisation.Kind.USER_ORGANISATION, name="RSMH Kumla")


@pytest.fixture
def called(user_organisation):
    request = AppointmentRequestFactory()
    services.request_call(request=request, organisations=[user_organisation])
    return request


def nominate(request, organisation, **overrides):
    fields = {
        "request": request,
        "by": None,
        "candidate": UserFactory(),
        "organisation": organisation,
        "motivation": "Har vårt förtroende.",
        "criteria": dict(CRITERIA),
        "organisation_confirms_trust": True,
        "gender": Gender.WOMAN,
    }
    fields.update(overrides)
    return services.nomination_create(**fields)


def test_nothing_can_be_nominated_before_the_call_goes_out(user_organisation):
    request = AppointmentRequestFactory()

    with pytest.raises(ValidationError) as error:
        nominate(request, user_organisation)

    assert error.value.code == "not_called"
    assert not Nomination.objects.exists()


def test_only_an_organisation_that_was_called_can_nominate(called):
    with pytest.raises(ValidationError) as error:
        nominate(called, OrganisationFactory(kind=Organisation.Kind.USER_ORGANISATION))

    assert "organisation" in error.value.message_dict
    assert not Nomination.objects.exists()


def test_every_criterion_must_be_answered_and_trust_confirmed(called, user_organisation):
    criteria = dict(CRITERIA, capacity="  ", assignment="")

    with pytest.raises(ValidationError) as error:
        nominate(called, user_organisation, criteria=criteria, organisation_confirms_trust=False)

    assert {"capacity", "assignment", "organisation_confirms_trust"} <= set(
        error.value.message_dict
    )
    assert not Nomination.objects.exists()


def test_a_candidate_not_recommended_cannot_be_appointed(called, user_organisation):
    nomination = nominate(called, user_organisation)

    with pytest.raises(ValidationError) as error:
        services.nomination_appoint(nomination=nomination, by=None, term_start=today())

    assert error.value.code == "not_recommended"
    assert not Member.objects.exists()
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.NOMINATED


def test_appointment_creates_the_membership_with_its_term_and_records_who_and_when(
    called, user_organisation, staff
):
    nomination = nominate(called, user_organisation, category="young_people")
    services.nomination_recommend(nomination=nomination, by=staff)

    member = services.nomination_appoint(
        nomination=nomination, by=staff, term_start=today(), publish_consent=True
    )

    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.APPOINTED
    assert nomination.recommended_by == staff and nomination.recommended_at
    assert nomination.decided_by == staff and nomination.decided_at
    assert nomination.member == member
    assert member.council == called.council
    assert member.user == nomination.candidate
    assert member.organisation == user_organisation
    assert (member.category, member.gender) == ("young_people", Gender.WOMAN)
    # The term runs the council's term of office.
    assert member.term_start == today()
    assert member.term_end == today().replace(year=today().year + called.council.term_years)


def balanced_council(called, *, required: bool):
    """Three women and a man now (the rule is not met): a council of five needs two of each,
    so appointing a man meets it and appointing a woman leaves it unmet."""
    council = called.council
    council.requires_gender_balance = required
    council.save(update_fields=["requires_gender_balance"])
    for gender in (Gender.WOMAN, Gender.WOMAN, Gender.WOMAN, Gender.MAN):
        MemberFactory(council=council, gender=gender)
    return council


def test_an_appointment_that_breaks_a_required_balance_needs_a_recorded_reason(
    called, user_organisation, staff
):
    council = balanced_council(called, required=True)
    nomination = nominate(called, user_organisation, gender=Gender.WOMAN)
    services.nomination_recommend(nomination=nomination, by=staff)

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.nomination_appoint(nomination=nomination, by=staff, term_start=today())

    assert "balance_exception" in refused.value.message_dict
    assert "1 more man is needed." in str(refused.value.message_dict)
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.RECOMMENDED
    assert council.members.count() == 4

    member = services.nomination_appoint(
        nomination=nomination,
        by=staff,
        term_start=today(),
        balance_exception="  Inga män nominerades trots två utlysningar.  ",
    )

    nomination.refresh_from_db()
    assert nomination.member == member
    assert nomination.balance_exception == "Inga män nominerades trots två utlysningar."
    figures = selectors.annual_figures(council, today().year)
    assert figures["appointments"] == 1
    assert figures["balance_exceptions"] == 1
    assert figures["balance_exception_reasons"] == [nomination.balance_exception]


def test_a_council_whose_rules_do_not_require_balance_appoints_without_a_reason(
    called, user_organisation, staff
):
    council = balanced_council(called, required=False)
    nomination = nominate(called, user_organisation, gender=Gender.WOMAN)
    services.nomination_recommend(nomination=nomination, by=staff)

    services.nomination_appoint(
        nomination=nomination, by=staff, term_start=today(), balance_exception="Ingen orsak."
    )

    nomination.refresh_from_db()
    assert nomination.balance_exception == ""  # nothing to excuse, nothing counted
    assert selectors.annual_figures(council, today().year)["balance_exceptions"] == 0


def test_an_appointment_that_meets_a_required_balance_needs_no_reason(
    called, user_organisation, staff
):
    council = balanced_council(called, required=True)
    nomination = nominate(called, user_organisation, gender=Gender.MAN)
    services.nomination_recommend(nomination=nomination, by=staff)

    services.nomination_appoint(nomination=nomination, by=staff, term_start=today())

    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.APPOINTED
    assert selectors.annual_figures(council, today().year)["balance_exceptions"] == 0


@pytest.mark.parametrize("status", [Nomination.Status.DECLINED, Nomination.Status.WITHDRAWN])
def test_declining_or_withdrawing_needs_a_reason(called, user_organisation, status):
    nomination = nominate(called, user_organisation)

    with pytest.raises(ValidationError) as error:
        services.nomination_close(nomination=nomination, by=None, status=status, reason=" ")

    assert "reason" in error.value.message_dict
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.NOMINATED

    services.nomination_close(nomination=nomination, by=None, status=status, reason="Ny tjänst.")
    nomination.refresh_from_db()
    assert (nomination.status, nomination.reason) == (status, "Ny tjänst.")
    assert nomination.decided_at


def test_a_decided_nomination_cannot_be_decided_again(called, user_organisation):
    nomination = nominate(called, user_organisation)
    services.nomination_close(
        nomination=nomination, by=None, status=Nomination.Status.DECLINED, reason="Fullt."
    )

    with pytest.raises(ValidationError):
        services.nomination_close(
            nomination=nomination, by=None, status=Nomination.Status.WITHDRAWN, reason="Ändå."
        )
    with pytest.raises(ValidationError):
        services.nomination_recommend(nomination=nomination, by=None)
    with pytest.raises(ValidationError):
        services.nomination_appoint(nomination=nomination, by=None, term_start=today())

    nomination.refresh_from_db()
    assert (nomination.status, nomination.reason) == (Nomination.Status.DECLINED, "Fullt.")
    assert not Member.objects.exists()


# --- Notice -----------------------------------------------------------------------------


def test_no_notice_once_the_meeting_has_started():
    meeting = past_meeting(CouncilFactory(), days=0)
    services.agenda_add(meeting=meeting, title="Val av justerare")

    with pytest.raises(ValidationError) as error:
        services.notice_send(meeting=meeting, by=None)

    assert error.value.code == "too_late"
    meeting.refresh_from_db()
    assert meeting.notice_sent_at is None


def test_no_notice_without_an_agenda():
    meeting = MeetingFactory()

    with pytest.raises(ValidationError) as error:
        services.notice_send(meeting=meeting, by=None)

    assert error.value.code == "no_agenda"
    meeting.refresh_from_db()
    assert meeting.notice_sent_at is None


def test_a_notice_under_three_weeks_ahead_goes_out_with_a_warning(staff):
    late = MeetingFactory(starts_at=timezone.now() + timedelta(days=20))
    early = MeetingFactory(starts_at=timezone.now() + timedelta(days=22))
    for meeting in (late, early):
        services.agenda_add(meeting=meeting, title="Val av justerare")

    warnings = services.notice_send(meeting=late, by=staff)

    assert warnings == [
        gettext(
            "The notice went out less than 3 weeks before the meeting. Members may not"
            " have time to prepare or arrange assistance."
        )
    ]
    late.refresh_from_db()
    assert late.notice_sent_at and late.notice_sent_by == staff
    assert late.notice_was_late
    assert services.notice_send(meeting=early, by=staff) == []


def test_the_notice_mail_is_queued_on_commit_only(staff, django_capture_on_commit_callbacks):
    meeting = MeetingFactory()
    MemberFactory(council=meeting.council)
    services.agenda_add(meeting=meeting, title="Val av justerare")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notice_send(meeting=meeting, by=staff)

    assert mail.outbox == []  # nothing before the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


# --- Minutes ------------------------------------------------------------------------------


@pytest.fixture
def approved(staff):
    meeting = past_meeting(CouncilFactory())
    services.agenda_add(meeting=meeting, title="Val av justerare")
    services.minutes_save(meeting=meeting, text="Mötet öppnades.")
    services.minutes_approve(meeting=meeting, by=staff)
    meeting.refresh_from_db()
    return meeting


def test_approved_minutes_cannot_be_approved_again(approved, staff, outsider):
    approved_at = approved.minutes_approved_at

    with pytest.raises(ValidationError) as error:
        services.minutes_approve(meeting=approved, by=outsider)

    assert error.value.code == "approved"
    approved.refresh_from_db()
    assert (approved.minutes_approved_by, approved.minutes_approved_at) == (staff, approved_at)


def test_approved_minutes_lock_the_text_the_agenda_and_the_attendance(approved):
    member = MemberFactory(council=approved.council)

    with pytest.raises(ValidationError):
        services.minutes_save(meeting=approved, text="Ändrat i efterhand.")
    with pytest.raises(ValidationError):
        services.agenda_add(meeting=approved, title="En punkt till")
    with pytest.raises(ValidationError):
        services.attendance_record(
            meeting=approved, rows=[{"member": member, "status": Attendance.Status.PRESENT}]
        )
    with pytest.raises(ValidationError):
        services.agenda_record(item=approved.agenda.get(), decision="Nytt beslut.")

    approved.refresh_from_db()
    assert approved.minutes == "Mötet öppnades."
    assert approved.agenda.count() == 1
    assert not approved.attendance.exists()
    assert approved.agenda.get().decision == ""


def test_minutes_are_approved_only_after_the_meeting_and_when_written():
    coming = MeetingFactory()
    services.minutes_save(meeting=coming, text="Förberett.")
    empty = past_meeting(CouncilFactory())

    with pytest.raises(ValidationError):
        services.minutes_approve(meeting=coming, by=None)
    with pytest.raises(ValidationError):
        services.minutes_approve(meeting=empty, by=None)

    assert not Meeting.objects.filter(minutes_status=Meeting.MinutesStatus.APPROVED).exists()


# --- Cases ----------------------------------------------------------------------------------


def test_a_case_is_followed_across_two_meetings_to_closed():
    council = CouncilFactory()
    case = services.case_submit(
        council=council,
        by=None,
        title="Färdtjänsten",
        why="Kommer sent.",
        where="Hela kommunen.",
        when="Varje vecka.",
        proposed_solution="En kontaktperson.",
    )
    assert (case.number, case.status) == (1, Case.Status.SUBMITTED)

    first = past_meeting(council, days=60)
    item = services.agenda_add(meeting=first, title="", case=case)
    case.refresh_from_db()
    assert case.status == Case.Status.ON_AGENDA
    assert item.title == "Färdtjänsten"
    services.agenda_record(
        item=item,
        decision="Förvaltningen utreder.",
        follow_up="Svar till nästa möte.",
        case_status=Case.Status.FOLLOW_UP,
    )
    case.refresh_from_db()
    assert case.status == Case.Status.FOLLOW_UP

    second = past_meeting(council, days=2)
    item = services.agenda_add(meeting=second, title="", case=case)
    services.agenda_record(item=item, decision="Löst.", case_status=Case.Status.CLOSED)

    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.closed_at is not None
    assert list(
        case.agenda_items.order_by("meeting__starts_at").values_list("decision", flat=True)
    ) == [
        "Förvaltningen utreder.",
        "Löst.",
    ]
    with pytest.raises(ValidationError):
        services.agenda_add(meeting=MeetingFactory(council=council), title="", case=case)


def test_a_case_is_rejected_only_with_a_reason():
    case = CaseFactory()

    with pytest.raises(ValidationError) as error:
        services.case_reject(case=case, reason="")

    assert "rejection_reason" in error.value.message_dict
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED

    services.case_reject(case=case, reason="Ett enskilt ärende.")
    case.refresh_from_db()
    assert (case.status, case.rejection_reason) == (Case.Status.REJECTED, "Ett enskilt ärende.")
    with pytest.raises(ValidationError):
        services.case_reject(case=case, reason="Igen.")


# --- Self-assessment ------------------------------------------------------------------------


def all_answers(answer: str = "partly") -> dict:
    return {
        (level, stage): (answer, "")
        for level in AssessmentAnswer.Level.values
        for stage in AssessmentAnswer.Stage.values
    }


def test_an_assessment_needs_all_15_answers_and_nothing_is_saved_without_them():
    answers = all_answers()
    del answers[(5, "obligations")]
    answers[(1, "openings")] = ("", "")

    with pytest.raises(ValidationError) as error:
        services.assessment_record(
            by=None,
            held_on=today(),
            rapporteur="Rut",
            secretary="Sam",
            answers=answers,
            council=CouncilFactory(),
        )

    assert error.value.message_dict["__all__"] == [
        gettext("Answer all 15 questions: %(count)s are left.") % {"count": 2}
    ]
    assert not Assessment.objects.exists()
    assert not AssessmentAnswer.objects.exists()


# --- Personal data -----------------------------------------------------------------------------


def test_the_export_holds_the_persons_terms_attendance_nominations_and_cases(
    called, user_organisation
):
    member = MemberFactory(display_name="Maja Medlem")
    meeting = past_meeting(member.council)
    services.attendance_record(
        meeting=meeting, rows=[{"member": member, "status": Attendance.Status.PRESENT}]
    )
    nominate(called, user_organisation, candidate=member.user, motivation="Erfaren.")
    CaseFactory(council=member.council, submitted_by=member.user, title="Mitt ärende")
    other = MemberFactory(council=member.council)

    data = json.loads(services.member_export(user=member.user))

    assert data["person"]["email"] == member.user.email
    (membership,) = data["memberships"]
    assert membership["council"] == member.council.name
    assert membership["term_end"] == member.term_end.isoformat()
    assert [a["status"] for a in membership["attendance"]] == ["present"]
    assert [n["motivation"] for n in data["nominations"]] == ["Erfaren."]
    assert [c["title"] for c in data["cases_submitted"]] == ["Mitt ärende"]
    assert other.user.email not in json.dumps(data)


def test_erasure_replaces_the_name_keeps_the_minutes_and_clears_the_nomination(
    called, user_organisation
):
    member = MemberFactory(display_name="Maja Medlem", gender=Gender.WOMAN)
    other = MemberFactory(council=member.council, display_name="Olle Annan")
    meeting = past_meeting(member.council)
    services.minutes_save(
        meeting=meeting, text="Maja Medlem föreslog en ändring. Olle Annan höll med."
    )
    nomination = nominate(called, user_organisation, candidate=member.user)
    case = CaseFactory(council=member.council, submitted_by=member.user)

    assert services.member_erase(user=member.user) == 1

    member.refresh_from_db()
    meeting.refresh_from_db()
    nomination.refresh_from_db()
    case.refresh_from_db()
    with translation.override("sv"):
        assert member.display_name == gettext("Former member %(number)s") % {"number": member.pk}
    assert member.erased_at and member.gender == "" and not member.publish_consent
    assert "Maja Medlem" not in meeting.minutes
    assert meeting.minutes == (f"{member.display_name} föreslog en ändring. Olle Annan höll med.")
    other.refresh_from_db()
    assert other.display_name == "Olle Annan"
    for field in ("motivation", *NOMINATION_CRITERIA, "gender"):
        assert getattr(nomination, field) == ""
    assert nomination.organisation == user_organisation  # the record of the step stays
    assert case.submitted_by is None
