"""The councils' read rules, as councils.selectors gives them: the gender balance, warnings
for the admin, the ladder profile and the annual figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from brukarkraft.tests.factories import UserFactory
from councils import selectors, services
from councils.models import AssessmentAnswer, Attendance, Case, Gender, Meeting, Member
from councils.tests.factories import CaseFactory, CouncilFactory, MeetingFactory, MemberFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def past_meeting(council, days: int = 3) -> Meeting:
    return MeetingFactory(council=council, starts_at=timezone.now() - timedelta(days=days))


def all_answers(answer: str = "partly") -> dict:
    return {
        (level, stage): (answer, "")
        for level in AssessmentAnswer.Level.values
        for stage in AssessmentAnswer.Stage.values
    }


# --- Gender balance ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "required"),
    [(2, 1), (3, 1), (4, 2), (5, 2), (6, 3), (7, 3), (8, 3), (9, 4), (10, 4), (15, 6), (20, 8)],
)
def test_the_gender_rule_asks_for_the_domain_tables_number_at_each_size(size, required):
    council = CouncilFactory()
    for n in range(size):
        MemberFactory(council=council, gender=Gender.WOMAN if n % 2 else Gender.MAN)

    balance = selectors.gender_balance(council)

    assert balance.size == size
    assert balance.required == required


def test_deputies_count_towards_the_balance_and_observers_do_not():
    council = CouncilFactory()
    MemberFactory(council=council, gender=Gender.WOMAN)
    MemberFactory(council=council, gender=Gender.WOMAN)
    MemberFactory(council=council, gender=Gender.MAN, role=Member.Role.DEPUTY)
    MemberFactory(council=council, gender=Gender.MAN, role=Member.Role.OBSERVER)

    balance = selectors.gender_balance(council)

    assert (balance.size, balance.women, balance.men) == (3, 2, 1)
    assert balance.ok  # 2–3 members: at least one of each


def test_former_members_do_not_count_and_the_rule_says_who_is_missing():
    council = CouncilFactory()
    for _n in range(4):
        MemberFactory(council=council, gender=Gender.WOMAN)
    MemberFactory(
        council=council,
        gender=Gender.MAN,
        term_start=today() - timedelta(days=900),
        term_end=today() - timedelta(days=10),
    )

    balance = selectors.gender_balance(council)

    assert (balance.size, balance.men, balance.required) == (4, 0, 2)
    assert not balance.ok
    assert balance.men_needed == 2
    assert balance.women_needed == 0


def test_the_person_about_to_be_appointed_is_counted():
    council = CouncilFactory()
    for gender in (Gender.WOMAN, Gender.WOMAN, Gender.MAN):
        MemberFactory(council=council, gender=gender)

    before = selectors.gender_balance(council)
    after = selectors.gender_balance(council, adding=Gender.MAN)

    assert (before.size, before.required, before.ok) == (3, 1, True)
    assert (after.size, after.men, after.required, after.ok) == (4, 2, 2, True)
    assert not selectors.gender_balance(council, adding=Gender.WOMAN).ok


# --- Warnings for the admin -----------------------------------------------------------


def test_a_term_ending_within_90_days_is_warned_about():
    soon = MemberFactory(display_name="Sune Snart", term_end=today() + timedelta(days=89))
    later = MemberFactory(term_end=today() + timedelta(days=91))

    warnings = selectors.member_warnings(soon)

    assert len(warnings) == 1
    assert "Sune Snart" in warnings[0]
    assert soon.term_end.isoformat() in warnings[0]
    assert selectors.member_warnings(later) == []


def test_a_tenure_over_the_cap_across_several_terms_is_warned_about():
    council = CouncilFactory(tenure_cap_years=6)
    user = UserFactory()
    # Three terms of 800 days: 2,400 days in all, past the cap of 6 × 365 = 2,190.
    start = today() - timedelta(days=2200)
    for n in range(3):
        term = MemberFactory(
            council=council,
            user=user,
            display_name="Long Tenure",
            term_start=start + timedelta(days=n * 800),
            term_end=start + timedelta(days=(n + 1) * 800),
        )
    one_long_term = MemberFactory(
        council=council,
        term_start=today() - timedelta(days=1000),
        term_end=today() + timedelta(days=1000),
    )

    warnings = selectors.member_warnings(term)

    assert selectors.tenure_days(council, user) == 2400
    expected = gettext("%(name)s will have served more than %(years)s years in total.") % {
        "name": "Long Tenure",
        "years": 6,
    }
    assert warnings == [expected]  # the term itself ends in 200 days: no other warning
    assert selectors.member_warnings(one_long_term) == []


# --- Self-assessment profile ------------------------------------------------------------


def test_the_profile_shows_each_level_from_the_top_with_its_three_stages():
    answers = all_answers("no")
    answers[(1, "openings")] = ("yes", "Vi lyssnar.")
    assessment = services.assessment_record(
        by=None,
        held_on=today(),
        rapporteur="Rut",
        secretary="Sam",
        answers=answers,
        unit_name="Träffpunkt Vivalla",
    )

    profile = selectors.ladder_profile(assessment)

    assert [row["level"] for row in profile] == [5, 4, 3, 2, 1]
    assert [s["stage"] for s in profile[0]["stages"]] == [
        "openings",
        "opportunities",
        "obligations",
    ]
    bottom = profile[-1]["stages"][0]["answer"]
    assert (bottom.answer, bottom.comment) == ("yes", "Vi lyssnar.")
    assert assessment.answers.count() == 15


# --- Annual figures ---------------------------------------------------------------------------


def test_annual_figures_count_the_years_meetings_attendance_and_cases():
    council = CouncilFactory()
    now = timezone.now()
    meeting = past_meeting(council, days=0)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=now - timedelta(minutes=5))
    MeetingFactory(council=council)  # still to come: not held
    members = [MemberFactory(council=council) for _n in range(3)]
    deputy = MemberFactory(council=council, role=Member.Role.DEPUTY)
    services.attendance_record(
        meeting=meeting,
        rows=[
            {"member": members[0], "status": Attendance.Status.PRESENT},
            {"member": members[1], "status": Attendance.Status.ABSENT},
            {"member": members[2], "status": Attendance.Status.DEPUTY, "deputy": deputy},
        ],
    )
    closed = CaseFactory(council=council)
    item = services.agenda_add(meeting=meeting, title="", case=closed)
    services.agenda_record(item=item, decision="Klart.", case_status=Case.Status.CLOSED)
    services.case_reject(case=CaseFactory(council=council), reason="Enskilt.")
    CaseFactory(council=council)
    CaseFactory()  # another council

    figures = selectors.annual_figures(council, now.year)

    assert figures == {
        "year": now.year,
        "meetings_held": 1,
        "present": 1,
        "deputy": 1,
        "absent": 1,
        "cases_submitted": 3,
        "cases_closed": 1,
        "cases_rejected": 1,
        "cases_open": 1,
        "appointments": 0,
        "balance_exceptions": 0,
        "balance_exception_reasons": [],
    }
    assert selectors.annual_figures(council, now.year - 1)["meetings_held"] == 0
