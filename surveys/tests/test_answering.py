"""Answering a survey through the respondent pages, as an anonymous person with a phone."""

import re
from datetime import timedelta

import pytest
from django.db import models
from django.template.defaultfilters import date as date_filter
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from surveys import services
from surveys.models import Answer, Kind, OneTimeCode, Question, Response, Survey
from surveys.place import Place

from .factories import SectionFactory, SurveyFactory, add_question, make_published_survey

pytestmark = pytest.mark.django_db

CODE = re.compile(r'class="survey-code">.*?<strong>([A-Z0-9]{4}-[A-Z0-9]{4})</strong>', re.S)


def sv(message: str, **values) -> str:
    """A message as a Swedish-speaking respondent sees it (unprefixed pages are Swedish)."""
    with translation.override("sv"):
        text = gettext(message)
    return text % values if values else text


def page_text(response) -> str:
    return response.content.decode()


def make_conditional_survey(**survey_fields) -> Survey:
    """Three questions: a choice, a follow-up shown only after its first option, a number 0–10."""
    survey = SurveyFactory(**survey_fields)
    section = SectionFactory(survey=survey, position=1)
    first = add_question(section, Kind.SINGLE)
    add_question(section, Kind.SINGLE, show_if_option=first.options.first())
    add_question(section, Kind.NUMBER, min_value=0, max_value=10)
    return services.survey_publish(survey=survey, by=None)


@pytest.fixture
def survey():
    return make_conditional_survey()


@pytest.fixture
def questions(survey):
    return list(survey.questions.in_order())


def start_url(survey: Survey) -> str:
    return reverse("surveys:answer_start", args=[survey.token])


def question_url(survey: Survey, question: Question) -> str:
    return reverse("surveys:answer_question", args=[survey.token, question.pk])


def review_url(survey: Survey) -> str:
    return reverse("surveys:answer_review", args=[survey.token])


def done_url(survey: Survey) -> str:
    return reverse("surveys:answer_done", args=[survey.token])


def start(client: Client, survey: Survey, start_key: str | None = None, **data):
    return client.post(
        start_url(survey), {"start_key": start_key or services.new_start_key(), **data}
    )


def answer(client: Client, survey: Survey, question: Question, value="", action="next"):
    return client.post(
        question_url(survey, question), {f"q{question.pk}-answer": value, "action": action}
    )


def my_place(client: Client) -> Place:
    """What the browser's signed answering cookie says, as the server reads it."""
    request = RequestFactory().get("/")
    request.COOKIES = {name: morsel.value for name, morsel in client.cookies.items()}
    return Place.read(request)


def my_response(client: Client, survey: Survey) -> Response:
    return Response.objects.get(pk=my_place(client).entries[str(survey.pk)]["r"])


# --- The start page ---------------------------------------------------------------------------


def test_the_start_page_of_a_published_survey_opens(client, survey):
    response = client.get(start_url(survey))
    assert response.status_code == 200
    assert escape(survey.title) in page_text(response)
    assert response.context["question_count"] == 3


def test_a_draft_survey_is_not_found_by_respondents(client):
    draft = SurveyFactory()
    assert client.get(start_url(draft)).status_code == 404
    assert start(client, draft).status_code == 404
    assert not Response.objects.exists()


def assert_polite_closed_page(response) -> None:
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "surveys/answer_closed.html"
    assert sv("The survey is closed. You can no longer answer it.") in page_text(response)
    assert "stängd" in page_text(response)


def test_a_closed_survey_shows_a_polite_closed_page(client, survey):
    services.survey_close(survey=survey, by=None)
    assert_polite_closed_page(client.get(start_url(survey)))
    assert_polite_closed_page(start(client, survey))
    assert not Response.objects.exists()


def test_a_survey_whose_closing_time_has_passed_shows_the_closed_page(client, survey):
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert_polite_closed_page(client.get(start_url(survey)))
    assert_polite_closed_page(start(client, survey))
    assert not Response.objects.exists()


def test_a_survey_not_yet_open_says_when_it_opens(client, survey):
    opens = timezone.now() + timedelta(days=3)
    Survey.objects.filter(pk=survey.pk).update(opens_at=opens)
    response = client.get(start_url(survey))
    assert response.status_code == 200
    with translation.override("sv"):
        when = date_filter(timezone.localtime(opens), "j F Y, H:i")
    expected = sv("The survey opens on %(date)s. Welcome back then!", date=when)
    assert escape(expected) in page_text(response)
    assert sv("The survey is closed. You can no longer answer it.") not in page_text(response)
    assert start(client, survey).status_code == 200
    assert not Response.objects.exists()


# --- One question per page ------------------------------------------------------------------


