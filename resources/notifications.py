"""E-mail about method guidance: the centre hears of a new request, the requester gets a
receipt and, later, the answer.

Called by resources.tasks.notify_guidance after the request or the answer commits. The
centre is written to in Swedish; the requester in the language they use the portal in
(their account's preferred language, else Swedish: a request sent without an account has
no language of its own).

Each message goes once, without a table of its own: before it is sent, `cache.add()` claims
a key for the request, the event and the recipient. In production the cache is the shared
Redis, where add() is an atomic SET NX, so of two workers handling a redelivered task only
one mails. A message that fails to send gives its key back, so a retry sends only what is
missing. The "answered" key includes the time of the answer: a corrected answer is a new
event and is mailed, a redelivery of the same one is not.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from brukarkraft.notifications import send_once

from .models import GuidanceRequest

EVENTS = {"received", "answered"}
# Long enough to outlive any redelivery of the task.
KEY_LIFETIME = timedelta(days=30)


def _language(code: str | None) -> str:
    available = {code for code, _name in settings.LANGUAGES}
    return code if code in available else settings.LANGUAGE_CODE


def requester_language(request: GuidanceRequest) -> str:
    """The requester's language: their account's preferred one, else Swedish."""
    person = request.requested_by
    return _language(person.preferred_language if person is not None else None)


def _message(
    template: str, context: dict, *, language: str, to: str, reply_to: str | None = None
) -> EmailMessage:
    with translation.override(language):
        subject = render_to_string(f"resources/email/{template}_subject.txt", context)
        body = render_to_string(f"resources/email/{template}.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=[reply_to] if reply_to else None,
    )


def _link(name: str, language: str, *args) -> str:
    with translation.override(language):
        # reverse() inside the override adds the language prefix ("" for Swedish).
        return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def messages_for(request: GuidanceRequest, event: str) -> list[tuple[str, EmailMessage]]:
    """(once-only key, message) for everyone told about `event`."""
    if event not in EVENTS:
        raise ValueError(f"Unknown guidance event: {event}")
    language = requester_language(request)
    context = {
        "request": request,
        # A lazy name: rendered in the language of each message.
        "language_name": dict(settings.LANGUAGES).get(language, language),
    }
    prefix = f"resources:guidance:{request.pk}:{event}"
    if event == "received":
        centre = settings.LANGUAGE_CODE  # the centre works in Swedish
        centre_context = {
            **context,
            "link": _link("resources:guidance_handle", centre, request.pk),
        }
        requester_context = {**context, "link": _link("resources:library", language)}
        return [
            (
                f"{prefix}:centre",
                _message(
                    "guidance_received",
                    centre_context,
                    language=centre,
                    to=settings.PORTAL_CONTACT_EMAIL,
                    reply_to=request.email,
                ),
            ),
            (
                f"{prefix}:requester",
                _message(
                    "guidance_receipt",
                    requester_context,
                    language=language,
                    to=request.email,
                    reply_to=settings.PORTAL_CONTACT_EMAIL,
                ),
            ),
        ]
    if request.status == GuidanceRequest.Status.NEW or not request.answer.strip():
        return []  # Not answered (any more): nothing to send.
    answered = request.answered_at.isoformat() if request.answered_at else ""
    return [
        (
            f"{prefix}:{answered}:requester",
            _message(
                "guidance_answered",
                {**context, "handler": request.handled_by},
                language=language,
                to=request.email,
                reply_to=settings.PORTAL_CONTACT_EMAIL,
            ),
        )
    ]


def send_guidance_mail(*, request_id: int, event: str) -> int:
    """Mail everyone concerned by `event` ("received" or "answered") of a guidance request,
    each message once; return the number of messages sent now."""
    request = (
        GuidanceRequest.objects.select_related("requested_by", "handled_by")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        return 0
    timeout = int(KEY_LIFETIME.total_seconds())
    sent = 0
    with get_connection() as connection:
        for key, message in messages_for(request, event):
            if not message.to or not message.to[0]:
                continue
            sent += send_once(connection, key=key, timeout=timeout, message=message)
    return sent
