"""The audits app's background jobs: each calls a service (services never import this)."""

from celery import shared_task

from brukarkraft.storage import STORAGE_TASK_RETRIES

from . import services


@shared_task(acks_late=True, max_retries=STORAGE_TASK_RETRIES)
def generate_report(version_id: int) -> None:
    """Make one report version's PDF; safe to run twice for the same version."""
    services.report_render(version_id=version_id)


@shared_task
def requeue_stale_reports() -> int:
    """Send again the report versions whose job was lost (beat, every ten minutes)."""
    return services.reports_requeue_stale()


@shared_task
def send_audit_notification(audit_id: int, kind: str, key: str, user_id: int | None = None) -> int:
    """E-mail everyone concerned about an audit, each in their own language; once per key."""
    from .notifications import send_notification

    return send_notification(audit_id=audit_id, kind=kind, key=key, user_id=user_id)


@shared_task
def send_due_reminders() -> int:
    """Remind commissioners of responses and follow-ups due within a week."""
    return services.reminders_send()
