"""State changes of the shared app: one function per action, each in a transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from .models import AccessibilityFeedback, User


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

    transaction.on_commit(lambda: notify_staff_of_feedback.delay(feedback.pk))
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
