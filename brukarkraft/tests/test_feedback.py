"""Accessibility feedback: the public form, the staff inbox and handling a report."""

import uuid

import pytest
from django.core import mail
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from brukarkraft.forms import local_path
from brukarkraft.models import AccessibilityFeedback
from brukarkraft.tests.factories import AccessibilityFeedbackFactory

pytestmark = pytest.mark.django_db


def url(name: str, language: str = "en", **kwargs) -> str:
    # English pages by default, so assertions read the source wording.
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def form_data(**overrides) -> dict:
    data = {
        "kind": AccessibilityFeedback.Kind.PROBLEM,
        "requested_format": "",
        "page_url": "/en/privacy/",
        "message": "The language buttons cannot be reached with the keyboard.",
        "name": "",
        "email": "",
        "submission_id": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


# --- The form ------------------------------------------------------------------


@pytest.mark.parametrize("language", ["sv", "nb", "en"])
def test_the_form_renders_in_every_language_with_a_fresh_submission_id(client, language):
    response = client.get(url("feedback", language))

    assert response.status_code == 200
    with translation.override(language):
        assert translation.gettext("What is your feedback about?") in response.text
    assert 'name="submission_id"' in response.text
    assert "<fieldset" in response.text and "<legend" in response.text
    assert (
        response.context["form"].initial["submission_id"]
        != client.get(url("feedback", language)).context["form"].initial["submission_id"]
    )


def test_the_form_fills_in_the_page_the_footer_link_came_from(client):
    response = client.get(url("feedback") + "?page=/en/accessibility/")

    assert response.context["form"].initial["page_url"] == "/en/accessibility/"
    assert 'value="/en/accessibility/"' in response.text


@pytest.mark.parametrize(
    "address",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
)
def test_the_form_ignores_a_page_parameter_that_leads_off_the_site(client, address):
    response = client.get(url("feedback"), {"page": address})

    assert "page_url" not in response.context["form"].initial
    assert not response.context["form"]["page_url"].value()


def test_the_form_can_start_with_a_request_for_another_format(client):
    response = client.get(url("feedback") + "?kind=format")

    assert response.context["form"].initial["kind"] == "format"


def test_anonymous_feedback_is_stored_once_and_mailed_to_the_resource_centre(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_CONTACT_EMAIL = "resurscentrum@example.se"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("feedback"), form_data())

    assert response.status_code == 302
    assert response.url == url("feedback_thanks") + "?page=%2Fen%2Fprivacy%2F"
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.kind == AccessibilityFeedback.Kind.PROBLEM
    assert feedback.message == "The language buttons cannot be reached with the keyboard."
    assert feedback.page_url == "/en/privacy/"
    assert feedback.language == "en"
    assert feedback.is_anonymous
    assert feedback.status == AccessibilityFeedback.Status.NEW
    assert feedback.staff_notified_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["resurscentrum@example.se"]
    assert "The language buttons cannot be reached" in mail.outbox[0].body


def test_named_feedback_keeps_name_and_address_and_the_format_asked_for(
    client, django_capture_on_commit_callbacks
):
    data = form_data(
        kind="format",
        requested_format="easy_read",
        message="  I need the privacy notice in easy-to-read Swedish.  ",
        name=" Elsa Exempel ",
        email="Elsa@Example.se",
        page_url="",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("feedback", "sv"), data)

    assert response.url == url("feedback_thanks", "sv")
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.requested_format == "easy_read"
    assert feedback.message == "I need the privacy notice in easy-to-read Swedish."
    assert feedback.name == "Elsa Exempel"
    assert feedback.email == "elsa@example.se"
    assert feedback.language == "sv"
    assert feedback.page_url == ""
    assert not feedback.is_anonymous
    assert len(mail.outbox) == 1


def test_a_format_chosen_for_another_kind_of_feedback_is_not_kept(client):
    client.post(url("feedback"), form_data(kind="problem", requested_format="braille"))

    assert AccessibilityFeedback.objects.get().requested_format == ""


def test_a_full_address_on_this_site_is_kept_as_its_path(client):
    client.post(url("feedback"), form_data(page_url="http://testserver/en/privacy/?x=1#top"))

    assert AccessibilityFeedback.objects.get().page_url == "/en/privacy/?x=1"


def test_nothing_about_the_senders_connection_is_stored(client):
    client.post(
        url("feedback"),
        form_data(),
        HTTP_USER_AGENT="TestBrowser/1.0",
        REMOTE_ADDR="203.0.113.9",
    )

    feedback = AccessibilityFeedback.objects.get()
    stored = " ".join(str(getattr(feedback, field.attname)) for field in feedback._meta.fields)
    assert "203.0.113.9" not in stored
    assert "TestBrowser" not in stored


def test_the_same_submission_sent_twice_is_stored_once(client, django_capture_on_commit_callbacks):
    data = form_data()

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url("feedback"), data)
        second = client.post(url("feedback"), data)

    assert first.status_code == second.status_code == 302
    assert second.url == first.url
    assert AccessibilityFeedback.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_different_message_sent_from_the_same_form_is_a_new_report(client):
    # Going back after sending and writing about another problem must not be lost.
    data = form_data()
    client.post(url("feedback"), data)
    client.post(url("feedback"), {**data, "message": "The focus disappears in the menu."})

    assert AccessibilityFeedback.objects.count() == 2


