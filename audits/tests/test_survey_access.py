"""An audit's survey follows the live team: who is on it now, the survey linked now, and
only while the audit is open. Publishing on the portal's domain needs staff or the lead."""

import pytest
from django.urls import reverse

from audits import services
from audits.models import Audit, AuditMember
from audits.tests.factories import audit_in_state, trained_auditor
from brukarkraft.roles import Role
from brukarkraft.tests.factories import UserFactory
from surveys import services as survey_services
from surveys.models import ExportJob, Kind, Survey
from surveys.tests.factories import add_question, make_published_survey, make_survey

pytestmark = pytest.mark.django_db

S = Audit.Status


@pytest.fixture
def staff():
    return UserFactory(roles=[Role.STAFF])


@pytest.fixture
def lead():
    return trained_auditor()


@pytest.fixture
def astrid():
    # Astrid is on the team until she declares a conflict of interest.
    return trained_auditor()


@pytest.fixture
def audit(staff, lead, astrid):
    return audit_in_state(S.PLANNING, staff=staff, auditors=[lead, astrid])


def ready_export(survey: Survey, by) -> ExportJob:
    job = survey_services.export_request(survey=survey, format="csv", by=by)
    job = survey_services.export_run(job_id=job.pk)
    assert job.status == ExportJob.Status.READY
    return job


def survey_pages(survey: Survey, job: ExportJob | None = None) -> list[str]:
    pages = [
        reverse(name, args=[survey.pk])
        for name in ("surveys:builder", "surveys:results", "surveys:exports", "surveys:free_text")
    ]
    if job is not None:
        pages.append(reverse("surveys:export_download", args=[survey.pk, job.pk]))
    return pages


def statuses(client, user, pages: list[str]) -> set[int]:
    client.force_login(user)
    return {client.get(page).status_code for page in pages}


def test_an_auditor_taken_off_the_team_loses_the_survey_its_results_and_exports(
    client, staff, audit, astrid
):
    survey = make_published_survey()
    services.audit_link_survey(audit=audit, by=staff, survey=survey)
    job = ready_export(survey, astrid)
    pages = survey_pages(survey, job)
    assert statuses(client, astrid, pages) == {200}

    member = audit.members.get(user=astrid)
    services.team_remove(audit=audit, by=staff, member=member)

    assert statuses(client, astrid, pages) == {404}
    assert not Survey.objects.visible_to(astrid).exists()


def test_an_auditor_added_later_gets_the_linked_survey(client, staff, audit):
    survey = make_published_survey()
    services.audit_link_survey(audit=audit, by=staff, survey=survey)
    newcomer = trained_auditor()
    assert statuses(client, newcomer, survey_pages(survey)) == {404}

    services.team_add(audit=audit, by=staff, user=newcomer)

    assert statuses(client, newcomer, survey_pages(survey)) == {200}


def test_linking_another_survey_takes_the_old_one_away(client, staff, audit, astrid):
    old = make_published_survey()
    services.audit_link_survey(audit=audit, by=staff, survey=old)
    job = ready_export(old, astrid)
    new = make_published_survey()

    services.audit_link_survey(audit=audit, by=staff, survey=new)

    assert statuses(client, astrid, survey_pages(old, job)) == {404}
    assert statuses(client, astrid, survey_pages(new)) == {200}
    services.audit_link_survey(audit=audit, by=staff, survey=None)
    assert statuses(client, astrid, survey_pages(new)) == {404}


def test_closing_the_audit_ends_the_teams_access(client, staff, lead, astrid):
    survey = make_published_survey()
    following_up = audit_in_state(S.FOLLOW_UP, staff=staff, auditors=[lead, astrid])
    # A survey linked earlier on (the follow-up's report is frozen, so set it directly).
    Audit.objects.filter(pk=following_up.pk).update(survey=survey)
    assert statuses(client, astrid, survey_pages(survey)) == {200}

    Audit.objects.filter(pk=following_up.pk).update(status=S.CLOSED)

    assert statuses(client, astrid, survey_pages(survey)) == {404}
    assert statuses(client, lead, survey_pages(survey)) == {404}


def test_a_cancelled_audit_gives_no_access(client, staff, lead, astrid):
    survey = make_published_survey()
    cancelled = audit_in_state(S.CANCELLED, staff=staff)
    AuditMember.objects.create(audit=cancelled, user=astrid)
    Audit.objects.filter(pk=cancelled.pk).update(survey=survey)

    assert statuses(client, astrid, survey_pages(survey)) == {404}


# --- Who may publish ---------------------------------------------------------------------------


def test_a_pool_auditor_on_no_team_may_build_but_not_publish(client):
    pool_auditor = trained_auditor()
    survey = survey_services.survey_create(by=pool_auditor, title_sv="Vår egen enkät")
    add_question(survey.sections.get(), Kind.YES_NO)
    survey.refresh_from_db()
    client.force_login(pool_auditor)
    assert client.get(reverse("surveys:builder", args=[survey.pk])).status_code == 200

    response = client.post(reverse("surveys:publish", args=[survey.pk]))

    assert response.status_code == 403
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT
    page = client.get(reverse("surveys:builder", args=[survey.pk]))
    assert reverse("surveys:publish", args=[survey.pk]) not in page.content.decode()


def test_the_lead_of_the_audit_publishes_its_survey_and_the_others_on_the_team_do_not(
    client, staff, audit, lead, astrid
):
    survey = make_survey(title_nb="Spørreskjema", title_en="Survey")
    services.audit_link_survey(audit=audit, by=staff, survey=survey)
    client.force_login(astrid)
    assert client.post(reverse("surveys:publish", args=[survey.pk])).status_code == 403

    client.force_login(lead)
    response = client.post(reverse("surveys:publish", args=[survey.pk]))

    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN


def test_staff_publish_any_survey(staff):
    survey = make_survey()

    survey = survey_services.survey_publish(survey=survey, by=staff)

    assert survey.status == Survey.Status.OPEN
