"""Staff work on a survey: paper slips in every distribution mode, labels of texts needed to
publish, many answer options in one save, free-text review of many answers, deleting a
draft and test answers."""

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from brukarkraft.roles import Role
from brukarkraft.tests.factories import UserFactory
from surveys import services
from surveys.models import Answer, CodeBatch, Kind, OneTimeCode, Response, Survey, SurveyMember

from .factories import (
    UnitFactory,
    answer_and_submit,
    answer_many,
    make_published_survey,
    make_survey,
)
from .test_answering import my_place

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def start_url(survey: Survey, code: str | None = None) -> str:
    url = reverse("surveys:answer_start", args=[survey.token])
    return f"{url}?{urlencode({'code': code})}" if code else url


def slip(survey: Survey, unit=None) -> OneTimeCode:
    batch = services.code_batch_create(survey=survey, size=1, unit=unit)
    return batch.codes.get()


def start_with(client: Client, survey: Survey, code: str):
    """What a respondent does on the start page the slip's QR link opens."""
    page = client.get(start_url(survey, code))
    assert page.status_code == 200
    form = page.context["form"]
    assert form["code"].value() == code  # the field is there, filled in from the link
    return client.post(
        start_url(survey, code),
        {"start_key": form["start_key"].value(), "code": code, "support": "alone"},
    )


# --- Paper slips -------------------------------------------------------------------------


@pytest.mark.parametrize("open_link", [True, False])
@pytest.mark.parametrize("one_per_page", [True, False])
def test_a_slips_qr_link_starts_the_slips_answers_in_every_mode(client, open_link, one_per_page):
    survey = make_published_survey(open_link_enabled=open_link, one_question_per_page=one_per_page)
    unit = UnitFactory(survey=survey, name="Verkstaden")
    code = slip(survey, unit=unit)

    response = start_with(client, survey, code.code)

    assert response.status_code == 302
    code.refresh_from_db()
    assert code.response is not None
    assert code.response.unit == unit


@pytest.mark.parametrize("open_link", [True, False])
def test_a_slip_code_typed_at_the_resume_page_leads_to_its_survey(client, open_link):
    survey = make_published_survey(open_link_enabled=open_link)
    code = slip(survey)

    response = client.post(reverse("surveys:resume"), {"code": code.code.lower()})

    assert response.status_code == 302
    assert response["Location"] == start_url(survey, code.code)
    started = start_with(client, survey, code.code)
    assert started.status_code == 302
    code.refresh_from_db()
    assert code.response is not None


def test_a_slip_code_typed_again_after_starting_continues_the_same_answers(client):
    survey = make_published_survey()
    code = slip(survey)
    start_with(client, survey, code.code)
    code.refresh_from_db()

    other = Client()
    response = other.post(reverse("surveys:resume"), {"code": code.code})

    assert response.status_code == 302
    assert my_place(other).entries[str(survey.pk)]["r"] == code.response_id


def test_a_draft_slip_typed_at_the_resume_page_is_not_open_yet(client):
    survey = make_survey()
    code = slip(survey)

    response = client.post(reverse("surveys:resume"), {"code": code.code})

    assert response.status_code == 200
    assert response.context["form"].has_error("code", code="closed")


def test_the_open_link_without_slips_asks_for_no_code(client):
    survey = make_published_survey()

    page = client.get(start_url(survey))

    assert "code" not in page.context["form"].fields


