"""Background job of the report bank: the public PDF of a published audit.

Imported from AuditsConfig.ready, so the worker (which autodiscovers only `audits.tasks`)
knows it.
"""

from celery import shared_task


@shared_task(acks_late=True)
def generate_public_report(publication_id: int) -> None:
    """Make a published audit's PDF for the report bank, without personal data; safe to
    run twice for the same publication."""
    # Imported here, as the fieldwork's jobs do, so that the services never sit in an
    # import cycle with the jobs that call them.
    from .services import public_report_render

    public_report_render(publication_id=publication_id)


@shared_task
def requeue_missing_public_reports() -> int:
    """Send again the public PDFs whose job was lost or failed for good (beat, every ten
    minutes)."""
    from .services import public_reports_requeue

    return public_reports_requeue()


@shared_task
def refresh_national_picture() -> None:
    """Count the public national picture again after a publish or a withdrawal and keep
    it in the cache, so that no reader waits for the count (seconds at 10,000 audits)."""
    from .national import public_picture

    public_picture()
