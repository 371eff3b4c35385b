"""Builder and results pages: who may reach what, what the builder does, and query counts."""

import csv
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext, ngettext
from PIL import Image

from brukarkraft.roles import Role
from brukarkraft.tests.factories import UserFactory
from surveys import services
from surveys.checks import survey_problems
from surveys.models import (
    LANGUAGES,
    CodeBatch,
    ExportJob,
    Kind,
    Question,
    Survey,
    SurveyMember,
)

from .factories import (
    BankQuestionFactory,
    SectionFactory,
    SurveyFactory,
    add_question,
    answer_and_submit,
    answer_many,
    make_published_survey,
    make_survey,
)

pytestmark = pytest.mark.django_db

# Pages that only read (or that analysts may use); the rest change the survey.
READ_PAGES = {"list", "builder", "preview", "paper_pdf", "paper_entry", "results", "free_text"}
READ_PAGES |= {"exports"}
EDIT_PAGES = {
    "settings",
    "question_create",
    "question_edit",
    "question_delete",
    "bank",
    "distribution",
    "code_slips",
    "delete",
    "test_answers_delete",
}
OWN_EXPORT_PAGES = {"export_status", "export_download"}
STAFF_PAGES = {"members"}
# Actions that only take POST and change the survey.
EDIT_ACTIONS = {"publish", "close", "new_version", "question_move", "section_create"}


def sv(message: str, **values) -> str:
    """A message as a Swedish-speaking user sees it (unprefixed pages are Swedish)."""
    with translation.override("sv"):
        text = gettext(message)
    return text % values if values else text


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def page_text(response) -> str:
    return response.content.decode()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def survey():
    # A published survey with a choice question and a free-text question.
    return make_published_survey(kinds=(Kind.SINGLE, Kind.TEXT))


@pytest.fixture
def analyst(survey):
    # Anna is a user auditor on this survey who reads results but may not change it.
    user = UserFactory(full_name="Anna Analytiker", roles=[Role.AUDITOR])
    services.survey_grant_access(survey=survey, user=user, role=SurveyMember.Role.ANALYST)
    return user


@pytest.fixture
def lead_auditor(survey):
    # Linnea leads the audit: she builds this survey and reads its results.
    user = UserFactory(full_name="Linnea Ledare", roles=[Role.AUDITOR])
    services.survey_grant_access(survey=survey, user=user, role=SurveyMember.Role.BUILDER)
    return user


@pytest.fixture
def pages(survey, staff, django_capture_on_commit_callbacks):
    """Every builder and results page of the survey, with a code batch and Sara's ready export."""
    question = survey.questions.in_order().first()
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.code_batch_create(survey=survey, size=2)
        job = services.export_request(survey=survey, format=ExportJob.Format.CSV, by=staff)
    batch.refresh_from_db()
    assert batch.slips_status == CodeBatch.SlipsStatus.READY
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY
    pk = survey.pk
    return {
        "list": reverse("surveys:list"),
        "builder": reverse("surveys:builder", args=[pk]),
        "settings": reverse("surveys:settings", args=[pk]),
        "question_create": reverse("surveys:question_create", args=[pk]),
        "question_edit": reverse("surveys:question_edit", args=[pk, question.pk]),
        "question_delete": reverse("surveys:question_delete", args=[pk, question.pk]),
        "bank": reverse("surveys:bank", args=[pk]),
        "preview": reverse("surveys:preview", args=[pk]),
        "distribution": reverse("surveys:distribution", args=[pk]),
        "code_slips": reverse("surveys:code_slips", args=[pk, batch.pk]),
        "paper_pdf": reverse("surveys:paper_pdf", args=[pk]),
        "paper_entry": reverse("surveys:paper_entry", args=[pk]),
        "results": reverse("surveys:results", args=[pk]),
        "free_text": reverse("surveys:free_text", args=[pk]),
        "exports": reverse("surveys:exports", args=[pk]),
        "export_status": reverse("surveys:export_status", args=[pk, job.pk]),
        "export_download": reverse("surveys:export_download", args=[pk, job.pk]),
        "members": reverse("surveys:members", args=[pk]),
        "delete": reverse("surveys:delete", args=[pk]),
        "test_answers_delete": reverse("surveys:test_answers_delete", args=[pk]),
    }