def test_starting_twice_with_the_same_key_gives_one_response(client, survey, questions):
    first = start(client, survey, start_key="a" * 32)
    again = start(client, survey, start_key="a" * 32)
    assert first.status_code == again.status_code == 302
    assert first.url == again.url == question_url(survey, questions[0])
    assert Response.objects.count() == 1
    assert my_response(client, survey).status == Response.Status.IN_PROGRESS


def test_a_follow_up_question_is_skipped_when_its_condition_is_not_met(client, survey, questions):
    choice, follow_up, number = questions
    start(client, survey)
    response = answer(client, survey, choice, choice.options.last().pk)
    assert response.status_code == 302
    assert response.url == question_url(survey, number)
    response = answer(client, survey, number, 4)
    assert response.url == review_url(survey)
    answers = my_response(client, survey).answers
    assert answers.get(question=choice).option == choice.options.last()
    assert answers.get(question=number).number == 4
    assert not answers.filter(question=follow_up).exists()
    review = client.get(review_url(survey))
    assert [q for _n, q, _answered in review.context["rows"]] == [choice, number]


def test_a_follow_up_question_is_shown_when_its_condition_is_met(client, survey, questions):
    choice, follow_up, number = questions
    start(client, survey)
    response = answer(client, survey, choice, choice.options.first().pk)
    assert response.url == question_url(survey, follow_up)
    page = client.get(response.url)
    assert page.status_code == 200
    assert page.context["question"] == follow_up
    response = answer(client, survey, follow_up, follow_up.options.last().pk)
    assert response.url == question_url(survey, number)
    assert my_response(client, survey).answers.get(question=follow_up).option_id == (
        follow_up.options.last().pk
    )


def test_answering_a_hidden_question_by_its_address_is_refused(client, survey, questions):
    choice, follow_up, number = questions
    start(client, survey)
    answer(client, survey, choice, choice.options.last().pk)
    refused = sv("That question is not part of your survey.")
    response = client.post(
        question_url(survey, follow_up),
        {f"q{follow_up.pk}-answer": follow_up.options.first().pk, "action": "next"},
        follow=True,
    )
    assert response.redirect_chain == [(question_url(survey, choice), 302)]
    assert [str(m) for m in response.context["messages"]] == [refused]
    assert not Answer.objects.filter(question=follow_up).exists()
    page = client.get(question_url(survey, follow_up), follow=True)
    assert page.redirect_chain == [(question_url(survey, choice), 302)]
    assert [str(m) for m in page.context["messages"]] == [refused]


def test_an_option_of_another_question_is_refused(client, survey, questions):
    choice, follow_up, number = questions
    start(client, survey)
    response = answer(client, survey, choice, follow_up.options.first().pk)
    assert response.status_code == 200
    assert response.context["form"].has_error("answer", code="invalid_choice")
    assert escape(sv("That answer is not one of the choices. Choose again.")) in page_text(response)
    assert not Answer.objects.exists()


def test_a_number_out_of_range_is_refused(client, survey, questions):
    choice, follow_up, number = questions
    start(client, survey)
    response = answer(client, survey, number, 11)
    assert response.status_code == 200
    assert response.context["form"].has_error("answer", code="max_value")
    assert 'aria-invalid="true"' in page_text(response)
    response = answer(client, survey, number, -1)
    assert response.context["form"].has_error("answer", code="min_value")
    assert not Answer.objects.exists()


def test_skipping_stores_nothing_for_the_question(client, survey, questions):
    choice, follow_up, number = questions
    start(client, survey)
    answer(client, survey, choice, choice.options.last().pk)
    answer(client, survey, number, 7)
    # Coming back and skipping takes back the earlier answer as well.
    response = answer(client, survey, number, 3, action="skip")
    assert response.status_code == 302
    assert response.url == review_url(survey)
    assert not Answer.objects.filter(question=number).exists()
    assert Answer.objects.filter(question=choice).count() == 1


def test_i_dont_understand_counts_and_shows_the_easy_and_help_text(client, survey, questions):
    choice = questions[0]
    start(client, survey)
    before = client.get(question_url(survey, choice))
    assert escape(choice.easy) not in page_text(before)
    response = answer(client, survey, choice, action="explain")
    assert response.status_code == 302
    assert response.url == f"{question_url(survey, choice)}?explain=1#question"
    choice.refresh_from_db()
    assert choice.not_understood_count == 1
    page = client.get(question_url(survey, choice), {"explain": "1"})
    content = page_text(page)
    assert escape(choice.easy) in content
    assert escape(choice.help) in content
    assert escape(sv("The question in other words")) in content
    assert not Answer.objects.exists()


