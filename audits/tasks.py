from celery import shared_task


@shared_task(acks_late=True)
def generate_report(version_id: int) -> None:
    """Make one report version's PDF; safe to run twice for the same version."""
    from .services import report_render

    report_render(version_id=version_id)


@shared_task
def requeue_stale_reports() -> int:
    """Send again the report versions whose job was lost (beat, every ten minutes)."""
    from .services import reports_requeue_stale

    return reports_requeue_stale()


@shared_task
def send_audit_notification(audit_id: int, kind: str, key: str, user_id: int | None = None) -> int:
    """E-mail everyone concerned about an audit, each in their own language; once per key."""
    from .notifications import send_notification

    return send_notification(audit_id=audit_id, kind=kind, key=key, user_id=user_id)


@shared_task
def send_due_reminders() -> int:
    """Remind commissioners of responses and follow-ups due within a week."""
    from .services import reminders_send

    return reminders_send()


# The fieldwork's jobs (guide PDFs), so that the worker registers them too.
from audits.fieldwork.tasks import generate_guide_pdf, requeue_stale_guide_pdfs  # noqa: E402, F401
