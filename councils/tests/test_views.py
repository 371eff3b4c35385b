"""The councils portal: the public pages, the member area, cases, the self-assessment,
annual reports and a member's own data — who reaches what, what each page shows through the
services, and that the query count does not grow with the rows."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation

from brukarkraft.models import Organisation
from brukarkraft.tests.factories import OrganisationFactory, UserFactory
from councils import services
from councils.forms import QUESTIONS, answer_field
from councils.models import (
    AnnualReport,
    Assessment,
    AssessmentAnswer,
    Case,
    Document,
    Meeting,
    Member,
    UserCategory,
)
from councils.tests.factories import (
    CaseFactory,
    CouncilFactory,
    MandateVersionFactory,
    MeetingFactory,
    MemberFactory,
)

pytestmark = pytest.mark.django_db


def en(name: str, *args) -> str:
    # English pages, so the assertions read the source wording whatever is translated.
    with translation.override("en"):
        return reverse(f"councils:{name}", args=args)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def council(db):
    # Örebro's council has a public page.
    council = CouncilFactory(name="Brukarrådet i Örebro", slug="orebro")
    MandateVersionFactory(council=council, number=1, text="Första mandatet.")
    return council


@pytest.fixture
def hidden_council(db):
    # The council in Lund has no public page: only its members and staff know of it.
    return CouncilFactory(name="Brukarrådet i Lund", slug="lund", is_public=False)


@pytest.fixture
def member(council):
    # Maja chairs Örebro's council and agreed to be named on its public page.
    user = UserFactory(full_name="Maja Ordförande", email="maja@example.se")
    return MemberFactory(
        council=council,
        user=user,
        role=Member.Role.CHAIR,
        organisation=OrganisationFactory(
            name="RSMH Örebro", kind=Organisation.Kind.USER_ORGANISATION
        ),
    )


@pytest.fixture
def hidden_member(hidden_council):
    # Hugo sits on the council in Lund and nowhere else.
    return MemberFactory(council=hidden_council, user=UserFactory(full_name="Hugo Lundbo"))


def member_area_urls(slug: str) -> list[str]:
    return [
        en("member_home", slug),
        en("cases", slug),
        en("case_submit", slug),
        en("assessments", slug),
        en("assessment_new", slug),
        en("annual_reports", slug),
    ]


# --- The public list ---------------------------------------------------------------------


def test_the_list_shows_public_active_councils_with_their_owner_and_current_members(
    client, council, member, hidden_council
):
    MemberFactory(council=council)
    MemberFactory(
        council=council,
        term_start=timezone.localdate() - timedelta(days=900),
        term_end=timezone.localdate() - timedelta(days=10),
    )
    CouncilFactory(name="Det nedlagda rådet", is_active=False)

    response = client.get(en("list"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Brukarrådet i Örebro" in page
    assert council.owner.name in page
    assert "does not handle individual cases" in page
    assert "Brukarrådet i Lund" not in page
    assert "Det nedlagda rådet" not in page
    [listed] = response.context["councils"]
    assert listed.member_count == 2


def test_every_visitor_finds_the_councils_in_the_main_menu(client):
    response = client.get(en("list"))
    menu = response.content.decode().split('class="main-nav"')[1].split("</nav>")[0]
    assert f'href="{en("list")}" aria-current="page">User councils' in menu


# --- A council's public page ---------------------------------------------------------------


def test_the_council_page_names_only_current_members_who_consented_and_never_their_contact(
    client, council, member
):
    MemberFactory(
        council=council,
        user=UserFactory(full_name="Nils Ingensamtycke"),
        publish_consent=False,
    )
    MemberFactory(
        council=council,
        user=UserFactory(full_name="Fredrik Förre"),
        term_start=timezone.localdate() - timedelta(days=900),
        term_end=timezone.localdate() - timedelta(days=10),
    )

    response = client.get(en("detail", "orebro"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Maja Ordförande" in page
    assert "Chair" in page
    assert "RSMH Örebro" in page
    assert "Nils Ingensamtycke" not in page
    assert "Fredrik Förre" not in page
    assert "maja@example.se" not in page
    assert "@example.se" not in page
    assert "Woman" not in page


def test_the_council_page_shows_the_current_terms_of_reference_and_links_to_every_version(
    client, council
):
    MandateVersionFactory(council=council, number=2, text="Andra mandatet.")

    page = client.get(en("detail", "orebro")).content.decode()

    assert "Andra mandatet." in page
    assert "Första mandatet." not in page
    assert "Version 2, adopted on" in page
    assert en("mandate_history", "orebro") in page

    history = client.get(en("mandate_history", "orebro")).content.decode()
    assert history.index("Andra mandatet.") < history.index("Första mandatet.")


def test_the_council_page_shows_coming_meetings_and_only_approved_minutes(client, council):
    MeetingFactory(council=council, place="Stadshuset, sal 3", accessibility="Hörslinga finns.")
    MeetingFactory(
        council=council,
        starts_at=timezone.now() - timedelta(days=20),
        minutes="Rådet godkände planen.",
        minutes_status=Meeting.MinutesStatus.APPROVED,
        minutes_approved_at=timezone.now(),
    )
    MeetingFactory(
        council=council,
        starts_at=timezone.now() - timedelta(days=5),
        minutes="Utkast som inte är klart.",
        minutes_status=Meeting.MinutesStatus.DRAFT,
    )

    page = client.get(en("detail", "orebro")).content.decode()

    assert "Stadshuset, sal 3" in page
    assert "Hörslinga finns." in page
    assert "Rådet godkände planen." in page
    assert "Utkast som inte är klart." not in page


def test_a_council_without_a_public_page_is_not_found_except_for_members_and_staff(
    client, hidden_member, outsider, staff, member
):
    assert client.get(en("detail", "lund")).status_code == 404
    assert client.get(en("mandate_history", "lund")).status_code == 404
    client.force_login(outsider)
    assert client.get(en("detail", "lund")).status_code == 404
    # A member of another council knows nothing of it either.
    client.force_login(member.user)
    assert client.get(en("detail", "lund")).status_code == 404

    client.force_login(hidden_member.user)
    response = client.get(en("detail", "lund"))
    assert response.status_code == 200
    assert en("member_home", "lund") in response.content.decode()
    client.force_login(staff)
    assert client.get(en("detail", "lund")).status_code == 200


def test_the_member_area_link_is_shown_to_members_only(client, council, member, outsider):
    assert en("member_home", "orebro") not in client.get(en("detail", "orebro")).content.decode()
    client.force_login(outsider)
    assert en("member_home", "orebro") not in client.get(en("detail", "orebro")).content.decode()
    client.force_login(member.user)
    assert en("member_home", "orebro") in client.get(en("detail", "orebro")).content.decode()


def test_the_minutes_pdf_is_not_found_until_the_minutes_are_approved_and_the_pdf_made(
    client, council
):
    meeting = MeetingFactory(
        council=council,
        starts_at=timezone.now() - timedelta(days=3),
        minutes="Protokoll.",
        minutes_status=Meeting.MinutesStatus.DRAFT,
    )
    url = en("minutes_pdf", "orebro", meeting.pk)
    assert client.get(url).status_code == 404

    services.minutes_approve(meeting=meeting, by=None)
    # Approved, but the worker has not made the PDF yet.
    assert client.get(url).status_code == 404

    meeting.refresh_from_db()
    meeting.minutes_pdf.save("minutes.pdf", ContentFile(b"%PDF-1.7 minutes"), save=False)
    meeting.minutes_pdf_status = Meeting.PdfStatus.READY
    meeting.save()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 minutes"
    assert url in client.get(en("detail", "orebro")).content.decode()


def test_a_ready_annual_report_is_public_and_a_queued_one_is_not_found(client, council):
    report = AnnualReport.objects.create(council=council, year=2024)
    url = en("annual_report_pdf", "orebro", 2024)
    assert client.get(url).status_code == 404
    assert url not in client.get(en("detail", "orebro")).content.decode()

    report.file.save("annual.pdf", ContentFile(b"%PDF-1.7 annual"), save=False)
    report.status = Meeting.PdfStatus.READY
    report.save()

    assert client.get(url).status_code == 200
    assert url in client.get(en("detail", "orebro")).content.decode()


def test_the_files_of_a_council_without_a_public_page_are_not_found_for_outsiders(
    client, hidden_council, hidden_member, outsider
):
    report = AnnualReport.objects.create(council=hidden_council, year=2024)
    report.file.save("annual.pdf", ContentFile(b"%PDF"), save=False)
    report.status = Meeting.PdfStatus.READY
    report.save()
    url = en("annual_report_pdf", "lund", 2024)

    assert client.get(url).status_code == 404
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(hidden_member.user)
    assert client.get(url).status_code == 200


# --- Who reaches the member area -----------------------------------------------------------


@pytest.mark.parametrize("index", range(6))
def test_anonymous_visitors_are_sent_to_log_in_for_the_member_area(client, council, index):
    url = member_area_urls("orebro")[index]
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("index", range(6))
def test_people_outside_the_council_are_refused_its_member_area(
    client, council, hidden_council, hidden_member, outsider, commissioner, index
):
    for person in (outsider, commissioner, hidden_member.user):
        client.force_login(person)
        # They may know the public council exists: 403. Its members' area stays closed.
        assert client.get(member_area_urls("orebro")[index]).status_code == 403
    for person in (outsider, commissioner):
        client.force_login(person)
        # The council without a public page does not exist for them: 404.
        assert client.get(member_area_urls("lund")[index]).status_code == 404


@pytest.mark.parametrize("index", range(6))
def test_members_and_staff_reach_the_member_area(client, member, staff, admin_user, index):
    url = member_area_urls("orebro")[index]
    for person in (member.user, staff, admin_user):
        client.force_login(person)
        assert client.get(url).status_code == 200


def test_the_pages_inside_the_member_area_refuse_outsiders(
    client, council, member, outsider, hidden_member
):
    meeting = MeetingFactory(council=council)
    case = CaseFactory(council=council, number=1)
    assessment = services.assessment_record(
        by=None,
        council=council,
        held_on=timezone.localdate(),
        rapporteur="R",
        secretary="S",
        answers={key: ("yes", "") for key in QUESTIONS},
    )
    document = Document.objects.create(
        council=council, title="Handlingar", file=ContentFile(b"papers", name="papers.txt")
    )
    urls = [
        en("meeting", "orebro", meeting.pk),
        en("case_detail", "orebro", case.number),
        en("assessment_detail", "orebro", assessment.pk),
        en("document", "orebro", document.pk),
    ]
    for url in urls:
        client.logout()
        assert client.get(url).status_code == 302
        for person in (outsider, hidden_member.user):
            client.force_login(person)
            assert client.get(url).status_code == 403
        client.force_login(member.user)
        assert client.get(url).status_code == 200


def test_a_meeting_of_another_council_is_not_found_through_this_council(client, member):
    other = MeetingFactory()
    client.force_login(member.user)
    assert client.get(en("meeting", "orebro", other.pk)).status_code == 404


def test_a_former_member_still_reads_the_member_area(client, council):
    former = MemberFactory(
        council=council,
        term_start=timezone.localdate() - timedelta(days=900),
        term_end=timezone.localdate() - timedelta(days=10),
    )
    client.force_login(former.user)
    assert client.get(en("member_home", "orebro")).status_code == 200
    assert client.get(en("cases", "orebro")).status_code == 200


# --- The member area ----------------------------------------------------------------------------


def test_the_member_home_shows_notices_with_their_agenda_documents_and_open_cases(
    client, council, member
):
    case = services.case_submit(
        council=council,
        by=member.user,
        title="Färdtjänsten kommer sent",
        why="Många missar tider.",
        where="Hela kommunen.",
        when="Varje morgon.",
        proposed_solution="En kontaktperson.",
    )
    Case.objects.filter(pk=case.pk).update(submitted_at=timezone.now() - timedelta(days=12))
    noticed = services.meeting_create(
        council=council,
        starts_at=timezone.now() + timedelta(days=30),
        place="Medborgarhuset",
        accessibility="Ramp vid entrén.",
    )
    services.agenda_add(meeting=noticed, title="", case=case)
    services.notice_send(meeting=noticed, by=None)
    services.meeting_create(
        council=council, starts_at=timezone.now() + timedelta(days=90), place="Stadshuset"
    )
    Document.objects.create(
        council=council, title="Verksamhetsplan", file=ContentFile(b"plan", name="plan.txt")
    )
    services.case_reject(
        case=CaseFactory(council=council, number=99, title="En enskild fråga"),
        reason="Enskilt ärende.",
    )
    client.force_login(member.user)

    response = client.get(en("member_home", "orebro"))

    page = response.content.decode()
    assert [m.pk for m in response.context["notices"]] == [noticed.pk]
    assert "Medborgarhuset" in page
    assert "Ramp vid entrén." in page
    assert "Färdtjänsten kommer sent" in page
    assert en("case_detail", "orebro", case.number) in page
    assert "Verksamhetsplan" in page
    assert "En enskild fråga" not in page
    [open_case] = response.context["open_cases"]
    assert open_case.age_days == 12
    assert "On the agenda" in page


def test_a_document_is_downloaded_by_members(client, council, member):
    document = Document.objects.create(
        council=council, title="Handlingar", file=ContentFile(b"papers", name="papers.txt")
    )
    client.force_login(member.user)
    response = client.get(en("document", "orebro", document.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"papers"


def test_the_meeting_page_shows_decisions_and_tells_staff_only_that_the_notice_was_late(
    client, council, member, staff
):
    meeting = services.meeting_create(
        council=council, starts_at=timezone.now() + timedelta(days=5), place="Stadshuset"
    )
    item = services.agenda_add(meeting=meeting, title="Budgeten")
    services.notice_send(meeting=meeting, by=staff)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    meeting.refresh_from_db()
    services.agenda_record(item=item, decision="Rådet tillstyrker budgeten.")
    services.minutes_save(meeting=meeting, text="Protokollet i sin helhet.")
    url = en("meeting", "orebro", meeting.pk)

    client.force_login(member.user)
    page = client.get(url).content.decode()
    assert "Budgeten" in page
    assert "Rådet tillstyrker budgeten." in page
    assert "The notice went out late" not in page
    # Draft minutes are not shown to anyone on the portal.
    assert "Protokollet i sin helhet." not in page

    client.force_login(staff)
    assert "The notice went out late" in client.get(url).content.decode()

    services.minutes_approve(meeting=meeting, by=staff)
    client.force_login(member.user)
    assert "Protokollet i sin helhet." in client.get(url).content.decode()


def test_the_cases_page_lists_open_cases_first_then_closed_and_rejected_ones(
    client, council, member
):
    CaseFactory(council=council, number=1, title="Stängt ärende", status=Case.Status.CLOSED)
    CaseFactory(council=council, number=2, title="Öppet ärende")
    services.case_reject(
        case=CaseFactory(council=council, number=3, title="Avvisat ärende"),
        reason="Enskilt ärende.",
    )
    client.force_login(member.user)

    response = client.get(en("cases", "orebro"))

    page = response.content.decode()
    assert [c.number for c in response.context["open_cases"]] == [2]
    assert sorted(c.number for c in response.context["decided_cases"]) == [1, 3]
    assert page.index("Öppet ärende") < page.index("Stängt ärende")
    assert page.index("Öppet ärende") < page.index("Avvisat ärende")


# --- Submitting a case ------------------------------------------------------------------------

CASE_DATA = {
    "title": "Färdtjänsten kommer för sent",
    "why": "Flera missar sina tider.",
    "where": "I hela kommunen.",
    "when": "Varje vecka.",
    "proposed_solution": "En kontaktperson hos färdtjänsten.",
}


def test_the_case_form_explains_that_individual_cases_are_not_handled(client, member):
    client.force_login(member.user)
    page = client.get(en("case_submit", "orebro")).content.decode()
    assert "does not handle individual cases" in page
    for name in CASE_DATA:
        assert f'name="{name}"' in page


def test_a_case_with_missing_fields_is_not_saved_and_the_errors_are_listed(client, member):
    client.force_login(member.user)

    response = client.post(en("case_submit", "orebro"), {"title": "Bara en titel"})

    assert response.status_code == 200
    assert Case.objects.count() == 0
    page = response.content.decode()
    assert "There is a problem" in page
    assert set(response.context["form"].errors) == {"why", "where", "when", "proposed_solution"}
    assert "Bara en titel" in page


def test_a_submitted_case_is_numbered_and_waits_as_submitted(client, council, member):
    CaseFactory(council=council, number=4)
    client.force_login(member.user)

    response = client.post(en("case_submit", "orebro"), CASE_DATA)

    case = Case.objects.get(council=council, number=5)
    assert response.status_code == 302
    assert response["Location"] == en("case_detail", "orebro", 5)
    assert case.status == Case.Status.SUBMITTED
    assert case.submitted_by == member.user
    assert case.title == CASE_DATA["title"]


def test_a_former_member_may_not_submit_a_case(client, council):
    former = MemberFactory(
        council=council,
        term_start=timezone.localdate() - timedelta(days=900),
        term_end=timezone.localdate() - timedelta(days=10),
    )
    client.force_login(former.user)
    assert client.post(en("case_submit", "orebro"), CASE_DATA).status_code == 403
    assert Case.objects.count() == 0


def test_an_outsider_cannot_submit_a_case(client, council, outsider):
    client.force_login(outsider)
    assert client.post(en("case_submit", "orebro"), CASE_DATA).status_code == 403
    assert Case.objects.count() == 0


def test_a_case_shows_its_history_across_two_meetings_until_closed(client, council, member):
    case = services.case_submit(council=council, by=member.user, **CASE_DATA)
    first = services.meeting_create(
        council=council, starts_at=timezone.now() - timedelta(days=60), place="Stadshuset"
    )
    item = services.agenda_add(meeting=first, title="", case=case)
    services.agenda_record(
        item=item,
        decision="Rådet ber kommunen utreda.",
        follow_up="Svar till nästa möte.",
        case_status=Case.Status.FOLLOW_UP,
    )
    second = services.meeting_create(
        council=council, starts_at=timezone.now() - timedelta(days=10), place="Stadshuset"
    )
    item = services.agenda_add(meeting=second, title="", case=case)
    services.agenda_record(
        item=item, decision="Kommunen har infört en kontaktperson.", case_status="closed"
    )
    client.force_login(member.user)

    response = client.get(en("case_detail", "orebro", case.number))

    page = response.content.decode()
    assert "Closed" in page
    assert page.index("Rådet ber kommunen utreda.") < page.index(
        "Kommunen har infört en kontaktperson."
    )
    assert "Svar till nästa möte." in page
    assert en("meeting", "orebro", first.pk) in page
    assert en("meeting", "orebro", second.pk) in page
    assert CASE_DATA["why"] in page
    assert CASE_DATA["proposed_solution"] in page


def test_a_rejected_case_shows_why(client, council, member):
    case = services.case_submit(council=council, by=member.user, **CASE_DATA)
    services.case_reject(case=case, reason="Det gäller en enskild person.")
    client.force_login(member.user)
    page = client.get(en("case_detail", "orebro", case.number)).content.decode()
    assert "Why the case was rejected" in page
    assert "Det gäller en enskild person." in page


# --- The self-assessment ------------------------------------------------------------------------


def assessment_data(answer: str = "yes", **extra) -> dict:
    data = {
        "held_on": timezone.localdate().isoformat(),
        "rapporteur": "Rita Rapportör",
        "secretary": "Sam Sekreterare",
        "helps_policy": "Policyn kräver brukarråd.",
        "develop_attitudes": "Lyssna mer.",
    }
    for level, stage in QUESTIONS:
        data[answer_field(level, stage)] = answer
    data.update(extra)
    return data


def test_the_assessment_form_asks_15_questions_in_five_fieldsets(client, member):
    client.force_login(member.user)
    page = client.get(en("assessment_new", "orebro")).content.decode()
    assert page.count('class="council-level"') == 5 + 3
    assert page.count('class="council-question"') == 15
    assert page.count('type="radio"') == 45
    assert "Are you ready to listen to users?" in page
    assert "Do you work in a way that lets you listen to users?" in page
    assert "Is it a policy requirement that users must be listened to?" in page


def test_an_incomplete_assessment_lists_what_is_missing_and_saves_nothing(client, member):
    client.force_login(member.user)
    data = assessment_data(rapporteur="")
    del data[answer_field(1, "openings")]
    del data[answer_field(5, "obligations")]

    response = client.post(en("assessment_new", "orebro"), data)

    assert response.status_code == 200
    assert Assessment.objects.count() == 0
    assert AssessmentAnswer.objects.count() == 0
    summary = response.content.decode().split('class="error-summary"')[1].split("</div>")[0]
    assert "Are you ready to listen to users?" in summary
    assert "Is it a policy requirement that users and staff share power" in summary
    assert "Name the rapporteur." in summary
    assert f'href="#id_{answer_field(1, "openings")}_0"' in summary


def test_a_complete_assessment_is_drawn_as_a_ladder_profile_with_a_table_and_no_score(
    client, council, member
):
    client.force_login(member.user)
    data = assessment_data("yes", **{answer_field(4, "openings"): "partly"})
    data[answer_field(5, "obligations")] = "no"
    data[f"{answer_field(5, 'obligations')}_comment"] = "Ingen policy ännu."

    response = client.post(en("assessment_new", "orebro"), data)

    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == en("assessment_detail", "orebro", assessment.pk)
    assert assessment.council == council
    assert assessment.rapporteur == "Rita Rapportör"
    assert assessment.helps_policy == "Policyn kräver brukarråd."
    assert assessment.answers.count() == 15
    assert assessment.answers.get(level=5, stage="obligations").comment == "Ingen policy ännu."

    page = client.get(response["Location"]).content.decode()
    svg = page.split("<svg")[1].split("</svg>")[0]
    assert 'role="img"' in svg
    assert "<title" in svg and "<desc" in svg
    assert svg.count('class="ladder__answer"') == 15
    # Level 5 is the top rung.
    assert svg.index("Level 5") < svg.index("Level 1")
    table = page.split('class="table council-profile"')[1].split("</table>")[0]
    assert len(re.findall(r'class="council-answer council-answer--', table)) == 15
    assert table.count(">Partly<") == 1
    assert table.count(">No<") == 1
    assert "Ingen policy ännu." in table
    assert "Lyssna mer." in page
    assert "score" not in page.lower()


def test_repeated_assessments_are_shown_side_by_side(client, council, member):
    earlier = services.assessment_record(
        by=None,
        council=council,
        held_on=timezone.localdate() - timedelta(days=365),
        rapporteur="R",
        secretary="S",
        answers={key: ("no", "") for key in QUESTIONS},
    )
    later = services.assessment_record(
        by=None,
        council=council,
        held_on=timezone.localdate(),
        rapporteur="R",
        secretary="S",
        answers={key: ("yes", "") for key in QUESTIONS},
    )
    client.force_login(member.user)

    response = client.get(en("assessments", "orebro"))

    page = response.content.decode()
    assert [a.pk for a in response.context["assessments"]] == [earlier.pk, later.pk]
    rows = response.context["answer_rows"]
    assert len(rows) == 15
    assert all([a.answer for a in row["answers"]] == ["no", "yes"] for row in rows), (
        "every cell shows the earlier answer, then the later"
    )
    table = page.split('class="table council-change"')[1].split("</table>")[0]
    assert table.count('<th scope="col">') == 3
    assert en("assessment_new", "orebro") in page


def test_an_assessment_of_another_council_is_not_found_here(client, member, hidden_council):
    other = services.assessment_record(
        by=None,
        council=hidden_council,
        held_on=timezone.localdate(),
        rapporteur="R",
        secretary="S",
        answers={key: ("yes", "") for key in QUESTIONS},
    )
    client.force_login(member.user)
    assert client.get(en("assessment_detail", "orebro", other.pk)).status_code == 404


# --- Annual reports ------------------------------------------------------------------------------


def test_staff_request_an_annual_report_and_see_it_queued(client, council, staff):
    client.force_login(staff)

    response = client.post(en("annual_reports", "orebro"), {"year": 2024})

    assert response.status_code == 302
    report = AnnualReport.objects.get(council=council)
    assert report.year == 2024
    assert report.status == Meeting.PdfStatus.QUEUED
    assert "Queued" in client.get(en("annual_reports", "orebro")).content.decode()


def test_a_future_year_is_refused_and_nothing_is_queued(client, council, staff):
    client.force_login(staff)
    response = client.post(en("annual_reports", "orebro"), {"year": timezone.localdate().year + 1})
    assert response.status_code == 200
    assert "The year has not begun." in response.content.decode()
    assert AnnualReport.objects.count() == 0


def test_members_see_only_ready_annual_reports_and_may_not_request_one(client, council, member):
    AnnualReport.objects.create(council=council, year=2023)
    ready = AnnualReport.objects.create(council=council, year=2022)
    ready.file.save("annual.pdf", ContentFile(b"%PDF"), save=False)
    ready.status = Meeting.PdfStatus.READY
    ready.save()
    client.force_login(member.user)

    response = client.get(en("annual_reports", "orebro"))

    assert [r.year for r in response.context["reports"]] == [2022]
    assert response.context["form"] is None
    assert client.post(en("annual_reports", "orebro"), {"year": 2021}).status_code == 403
    assert not AnnualReport.objects.filter(year=2021).exists()


# --- A member's own data ----------------------------------------------------------------------


def test_my_data_needs_a_login(client):
    response = client.get(en("my_data"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_my_data_downloads_the_persons_own_councils_data_as_json(client, council, member):
    services.case_submit(council=council, by=member.user, **CASE_DATA)
    MemberFactory(council=CouncilFactory(name="Ett annat råd"))
    client.force_login(member.user)

    response = client.get(en("my_data"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["person"]["email"] == "maja@example.se"
    assert [m["council"] for m in data["memberships"]] == ["Brukarrådet i Örebro"]
    assert data["memberships"][0]["role"] == "chair"
    assert data["cases_submitted"][0]["title"] == CASE_DATA["title"]


def test_my_data_of_a_person_without_councils_is_empty(client, outsider):
    client.force_login(outsider)
    data = json.loads(client.get(en("my_data")).content)
    assert data["memberships"] == []
    assert data["cases_submitted"] == []


# --- Query counts ---------------------------------------------------------------------------------


def fill(council, rows: int) -> None:
    for _ in range(rows):
        MemberFactory(council=council, category=UserCategory.RELATIVES)
        MemberFactory(council=council, publish_consent=False)
    for number in range(rows):
        MeetingFactory(council=council)
        MeetingFactory(
            council=council,
            starts_at=timezone.now() - timedelta(days=10 + number),
            minutes="Protokoll.",
            minutes_status=Meeting.MinutesStatus.APPROVED,
        )
        CaseFactory(council=council, number=100 + number)
        MandateVersionFactory(council=council, number=10 + number)
    AnnualReport.objects.create(
        council=council, year=2020, status=Meeting.PdfStatus.READY, file="councils/annual/x.pdf"
    )


@pytest.mark.parametrize("rows", [1, 15])
def test_the_list_runs_as_many_queries_for_many_councils_as_for_one(
    client, rows, outsider, django_assert_max_num_queries
):
    for _ in range(rows):
        fill(CouncilFactory(), 3)

    # Anonymous: the councils with their counts.
    with django_assert_max_num_queries(1):
        response = client.get(en("list"))
    assert len(response.context["councils"]) == rows

    client.force_login(outsider)
    # Session, user, roles, the councils.
    with django_assert_max_num_queries(4):
        client.get(en("list"))


@pytest.mark.parametrize("rows", [1, 20])
def test_the_council_page_runs_as_many_queries_for_many_members_meetings_and_cases_as_for_one(
    client, council, member, rows, django_assert_max_num_queries
):
    fill(council, rows)

    # The council, its terms of reference, members, coming meetings, minutes, reports.
    with django_assert_max_num_queries(6):
        response = client.get(en("detail", "orebro"))
    assert len(response.context["members"]) == rows + 1
    assert len(response.context["minutes"]) == rows

    client.force_login(member.user)
    # And the session, the user, the roles and the membership check.
    with django_assert_max_num_queries(10):
        client.get(en("detail", "orebro"))


@pytest.mark.parametrize("rows", [1, 20])
def test_the_member_pages_run_as_many_queries_for_many_rows_as_for_one(
    client, council, member, rows, django_assert_max_num_queries
):
    fill(council, rows)
    for meeting in Meeting.objects.filter(council=council, starts_at__gte=timezone.now()):
        services.agenda_add(
            meeting=meeting,
            title="Punkt",
            case=CaseFactory(council=council, number=1000 + meeting.pk),
        )
    Meeting.objects.filter(council=council).update(notice_sent_at=timezone.now())
    client.force_login(member.user)

    # Session, user, roles, council, membership, notices, their agenda, planned, past,
    # documents, open cases.
    with django_assert_max_num_queries(11):
        response = client.get(en("member_home", "orebro"))
    assert len(response.context["notices"]) == rows

    # Session, user, roles, council, membership, current member, open cases, decided cases.
    with django_assert_max_num_queries(8):
        client.get(en("cases", "orebro"))
