from celery import shared_task

from brukarkraft.storage import STORAGE_TASK_RETRIES


@shared_task(max_retries=STORAGE_TASK_RETRIES)
def write_export(job_id: int) -> None:
    """Write an export's file; a redelivered task for a finished job does nothing."""
    from .services import export_run

    export_run(job_id=job_id)


@shared_task
def purge_expired_raw_answers() -> int:
    """Delete single answers of surveys whose retention period has ended, keeping totals."""
    from .services import surveys_purge_expired

    return surveys_purge_expired()


@shared_task(max_retries=STORAGE_TASK_RETRIES)
def write_code_slips(batch_id: int) -> None:
    """Print a batch of one-time codes on slips to cut apart."""
    from .services import code_slips_write

    code_slips_write(batch_id=batch_id)
