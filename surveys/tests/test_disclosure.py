"""No group under five, not even by comparing two selections (surveys.disclosure)."""

from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from brukarkraft.roles import Role
from brukarkraft.tests.factories import UserFactory
from surveys.disclosure import Cell, hidden_parts, may_show
from surveys.models import Kind, Response
from surveys.results import Filters, UnitCount, survey_results

from .factories import UnitFactory, answer_many, enter_paper, make_published_survey

pytestmark = pytest.mark.django_db

ALONE, HELPED = Response.Support.ALONE, Response.Support.HELPED


@pytest.fixture
def survey():
    return make_published_survey([Kind.YES_NO])


def yes_no(survey):
    question = survey.questions.counted().get()
    return question, question.options.get(value="yes"), question.options.get(value="no")


def counts(results) -> dict[str, int]:
    (item,) = results.questions
    return {row.value: row.count for row in item.rows}


def attack(survey):
    """Five answered alone (one yes), one with a helper (yes): "all" says two yes."""
    question, yes, no = yes_no(survey)
    answer_many(survey, 1, {question: yes}, support=ALONE)
    answer_many(survey, 4, {question: no}, support=ALONE)
    answer_many(survey, 1, {question: yes}, support=HELPED, support_role="family")


def test_comparing_all_respondents_with_those_who_answered_alone_yields_nothing(survey):
    attack(survey)

    everyone = survey_results(survey)
    alone = survey_results(survey, Filters(support=ALONE))
    helped = survey_results(survey, Filters(support=HELPED))

    assert counts(everyone) == {"yes": 2, "no": 4}
    # Five answered alone, but one short of everyone: it would give the helper away.
    assert alone.respondents == 5
    assert alone.suppressed is True
    assert alone.questions == []
    assert helped.suppressed is True
    assert helped.questions == []
    # Not even how many had a helper: "fewer than five" at most.
    assert everyone.helped is None or everyone.helped < 5


def test_the_results_page_shows_nothing_for_the_selection_that_gives_one_person_away(
    client, survey
):
    attack(survey)
    client.force_login(UserFactory(roles=[Role.STAFF], preferred_language="en"))
    with translation.override("en"):
        url = reverse("surveys:results", args=[survey.pk])

    page = client.get(url, {"support": ALONE}).content.decode()

    assert "This selection differs from a wider one by fewer than 5 people" in page
    assert "result-question" not in page


def test_a_question_that_differs_by_fewer_than_five_answers_is_hidden_in_the_selection(survey):
    question, yes, no = yes_no(survey)
    answer_many(survey, 5, {question: no}, support=ALONE)
    answer_many(survey, 1, {question: yes}, support=HELPED, support_role="family")
    # Four more with a helper skipped the question.
    answer_many(survey, 4, {}, support=HELPED, support_role="family")

    everyone = survey_results(survey)
    alone = survey_results(survey, Filters(support=ALONE))

    assert everyone.questions[0].suppressed is False
    assert counts(everyone) == {"yes": 1, "no": 5}
    # Ten people and five alone may both be shown, but not this question's five against six.
    assert alone.suppressed is False
    assert alone.questions[0].suppressed is True
    assert alone.questions[0].rows == []


def test_a_group_whose_complement_is_under_five_is_hidden(survey):
    question, yes, no = yes_no(survey)
    answer_many(survey, 7, {question: no})
    for _ in range(2):
        enter_paper(survey, {question: yes})

    assert survey_results(survey).suppressed is False
    assert survey_results(survey, Filters(channel=Response.Channel.WEB)).suppressed is True


def test_two_filters_together_are_one_group(survey):
    question, yes, no = yes_no(survey)
    small = UnitFactory(survey=survey, name="Caféet")
    big = UnitFactory(survey=survey, name="Verkstaden")
    answer_many(survey, 5, {question: no}, unit=big, support=ALONE)
    answer_many(survey, 2, {question: yes}, unit=small, support=HELPED, support_role="family")

    # Dropping either filter alone changes nothing; dropping both adds the two of Caféet.
    assert survey_results(survey, Filters(unit=big, support=ALONE)).suppressed is True


def test_a_unit_is_hidden_when_the_others_would_give_away_the_rest(survey):
    question, yes, no = yes_no(survey)
    first = UnitFactory(survey=survey, name="Caféet")
    second = UnitFactory(survey=survey, name="Verkstaden")
    answer_many(survey, 6, {question: no}, unit=first)
    answer_many(survey, 5, {question: no}, unit=second)
    # One answered on a link without a unit: everyone minus both units would be this one.
    answer_many(survey, 1, {question: yes})

    everyone = survey_results(survey)

    assert survey_results(survey, Filters(unit=first)).suppressed is False
    assert survey_results(survey, Filters(unit=second)).suppressed is True
    assert everyone.units == [UnitCount("Caféet", 6), UnitCount("Verkstaden", None)]


def test_a_period_next_to_a_day_with_fewer_than_five_is_hidden(survey):
    question, yes, no = yes_no(survey)
    zone = timezone.get_current_timezone()
    for day, count, pick in [(15, 5, no), (16, 2, yes)]:
        sent = answer_many(survey, count, {question: pick})
        Response.objects.filter(pk__in=[r.pk for r in sent]).update(
            submitted_at=datetime(2025, 1, day, 12, tzinfo=zone)
        )
    later = answer_many(survey, 5, {question: no})
    Response.objects.filter(pk__in=[r.pk for r in later]).update(
        submitted_at=datetime(2025, 3, 1, 12, tzinfo=zone)
    )

    one_day = Filters(date_from=date(2025, 1, 15), date_to=date(2025, 1, 15))
    january = Filters(date_from=date(2025, 1, 1), date_to=date(2025, 1, 31))

    # Moving the end a day on would show the two of 16 January.
    assert survey_results(survey, one_day).suppressed is True
    assert survey_results(survey, january).suppressed is False


def test_the_rule_on_counts_alone():
    web, paper = Response.Channel.WEB, Response.Channel.PAPER
    cells = {
        Cell(None, web, ALONE, None): 5,
        Cell(None, paper, ALONE, None): 5,
        Cell(None, web, HELPED, None): 5,
    }

    assert may_show(cells, Filters())
    assert may_show(cells, Filters(channel=web))
    assert may_show(cells, Filters(channel=paper))
    assert may_show(cells, Filters(support=HELPED))
    # Web and helped: five, but web alone is five more and everyone ten more: shown.
    assert may_show(cells, Filters(channel=web, support=HELPED))
    # One helped on paper: web and helped is then one short of all who were helped.
    one_more = {**cells, Cell(None, paper, HELPED, None): 1}
    assert not may_show(one_more, Filters(channel=web, support=HELPED))
    assert may_show(one_more, Filters(support=ALONE))
    assert hidden_parts({"a": 6, "b": 5, "c": 1}) == {"b", "c"}
    assert hidden_parts({"a": 6, "b": 5, "c": 0}) == set()
    assert hidden_parts({"a": 6, "b": 3, "c": 2}) == {"b", "c"}