def test_the_easy_to_read_switch_shows_the_easy_text(client, survey, questions):
    choice = questions[0]
    start(client, survey)
    url = question_url(survey, choice)
    assert escape(choice.easy) not in page_text(client.get(url))
    response = client.post(
        reverse("surveys:answer_settings", args=[survey.token]), {"easy_read": "1", "next": url}
    )
    assert response.status_code == 302
    assert response.url == url
    assert my_response(client, survey).easy_read is True
    page = client.get(url)
    assert page.context["easy"] is True
    heading = re.search(r'<h1 class="survey-question__text".*?</h1>', page_text(page), re.S)
    assert escape(choice.easy) in heading.group(0)
    assert escape(choice.text) not in heading.group(0)


def test_the_easy_to_read_switch_does_not_lead_to_another_site(client, survey):
    start(client, survey)
    response = client.post(
        reverse("surveys:answer_settings", args=[survey.token]),
        {"easy_read": "1", "next": "https://example.com/"},
    )
    assert response.url == start_url(survey)


def test_sending_twice_gives_one_sent_response(client, survey, questions):
    choice, follow_up, number = questions
    start(client, survey)
    answer(client, survey, choice, choice.options.last().pk)
    first = client.post(review_url(survey))
    again = client.post(review_url(survey))
    assert first.status_code == again.status_code == 302
    assert first.url == again.url == done_url(survey)
    assert Response.objects.count() == 1
    sent = Response.objects.get()
    assert sent.is_submitted
    assert sent.submitted_at is not None
    assert client.get(done_url(survey)).status_code == 200


def test_after_sending_a_question_page_leads_to_the_thank_you_page(client, survey, questions):
    choice, follow_up, number = questions
    start(client, survey)
    answer(client, survey, choice, choice.options.last().pk)
    client.post(review_url(survey))
    response = client.get(question_url(survey, number))
    assert response.status_code == 302
    assert response.url == done_url(survey)
    response = answer(client, survey, choice, choice.options.first().pk)
    assert response.url == done_url(survey)
    assert Answer.objects.get(question=choice).option == choice.options.last()


def test_back_keeps_the_answer_and_returns_to_the_previous_visible_question(
    client, survey, questions
):
    choice, follow_up, number = questions
    start(client, survey)
    answer(client, survey, choice, choice.options.last().pk)
    response = answer(client, survey, number, 6, action="back")
    assert response.url == question_url(survey, choice)
    assert Answer.objects.get(question=number).number == 6
    page = client.get(question_url(survey, number))
    assert page.context["form"].initial == {"answer": 6}


def test_a_question_page_without_a_started_response_leads_to_the_start(client, survey, questions):
    response = answer(client, survey, questions[0], questions[0].options.first().pk)
    assert response.status_code == 302
    assert response.url == start_url(survey)
    assert not Answer.objects.exists()


# --- Stopping and continuing ------------------------------------------------------------------


def test_the_code_from_the_pause_page_continues_the_survey_on_another_device(
    client, survey, questions
):
    choice, follow_up, number = questions
    start(client, survey)
    response = answer(client, survey, choice, choice.options.last().pk, action="pause")
    assert response.url == reverse("surveys:answer_pause", args=[survey.token])
    pause = client.get(response.url)
    assert pause.status_code == 200
    code = CODE.search(page_text(pause)).group(1)
    started = my_response(client, survey)
    assert started.resume_hash == services.code_hash(code)

    phone = Client()
    response = phone.post(reverse("surveys:resume"), {"code": code.lower().replace("-", " ")})
    assert response.status_code == 302
    assert response.url == question_url(survey, number)
    assert my_response(phone, survey).pk == started.pk
    answer(phone, survey, number, 5)
    phone.post(review_url(survey))
    started.refresh_from_db()
    assert started.is_submitted
    assert Response.objects.count() == 1
    assert sorted(started.answers.values_list("question_id", flat=True)) == [choice.pk, number.pk]


def test_a_wrong_code_to_continue_gives_an_error(client, survey):
    start(client, survey)
    response = Client().post(reverse("surveys:resume"), {"code": "ABCD-EFGH"})
    assert response.status_code == 200
    assert response.context["form"].has_error("code", code="bad_code")
    assert escape(
        sv("We do not recognise that code. Check the letters and try again.")
    ) in page_text(response)


# --- One-time codes ---------------------------------------------------------------------------


@pytest.fixture
def code_survey():
    # Only people handed a slip may answer: the open link is turned off.
    return make_published_survey(open_link_enabled=False)


def test_a_code_survey_cannot_be_started_without_a_code(client, code_survey):
    services.code_batch_create(survey=code_survey, size=2)
    response = start(client, code_survey)
    assert response.status_code == 200
    assert response.context["form"].has_error("code", code="required")
    response = start(client, code_survey, start_key="b" * 32, code="ZZZZ-ZZZZ")
    assert response.status_code == 200
    assert response.context["form"].has_error("code", code="bad_code")
    assert not Response.objects.exists()


