from celery import shared_task


@shared_task
def notify_staff_of_feedback(feedback_id: int) -> None:
    """E-mail the resource centre about new accessibility feedback (once, even if redelivered)."""
    from .notifications import send_feedback_notification

    send_feedback_notification(feedback_id)
