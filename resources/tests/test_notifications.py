"""Method-guidance e-mail: the centre and a receipt when a request comes in, the answer to
the requester, each in the right language and each once."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from brukarkraft.tests.factories import UserFactory
from resources import services
from resources.models import GuidanceRequest
from resources.notifications import send_guidance_mail
from resources.tests.factories import GuidanceRequestFactory

# The once-only keys live in the cache: each test starts with an empty cache of its own
# (conftest.empty_cache).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

REQUEST = {
    "organisation_name": "Örebro kommun, arbetsmarknadsenheten",
    "name": "Cecilia Beställare",
    "email": "cecilia@example.se",
    "phone": "031-390 06 10",
    "topic": GuidanceRequest.Topic.METHOD,
    "message": "Hur leder vi en fokusgrupp med deltagare som har olika språk?",
    "preferred_times": "Tisdagar förmiddag",
    "format": "video",
}


def translated(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def by_recipient() -> dict[str, mail.EmailMessage]:
    return {message.to[0]: message for message in mail.outbox}


def test_a_new_request_mails_the_centre_and_a_receipt_to_the_requester(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        request = services.guidance_request_create(data=dict(REQUEST), by=None)

    messages = by_recipient()
    assert set(messages) == {settings.PORTAL_CONTACT_EMAIL, "cecilia@example.se"}
    centre = messages[settings.PORTAL_CONTACT_EMAIL]
    assert "Örebro kommun, arbetsmarknadsenheten" in centre.subject
    assert REQUEST["message"] in centre.body
    assert "031-390 06 10" in centre.body
    assert "Tisdagar förmiddag" in centre.body
    assert f"/resources/guidance/queue/{request.pk}/" in centre.body
    assert centre.reply_to == ["cecilia@example.se"]
    receipt = messages["cecilia@example.se"]
    assert receipt.subject == translated("sv", "We have received your request for method guidance")
    assert "Cecilia Beställare" in receipt.body
    assert REQUEST["message"] in receipt.body
    assert receipt.reply_to == [settings.PORTAL_CONTACT_EMAIL]


def test_the_receipt_is_in_the_requesters_language_and_the_centres_mail_in_swedish(
    django_capture_on_commit_callbacks,
):
    kari = UserFactory(email="kari@example.no", preferred_language="nb")
    with django_capture_on_commit_callbacks(execute=True):
        services.guidance_request_create(data={**REQUEST, "email": "kari@example.no"}, by=kari)

    messages = by_recipient()
    assert messages["kari@example.no"].subject == translated(
        "nb", "We have received your request for method guidance"
    )
    assert "/nb/resources/" in messages["kari@example.no"].body
    centre = messages[settings.PORTAL_CONTACT_EMAIL]
    assert translated("sv", "What it is about") in centre.body
    assert "/nb/" not in centre.body


def test_a_request_without_an_account_gets_a_swedish_receipt():
    request = GuidanceRequestFactory(email="anon@example.org")

    send_guidance_mail(request_id=request.pk, event="received")

    receipt = by_recipient()["anon@example.org"]
    assert receipt.subject == translated("sv", "We have received your request for method guidance")


def test_the_answer_goes_to_the_requester_in_their_language(
    staff, django_capture_on_commit_callbacks
):
    person = UserFactory(email="sam@example.com", preferred_language="en")
    request = GuidanceRequestFactory(email="sam@example.com", requested_by=person)

    with django_capture_on_commit_callbacks(execute=True):
        services.guidance_answer(
            request=request, by=staff, answer="Use two moderators and an interpreter."
        )

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam@example.com"]
    assert message.subject == "Answer to your request for method guidance"
    assert "Use two moderators and an interpreter." in message.body
    assert staff.full_name in message.body


def test_each_event_is_mailed_once_even_if_the_task_runs_again(staff):
    request = GuidanceRequestFactory()

    first = send_guidance_mail(request_id=request.pk, event="received")
    again = send_guidance_mail(request_id=request.pk, event="received")
    services.guidance_answer(request=request, by=staff, answer="Ring oss på tisdag.")
    answered = send_guidance_mail(request_id=request.pk, event="answered")
    answered_again = send_guidance_mail(request_id=request.pk, event="answered")

    assert (first, again, answered, answered_again) == (2, 0, 1, 0)
    assert len(mail.outbox) == 3


def test_a_corrected_answer_is_mailed_as_a_new_event(staff):
    request = GuidanceRequestFactory()
    services.guidance_answer(request=request, by=staff, answer="Första svaret.")
    send_guidance_mail(request_id=request.pk, event="answered")
    request.refresh_from_db()
    services.guidance_answer(request=request, by=staff, answer="Rättat svar.")

    sent = send_guidance_mail(request_id=request.pk, event="answered")

    assert sent == 1
    assert "Rättat svar." in mail.outbox[-1].body


def test_a_failed_send_gives_its_key_back_so_a_retry_mails(monkeypatch):
    request = GuidanceRequestFactory()

    def broken(self, messages):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken)
    with pytest.raises(ConnectionError):
        send_guidance_mail(request_id=request.pk, event="received")
    monkeypatch.undo()

    assert send_guidance_mail(request_id=request.pk, event="received") == 2


def test_nothing_is_sent_for_an_unanswered_request_or_a_missing_one():
    request = GuidanceRequestFactory()

    assert send_guidance_mail(request_id=request.pk, event="answered") == 0
    assert send_guidance_mail(request_id=request.pk + 1000, event="received") == 0
    assert mail.outbox == []


def test_an_unknown_event_is_a_programming_error():
    request = GuidanceRequestFactory()

    with pytest.raises(ValueError):
        send_guidance_mail(request_id=request.pk, event="deleted")
