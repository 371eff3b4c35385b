from celery import shared_task

from brukarkraft.storage import STORAGE_TASK_RETRIES


@shared_task(acks_late=True, max_retries=STORAGE_TASK_RETRIES)
def print_version(version_id: int) -> None:
    """Render a published version as a printable PDF (once)."""
    from .services import version_print

    version_print(version_id=version_id)


@shared_task
def publish_due_resources() -> int:
    """Publish approved versions whose scheduled time has come, and queue again the
    printable PDF of any current version a lost task left without one."""
    from brukarkraft.queue import enqueue

    from .services import resources_publish_due, versions_missing_pdf

    published = resources_publish_due()
    for version_id in versions_missing_pdf():
        enqueue(print_version, version_id)
    return published


@shared_task
def notify_guidance(request_id: int, event: str) -> int:
    """Tell the centre about a new guidance request, or the requester about the answer."""
    from .notifications import send_guidance_mail

    return send_guidance_mail(request_id=request_id, event=event)