def test_slips_for_a_closed_survey_are_refused_with_the_reason(client, staff):
    survey = make_published_survey()
    services.survey_close(survey=survey, by=None)
    client.force_login(staff)

    response = client.post(
        reverse("surveys:distribution", args=[survey.pk]), {"batch-size": 3, "batch-unit": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not CodeBatch.objects.exists()


def test_slips_for_a_draft_say_the_codes_work_once_it_is_published(client, staff):
    survey = make_survey()
    client.force_login(staff)

    response = client.post(
        reverse("surveys:distribution", args=[survey.pk]),
        {"batch-size": 2, "batch-unit": ""},
        follow=True,
    )

    texts = [str(m) for m in response.context["messages"]]
    assert any("publicerad" in text for text in texts), texts


# --- Labels of texts needed to publish ---------------------------------------------------


def test_texts_the_check_requires_are_labelled_needed_to_publish(client, staff):
    survey = make_survey()
    question = survey.questions.first()
    client.force_login(staff)

    page = client.get(
        reverse("surveys:question_edit", args=[survey.pk, question.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    form = page.context["form"]

    for name in ("text_nb", "text_en", "easy_sv", "easy_nb", "easy_en"):
        assert form.fields[name].needed_for, name
    html = page.content.decode()
    label = html[
        html.index('for="id_text_en"') : html.index("</label>", html.index('for="id_text_en"'))
    ]
    assert "needed to publish" in label or "krävs för att publicera" in label
    assert "(optional)" not in label and "(frivilligt)" not in label
    settings_page = client.get(reverse("surveys:settings", args=[survey.pk]))
    assert settings_page.context["form"].fields["title_en"].needed_for
    assert not hasattr(settings_page.context["form"].fields["intro_en"], "needed_for")


# --- Many answer options in one save -----------------------------------------------------


def option_data(question, labels: list[str]) -> dict:
    data = {
        "section": question.section_id,
        "kind": question.kind,
        "text_sv": question.text_sv,
        "options-TOTAL_FORMS": str(len(labels)),
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "1000",
    }
    for index, label in enumerate(labels):
        data[f"options-{index}-label_sv"] = label
    return data


@pytest.fixture
def day_question():
    """A draft's single-choice question without options yet."""
    survey = make_survey()
    question = services.question_add(
        section=survey.sections.get(), kind=Kind.SINGLE, text_sv="Vilken dag?"
    )
    return survey, question


def test_eight_answer_options_are_saved_at_once(client, staff, day_question):
    survey, question = day_question
    client.force_login(staff)
    labels = ["Måndag", "Tisdag", "Onsdag", "Torsdag", "Fredag", "Lördag", "Söndag", "Vet ej"]

    response = client.post(
        reverse("surveys:question_edit", args=[survey.pk, question.pk]),
        option_data(question, labels),
    )

    assert response.status_code == 302
    assert list(question.options.order_by("position").values_list("label_sv", flat=True)) == labels


def test_without_javascript_more_empty_options_are_offered_after_a_save(
    client, staff, day_question
):
    survey, question = day_question
    client.force_login(staff)
    url = reverse("surveys:question_edit", args=[survey.pk, question.pk])
    data = option_data(question, ["Måndag", "Tisdag"])

    response = client.post(url, {**data, "action": "more_options", "more_options": "6"})

    assert response.status_code == 302
    assert response["Location"] == f"{url}?rows=6#options"
    page = client.get(response["Location"])
    formset = page.context["formset"]
    assert len(formset.forms) == 2 + 6
    assert question.options.count() == 2
    # The page says how to add more, and the script's button has a template to copy.
    html = page.content.decode()
    assert 'name="more_options"' in html
    assert "data-option-template" in html
    assert "surveys/builder.js" in html


def test_the_number_of_empty_options_is_kept_within_bounds(client, staff, day_question):
    survey, question = day_question
    client.force_login(staff)
    url = reverse("surveys:question_edit", args=[survey.pk, question.pk])

    assert len(client.get(f"{url}?rows=5000").context["formset"].forms) == 20
    assert len(client.get(f"{url}?rows=x").context["formset"].forms) == 2


# --- Free-text review of many answers ----------------------------------------------------


@pytest.fixture
def texts():
    survey = make_published_survey(kinds=(Kind.TEXT,))
    question = survey.questions.get()
    for words in ("Bra", "Trevlig personal", "Jag heter Anna", "Maten"):
        answer_and_submit(survey, {question: words})
    return survey, {a.text: a for a in Answer.objects.filter(question=question)}


def test_many_free_text_answers_are_approved_at_once(client, staff, texts):
    survey, answers = texts
    client.force_login(staff)
    chosen = [answers["Bra"].pk, answers["Trevlig personal"].pk, answers["Maten"].pk]

    response = client.post(
        reverse("surveys:free_text", args=[survey.pk]),
        {"answers": chosen, "decision": "approved"},
    )

    assert response.status_code == 302
    reviews = dict(Answer.objects.values_list("text", "review"))
    assert reviews == {
        "Bra": "approved",
        "Trevlig personal": "approved",
        "Maten": "approved",
        "Jag heter Anna": "pending",
    }


def test_many_free_text_answers_are_hidden_at_once_and_one_at_a_time_still_works(
    client, staff, texts
):
    survey, answers = texts
    client.force_login(staff)
    url = reverse("surveys:free_text", args=[survey.pk])

    client.post(url, {"answers": [answers["Jag heter Anna"].pk], "decision": "hidden"})
    client.post(url, {"answer": answers["Bra"].pk, "decision": "approved"})

    assert Answer.objects.get(pk=answers["Jag heter Anna"].pk).review == "hidden"
    assert Answer.objects.get(pk=answers["Bra"].pk).review == "approved"


def test_nothing_ticked_or_no_decision_changes_nothing(client, staff, texts):
    survey, answers = texts
    client.force_login(staff)
    url = reverse("surveys:free_text", args=[survey.pk])

    first = client.post(url, {"decision": "approved"}, follow=True)
    client.post(url, {"answers": [answers["Bra"].pk], "decision": "pending"})

    assert [str(m) for m in first.context["messages"]]
    assert set(Answer.objects.values_list("review", flat=True)) == {"pending"}


def test_answers_of_another_survey_are_not_touched(client, staff, texts):
    survey, answers = texts
    other_survey = make_published_survey(kinds=(Kind.TEXT,))
    question = other_survey.questions.get()
    answer_and_submit(other_survey, {question: "Annan"})
    other = Answer.objects.get(question=question)
    client.force_login(staff)

    client.post(
        reverse("surveys:free_text", args=[survey.pk]),
        {"answers": [other.pk, answers["Bra"].pk], "decision": "hidden"},
    )

    other.refresh_from_db()
    assert other.review == "pending"
    assert Answer.objects.get(pk=answers["Bra"].pk).review == "hidden"


def test_an_outsider_cannot_review(client, texts):
    survey, answers = texts
    client.force_login(UserFactory(roles=[Role.AUDITOR]))

    response = client.post(
        reverse("surveys:free_text", args=[survey.pk]),
        {"answers": [answers["Bra"].pk], "decision": "approved"},
    )

    assert response.status_code == 404
    assert set(Answer.objects.values_list("review", flat=True)) == {"pending"}


def test_the_review_page_queries_do_not_grow_with_the_answers(
    client, staff, django_assert_max_num_queries
):
    survey = make_published_survey(kinds=(Kind.TEXT,))
    question = survey.questions.get()
    answer_many(survey, 30, {question: "Bra"})
    client.force_login(staff)

    with django_assert_max_num_queries(12):
        client.get(reverse("surveys:free_text", args=[survey.pk]))


# --- Deleting a draft and test answers ---------------------------------------------------


def test_a_draft_is_deleted_after_a_confirmation_page_with_a_trail(client, staff):
    survey = make_survey()
    services.code_batch_create(survey=survey, size=2)
    client.force_login(staff)
    url = reverse("surveys:delete", args=[survey.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert page.context["deletable"]
    assert Survey.objects.filter(pk=survey.pk).exists()

    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:list")
    assert not Survey.objects.filter(pk=survey.pk).exists()
    assert not OneTimeCode.objects.exists()
    entry = LogEntry.objects.get(object_id=str(survey.pk))
    assert entry.action_flag == DELETION
    assert entry.user == staff


def test_a_published_survey_cannot_be_deleted(client, staff):
    survey = make_published_survey()
    client.force_login(staff)

    page = client.get(reverse("surveys:delete", args=[survey.pk]))
    response = client.post(reverse("surveys:delete", args=[survey.pk]))

    assert not page.context["deletable"]
    assert response.status_code == 302
    assert Survey.objects.filter(pk=survey.pk).exists()
    assert not LogEntry.objects.exists()


def test_only_those_who_may_build_the_survey_may_delete_it(client):
    survey = make_survey()
    analyst = UserFactory(roles=[Role.AUDITOR])
    services.survey_grant_access(survey=survey, user=analyst, role=SurveyMember.Role.ANALYST)

    client.force_login(analyst)
    assert client.post(reverse("surveys:delete", args=[survey.pk])).status_code == 403
    client.force_login(UserFactory(roles=[Role.AUDITOR]))
    assert client.post(reverse("surveys:delete", args=[survey.pk])).status_code == 404
    assert Survey.objects.filter(pk=survey.pk).exists()


def test_test_answers_are_deleted_and_the_questions_can_change_again(client, staff):
    survey = make_published_survey()
    question = survey.questions.get()
    code = slip(survey)
    start_with(Client(), survey, code.code)
    answer_and_submit(survey, {question: question.options.first()})
    client.force_login(staff)
    url = reverse("surveys:test_answers_delete", args=[survey.pk])

    page = client.get(url)
    assert page.context["deletable"]
    assert page.context["response_count"] == 2
    response = client.post(url)

    assert response.status_code == 302
    assert not Response.objects.filter(survey=survey).exists()
    code.refresh_from_db()
    assert code.response is None and code.used_at is None
    services.survey_ensure_editable(survey)  # no longer locked
    entry = LogEntry.objects.get(object_id=str(survey.pk))
    assert entry.action_flag == CHANGE
    assert entry.user == staff


def test_answers_of_five_people_are_kept(client, staff):
    survey = make_published_survey()
    question = survey.questions.get()
    answer_many(survey, 5, {question: question.options.first()})
    client.force_login(staff)

    response = client.post(reverse("surveys:test_answers_delete", args=[survey.pk]))

    assert response.status_code == 302
    assert Response.objects.filter(survey=survey).count() == 5
    assert not LogEntry.objects.exists()


def test_the_builder_offers_deleting_only_where_it_is_allowed(client, staff):
    draft = make_survey()
    published = make_published_survey()
    client.force_login(staff)

    draft_page = client.get(reverse("surveys:builder", args=[draft.pk])).content.decode()
    published_page = client.get(reverse("surveys:builder", args=[published.pk])).content.decode()

    assert reverse("surveys:delete", args=[draft.pk]) in draft_page
    assert reverse("surveys:delete", args=[published.pk]) not in published_page
    assert reverse("surveys:test_answers_delete", args=[published.pk]) not in published_page
    question = published.questions.get()
    answer_and_submit(published, {question: question.options.first()})
    published_page = client.get(reverse("surveys:builder", args=[published.pk])).content.decode()
    assert reverse("surveys:test_answers_delete", args=[published.pk]) in published_page


def test_pressing_delete_twice_leads_back_to_the_list(client, staff):
    survey = make_survey()
    client.force_login(staff)
    url = reverse("surveys:delete", args=[survey.pk])

    first = client.post(url)
    second = client.post(url)

    assert first.status_code == second.status_code == 302
    assert second["Location"] == reverse("surveys:list")
    # Someone else pressing on a deleted survey learns nothing.
    client.force_login(UserFactory(roles=[Role.STAFF]))
    assert client.post(url).status_code == 404


def test_answers_begun_by_five_people_are_kept(client, staff):
    survey = make_published_survey()
    question = survey.questions.get()
    for _ in range(5):
        answer_and_submit(survey, {question: question.options.first()}, submit=False)
    client.force_login(staff)

    client.post(reverse("surveys:test_answers_delete", args=[survey.pk]))

    assert Response.objects.filter(survey=survey).count() == 5
