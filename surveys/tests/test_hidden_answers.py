"""A free-text answer reviewers hid as identifying is in no output: exports, results, admin."""

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from brukarkraft.roles import Role
from brukarkraft.tests.factories import UserFactory
from surveys import services
from surveys.models import Answer, ExportJob, Kind
from surveys.results import survey_results

from .factories import answer_and_submit, answer_many, make_published_survey

pytestmark = pytest.mark.django_db

IDENTIFYING = "Jag heter Anna Andersson, personnummer 19800101-1234"
HARMLESS = "Maten är god och personalen är snäll"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def staff():
    return UserFactory(roles=[Role.STAFF], preferred_language="en")


@pytest.fixture
def survey():
    survey = make_published_survey([Kind.YES_NO, Kind.TEXT])
    yes_no, text = survey.questions.counted().in_order()
    answer_and_submit(survey, {yes_no: yes_no.options.first(), text: IDENTIFYING})
    answer_and_submit(survey, {yes_no: yes_no.options.first(), text: HARMLESS})
    answer_many(survey, 4, {yes_no: yes_no.options.last(), text: "Bra"})
    for stored in Answer.objects.filter(question=text):
        decision = Answer.Review.HIDDEN if stored.text == IDENTIFYING else Answer.Review.APPROVED
        services.free_text_review(answer=stored, decision=decision)
    return survey


def export(survey, staff, format: str) -> ExportJob:
    job = services.export_request(survey=survey, format=format, by=staff)
    return services.export_run(job_id=job.pk)


def test_the_csv_export_leaves_the_hidden_text_out(survey, staff):
    job = export(survey, staff, "csv")

    content = job.file.open("rb").read().decode("utf-8-sig")

    assert HARMLESS in content
    assert "Anna Andersson" not in content
    assert "19800101" not in content


def test_the_xlsx_export_leaves_the_hidden_text_out(survey, staff):
    job = export(survey, staff, "xlsx")

    sheet = load_workbook(job.file.open("rb")).active
    cells = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row]

    assert HARMLESS in cells
    assert not [cell for cell in cells if "Anna Andersson" in cell]


def test_hiding_a_text_deletes_the_exports_made_before(
    survey, staff, django_capture_on_commit_callbacks
):
    text = survey.questions.counted().in_order()[1]
    later = answer_and_submit(survey, {text: "Ring mig på 070-123 45 67, Bertil"})
    job = export(survey, staff, "csv")
    path = job.file.path

    with django_capture_on_commit_callbacks(execute=True):
        services.free_text_review(
            answer=later.answers.get(question=text), decision=Answer.Review.HIDDEN
        )

    assert not ExportJob.objects.filter(pk=job.pk).exists()
    assert not job.file.storage.exists(path)
    again = export(survey, staff, "csv")
    assert "Bertil" not in again.file.open("rb").read().decode("utf-8-sig")


def test_the_results_leave_the_hidden_text_out(client, survey, staff):
    results = survey_results(survey)
    texts = results.questions[1].texts
    client.force_login(staff)

    page = client.get(reverse("surveys:results", args=[survey.pk])).content.decode()

    assert HARMLESS in texts
    assert IDENTIFYING not in texts
    assert HARMLESS in page
    assert "Anna Andersson" not in page


def test_the_admin_does_not_show_the_hidden_text(client, survey):
    admin = UserFactory(roles=[Role.ADMIN], is_staff=True, is_superuser=True)
    client.force_login(admin)
    hidden = Answer.objects.get(review=Answer.Review.HIDDEN)

    page = client.get(reverse("admin:surveys_response_change", args=[hidden.response_id]))

    assert page.status_code == 200
    assert "Anna Andersson" not in page.content.decode()