def test_a_one_time_code_works_once(client, code_survey):
    batch = services.code_batch_create(survey=code_survey, size=2)
    slip = batch.codes.first()
    question = code_survey.questions.get()
    response = start(client, code_survey, code=slip.code)
    assert response.status_code == 302
    assert response.url == question_url(code_survey, question)
    slip.refresh_from_db()
    assert slip.response == my_response(client, code_survey)
    answer(client, code_survey, question, question.options.first().pk)
    client.post(review_url(code_survey))
    slip.refresh_from_db()
    assert slip.used_at is not None

    again = Client()
    response = start(again, code_survey, start_key="c" * 32, code=slip.code)
    assert response.status_code == 200
    assert response.context["form"].has_error("code", code="used_code")
    assert sv("That code has already been used to send answers.") in page_text(response)
    assert Response.objects.count() == 1
    assert OneTimeCode.objects.filter(response__isnull=False).count() == 1


# --- All questions on one page ------------------------------------------------------------


@pytest.fixture
def one_page_survey():
    return make_conditional_survey(one_question_per_page=False)


def test_all_answers_on_one_page_are_saved_at_once(client, one_page_survey):
    choice, follow_up, number = one_page_survey.questions.in_order()
    response = start(client, one_page_survey)
    all_url = reverse("surveys:answer_all", args=[one_page_survey.token])
    assert response.url == all_url
    assert client.get(all_url).status_code == 200
    response = client.post(
        all_url,
        {
            f"q{choice.pk}-answer": choice.options.first().pk,
            f"q{follow_up.pk}-answer": follow_up.options.last().pk,
            f"q{number.pk}-answer": 9,
            "action": "next",
        },
    )
    assert response.status_code == 302
    assert response.url == review_url(one_page_survey)
    answers = my_response(client, one_page_survey).answers
    assert answers.get(question=choice).option == choice.options.first()
    assert answers.get(question=follow_up).option == follow_up.options.last()
    assert answers.get(question=number).number == 9


def test_answering_a_hidden_question_on_the_one_page_form_saves_nothing(client, one_page_survey):
    choice, follow_up, number = one_page_survey.questions.in_order()
    start(client, one_page_survey)
    response = client.post(
        reverse("surveys:answer_all", args=[one_page_survey.token]),
        {
            f"q{choice.pk}-answer": choice.options.last().pk,
            f"q{follow_up.pk}-answer": follow_up.options.first().pk,
            f"q{number.pk}-answer": 9,
        },
    )
    assert response.status_code == 200
    forms = {form.question: form for form in response.context["forms"]}
    assert forms[follow_up].has_error("answer", code="hidden_question")
    assert not forms[choice].errors
    assert escape(
        sv("This question is not part of your survey, so its answer was not saved.")
    ) in page_text(response)
    assert not Answer.objects.exists()


# --- Nothing about the person -----------------------------------------------------------------

PERSONAL = re.compile(r"(^|_)(ip|remote|addr|address|agent|device|user|account|email|name)(_|$)")


def test_responses_and_answers_have_no_field_for_a_person_or_their_device(django_user_model):
    for model in (Response, Answer):
        for field in model._meta.get_fields():
            assert not PERSONAL.search(field.name), f"{model.__name__}.{field.name}"
            assert not isinstance(field, models.GenericIPAddressField), field.name
            assert field.related_model is not django_user_model, f"{model.__name__}.{field.name}"


def test_a_logged_in_staff_member_who_answers_leaves_no_trace_of_themselves(
    client, staff, survey, questions
):
    # Sara tries the survey while logged in: her answers must still be anonymous.
    choice, follow_up, number = questions
    client.force_login(staff)
    address, agent = "203.0.113.77", "Brukarkraft-Testwebblasare/9.9"
    client.defaults.update({"REMOTE_ADDR": address, "HTTP_USER_AGENT": agent})
    start(client, survey)
    answer(client, survey, choice, choice.options.first().pk)
    answer(client, survey, follow_up, follow_up.options.first().pk)
    answer(client, survey, number, 2)
    client.post(review_url(survey))
    sent = Response.objects.get()
    assert sent.is_submitted
    rows = [sent, *sent.answers.all()]
    assert len(rows) == 4
    for row in rows:
        for field in row._meta.concrete_fields:
            value = str(field.value_from_object(row))
            for trace in (address, agent, staff.email, staff.full_name):
                assert trace not in value, f"{type(row).__name__}.{field.name}"
    # Sending ended the place: no response and no code are left in the browser.
    assert my_place(client).entries == {str(survey.pk): {"sent": 1}}
    assert client.get(reverse("surveys:list")).status_code == 200
