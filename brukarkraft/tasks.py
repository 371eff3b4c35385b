from celery import shared_task


@shared_task
def notify_staff_of_feedback(feedback_id: int) -> None:
    """E-mail the resource centre about new accessibility feedback (once, even if redelivered)."""
    from .notifications import send_feedback_notification

    send_feedback_notification(feedback_id)


@shared_task(bind=True)
def send_email(
    self, *, subject: str, body: str, to: list[str], from_email: str | None = None
) -> int:
    """Send an e-mail rendered in the request (in the recipient's language), once."""
    from django.core.mail import EmailMessage, get_connection

    from .notifications import send_once

    # A redelivered message (acks_late, a lost worker) keeps its task id: claim it once.
    with get_connection() as connection:
        return send_once(
            connection,
            key=f"brukarkraft:send_email:{self.request.id}",
            timeout=60 * 60 * 24,
            message=EmailMessage(subject=subject, body=body, from_email=from_email, to=to),
        )


@shared_task
def purge_login_log() -> int:
    """Delete login records older than the retention period the privacy notice promises."""
    from .retention import purge_login_log

    return purge_login_log()


@shared_task
def apply_retention() -> dict[str, int]:
    """Delete what has been kept past its retention period (settings.RETENTION_DAYS)."""
    from .retention import apply_all

    return apply_all()


@shared_task
def send_pending_tasks() -> int:
    """Send the background jobs the queue could not take while it was down."""
    from .queue import send_pending

    return send_pending()


@shared_task
def tell_commissioners_of_join_request(join_request_id: int) -> int:
    """Tell an organisation's commissioners that someone asks to join it (once)."""
    from .services import join_request_tell_commissioners

    return join_request_tell_commissioners(join_request_id)
