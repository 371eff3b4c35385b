"""Every form that creates something is safe to send twice.

A double click, a reload of the result page or sending again after the database error page
sends the same POST twice. The second must not make a second thing or fail: it lands on the
page of the first one or says clearly that it is already there. (Transitions, edits and
deletions are safe by their state checks; the services' own tests cover those.)
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from audits.models import (
    Audit,
    AuditEvent,
    AuditMember,
    Conflict,
    DataCollection,
    FeeEntry,
    Finding,
    Proposal,
    ReportVersion,
    Theme,
)
from audits.tests.factories import UnitFactory, audit_in_state, trained_auditor
from brukarkraft.models import AccessibilityFeedback, Organisation, SignUp
from brukarkraft.tests.factories import MunicipalityFactory, UserFactory
from councils.forms import QUESTIONS, answer_field
from councils.models import AnnualReport, Assessment, Case
from councils.tests.factories import CouncilFactory, MemberFactory
from resources.models import Attachment, GuidanceRequest, Registration, Resource
from resources.tests.factories import CourseFactory, ResourceFactory
from surveys.models import CodeBatch, ExportJob, Response, Survey
from surveys.tests.factories import answer_and_submit, make_published_survey

pytestmark = pytest.mark.django_db

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def en(name: str, *args) -> str:
    # English pages, so the assertions read the source wording whatever is translated.
    with translation.override("en"):
        return reverse(name, args=args)


def twice(client, url: str, data: dict | None = None, *, capture=None):
    """POST the same form twice; return both responses, neither of them a server error."""
    responses = []
    for _ in range(2):
        if capture is not None:
            with capture(execute=True):
                responses.append(client.post(url, data or {}))
        else:
            responses.append(client.post(url, data or {}))
    assert [r.status_code for r in responses if r.status_code >= 500] == []
    return responses


def same_landing(first, second) -> None:
    assert first.status_code == second.status_code == 302
    assert first.url == second.url


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- Public forms -------------------------------------------------------------------------


def test_feedback_sent_twice_is_stored_once(client, django_capture_on_commit_callbacks):
    page = client.get(en("feedback"))
    data = {
        "kind": "other",
        "message": "Fokus syns inte i menyn.",
        "submission_id": page.context["form"].initial["submission_id"],
    }

    first, second = twice(client, en("feedback"), data, capture=django_capture_on_commit_callbacks)

    same_landing(first, second)
    assert AccessibilityFeedback.objects.count() == 1
    assert len(mail.outbox) == 1


def test_feedback_sent_twice_while_redis_is_down_is_kept_rather_than_lost(client, monkeypatch):
    # django-redis with IGNORE_EXCEPTIONS answers None when Redis is unreachable.
    monkeypatch.setattr(
        "django.core.cache.backends.locmem.LocMemCache.add", lambda *args, **kwargs: None
    )
    page = client.get(en("feedback"))
    data = {
        "kind": "other",
        "message": "Fokus syns inte i menyn.",
        "submission_id": page.context["form"].initial["submission_id"],
    }

    client.post(en("feedback"), data)

    assert AccessibilityFeedback.objects.count() == 1


def test_a_guidance_request_sent_twice_is_stored_and_mailed_once(
    client, django_capture_on_commit_callbacks
):
    data = {
        "organisation_name": "Örebro kommun",
        "name": "Cecilia Beställare",
        "email": "cecilia@example.se",
        "phone": "",
        "topic": GuidanceRequest.Topic.ORDERING,
        "message": "Hur formulerar vi revisionsfrågor?",
        "preferred_times": "",
        "format": "video",
    }

    url = reverse("resources:guidance")
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, data)
    mailed = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url, data)

    same_landing(first, second)
    assert GuidanceRequest.objects.count() == 1
    assert len(mail.outbox) == mailed


def test_a_survey_answer_sent_twice_is_one_response(client):
    survey = make_published_survey()
    question = survey.questions.get()
    start = reverse("surveys:answer_start", args=[survey.token])
    client.post(start, {"start_key": "one-press"})
    client.post(start, {"start_key": "one-press"})
    client.post(
        reverse("surveys:answer_question", args=[survey.token, question.pk]),
        {f"q{question.pk}-answer": question.options.first().pk, "action": "next"},
    )

    first, second = twice(client, reverse("surveys:answer_review", args=[survey.token]))

    same_landing(first, second)
    assert Response.objects.get().is_submitted


# --- Ordering an audit ---------------------------------------------------------------------


def test_registering_twice_keeps_one_registration_and_lands_on_one_page(client):
    data = {
        "full_name": "Nora Ny",
        "email": "nora@karlskoga.se",
        "password1": "Lagom-lång-lösen-42",
        "password2": "Lagom-lång-lösen-42",
        "organisation_name": "Karlskoga kommun, socialtjänsten",
        "organisation_kind": Organisation.Kind.MUNICIPALITY,
        "org_number": "2120001967",
        "municipality": MunicipalityFactory().pk,
    }

    first, second = twice(client, en("audits:order_register"), data)

    same_landing(first, second)
    assert SignUp.objects.filter(email="nora@karlskoga.se").count() == 1


def test_two_registrations_at_once_give_the_same_page_not_an_error(monkeypatch):
    from brukarkraft import services

    fields = {
        "email": "nora@karlskoga.se",
        "full_name": "Nora Ny",
        "password": "Lagom-lång-lösen-42",
        "organisation_name": "Karlskoga kommun",
        "organisation_kind": Organisation.Kind.MUNICIPALITY,
    }
    services.signup_start(**fields)
    # The second request read "no registration" before the first one committed.
    real = SignUp.objects.select_for_update

    def not_yet(*args, **kwargs):
        queryset = real(*args, **kwargs)

        def create_only(*, email, defaults):
            return SignUp.objects.create(email=email, **defaults), True

        queryset.update_or_create = create_only
        return queryset

    monkeypatch.setattr(SignUp.objects, "select_for_update", not_yet)

    services.signup_start(**fields)  # no error: the first registration stands

    assert SignUp.objects.filter(email="nora@karlskoga.se").count() == 1


def test_starting_an_order_twice_gives_one_draft(client, commissioner):
    client.force_login(commissioner)

    first, second = twice(client, en("audits:order_start"), {"language": "sv"})

    same_landing(first, second)
    assert Audit.objects.filter(ordered_by=commissioner).count() == 1


def test_a_new_order_after_the_first_was_filled_in_is_a_second_draft(client, commissioner):
    client.force_login(commissioner)
    client.post(en("audits:order_start"), {"language": "sv"})
    Audit.objects.update(order_step=2)

    client.post(en("audits:order_start"), {"language": "sv"})

    assert Audit.objects.filter(ordered_by=commissioner).count() == 2


def test_sending_an_order_twice_lands_on_the_receipt(client, commissioner):
    audit = audit_in_state(Audit.Status.REQUESTED, commissioner=commissioner)
    client.force_login(commissioner)
    events = AuditEvent.objects.count()

    response = client.post(en("audits:order_review", audit.pk))

    assert response.url == en("audits:order_receipt", audit.pk)
    assert AuditEvent.objects.count() == events


def test_accepting_a_quote_twice_agrees_once(client, commissioner):
    audit = audit_in_state(Audit.Status.QUOTED, commissioner=commissioner)
    client.force_login(commissioner)

    first, second = twice(client, en("audits:quote", audit.pk), {"accept": "on", "revision": "1"})

    same_landing(first, second)
    audit.refresh_from_db()
    assert audit.status == Audit.Status.AGREED
    assert audit.events.filter(action="quote_accepted").count() == 1


def test_sending_the_response_twice_sends_it_once(client, commissioner):
    from audits import services

    audit = audit_in_state(Audit.Status.FEEDBACK_HELD, commissioner=commissioner)
    for proposal in audit.proposals.all():
        services.proposal_respond(
            proposal=proposal,
            by=commissioner,
            response=Proposal.Response.REJECTED,
            action="Vi har redan gjort det.",
            owner="",
            deadline=None,
        )
    client.force_login(commissioner)

    first, second = twice(client, en("audits:response_submit", audit.pk))

    same_landing(first, second)
    assert audit.events.filter(action="response_sent").count() == 1


# --- The audit team -------------------------------------------------------------------------


@pytest.fixture
def lead(db):
    return trained_auditor(user__full_name="Lena Ledare")


@pytest.fixture
def collecting(commissioner, staff, lead):
    return audit_in_state(
        Audit.Status.COLLECTING,
        commissioner=commissioner,
        staff=staff,
        auditors=[lead, trained_auditor()],
    )


@pytest.fixture
def analysing(commissioner, staff, lead):
    return audit_in_state(
        Audit.Status.ANALYSING,
        commissioner=commissioner,
        staff=staff,
        auditors=[lead, trained_auditor()],
    )


def test_a_finding_sent_twice_is_written_once(client, analysing, lead):
    client.force_login(lead)
    data = {
        "theme": Theme.INFORMATION,
        "polarity": Finding.Polarity.NEGATIVE,
        "title": "Informationen kommer sent",
        "description": "Flera fick veta om ändringar samma dag.",
        "quotes": "",
    }

    first, second = twice(client, en("audits:findings", analysing.pk), data)

    same_landing(first, second)
    assert analysing.findings.filter(title="Informationen kommer sent").count() == 1


def test_a_proposal_sent_twice_is_written_once(client, analysing, lead):
    finding = analysing.findings.get()
    client.force_login(lead)
    data = {"text": "Skicka schemat en vecka i förväg.", "findings": [finding.pk]}

    first, second = twice(client, en("audits:proposals", analysing.pk), data)

    same_landing(first, second)
    assert analysing.proposals.filter(text="Skicka schemat en vecka i förväg.").count() == 1


def test_an_edit_saved_twice_is_saved_once_without_a_stale_warning(client, analysing, lead):
    finding = analysing.findings.get()
    client.force_login(lead)
    data = {
        "theme": Theme.INFORMATION,
        "polarity": Finding.Polarity.NEGATIVE,
        "title": "Ny rubrik",
        "description": "Beskrivning.",
        "quotes": "",
        "version": finding.version,
    }

    first, second = twice(client, en("audits:finding_edit", analysing.pk, finding.pk), data)

    same_landing(first, second)
    finding.refresh_from_db()
    assert finding.title == "Ny rubrik"
    assert finding.version == 2


def test_a_proposal_edit_saved_twice_is_saved_once(client, analysing, lead):
    proposal = analysing.proposals.get()
    client.force_login(lead)
    data = {
        "text": "Nytt förslag",
        "findings": [analysing.findings.get().pk],
        "version": proposal.version,
    }

    first, second = twice(client, en("audits:proposal_edit", analysing.pk, proposal.pk), data)

    same_landing(first, second)
    proposal.refresh_from_db()
    assert proposal.version == 2


def test_someone_elses_save_in_between_is_still_a_stale_edit(client, analysing, lead, staff):
    from audits import services

    finding = analysing.findings.get()
    client.force_login(lead)
    data = {
        "theme": Theme.INFORMATION,
        "polarity": Finding.Polarity.NEGATIVE,
        "title": "Lenas rubrik",
        "description": "Beskrivning.",
        "quotes": "",
        "version": finding.version,
    }
    client.post(en("audits:finding_edit", analysing.pk, finding.pk), data)
    colleague = analysing.members.exclude(user=lead).get().user
    services.finding_update(
        finding=finding,
        by=colleague,
        version=2,
        data={"title": "Kalles rubrik"},
    )

    again = client.post(en("audits:finding_edit", analysing.pk, finding.pk), data)

    assert again.status_code == 200
    assert "saved this finding while you were editing it" in again.content.decode()


def test_a_session_sent_twice_is_recorded_once(client, collecting, lead):
    client.force_login(lead)
    before = collecting.sessions.count()
    data = {
        "kind": DataCollection.Kind.INTERVIEW,
        "held_on": timezone.localdate().isoformat(),
        "informants": "2",
        "duration_minutes": "60",
        "note": "",
    }

    first, second = twice(client, en("audits:sessions", collecting.pk), data)

    same_landing(first, second)
    assert collecting.sessions.count() == before + 1


def test_hours_sent_twice_are_logged_once(client, collecting, lead):
    client.force_login(lead)
    data = {
        "worked_on": timezone.localdate().isoformat(),
        "activity": FeeEntry.Activity.DATA_COLLECTION,
        "hours": "3,5",
        "travel_km": "10",
        "travel_cost": "50",
        "note": "",
    }

    first, second = twice(client, en("audits:fees", collecting.pk), data)

    same_landing(first, second)
    assert FeeEntry.objects.filter(auditor=lead).count() == 1


def test_the_same_hours_on_another_day_are_a_second_entry(client, collecting, lead):
    client.force_login(lead)
    data = {"activity": FeeEntry.Activity.ANALYSIS, "hours": "2", "note": ""}
    today = timezone.localdate()

    client.post(en("audits:fees", collecting.pk), {**data, "worked_on": today.isoformat()})
    yesterday = (today - timedelta(days=1)).isoformat()
    client.post(en("audits:fees", collecting.pk), {**data, "worked_on": yesterday})

    assert FeeEntry.objects.filter(auditor=lead).count() == 2


def test_a_conflict_declared_twice_is_one_declaration(client, auditor):
    unit = UnitFactory()
    client.force_login(auditor)
    data = {"unit": unit.pk, "reason": Conflict.Reason.USES_UNIT, "note": ""}

    first, second = twice(client, en("audits:conflicts"), data)

    same_landing(first, second)
    assert Conflict.objects.filter(auditor=auditor).count() == 1


def test_adding_an_auditor_twice_says_they_are_on_the_team(client, staff, commissioner):
    audit = audit_in_state(Audit.Status.AGREED, commissioner=commissioner, staff=staff)
    newcomer = trained_auditor()
    client.force_login(staff)
    data = {"user": newcomer.pk, "role": AuditMember.Role.AUDITOR}

    twice(client, en("audits:team", audit.pk), data)
    page = client.post(en("audits:team", audit.pk), data, follow=True).content.decode()

    assert audit.members.filter(user=newcomer).count() == 1
    assert "is already on the team" in page


def test_asking_for_a_report_twice_makes_one_version(
    client, staff, commissioner, django_capture_on_commit_callbacks
):
    audit = audit_in_state(Audit.Status.REPORT_DRAFT, commissioner=commissioner, staff=staff)
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=False):
        first, second = twice(client, en("audits:report_request", audit.pk))

    same_landing(first, second)
    assert ReportVersion.objects.filter(audit=audit).count() == 1


# --- Councils -------------------------------------------------------------------------------


@pytest.fixture
def council(db):
    return CouncilFactory(slug="orebro")


@pytest.fixture
def member(council):
    return MemberFactory(council=council, user=UserFactory())


def test_a_case_sent_twice_is_one_case(client, council, member):
    client.force_login(member.user)
    data = {
        "title": "Färdtjänsten kommer för sent",
        "why": "Flera missar sina tider.",
        "where": "I hela kommunen.",
        "when": "Varje vecka.",
        "proposed_solution": "En kontaktperson hos färdtjänsten.",
    }

    first, second = twice(client, en("councils:case_submit", council.slug), data)

    same_landing(first, second)
    assert Case.objects.filter(council=council).count() == 1


def test_an_assessment_sent_twice_is_recorded_once(client, council, member):
    client.force_login(member.user)
    data = {
        "held_on": timezone.localdate().isoformat(),
        "rapporteur": "Rita Rapportör",
        "secretary": "Sam Sekreterare",
    }
    for level, stage in QUESTIONS:
        data[answer_field(level, stage)] = "yes"

    first, second = twice(client, en("councils:assessment_new", council.slug), data)

    same_landing(first, second)
    assert Assessment.objects.count() == 1


def test_an_annual_report_asked_for_twice_is_one_report(client, council, staff):
    client.force_login(staff)

    first, second = twice(client, en("councils:annual_reports", council.slug), {"year": 2024})

    same_landing(first, second)
    assert AnnualReport.objects.filter(council=council, year=2024).count() == 1


# --- Library and courses --------------------------------------------------------------------


def test_registering_for_a_course_twice_keeps_one_place_and_says_so(client, auditor):
    course = CourseFactory(capacity=2)
    client.force_login(auditor)
    url = reverse("resources:register", args=[course.slug])

    first, second = twice(client, url, {"who": "self"})

    assert first.status_code == 302
    assert second.status_code == 200
    assert "error-summary" in second.content.decode()
    assert Registration.objects.filter(participant=auditor).count() == 1


def test_an_attachment_sent_twice_is_stored_once(client, staff):
    resource = ResourceFactory()
    client.force_login(staff)

    responses = [
        client.post(
            en("resources:attachment_add", resource.pk),
            {
                "attachment-title": "Intervjuguide",
                "attachment-file": SimpleUploadedFile("guide.pdf", MINIMAL_PDF),
            },
        )
        for _ in range(2)
    ]

    same_landing(*responses)
    assert Attachment.objects.filter(resource=resource).count() == 1


def test_a_resource_created_twice_says_the_address_is_taken(client, staff):
    client.force_login(staff)
    data = {
        "slug": "att-planera",
        "kind": "method_guide",
        "language": "sv",
        "topics": ["user_audit"],
        "audiences": ["auditors"],
        "title": "Att planera",
        "summary": "Hur man planerar.",
        "body": "# Planering\n\nBrukarna formulerar frågorna.",
        "publish_at": "",
    }

    first, second = twice(client, en("resources:create"), data)

    assert first.status_code == 302
    assert second.status_code == 200
    assert "error-summary" in second.content.decode()
    assert Resource.objects.filter(slug="att-planera").count() == 1


# --- Surveys --------------------------------------------------------------------------------


def test_a_survey_created_twice_is_one_survey(client, staff):
    client.force_login(staff)
    data = {"title_sv": "Enkät om maten", "retention_days": 365}

    first, second = twice(client, reverse("surveys:create"), data)

    same_landing(first, second)
    assert Survey.objects.filter(title_sv="Enkät om maten").count() == 1


def test_codes_asked_for_twice_are_one_batch(client, staff):
    survey = make_published_survey()
    client.force_login(staff)
    data = {"batch-size": 3, "batch-unit": ""}

    first, second = twice(client, reverse("surveys:distribution", args=[survey.pk]), data)

    same_landing(first, second)
    assert CodeBatch.objects.filter(survey=survey).count() == 1
    assert survey.codes.count() == 3


def test_an_export_asked_for_twice_is_one_job(client, staff):
    survey = make_published_survey()
    question = survey.questions.get()
    answer_and_submit(survey, {question: question.options.first()})
    client.force_login(staff)

    first, second = twice(client, reverse("surveys:exports", args=[survey.pk]), {"format": "csv"})

    same_landing(first, second)
    assert ExportJob.objects.filter(survey=survey).count() == 1


def test_a_new_version_asked_for_twice_is_one_copy(client, staff):
    survey = make_published_survey()
    client.force_login(staff)

    first, second = twice(client, reverse("surveys:new_version", args=[survey.pk]))

    same_landing(first, second)
    assert Survey.objects.filter(previous_version=survey).count() == 1


# --- Personas see no more than before --------------------------------------------------------


def test_a_repeated_post_by_an_outsider_is_still_refused(client, outsider, commissioner):
    audit = audit_in_state(Audit.Status.QUOTED, commissioner=commissioner)
    client.force_login(outsider)

    responses = twice(client, en("audits:quote", audit.pk), {"accept": "on", "revision": "1"})

    assert {r.status_code for r in responses} == {404}
    audit.refresh_from_db()
    assert audit.status == Audit.Status.QUOTED


def test_a_second_proposal_with_other_findings_is_a_new_proposal(client, analysing, lead):
    first_finding = analysing.findings.get()
    second_finding = Finding.objects.create(
        audit=analysing, number=2, title="Andra", description="D", theme=Theme.INFORMATION
    )
    client.force_login(lead)
    url = en("audits:proposals", analysing.pk)

    client.post(url, {"text": "Samma text.", "findings": [first_finding.pk]})
    client.post(url, {"text": "Samma text.", "findings": [second_finding.pk]})

    assert analysing.proposals.filter(text="Samma text.").count() == 2