@pytest.fixture
def actions(survey):
    question = survey.questions.in_order().first()
    pk = survey.pk
    return {
        "publish": reverse("surveys:publish", args=[pk]),
        "close": reverse("surveys:close", args=[pk]),
        "new_version": reverse("surveys:new_version", args=[pk]),
        "question_move": reverse("surveys:question_move", args=[pk, question.pk]),
        "section_create": reverse("surveys:section_create", args=[pk]),
    }


def test_the_page_list_covers_every_builder_and_results_page(pages, actions):
    assert set(pages) == READ_PAGES | EDIT_PAGES | OWN_EXPORT_PAGES | STAFF_PAGES
    assert set(actions) == EDIT_ACTIONS


# --- Who may reach what ---------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in_from_every_page(client, pages, actions):
    login = reverse("login")
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response.url.startswith(f"{login}?next="), name
    for name, url in actions.items():
        response = client.post(url, {"direction": "up", "title_sv": "Ny del"})
        assert response.status_code == 302, name
        assert response.url.startswith(f"{login}?next="), name


@pytest.mark.parametrize("persona", ["commissioner", "outsider"])
def test_people_without_a_survey_role_are_refused_every_page(
    client, request, persona, pages, actions, survey
):
    # Cecilia orders audits and Otto has no role: neither builds surveys or reads results.
    client.force_login(request.getfixturevalue(persona))
    for name, url in pages.items():
        assert client.get(url).status_code == 403, name
    for name, url in actions.items():
        assert client.post(url, {"direction": "up", "title_sv": "Ny del"}).status_code == 403, name
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN
    assert Survey.objects.count() == 1


def test_an_auditor_who_is_not_on_the_survey_finds_nothing(client, auditor, pages, actions, survey):
    # Astrid is a user auditor, but not on this survey: for her it does not exist.
    client.force_login(auditor)
    listing = client.get(pages["list"])
    assert listing.status_code == 200
    assert list(listing.context["surveys"]) == []
    assert escape(survey.title) not in page_text(listing)
    for name, url in pages.items():
        if name == "list":
            continue
        expected = 403 if name in STAFF_PAGES else 404
        assert client.get(url).status_code == expected, name
    for name, url in actions.items():
        assert client.post(url, {"direction": "up", "title_sv": "Ny del"}).status_code == 404, name
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN
    assert Survey.objects.count() == 1


def test_an_analyst_reads_results_but_cannot_change_the_survey(
    client, analyst, pages, actions, survey
):
    client.force_login(analyst)
    for name in READ_PAGES:
        assert client.get(pages[name]).status_code == 200, name
    assert escape(survey.title) in page_text(client.get(pages["list"]))
    for name in EDIT_PAGES | STAFF_PAGES:
        assert client.get(pages[name]).status_code == 403, name
    # Sara's export is hers alone.
    for name in OWN_EXPORT_PAGES:
        assert client.get(pages[name]).status_code == 404, name
    for name, url in actions.items():
        assert client.post(url, {"direction": "up", "title_sv": "Ny del"}).status_code == 403, name
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN
    assert Survey.objects.count() == 1
    assert survey.sections.count() == 1


