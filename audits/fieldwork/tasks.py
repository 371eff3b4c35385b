"""Background jobs of the fieldwork: the guide PDF, and the sweep for PDFs whose job was lost.

Imported from AuditsConfig.ready, so the worker (which autodiscovers only `audits.tasks`)
knows them.
"""

from celery import shared_task

from brukarkraft.storage import STORAGE_TASK_RETRIES


@shared_task(acks_late=True, max_retries=STORAGE_TASK_RETRIES)
def generate_guide_pdf(pdf_id: int) -> None:
    """Make one guide PDF; safe to run twice for the same PDF."""
    from .services import guide_pdf_render

    guide_pdf_render(pdf_id=pdf_id)


@shared_task
def requeue_stale_guide_pdfs() -> int:
    """Send again the guide PDFs whose job was lost (beat, every ten minutes)."""
    from .services import guide_pdfs_requeue_stale

    return guide_pdfs_requeue_stale()