def test_a_submission_that_failed_to_store_can_be_sent_again(client, monkeypatch):
    data = form_data()

    def broken(**kwargs):
        raise OperationalError("database went away")

    monkeypatch.setattr("brukarkraft.views.feedback.feedback_submit", broken)
    # The database fault page (brukarkraft/faults.py) asks the visitor to send it again.
    assert client.post(url("feedback"), data).status_code == 503
    monkeypatch.undo()

    client.post(url("feedback"), data)

    assert AccessibilityFeedback.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"message": "   "}, "message", "Write your message."),
        ({"kind": ""}, "kind", "Choose what your feedback is about."),
        ({"kind": "format", "requested_format": ""}, "requested_format", "Choose the format"),
        ({"page_url": "https://evil.example/page"}, "page_url", "a page on this website"),
        ({"page_url": "//evil.example/page"}, "page_url", "a page on this website"),
        ({"page_url": "accessibility/"}, "page_url", "a page on this website"),
        ({"email": "not-an-address"}, "email", "valid email address"),
        ({"message": "x" * 5001}, "message", "at most 5000 characters"),
    ],
)
def test_bad_input_is_shown_at_the_field_and_stores_nothing(client, overrides, field, message):
    response = client.post(url("feedback"), form_data(**overrides))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert "data-error-summary" in response.text
    assert response.text.count(message) >= 2  # in the summary and at the field
    assert AccessibilityFeedback.objects.count() == 0
    assert len(mail.outbox) == 0


def test_a_form_without_a_valid_submission_id_asks_to_send_again_with_a_fresh_one(client):
    response = client.post(url("feedback"), form_data(submission_id="not-a-uuid"))

    assert response.status_code == 200
    assert "submission_id" in response.context["form"].errors
    assert AccessibilityFeedback.objects.count() == 0
    fresh = response.context["form"]["submission_id"].value()
    assert uuid.UUID(fresh)

    client.post(url("feedback"), form_data(submission_id=fresh))

    assert AccessibilityFeedback.objects.count() == 1


def test_the_thanks_page_links_back_only_to_a_page_on_this_site(client):
    back = client.get(url("feedback_thanks"), {"page": "/en/privacy/"})
    away = client.get(url("feedback_thanks"), {"page": "https://evil.example/"})

    assert back.status_code == away.status_code == 200
    assert 'href="/en/privacy/"' in back.text
    assert "Back to the page you came from" in back.text
    assert 'href="https://evil.example/"' not in away.text
    assert away.context["back_to"] is None
    assert "Back to the page you came from" not in away.text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/", "/"),
        ("/en/privacy/?a=1#x", "/en/privacy/?a=1"),
        ("https://testserver/x/", "/x/"),
        ("https://other.example/x/", None),
        ("//other.example/x/", None),
        ("/\\other.example", None),
        ("ftp://testserver/x/", None),
        ("javascript:alert(1)", None),
        ("relative/path", None),
        ("/line\nbreak", None),
        ("", None),
    ],
)
def test_local_path_keeps_only_addresses_on_this_site(value, expected):
    assert local_path(value, host="testserver") == expected


# --- The inbox -------------------------------------------------------------------


def test_the_inbox_sends_an_anonymous_visitor_to_log_in(client):
    response = client.get(url("feedback_inbox"))

    assert response.status_code == 302
    assert response.url.startswith(url("login"))
    assert "next=" in response.url


@pytest.mark.parametrize("persona", ["commissioner", "other_commissioner", "auditor", "outsider"])
def test_the_inbox_is_closed_to_everyone_but_staff_and_admins(client, request, persona):
    feedback = AccessibilityFeedbackFactory()
    client.force_login(request.getfixturevalue(persona))

    assert client.get(url("feedback_inbox")).status_code == 403
    assert client.get(url("feedback_handle", pk=feedback.pk)).status_code == 403
    response = client.post(
        url("feedback_handle", pk=feedback.pk), {"status": "resolved", "staff_note": "x"}
    )
    assert response.status_code == 403
    feedback.refresh_from_db()
    assert feedback.status == AccessibilityFeedback.Status.NEW


@pytest.mark.parametrize("persona", ["staff", "admin_user"])
@pytest.mark.parametrize("language", ["sv", "nb", "en"])
def test_staff_and_admins_see_all_feedback_newest_first(client, request, persona, language):
    older = AccessibilityFeedbackFactory(message="Older report about contrast.")
    newer = AccessibilityFeedbackFactory(message="Newer report about focus.", name="Nils")
    client.force_login(request.getfixturevalue(persona))

    response = client.get(url("feedback_inbox", language))

    assert response.status_code == 200
    assert list(response.context["feedback_list"]) == [newer, older]
    text = response.text
    assert text.index("Newer report about focus.") < text.index("Older report about contrast.")
    assert url("feedback_handle", language, pk=newer.pk) in text


