"""State changes of the shared app: one function per action, each in a transaction."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from .models import AccessibilityFeedback, Notice, User
from .queue import enqueue

logger = logging.getLogger(__name__)


@transaction.atomic
def feedback_submit(
    *,
    kind: str,
    message: str,
    language: str,
    page_url: str = "",
    requested_format: str = "",
    name: str = "",
    email: str = "",
) -> AccessibilityFeedback:
    """Store accessibility feedback and tell the resource centre once it is committed."""
    feedback = AccessibilityFeedback.objects.create(
        kind=kind,
        message=message.strip(),
        language=language,
        page_url=page_url[:500],
        requested_format=requested_format if kind == AccessibilityFeedback.Kind.FORMAT else "",
        name=name.strip(),
        email=email.strip().lower(),
    )
    from .tasks import notify_staff_of_feedback

    # enqueue keeps the job if the broker is down; robust: nothing else after the commit
    # may turn the visitor's successful submission into an error page either (staff still
    # see it in the inbox).
    transaction.on_commit(lambda: enqueue(notify_staff_of_feedback, feedback.pk), robust=True)
    return feedback


@transaction.atomic
def feedback_update(
    *, feedback: AccessibilityFeedback, by: User, status: str, staff_note: str
) -> AccessibilityFeedback:
    """Record how staff handled a piece of feedback."""
    feedback = AccessibilityFeedback.objects.select_for_update().get(pk=feedback.pk)
    if status not in AccessibilityFeedback.Status.values:
        raise ValidationError(gettext("Choose a valid status."), code="invalid_status")
    feedback.status = status
    feedback.staff_note = staff_note.strip()
    feedback.handled_by = by
    feedback.handled_at = timezone.now()
    feedback.save(update_fields=["status", "staff_note", "handled_by", "handled_at"])
    return feedback


@transaction.atomic
def user_update_profile(*, user: User, full_name: str, preferred_language: str) -> User:
    """Save the name and language a person chose on their profile page."""
    if preferred_language not in dict(settings.LANGUAGES):
        raise ValidationError(gettext("Choose one of the portal's languages."), code="language")
    user.full_name = full_name.strip()
    user.preferred_language = preferred_language
    user.save(update_fields=["full_name", "preferred_language"])
    return user


def user_set_preferred_language(*, user: User, language: str) -> User:
    """Remember the language a logged-in person switched to, for pages and e-mail."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(gettext("Choose one of the portal's languages."), code="language")
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user


def email_send_later(
    *, subject: str, body: str, to: list[str], from_email: str | None = None
) -> None:
    """Queue a rendered e-mail for the worker; send it at once if the broker will not take it."""
    from .queue import BROKER_ERRORS
    from .tasks import send_email

    try:
        send_email.delay(subject=subject, body=body, to=to, from_email=from_email)
    except BROKER_ERRORS:
        # The message matters more than the page's speed (a password reset link, say):
        # with the broker down, send it from the web process instead of losing it. Not
        # kept as a PendingTask: its arguments are an address and a rendered message.
        # Never the subject: it can carry a name or a council's or person's matter.
        logger.warning("Broker unavailable; sending an e-mail in the request")
        EmailMessage(subject=subject, body=body, from_email=from_email, to=to).send()


def notice_add(*, user: User, key: str, text: str, url: str) -> Notice:
    """Put a line in the user's start-page list; a second call with the same key adds
    nothing. Runs inside the caller's transaction, with the e-mail about the same event."""
    notice, _created = Notice.objects.get_or_create(
        user=user, key=key[:120], defaults={"text": text[:300], "url": url[:300]}
    )
    return notice


@transaction.atomic
def notice_mark_read(*, user: User, pk: int) -> int:
    """Take one of the user's own notices off their list; another person's is left alone."""
    return Notice.objects.filter(user=user, pk=pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
