from celery import shared_task

from brukarkraft.storage import STORAGE_TASK_RETRIES


@shared_task
def send_meeting_notice(meeting_id: int, sent_at: str) -> int:
    """E-mail the notice and agenda to every current member, each in their own language."""
    from .notifications import send_notice

    return send_notice(meeting_id=meeting_id, sent_at=sent_at)


@shared_task(acks_late=True, max_retries=STORAGE_TASK_RETRIES)
def make_minutes_pdf(meeting_id: int) -> None:
    from .services import minutes_pdf_render

    minutes_pdf_render(meeting_id=meeting_id)


@shared_task(acks_late=True, max_retries=STORAGE_TASK_RETRIES)
def make_annual_report(report_id: int) -> None:
    from .services import annual_report_render

    annual_report_render(report_id=report_id)


@shared_task(bind=True)
def remind_council_admins(self) -> int:
    """Tell the centre about terms ending within 90 days and terms of reference due."""
    from .notifications import send_admin_reminders

    # A redelivered message keeps its task id: the centre is mailed once.
    return send_admin_reminders(once_key=f"councils:admin-reminders:{self.request.id}")
