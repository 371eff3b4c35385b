"""The builder's question page (its pictures, its new answer options) and the batch of codes
are forms that store things no content check can tell apart from a second send: they carry
a double-submit key. The same form sent twice (a double click, or a load balancer retrying
the POST on another web node) stores once; a new form stores again."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from surveys import services
from surveys.models import CodeBatch, Kind, OneTimeCode, Option

from .factories import make_published_survey, make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root, folder: str = "") -> list:
    return [path for path in (root / folder).rglob("*") if path.is_file()]


def picture(name: str = "bild.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "orange").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def form_key(page, form: str = "form") -> str:
    key = page.context[form].initial["submission_id"]
    assert f'name="{page.context[form].add_prefix("submission_id")}" value="{key}"' in (
        page.content.decode()
    )
    return str(key)


def question_fields(section, **changes) -> dict:
    data = {"section": section.pk, "kind": Kind.TEXT, "text_sv": "Hur trivs du?"}
    data.update({"min_value": "", "max_value": "", "show_if_option": ""})
    data.update({"image_alt_sv": "En sol", "image_alt_nb": "En sol", "image_alt_en": "A sun"})
    data.update(changes)
    return data


def test_the_same_new_question_form_sent_twice_stores_one_question_and_one_picture(
    client, staff, media, empty_cache
):
    survey = make_survey()
    section = survey.sections.get()
    client.force_login(staff)
    url = reverse("surveys:question_create", args=[survey.pk])
    key = form_key(client.get(url))

    # A double click, or the load balancer retrying the POST on another web node.
    for _ in range(2):
        response = client.post(
            url, {**question_fields(section), "submission_id": key, "image": picture()}
        )
        assert response.status_code == 302

    assert survey.questions.filter(text_sv="Hur trivs du?").count() == 1
    assert len(stored_files(media, "surveys/pictures")) == 1
    # A new form (a new key) is a new question.
    client.post(url, {**question_fields(section), "submission_id": form_key(client.get(url))})
    assert survey.questions.filter(text_sv="Hur trivs du?").count() == 2


def test_the_same_question_page_sent_twice_stores_its_pictures_and_new_options_once(
    client, staff, media, empty_cache
):
    survey = make_survey()
    question = services.question_add(
        section=survey.sections.get(), kind=Kind.SINGLE, text_sv="Vilken dag?"
    )
    client.force_login(staff)
    url = reverse("surveys:question_edit", args=[survey.pk, question.pk])
    key = form_key(client.get(url))

    def page(key: str) -> dict:
        return {
            **question_fields(question.section, kind=Kind.SINGLE, text_sv="Vilken dag?"),
            "submission_id": key,
            "image": picture("fraga.png"),
            "options-TOTAL_FORMS": "1",
            "options-INITIAL_FORMS": "0",
            "options-MIN_NUM_FORMS": "0",
            "options-MAX_NUM_FORMS": "1000",
            "options-0-label_sv": "Måndag",
            "options-0-image": picture("svar.png"),
            "options-0-image_alt_sv": "En kalender",
        }

    for _ in range(2):
        assert client.post(url, page(key)).status_code == 302

    assert list(question.options.values_list("label_sv", flat=True)) == ["Måndag"]
    assert Option.objects.get(question=question).image
    # One picture for the question, one for its answer option: nothing written twice.
    assert len(stored_files(media, "surveys/pictures")) == 2
    # A new page (a new key) is saved again: a second new option, a new picture.
    assert client.post(url, page(form_key(client.get(url)))).status_code == 302
    assert question.options.count() == 2


def test_the_same_batch_form_sent_twice_makes_one_batch_and_one_set_of_slips(
    client, staff, media, empty_cache, django_capture_on_commit_callbacks
):
    survey = make_published_survey()
    client.force_login(staff)
    url = reverse("surveys:distribution", args=[survey.pk])
    key = form_key(client.get(url), "batch_form")
    data = {"batch-size": 3, "batch-unit": "", "batch-submission_id": key}

    # The worker prints the slips between the two sends: the second still makes nothing.
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True) as jobs:
            assert client.post(url, data).status_code == 302
    assert len(jobs) == 0  # the second send queued no slips

    batch = survey.code_batches.get()
    assert batch.slips_status == CodeBatch.SlipsStatus.READY
    assert OneTimeCode.objects.filter(survey=survey).count() == 3
    assert len(stored_files(media, "surveys/slips")) == 1
    # A new form (a new key) is a new batch, though one of the same size was just made.
    new_key = form_key(client.get(url), "batch_form")
    client.post(url, {**data, "batch-submission_id": new_key})
    assert survey.code_batches.count() == 2
    assert OneTimeCode.objects.filter(survey=survey).count() == 6


def test_a_batch_form_without_a_key_still_gets_the_batch_on_its_way(staff, empty_cache):
    # A page from before the key: two identical sends while the slips wait give one batch.
    survey = make_published_survey()
    first = services.code_batch_create(survey=survey, size=2)
    second = services.code_batch_create(survey=survey, size=2)
    assert first == second
    assert survey.code_batches.count() == 1
