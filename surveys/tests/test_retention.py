"""Retention of surveys: unused one-time codes, unfinished responses and raw answers."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from brukarkraft.retention import due_counts
from surveys.models import Answer, CodeBatch, OneTimeCode, Response, Survey
from surveys.retention import delete_raw_answers, delete_unused_codes
from surveys.tests.factories import answer_and_submit, make_published_survey, make_survey

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def periods(settings, tmp_path):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "unused_survey_codes": 90}
    settings.RETENTION_DAYS["abandoned_drafts"] = 180
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def now():
    return timezone.now()


def close(survey: Survey, when) -> Survey:
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED, closed_at=when)
    survey.refresh_from_db()
    return survey


def batch_of(survey: Survey, *codes: str, printed=None) -> CodeBatch:
    batch = CodeBatch.objects.create(survey=survey, size=len(codes))
    if printed is not None:
        CodeBatch.objects.filter(pk=batch.pk).update(created_at=printed)
    OneTimeCode.objects.bulk_create(OneTimeCode(batch=batch, survey=survey, code=c) for c in codes)
    return batch


def codes_left() -> set[str]:
    return set(OneTimeCode.objects.values_list("code", flat=True))


# --- One-time codes ----------------------------------------------------------------------


def test_unused_codes_go_the_period_after_the_survey_closed(now):
    batch_of(close(make_published_survey(), now - 90 * DAY - MINUTE), "DUE11111")
    batch_of(close(make_published_survey(), now - 90 * DAY + MINUTE), "KEPT2222")

    assert due_counts(now=now)["unused_survey_codes"] == 1
    assert delete_unused_codes(now) == 1

    assert codes_left() == {"KEPT2222"}


def test_a_used_code_is_kept(now):
    survey = make_published_survey()
    batch_of(survey, "USED-CCCC", "FREE-DDDD")
    started = answer_and_submit(survey, {}, one_time_code="USED-CCCC")
    close(survey, now - 400 * DAY)

    assert delete_unused_codes(now) == 1

    assert codes_left() == {"USED-CCCC"}
    assert OneTimeCode.objects.get(code="USED-CCCC").response == started


def test_a_code_someone_started_with_is_kept_while_their_answers_are(now):
    survey = make_published_survey()
    batch_of(survey, "HALF-EEEE")
    answer_and_submit(survey, {}, submit=False, one_time_code="HALF-EEEE")
    close(survey, now - 100 * DAY)

    assert delete_unused_codes(now) == 0
    assert codes_left() == {"HALF-EEEE"}


def test_a_survey_past_its_closing_date_counts_as_closed(now):
    survey = make_published_survey()
    batch_of(survey, "LATE6666")
    Survey.objects.filter(pk=survey.pk).update(closes_at=now - 91 * DAY)

    assert delete_unused_codes(now) == 1


def test_without_a_closing_date_the_batch_counts_from_printing_unless_the_survey_is_open(now):
    draft = make_survey()
    batch_of(draft, "DRFT7777", printed=now - 90 * DAY - MINUTE)
    batch_of(make_survey(), "DRFT8888", printed=now - 90 * DAY + MINUTE)
    # A published survey without an end date may still have its slips out there.
    batch_of(make_published_survey(), "OPEN9999", printed=now - 900 * DAY)

    assert delete_unused_codes(now) == 1
    assert codes_left() == {"DRFT8888", "OPEN9999"}


def test_a_batch_left_without_codes_goes_with_its_slips(now, django_capture_on_commit_callbacks):
    survey = close(make_published_survey(), now - 100 * DAY)
    emptied = batch_of(survey, "GONE1111", "GONE2222")
    emptied.slips.save("slips.pdf", ContentFile(b"%PDF-1.7"))
    storage, name = emptied.slips.storage, emptied.slips.name
    partly = batch_of(survey, "USED1212", "GONE3333")
    answer_and_submit(make_published_survey(), {})  # Someone else's response, untouched.
    OneTimeCode.objects.filter(code="USED1212").update(used_at=now - 200 * DAY)

    with django_capture_on_commit_callbacks(execute=True):
        assert delete_unused_codes(now) == 3

    assert set(CodeBatch.objects.values_list("pk", flat=True)) == {partly.pk}
    assert not storage.exists(name)


# --- Unfinished responses ----------------------------------------------------------------


def test_unfinished_responses_go_the_period_after_the_survey_closed(now):
    survey = make_published_survey()
    question = survey.questions.first()
    option = question.options.first()
    unfinished = answer_and_submit(survey, {question: option}, submit=False)
    sent = answer_and_submit(survey, {question: option})
    close(survey, now - 180 * DAY - MINUTE)
    other = make_published_survey()
    recent = answer_and_submit(other, {}, submit=False)
    close(other, now - 180 * DAY + MINUTE)

    assert due_counts(now=now)["abandoned_survey_responses"] == 1
    from brukarkraft.retention import apply_all

    assert apply_all(now=now)["abandoned_survey_responses"] == 1

    assert set(Response.objects.values_list("pk", flat=True)) == {sent.pk, recent.pk}
    # The sent answers are all still there.
    assert Answer.objects.filter(response=sent).count() == 1
    assert not Answer.objects.filter(response_id=unfinished.pk).exists()


def test_unfinished_responses_of_a_survey_still_open_are_kept(now):
    survey = make_published_survey()
    unfinished = answer_and_submit(survey, {}, submit=False)
    Response.objects.filter(pk=unfinished.pk).update(started_at=now - 900 * DAY)

    assert due_counts(now=now)["abandoned_survey_responses"] == 0
    assert Response.objects.filter(pk=unfinished.pk).exists()


# --- Raw answers (each survey's own period) ----------------------------------------------


def test_raw_answers_go_after_the_surveys_own_period_and_totals_stay(now):
    due = make_published_survey(retention_days=30)
    answer_and_submit(due, {})
    close(due, now - 30 * DAY - MINUTE)
    kept = make_published_survey(retention_days=30)
    answer_and_submit(kept, {})
    close(kept, now - 30 * DAY + MINUTE)

    assert due_counts(now=now)["survey_raw_answers"] == 1
    assert delete_raw_answers(now) == 1

    assert not Response.objects.filter(survey=due).exists()
    assert due.frozen_counts.exists()
    assert Response.objects.filter(survey=kept).count() == 1
