"""Results: counted in the database, small groups never shown, kept totals after purging."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone, translation

from surveys import services
from surveys.models import Answer, FrozenCount, Kind, Question, Response, Survey
from surveys.results import MIN_GROUP, Filters, UnitCount, survey_results, survey_summary

from .factories import (
    DONT_KNOW,
    OptionFactory,
    UnitFactory,
    add_question,
    answer_and_submit,
    answer_many,
    enter_paper,
    make_published_survey,
    make_survey,
)

pytestmark = pytest.mark.django_db

# Every query of one survey_results call (questions, options, counts), whatever the number
# of responses.
MAX_RESULT_QUERIES = 9


@pytest.fixture
def survey():
    return make_published_survey([Kind.SINGLE, Kind.YES_NO, Kind.NUMBER, Kind.TEXT])


def parts(survey: Survey) -> list[Question]:
    return list(survey.questions.in_order())


def counts(item) -> dict[str, int]:
    return {row.value: row.count for row in item.rows}


def percents(item) -> dict[str, float]:
    return {row.value: row.percent for row in item.rows}


def question_result(results, question):
    return next(item for item in results.questions if item.question == question)


def test_four_respondents_are_not_shown(survey):
    single, *_ = parts(survey)
    answer_many(survey, MIN_GROUP - 1, {single: single.options.first()}, support="helped")

    results = survey_results(survey)

    assert results.respondents == 4
    assert results.suppressed is True
    assert results.questions == []
    assert results.helped is None


def test_five_respondents_are_shown_with_counts_and_percentages(survey):
    single, yes_no, number, _text = parts(survey)
    first, second = single.options.all()
    yes = yes_no.options.get(value="yes")
    for pick, yes_or_dont_know, value in [
        (first, yes, 1),
        (first, yes, 2),
        (first, yes, 3),
        (second, yes, 4),
        (second, DONT_KNOW, 5),
    ]:
        answer_and_submit(survey, {single: pick, yes_no: yes_or_dont_know, number: value})
    # Someone who started but never sent is not counted.
    answer_and_submit(survey, {single: first}, submit=False)

    results = survey_results(survey)

    assert results.respondents == 5
    assert results.suppressed is False
    assert results.helped == 0
    single_result = question_result(results, single)
    assert single_result.answered == 5
    assert counts(single_result) == {first.value: 3, second.value: 2}
    assert percents(single_result) == {first.value: 60.0, second.value: 40.0}
    assert [row.label for row in single_result.rows] == [first.label, second.label]
    yes_no_result = question_result(results, yes_no)
    assert counts(yes_no_result) == {"yes": 4, "no": 0}
    assert percents(yes_no_result) == {"yes": 80.0, "no": 0.0}
    assert yes_no_result.dont_know == 1
    assert yes_no_result.dont_know_percent == 20.0
    number_result = question_result(results, number)
    assert (number_result.mean, number_result.minimum, number_result.maximum) == (3.0, 1, 5)
    text_result = question_result(results, _text)
    assert text_result.answered == 0
    assert text_result.skipped == 5
    assert text_result.suppressed is True


def test_a_conditional_question_answered_by_fewer_than_five_is_not_shown():
    survey = make_survey([Kind.SINGLE, Kind.YES_NO])
    first_question, follow_up = parts(survey)
    first, second = first_question.options.all()
    follow_up.show_if_option = first
    follow_up.save()
    survey = services.survey_publish(survey=survey, by=None)
    answer_many(survey, 3, {first_question: first, follow_up: follow_up.options.first()})
    answer_many(survey, 2, {first_question: second})

    results = survey_results(survey)

    assert results.suppressed is False
    shown = question_result(results, first_question)
    assert shown.suppressed is False
    assert counts(shown) == {first.value: 3, second.value: 2}
    hidden = question_result(results, follow_up)
    assert hidden.suppressed is True
    assert hidden.answered == 3
    assert hidden.skipped == 2
    assert hidden.rows == []
    assert hidden.dont_know == 0


def test_results_can_be_filtered_by_unit(survey):
    single, *_ = parts(survey)
    first, second = single.options.all()
    big = UnitFactory(survey=survey, name="Verkstaden")
    small = UnitFactory(survey=survey, name="Caféet")
    answer_many(survey, 6, {single: first}, unit=big)
    answer_many(survey, 2, {single: second}, unit=small)
    # Without a unit: with them the two small groups together are five (none to work out).
    answer_many(survey, 3, {single: second})

    in_big = survey_results(survey, Filters(unit=big))
    in_small = survey_results(survey, Filters(unit=small))

    assert in_big.respondents == 6
    assert counts(question_result(in_big, single)) == {first.value: 6, second.value: 0}
    assert in_small.respondents == 2
    assert in_small.suppressed is True
    assert in_small.questions == []


def test_results_can_be_filtered_by_channel(survey):
    single, *_ = parts(survey)
    first, second = single.options.all()
    answer_many(survey, 5, {single: first})
    for _ in range(6):
        enter_paper(survey, {single: second})

    on_paper = survey_results(survey, Filters(channel=Response.Channel.PAPER))
    on_the_web = survey_results(survey, Filters(channel=Response.Channel.WEB))
    everyone = survey_results(survey)

    assert on_paper.respondents == 6
    assert counts(question_result(on_paper, single)) == {first.value: 0, second.value: 6}
    assert on_the_web.respondents == 5
    assert counts(question_result(on_the_web, single)) == {first.value: 5, second.value: 0}
    assert counts(question_result(everyone, single)) == {first.value: 5, second.value: 6}


def test_results_can_be_filtered_by_support(survey):
    single, *_ = parts(survey)
    first, second = single.options.all()
    answer_many(
        survey,
        5,
        {single: first},
        support=Response.Support.HELPED,
        support_role=Response.SupportRole.FAMILY,
    )
    answer_many(survey, 5, {single: second}, support=Response.Support.ALONE)

    helped = survey_results(survey, Filters(support=Response.Support.HELPED))

    assert helped.respondents == 5
    assert counts(question_result(helped, single)) == {first.value: 5, second.value: 0}
    assert survey_results(survey).helped == 5


def test_results_can_be_filtered_by_period(survey):
    single, *_ = parts(survey)
    first, second = single.options.all()
    zone = timezone.get_current_timezone()
    january = answer_many(survey, 5, {single: first})
    march = answer_many(survey, 5, {single: second})
    Response.objects.filter(pk__in=[r.pk for r in january]).update(
        submitted_at=datetime(2025, 1, 15, 12, tzinfo=zone)
    )
    # Late in the evening of the last day still counts for that day.
    Response.objects.filter(pk__in=[r.pk for r in march]).update(
        submitted_at=datetime(2025, 3, 31, 23, 30, tzinfo=zone)
    )

    in_march = survey_results(
        survey, Filters(date_from=date(2025, 3, 1), date_to=date(2025, 3, 31))
    )
    from_february = survey_results(survey, Filters(date_from=date(2025, 2, 1)))
    until_february = survey_results(survey, Filters(date_to=date(2025, 2, 28)))

    assert in_march.filters.active
    assert in_march.respondents == 5
    assert counts(question_result(in_march, single)) == {first.value: 0, second.value: 5}
    assert from_february.respondents == 5
    assert until_february.respondents == 5
    assert counts(question_result(until_february, single)) == {first.value: 5, second.value: 0}


def test_units_with_fewer_than_five_respondents_show_no_count(survey):
    single, *_ = parts(survey)
    big = UnitFactory(survey=survey, name="Verkstaden")
    small = UnitFactory(survey=survey, name="Caféet")
    UnitFactory(survey=survey, name="Snickeriet")  # nobody answered here
    answer_many(survey, 6, {single: single.options.first()}, unit=big)
    answer_many(survey, 3, {single: single.options.first()}, unit=small)
    answer_many(survey, 2, {single: single.options.first()})

    results = survey_results(survey)

    assert results.respondents == 11
    assert results.units == [UnitCount("Caféet", None), UnitCount("Verkstaden", 6)]


def test_free_text_is_shown_only_when_approved(survey):
    *_, text = parts(survey)
    for words in ["Bra mat", "Snälla", "Roligt", "Tråkigt ibland", "Olle är dum", "Kul"]:
        answer_and_submit(survey, {text: words})
    answers = {a.text: a for a in Answer.objects.filter(question=text)}
    for words in ["Bra mat", "Roligt", "Kul"]:
        services.free_text_review(answer=answers[words], decision=Answer.Review.APPROVED)
    services.free_text_review(answer=answers["Olle är dum"], decision=Answer.Review.HIDDEN)

    item = question_result(survey_results(survey), text)

    assert item.suppressed is False
    assert item.texts == ["Bra mat", "Roligt", "Kul"]
    assert item.texts_waiting == 2


def test_free_text_in_a_group_under_five_is_not_shown_even_when_approved(survey):
    single, *_, text = parts(survey)
    answer_many(survey, 4, {single: single.options.first(), text: "Jag trivs"})
    answer_and_submit(survey, {single: single.options.first()})
    for stored in Answer.objects.filter(question=text):
        services.free_text_review(answer=stored, decision=Answer.Review.APPROVED)

    results = survey_results(survey)

    assert results.suppressed is False
    item = question_result(results, text)
    assert item.suppressed is True
    assert item.texts == []
    assert item.texts_waiting == 0


def test_practice_questions_are_not_in_the_results():
    survey = make_survey([Kind.SINGLE])
    practice = add_question(survey.sections.get(), Kind.YES_NO, is_practice=True)
    survey = services.survey_publish(survey=survey, by=None)
    (single,) = survey.questions.counted()
    answer_many(survey, 5, {practice: practice.options.first(), single: single.options.first()})

    results = survey_results(survey)

    assert [(item.number, item.question) for item in results.questions] == [(1, single)]


def grow(survey: Survey, count: int) -> None:
    single, multiple, yes_no, number, text = parts(survey)
    unit = UnitFactory(survey=survey)
    answers = {
        single: single.options.first(),
        multiple: list(multiple.options.all()),
        yes_no: DONT_KNOW,
        number: 3,
        text: "Bra",
    }
    answer_many(survey, count, answers, unit=unit, support=Response.Support.HELPED)
    for stored in Answer.objects.filter(question=text):
        services.free_text_review(answer=stored, decision=Answer.Review.APPROVED)


@pytest.mark.parametrize("count", [5, 40])
def test_the_number_of_queries_does_not_grow_with_the_responses(
    count, django_assert_max_num_queries
):
    survey = make_published_survey(
        [Kind.SINGLE, Kind.MULTIPLE, Kind.YES_NO, Kind.NUMBER, Kind.TEXT]
    )
    grow(survey, count)

    with django_assert_max_num_queries(2 * MAX_RESULT_QUERIES):
        results = survey_results(survey)
        filtered = survey_results(
            survey, Filters(support=Response.Support.HELPED, date_from=date(2000, 1, 1))
        )
        # Reading the labels must not query either.
        labels = [row.label for item in results.questions for row in item.rows]

    assert results.respondents == filtered.respondents == count
    assert all(not item.suppressed for item in results.questions)
    assert labels


def test_after_purging_results_come_from_the_kept_totals(survey):
    single, yes_no, number, _text = parts(survey)
    first, second = single.options.all()
    unit = UnitFactory(survey=survey)
    answer_many(
        survey, 4, {single: first, yes_no: yes_no.options.get(value="yes"), number: 2}, unit=unit
    )
    answer_many(survey, 3, {single: second, yes_no: DONT_KNOW, number: 9})
    for _ in range(5):
        enter_paper(survey, {single: second, yes_no: yes_no.options.get(value="no")})
    before = survey_results(survey)
    before_paper = survey_results(survey, Filters(channel=Response.Channel.PAPER))

    services.survey_purge_raw_answers(survey=survey)
    survey.refresh_from_db()

    assert not Response.objects.filter(survey=survey).exists()
    assert not Answer.objects.filter(question__survey=survey).exists()
    assert FrozenCount.objects.filter(survey=survey).exists()
    after = survey_results(survey)
    assert after.from_totals is True
    assert after.respondents == before.respondents == 12
    for old, new in zip(before.questions, after.questions, strict=True):
        assert new.question == old.question
        assert counts(new) == counts(old)
        assert new.dont_know == old.dont_know
    assert question_result(after, number).mean == question_result(before, number).mean
    assert counts(question_result(after, single)) == {first.value: 4, second.value: 8}
    after_paper = survey_results(survey, Filters(channel=Response.Channel.PAPER))
    assert after_paper.respondents == before_paper.respondents == 5
    assert counts(question_result(after_paper, single)) == {first.value: 0, second.value: 5}
    # A unit of four stays hidden after purging too.
    assert after.units == before.units == [UnitCount(unit.name, None)]
    assert survey_results(survey, Filters(unit=unit)).suppressed is True


def test_purging_twice_changes_nothing(survey):
    single, *_ = parts(survey)
    answer_many(survey, 5, {single: single.options.first()})
    services.survey_purge_raw_answers(survey=survey)
    kept = FrozenCount.objects.count()

    assert services.survey_purge_raw_answers(survey=survey) == 0
    assert FrozenCount.objects.count() == kept


def test_only_surveys_whose_retention_has_ended_are_purged():
    now = timezone.now()

    def survey_with_answers(**fields) -> Survey:
        survey = make_published_survey()
        single = survey.questions.get()
        answer_many(survey, 1, {single: single.options.first()})
        Survey.objects.filter(pk=survey.pk).update(**fields)
        return survey

    long_closed = survey_with_answers(
        status=Survey.Status.CLOSED, closed_at=now - timedelta(days=366), retention_days=365
    )
    just_due = survey_with_answers(
        status=Survey.Status.CLOSED, closed_at=now - timedelta(days=30), retention_days=30
    )
    past_closing_date = survey_with_answers(closes_at=now - timedelta(days=400))
    recently_closed = survey_with_answers(
        status=Survey.Status.CLOSED, closed_at=now - timedelta(days=10), retention_days=365
    )
    still_open = survey_with_answers(retention_days=0)
    open_with_a_later_closing_date = survey_with_answers(
        closes_at=now + timedelta(days=5), retention_days=0
    )
    draft = make_survey()

    assert services.surveys_purge_expired(now=now) == 3

    for survey in (long_closed, just_due, past_closing_date):
        survey.refresh_from_db()
        assert survey.raw_deleted_at is not None
        assert not survey.responses.exists()
    for survey in (recently_closed, still_open, open_with_a_later_closing_date, draft):
        survey.refresh_from_db()
        assert survey.raw_deleted_at is None
    for survey in (recently_closed, still_open, open_with_a_later_closing_date):
        assert survey.responses.count() == 1


def test_the_summary_uses_the_reports_language():
    survey = make_survey([])
    question = add_question(survey.sections.get(), Kind.SINGLE, options=0)
    OptionFactory(question=question, value="good", label_sv="Bra", label_nb="Godt", label_en="Good")
    OptionFactory(
        question=question, value="bad", label_sv="Dåligt", label_nb="Dårlig", label_en="Bad"
    )
    survey = services.survey_publish(survey=survey, by=None)
    answer_many(survey, 5, {question: question.options.first()})

    with translation.override("sv"):
        summary = survey_summary(survey, "nb")
        assert translation.get_language() == "sv"

    (item,) = summary.questions
    assert [row.label for row in item.rows] == ["Godt", "Dårlig"]
    assert item.text == question.text_nb