def test_an_analyst_cannot_publish_a_draft_or_change_its_settings(client, analyst):
    draft = make_survey()
    services.survey_grant_access(survey=draft, user=analyst, role=SurveyMember.Role.ANALYST)
    client.force_login(analyst)
    assert client.post(reverse("surveys:publish", args=[draft.pk])).status_code == 403
    response = client.post(
        reverse("surveys:settings", args=[draft.pk]),
        {"title_sv": "Ändrad", "retention_days": 30, "one_question_per_page": "on"},
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == Survey.Status.DRAFT
    assert draft.title_sv != "Ändrad"


def test_a_lead_auditor_may_edit_the_survey_but_not_its_people(client, lead_auditor, pages, survey):
    client.force_login(lead_auditor)
    for name in READ_PAGES | EDIT_PAGES:
        assert client.get(pages[name]).status_code == 200, name
    assert client.get(pages["members"]).status_code == 403
    response = client.post(reverse("surveys:close", args=[survey.pk]))
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.status == Survey.Status.CLOSED


def test_staff_reach_every_page(client, staff, pages):
    # Sara works at the resource centre and may do everything with every survey.
    client.force_login(staff)
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
    download = client.get(pages["export_download"])
    assert download["Content-Disposition"].startswith("attachment;")
    assert client.get(pages["code_slips"])["Content-Type"] == "application/pdf"


def test_only_staff_manage_who_has_access(client, staff, lead_auditor, survey):
    url = reverse("surveys:members", args=[survey.pk])
    newcomer = UserFactory(roles=[Role.AUDITOR])
    client.force_login(lead_auditor)
    data = {"email": newcomer.email, "role": SurveyMember.Role.BUILDER}
    assert client.post(url, data).status_code == 403
    assert not survey.members.filter(user=newcomer).exists()
    client.force_login(staff)
    assert client.post(url, data).status_code == 302
    assert survey.members.get(user=newcomer).role == SurveyMember.Role.BUILDER


# --- Respondents never see results ----------------------------------------------------------


def answer_on_the_web(client: Client, survey: Survey, option_for) -> list:
    """Answer every question through the respondent pages; return each page that was shown."""
    start = reverse("surveys:answer_start", args=[survey.token])
    shown = [client.get(start)]
    response = client.post(start, {"start_key": services.new_start_key()})
    while "/q/" in response.url:
        page = client.get(response.url)
        shown.append(page)
        question = page.context["question"]
        value = option_for(question)
        response = client.post(response.url, {f"q{question.pk}-answer": value, "action": "next"})
        assert response.status_code == 302
    shown.append(client.get(response.url))
    response = client.post(reverse("surveys:answer_review", args=[survey.token]))
    shown.append(client.get(response.url))
    return shown


def test_a_respondent_who_has_answered_is_sent_to_log_in_from_the_results(client, survey):
    answer_on_the_web(client, survey, lambda q: q.options.first().pk if q.has_options else "Bra")
    assert survey.responses.get().is_submitted
    for name in ("results", "free_text", "exports", "builder"):
        response = client.get(reverse(f"surveys:{name}", args=[survey.pk]))
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login")), name


def test_the_answering_pages_never_show_result_numbers(client, survey):
    choice, text = survey.questions.in_order()
    favourite = choice.options.first()
    answer_many(survey, 7, {choice: favourite, text: "Det är bra här"})
    pages = answer_on_the_web(client, survey, lambda q: favourite.pk if q.has_options else "Ok")
    assert [page.status_code for page in pages] == [200] * len(pages)
    people = sv_ngettext("%(counter)s person answered.", "%(counter)s people answered.", 8)
    for page in pages:
        templates = {template.name for template in page.templates}
        assert "surveys/results.html" not in templates
        content = page_text(page)
        for number in ("100,0", "100.0", "87,5", "87.5", people):
            assert number not in content, (page.templates[0].name, number)
        assert "Det är bra här" not in content


def sv_ngettext(singular: str, plural: str, count: int) -> str:
    with translation.override("sv"):
        return ngettext(singular, plural, count) % {"counter": count}


# --- The builder ----------------------------------------------------------------------------


def test_publishing_is_refused_with_the_checks_messages_until_the_problems_are_fixed(client, staff):
    draft = make_survey()
    question = draft.questions.get()
    Question.objects.filter(pk=question.pk).update(easy_sv="", easy_en="")
    with translation.override("sv"):
        problems = [problem.message for problem in survey_problems(draft)]
    assert len(problems) == 2
    client.force_login(staff)
    url = reverse("surveys:publish", args=[draft.pk])

    response = client.post(url, follow=True)
    assert response.redirect_chain == [(reverse("surveys:builder", args=[draft.pk]), 302)]
    assert messages_of(response) == [
        sv(
            "The survey cannot be published until the accessibility check passes."
            " %(count)s things need fixing.",
            count=2,
        )
    ]
    for problem in problems:
        assert escape(problem) in page_text(response)
    draft.refresh_from_db()
    assert draft.status == Survey.Status.DRAFT
    assert draft.published_at is None

    Question.objects.filter(pk=question.pk).update(easy_sv="Trivs du här?", easy_en="Do you?")
    response = client.post(url)
    assert response.status_code == 302
    assert response.url == reverse("surveys:distribution", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == Survey.Status.OPEN


def question_data(question: Question, **changes) -> dict:
    """The question form as the builder posts it, with `changes` applied."""
    data = {"section": question.section_id, "kind": question.kind}
    for field in ("text", "easy", "help", "image_alt"):
        for language in LANGUAGES:
            data[f"{field}_{language}"] = getattr(question, f"{field}_{language}")
    data.update({"min_value": "", "max_value": "", "show_if_option": ""})
    data.update(changes)
    return data


def test_a_question_cannot_be_changed_once_someone_has_answered(client, staff):
    survey = make_published_survey(kinds=(Kind.YES_NO,))
    question = survey.questions.get()
    answer_and_submit(survey, {question: question.options.first()})
    client.force_login(staff)
    response = client.post(
        reverse("surveys:question_edit", args=[survey.pk, question.pk]),
        question_data(question, text_sv="Vad tycker du nu?", kind=Kind.TEXT),
        follow=True,
    )
    assert response.redirect_chain == [(reverse("surveys:builder", args=[survey.pk]), 302)]
    assert messages_of(response) == [
        sv(
            "People have already answered this survey, so its questions cannot be changed"
            " without making the results wrong. Make a new version of the survey and"
            " change that one instead."
        )
    ]
    question.refresh_from_db()
    assert question.text_sv == "Hur trivs du på daglig verksamhet?"
    assert question.kind == Kind.YES_NO
    assert question.options.count() == 2


def test_a_question_without_answers_can_be_changed(client, staff):
    survey = make_survey(kinds=(Kind.YES_NO,))
    question = survey.questions.get()
    client.force_login(staff)
    response = client.post(
        reverse("surveys:question_edit", args=[survey.pk, question.pk]),
        question_data(question, text_sv="Vad tycker du nu?"),
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text_sv == "Vad tycker du nu?"


def test_a_new_version_copies_the_questions_and_opens_in_the_builder(client, staff):
    survey = make_published_survey(kinds=(Kind.SINGLE, Kind.YES_NO, Kind.NUMBER))
    first = survey.questions.in_order().first()
    answer_and_submit(survey, {first: first.options.first()})
    client.force_login(staff)
    response = client.post(reverse("surveys:new_version", args=[survey.pk]))
    copy = Survey.objects.get(previous_version=survey)
    assert response.status_code == 302
    assert response.url == reverse("surveys:builder", args=[copy.pk])
    assert copy.version == 2
    assert copy.status == Survey.Status.DRAFT
    assert copy.responses.count() == 0

    def shape(of: Survey) -> list:
        return [
            (q.kind, q.text_sv, [o.label_sv for o in q.options.order_by("position")])
            for q in of.questions.in_order()
        ]

    assert shape(copy) == shape(survey)
    assert not set(copy.questions.values_list("pk", flat=True)) & set(
        survey.questions.values_list("pk", flat=True)
    )
    assert client.get(response.url).status_code == 200


def test_moving_a_question_up_reorders_the_questions(client, staff):
    survey = make_survey(kinds=(Kind.SINGLE, Kind.YES_NO, Kind.TEXT))
    first, second, third = survey.questions.in_order()
    client.force_login(staff)
    response = client.post(
        reverse("surveys:question_move", args=[survey.pk, third.pk]), {"direction": "up"}
    )
    assert response.status_code == 302
    assert response.url.endswith(f"#question-{third.pk}")
    assert list(Question.objects.filter(survey=survey).in_order()) == [first, third, second]
    client.post(reverse("surveys:question_move", args=[survey.pk, first.pk]), {"direction": "down"})
    assert list(Question.objects.filter(survey=survey).in_order()) == [third, first, second]


def test_moving_a_question_needs_a_post(client, staff):
    survey = make_survey(kinds=(Kind.SINGLE, Kind.TEXT))
    first, second = survey.questions.in_order()
    client.force_login(staff)
    url = reverse("surveys:question_move", args=[survey.pk, second.pk])
    response = client.get(url, {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:builder", args=[survey.pk])
    assert list(Question.objects.filter(survey=survey).in_order()) == [first, second]


def test_a_bank_question_is_copied_into_the_survey(client, staff):
    survey = make_survey()
    section = survey.sections.get()
    item = BankQuestionFactory(
        options=[
            {"value": "yes", "label_sv": "Ja", "label_nb": "Ja", "label_en": "Yes"},
            {"value": "no", "label_sv": "Nej", "label_nb": "Nei", "label_en": "No"},
        ]
    )
    client.force_login(staff)
    response = client.post(
        reverse("surveys:bank", args=[survey.pk]),
        {"bank_question": item.pk, "section": section.pk},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("surveys:bank", args=[survey.pk]), 302)]
    copied = survey.questions.get(bank_key=item.key)
    assert copied.section == section
    assert copied.kind == item.kind
    for language in LANGUAGES:
        for field in ("text", "easy", "help"):
            assert getattr(copied, f"{field}_{language}") == getattr(item, f"{field}_{language}")
    if item.options:
        assert [o.label_sv for o in copied.options.order_by("position")] == [
            option["label_sv"] for option in item.options
        ]
    else:
        assert copied.options.exists() == copied.has_options
    assert survey.questions.count() == 2
    assert len(messages_of(response)) == 1


def media_files(settings) -> list[str]:
    return [
        os.path.join(folder, name)
        for folder, _dirs, names in os.walk(settings.MEDIA_ROOT)
        for name in names
    ]


def test_a_picture_that_is_not_an_image_is_refused(client, staff, settings):
    survey = make_survey()
    section = survey.sections.get()
    client.force_login(staff)
    upload = SimpleUploadedFile("x.png", b"MZ\x90\x00" + b"\x00" * 200, content_type="image/png")
    data = question_data(survey.questions.get(), kind=Kind.TEXT, section=section.pk)
    response = client.post(
        reverse("surveys:question_create", args=[survey.pk]), {**data, "image": upload}
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("image", code="invalid_image")
    assert survey.questions.count() == 1
    assert media_files(settings) == []


def test_a_picture_over_2_mb_is_refused(client, staff, settings):
    survey = make_survey()
    section = survey.sections.get()
    # Noise does not compress: about 3 MB of real PNG.
    buffer = io.BytesIO()
    Image.frombytes("RGB", (1024, 1024), os.urandom(1024 * 1024 * 3)).save(buffer, "PNG")
    assert buffer.tell() > 2 * 1024 * 1024
    upload = SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")
    client.force_login(staff)
    data = question_data(survey.questions.get(), kind=Kind.TEXT, section=section.pk)
    response = client.post(
        reverse("surveys:question_create", args=[survey.pk]), {**data, "image": upload}
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("image", code="too_big")
    assert escape(sv("The picture is too large. Use a picture of at most 2 MB.")) in page_text(
        response
    )
    assert survey.questions.count() == 1
    assert media_files(settings) == []


def test_a_real_picture_in_a_format_phones_may_not_show_is_refused(client, staff, settings):
    survey = make_survey()
    section = survey.sections.get()
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "BMP")
    upload = SimpleUploadedFile("x.png", buffer.getvalue(), content_type="image/png")
    client.force_login(staff)
    data = question_data(survey.questions.get(), kind=Kind.TEXT, section=section.pk)
    response = client.post(
        reverse("surveys:question_create", args=[survey.pk]), {**data, "image": upload}
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("image", code="picture_format")
    assert survey.questions.count() == 1
    assert media_files(settings) == []


def test_a_small_picture_is_stored_with_the_question(client, staff, settings):
    survey = make_survey()
    section = survey.sections.get()
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "PNG")
    upload = SimpleUploadedFile("small.png", buffer.getvalue(), content_type="image/png")
    client.force_login(staff)
    data = question_data(
        survey.questions.get(), kind=Kind.TEXT, section=section.pk, text_sv="Ny fråga"
    )
    response = client.post(
        reverse("surveys:question_create", args=[survey.pk]), {**data, "image": upload}
    )
    assert response.status_code == 302
    assert survey.questions.get(text_sv="Ny fråga").image
    assert len(media_files(settings)) == 1


# --- Exports ----------------------------------------------------------------------------------


def test_an_export_is_written_and_only_its_requester_can_fetch_it(
    client, staff, survey, django_capture_on_commit_callbacks
):
    choice, text = survey.questions.in_order()
    answer_many(survey, 3, {choice: choice.options.first()})
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("surveys:exports", args=[survey.pk]), {"format": "csv"})
    job = ExportJob.objects.get(survey=survey)
    status_url = reverse("surveys:export_status", args=[survey.pk, job.pk])
    download_url = reverse("surveys:export_download", args=[survey.pk, job.pk])
    assert response.status_code == 302
    assert response.url == status_url
    assert job.requested_by == staff
    assert job.status == ExportJob.Status.READY

    page = client.get(status_url)
    assert page.status_code == 200
    assert download_url in page_text(page)
    assert escape(job.get_status_display()) in page_text(page)
    progress = client.get(status_url, {"format": "json"}).json()
    assert progress["status"] == ExportJob.Status.READY
    assert progress["percent"] == 100
    assert progress["rows_done"] == progress["rows_total"] == 3

    download = client.get(download_url)
    assert download.status_code == 200
    assert download["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + 3

    # Another staff member sees neither the job nor its file.
    other = Client()
    other.force_login(UserFactory(roles=[Role.STAFF]))
    assert other.get(status_url).status_code == 404
    assert other.get(status_url, {"format": "json"}).status_code == 404
    assert other.get(download_url).status_code == 404
    assert job not in other.get(reverse("surveys:exports", args=[survey.pk])).context["jobs"]


# --- Results ----------------------------------------------------------------------------------


def test_results_of_fewer_than_5_people_are_not_shown(client, staff, survey):
    choice, text = survey.questions.in_order()
    favourite = choice.options.first()
    answer_many(survey, 4, {choice: favourite, text: "Jag trivs"})
    client.force_login(staff)
    response = client.get(reverse("surveys:results", args=[survey.pk]))
    content = page_text(response)
    assert response.status_code == 200
    assert response.context["results"].suppressed
    assert (
        sv(
            "Fewer than %(min)s people have answered in this selection. To protect their"
            " anonymity no results are shown.",
            min=5,
        )
        in content
    )
    assert escape(favourite.label) not in content
    assert "result-chart" not in content
    assert sv_ngettext("%(counter)s person answered.", "%(counter)s people answered.", 4) not in (
        content
    )
    assert "Jag trivs" not in content


def test_results_of_5_people_show_the_counts(client, staff, survey):
    choice, text = survey.questions.in_order()
    favourite, other = choice.options.all()
    answer_many(survey, 3, {choice: favourite})
    answer_many(survey, 2, {choice: other})
    client.force_login(staff)
    response = client.get(reverse("surveys:results", args=[survey.pk]))
    content = page_text(response)
    assert not response.context["results"].suppressed
    assert sv_ngettext("%(counter)s person answered.", "%(counter)s people answered.", 5) in content
    assert f'<th scope="row">{escape(favourite.label)}</th><td class="text-end">3</td>' in content
    assert f'<th scope="row">{escape(other.label)}</th><td class="text-end">2</td>' in content


# --- Query counts -------------------------------------------------------------------------
# Measured: results 17, survey list 4, builder 13 queries, whatever the number of rows.

RESULTS_QUERIES = 17
LIST_QUERIES = 4
BUILDER_QUERIES = 13


@pytest.mark.parametrize("respondents", [5, 40])
def test_the_results_page_makes_as_many_queries_for_40_answers_as_for_5(
    client, staff, respondents, django_assert_max_num_queries
):
    survey = make_published_survey(
        kinds=(Kind.SINGLE, Kind.MULTIPLE, Kind.YES_NO, Kind.NUMBER, Kind.TEXT)
    )
    single, multiple, yes_no, number, text = survey.questions.in_order()
    answer_many(
        survey,
        respondents,
        {
            single: single.options.first(),
            multiple: list(multiple.options.all()),
            yes_no: yes_no.options.last(),
            number: 4,
            text: "Bra",
        },
    )
    client.force_login(staff)
    url = reverse("surveys:results", args=[survey.pk])
    with django_assert_max_num_queries(RESULTS_QUERIES):
        response = client.get(url)
    assert response.context["results"].respondents == respondents


@pytest.mark.parametrize("count", [3, 20])
def test_the_survey_list_makes_as_many_queries_for_20_surveys_as_for_3(
    client, staff, count, django_assert_max_num_queries
):
    for _ in range(count):
        survey = make_published_survey(kinds=(Kind.SINGLE, Kind.TEXT))
        first = survey.questions.in_order().first()
        answer_and_submit(survey, {first: first.options.first()})
    client.force_login(staff)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("surveys:list"))
    assert len(response.context["surveys"]) == count


@pytest.mark.parametrize("count", [3, 20])
def test_the_builder_makes_as_many_queries_for_20_questions_as_for_3(
    client, staff, count, django_assert_max_num_queries
):
    survey = SurveyFactory()
    sections = [SectionFactory(survey=survey, position=n) for n in (1, 2)]
    kinds = [Kind.SINGLE, Kind.YES_NO, Kind.TEXT, Kind.NUMBER, Kind.MULTIPLE]
    previous = None
    for n in range(count):
        question = add_question(sections[n % 2], kinds[n % len(kinds)])
        if previous is not None and n % 3 == 0:
            question.show_if_option = previous.options.first()
            question.save(update_fields=["show_if_option"])
        if question.has_options:
            previous = question
    client.force_login(staff)
    with django_assert_max_num_queries(BUILDER_QUERIES):
        response = client.get(reverse("surveys:builder", args=[survey.pk]))
    assert response.context["question_count"] == count


def test_slips_are_printed_by_a_worker_and_offered_when_ready(
    client, staff, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    survey = make_published_survey()
    client.force_login(staff)
    distribution = reverse("surveys:distribution", args=[survey.pk])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(distribution, {"batch-size": 3, "batch-unit": ""})
    batch = survey.code_batches.get()

    assert batch.slips_status == CodeBatch.SlipsStatus.READY
    assert batch.answer_url == f"http://testserver/surveys/a/{survey.token}/"
    download = client.get(reverse("surveys:code_slips", args=[survey.pk, batch.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_slips_not_yet_printed_lead_back_to_the_list(client, staff):
    survey = make_published_survey()
    batch = services.code_batch_create(survey=survey, size=2)  # no commit: no worker yet
    client.force_login(staff)

    response = client.get(reverse("surveys:code_slips", args=[survey.pk, batch.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:distribution", args=[survey.pk])


def test_failed_slips_can_be_made_again(
    client, staff, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    survey = make_published_survey()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("surveys.pdf.code_slips_pdf", broken)
    with pytest.raises(OSError), django_capture_on_commit_callbacks(execute=True):
        services.code_batch_create(survey=survey, size=2)
    batch = survey.code_batches.get()
    assert batch.slips_status == CodeBatch.SlipsStatus.FAILED

    monkeypatch.undo()
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("surveys:distribution", args=[survey.pk]), {"retry": batch.pk})

    batch.refresh_from_db()
    assert batch.slips_status == CodeBatch.SlipsStatus.READY
