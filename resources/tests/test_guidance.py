"""Method guidance: the booking form for anyone, and the staff's queue, answer and close."""

import pytest
from django.urls import reverse

from resources.models import GuidanceRequest
from resources.tests.factories import GuidanceRequestFactory

# The notifications remember sent messages in the cache, and ids repeat between tests: each
# test starts with an empty cache of its own (conftest.empty_cache).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

FORM = {
    "organisation_name": "Örebro kommun, arbetsmarknadsenheten",
    "name": "Cecilia Beställare",
    "email": "cecilia@example.se",
    "phone": "019-21 10 00",
    "topic": GuidanceRequest.Topic.ORDERING,
    "message": "Hur formulerar vi revisionsfrågor som brukarna själva äger?",
    "preferred_times": "Förmiddagar i mars",
    "format": "video",
}


# --- The booking form ------------------------------------------------------------------


def test_anyone_may_open_the_form(client):
    response = client.get(reverse("resources:guidance"))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'type="radio"' in page
    assert "<legend" in page
    assert "---------" not in page


def test_a_logged_in_user_finds_their_organisation_filled_in(client, commissioner, organisation):
    client.force_login(commissioner)

    response = client.get(reverse("resources:guidance"))

    form = response.context["form"]
    assert form.initial["organisation_name"] == organisation.name
    assert form.initial["email"] == commissioner.email
    assert form.initial["name"] == commissioner.full_name


def test_an_anonymous_booking_is_stored_and_mailed_on_commit(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("resources:guidance"), FORM)

    assert response.status_code == 302
    assert response["Location"] == reverse("resources:guidance_thanks")
    request = GuidanceRequest.objects.get()
    assert request.status == GuidanceRequest.Status.NEW
    assert request.requested_by is None
    assert request.preferred_times == "Förmiddagar i mars"
    assert len(callbacks) == 1
    # The centre hears of it, and the requester gets a receipt.
    assert {tuple(message.to) for message in mailoutbox} >= {("cecilia@example.se",)}
    assert len(mailoutbox) == 2


def test_a_members_booking_is_linked_to_their_organisation(
    client, commissioner, organisation, django_capture_on_commit_callbacks
):
    client.force_login(commissioner)

    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("resources:guidance"), {**FORM, "organisation_name": organisation.name})

    request = GuidanceRequest.objects.get()
    assert request.requested_by == commissioner
    assert request.organisation == organisation


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "inte-en-adress"), ("message", ""), ("topic", "weather"), ("name", "")],
)
def test_a_form_with_errors_saves_nothing(client, field, value):
    response = client.post(reverse("resources:guidance"), {**FORM, field: value})

    assert response.status_code == 200
    page = response.content.decode()
    assert "error-summary" in page
    assert response.context["form"].errors[field]
    assert not GuidanceRequest.objects.exists()


def test_the_thanks_page_answers(client):
    assert client.get(reverse("resources:guidance_thanks")).status_code == 200


# --- The queue -----------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["outsider", "auditor", "commissioner"])
def test_the_queue_and_handling_are_forbidden_to_others(client, request, user):
    item = GuidanceRequestFactory()
    client.force_login(request.getfixturevalue(user))

    assert client.get(reverse("resources:guidance_queue")).status_code == 403
    url = reverse("resources:guidance_handle", args=[item.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"answer": "Svar"}).status_code == 403
    assert client.post(url, {"close": "1"}).status_code == 403
    item.refresh_from_db()
    assert item.status == GuidanceRequest.Status.NEW
    assert item.answer == ""


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("resources:guidance_queue"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_queue_shows_new_answered_and_closed_requests(client, staff):
    GuidanceRequestFactory(organisation_name="Ny kommun")
    GuidanceRequestFactory(
        organisation_name="Besvarad region", status=GuidanceRequest.Status.ANSWERED
    )
    GuidanceRequestFactory(
        organisation_name="Stängd förening", status=GuidanceRequest.Status.CLOSED
    )
    client.force_login(staff)

    response = client.get(reverse("resources:guidance_queue"))

    assert [r.organisation_name for r in response.context["new"]] == ["Ny kommun"]
    assert [r.organisation_name for r in response.context["answered"]] == ["Besvarad region"]
    assert [r.organisation_name for r in response.context["closed"]] == ["Stängd förening"]
    page = response.content.decode()
    assert "<caption>" in page


def test_staff_answer_a_request_and_the_requester_is_mailed(
    client, staff, django_capture_on_commit_callbacks, mailoutbox
):
    item = GuidanceRequestFactory()
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("resources:guidance_handle", args=[item.pk]),
            {"answer": "Börja med att fråga brukarna vad de vill veta."},
        )

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == GuidanceRequest.Status.ANSWERED
    assert item.handled_by == staff
    assert len(callbacks) == 1
    assert [message.to for message in mailoutbox] == [[item.email]]
    assert "Börja med att fråga brukarna" in mailoutbox[0].body


def test_an_empty_answer_is_a_form_error(client, staff):
    item = GuidanceRequestFactory()
    client.force_login(staff)

    response = client.post(reverse("resources:guidance_handle", args=[item.pk]), {"answer": " "})

    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    item.refresh_from_db()
    assert item.status == GuidanceRequest.Status.NEW


def test_staff_close_a_request_and_it_cannot_be_answered_then(client, staff):
    item = GuidanceRequestFactory()
    client.force_login(staff)
    url = reverse("resources:guidance_handle", args=[item.pk])

    response = client.post(url, {"close": "1"})

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == GuidanceRequest.Status.CLOSED
    page = client.get(url).content.decode()
    assert 'name="answer"' not in page
    response = client.post(url, {"answer": "För sent"})
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.answer == ""


def test_an_unknown_request_is_not_found(client, staff):
    client.force_login(staff)

    assert client.get(reverse("resources:guidance_handle", args=[999])).status_code == 404
