from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone


@shared_task
def notify_staff_of_feedback(feedback_id: int) -> None:
    """E-mail the resource centre about new accessibility feedback (once, even if redelivered)."""
    from .notifications import send_feedback_notification

    send_feedback_notification(feedback_id)


@shared_task
def send_email(*, subject: str, body: str, to: list[str], from_email: str | None = None) -> None:
    """Send an e-mail rendered in the request (in the recipient's language)."""
    from django.core.mail import EmailMessage

    EmailMessage(subject=subject, body=body, from_email=from_email, to=to).send()


@shared_task
def purge_login_log() -> int:
    """Delete login records older than the retention period the privacy notice promises."""
    from axes.models import AccessLog

    cutoff = timezone.now() - timedelta(days=settings.LOGIN_LOG_RETENTION_DAYS)
    deleted, _ = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()
    return deleted
