"""E-mail the portal sends, rendered in the recipient's language."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import AccessibilityFeedback


def send_feedback_notification(feedback_id: int) -> bool:
    """Mail the centre about one piece of feedback; return False if it was already sent."""
    with transaction.atomic():
        feedback = AccessibilityFeedback.objects.select_for_update().filter(pk=feedback_id).first()
        # A redelivered task (acks_late) must not mail twice.
        if feedback is None or feedback.staff_notified_at is not None:
            return False
        with translation.override(settings.LANGUAGE_CODE):
            context = {"feedback": feedback, "site_url": settings.SITE_URL}
            subject = render_to_string(
                "brukarkraft/email/feedback_notification_subject.txt", context
            ).strip()
            body = render_to_string("brukarkraft/email/feedback_notification.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [settings.PORTAL_CONTACT_EMAIL])
        feedback.staff_notified_at = timezone.now()
        feedback.save(update_fields=["staff_notified_at"])
    return True


def send_once(connection, *, key: str, timeout: int, message) -> int:
    """Send `message` (an EmailMessage, or a callable that makes one) unless another
    delivery of the same task already claimed `key`. cache.add() is atomic in Redis, so
    several workers never mail one person twice; a failed send releases the claim."""
    from django.core.cache import cache

    # False: another delivery has it. None: the cache (Redis) is unreachable and
    # django-redis ignored the error; then a second mail is better than none.
    if cache.add(key, 1, timeout) is False:
        return 0
    try:
        if callable(message):
            message = message()
        return connection.send_messages([message]) or 0
    except Exception:
        cache.delete(key)
        raise