def test_the_inbox_filters_by_status_and_counts_each_status(client, staff):
    AccessibilityFeedbackFactory.create_batch(3, status=AccessibilityFeedback.Status.NEW)
    resolved = AccessibilityFeedbackFactory(status=AccessibilityFeedback.Status.RESOLVED)
    client.force_login(staff)

    response = client.get(url("feedback_inbox"), {"status": "resolved"})

    assert list(response.context["feedback_list"]) == [resolved]
    counts = {value: count for value, _label, count in response.context["status_counts"]}
    assert counts == {"new": 3, "in_progress": 0, "resolved": 1}
    assert response.context["total_count"] == 4
    assert '<option value="resolved" selected>' in response.text


def test_an_unknown_status_in_the_filter_shows_all_feedback(client, staff):
    AccessibilityFeedbackFactory.create_batch(2)
    client.force_login(staff)

    response = client.get(url("feedback_inbox"), {"status": "bogus"})

    assert response.status_code == 200
    assert len(response.context["feedback_list"]) == 2


def test_the_inbox_runs_the_same_number_of_queries_however_many_rows(
    client, staff, django_assert_max_num_queries, django_assert_num_queries
):
    AccessibilityFeedbackFactory(handled_by=staff)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as one_row:
        client.get(url("feedback_inbox"))
    AccessibilityFeedbackFactory.create_batch(29, handled_by=staff, name="Named Sender")

    # Session, user, roles, counts per status, the page's count and its rows.
    with django_assert_max_num_queries(6):
        response = client.get(url("feedback_inbox"))

    assert len(response.context["feedback_list"]) == 30
    with django_assert_num_queries(len(one_row)):
        client.get(url("feedback_inbox"), {"status": "new"})


def test_the_inbox_is_paged_when_there_is_much_feedback(client, staff):
    AccessibilityFeedbackFactory.create_batch(51)
    client.force_login(staff)

    first = client.get(url("feedback_inbox"))
    second = client.get(url("feedback_inbox"), {"page": 2})

    assert len(first.context["feedback_list"]) == 50
    assert len(second.context["feedback_list"]) == 1
    assert "page=2" in first.text


# --- Handling one report -------------------------------------------------------------


def test_staff_read_the_whole_message_and_the_senders_details(client, staff):
    message = "Line one of a long report.\nLine two, which the list cuts off." + " x" * 100
    feedback = AccessibilityFeedbackFactory(
        message=message, name="Elsa Exempel", email="elsa@example.se", page_url="/en/"
    )
    client.force_login(staff)

    response = client.get(url("feedback_handle", pk=feedback.pk))

    assert response.status_code == 200
    assert "Line two, which the list cuts off." in response.text
    assert 'href="mailto:elsa@example.se"' in response.text
    assert 'href="/en/"' in response.text


def test_a_message_is_shown_as_text_never_as_html(client, staff):
    feedback = AccessibilityFeedbackFactory(message="<script>alert(1)</script>")
    client.force_login(staff)

    response = client.get(url("feedback_handle", pk=feedback.pk))

    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text


@pytest.mark.parametrize("persona", ["staff", "admin_user"])
def test_handling_records_status_note_and_who_handled_it(client, request, persona):
    person = request.getfixturevalue(persona)
    feedback = AccessibilityFeedbackFactory()
    client.force_login(person)

    response = client.post(
        url("feedback_handle", pk=feedback.pk),
        {"status": "in_progress", "staff_note": "  Asked the developers to fix the menu.  "},
    )

    assert response.status_code == 302
    assert response.url == url("feedback_handle", pk=feedback.pk)
    feedback.refresh_from_db()
    assert feedback.status == AccessibilityFeedback.Status.IN_PROGRESS
    assert feedback.staff_note == "Asked the developers to fix the menu."
    assert feedback.handled_by == person
    assert feedback.handled_at is not None
    page = client.get(response.url)
    assert "In progress" in page.text
    assert "Saved." in page.text


def test_handling_with_an_invalid_status_changes_nothing(client, staff):
    feedback = AccessibilityFeedbackFactory()
    client.force_login(staff)

    response = client.post(
        url("feedback_handle", pk=feedback.pk), {"status": "archived", "staff_note": ""}
    )

    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    assert "data-error-summary" in response.text
    feedback.refresh_from_db()
    assert feedback.status == AccessibilityFeedback.Status.NEW
    assert feedback.handled_by is None


def test_handling_feedback_that_does_not_exist_is_404(client, staff):
    client.force_login(staff)

    assert client.get(url("feedback_handle", pk=999999)).status_code == 404


def test_feedback_is_kept_and_thanked_for_when_the_broker_is_down(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr("brukarkraft.tasks.notify_staff_of_feedback.delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("feedback"), form_data(), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(url("feedback_thanks"))
    assert AccessibilityFeedback.objects.count() == 1
