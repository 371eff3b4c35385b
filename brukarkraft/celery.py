"""The Celery app: Redis when REDIS_URL is set, kombu's filesystem transport otherwise."""

import os
from pathlib import Path

from celery import Celery, Task
from django.db import InterfaceError, OperationalError

from .storage import RETRY_ON_STORAGE_OUTAGE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brukarkraft.settings")


class BaseTask(Task):
    # Transient failures (database restarts, a dropped broker connection, a file store that
    # is down) are retried with back-off; anything else is a bug and fails loudly.
    autoretry_for = (OperationalError, InterfaceError, ConnectionError, *RETRY_ON_STORAGE_OUTAGE)
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5


app = Celery("brukarkraft", task_cls=BaseTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def merge_app_beat_jobs() -> None:
    """Add the apps' periodic tasks (registered from their portal_hooks) to the core's
    CELERY_BEAT_SCHEDULE. Runs in BrukarkraftConfig.ready(), which beat and the worker
    reach through Celery's Django fixup (django.setup()) before the scheduler starts."""
    from django.conf import settings

    from .registry import beat_schedule

    app.conf.beat_schedule = {**settings.CELERY_BEAT_SCHEDULE, **beat_schedule()}


def ensure_filesystem_broker_folders() -> None:
    """Create the folders kombu's filesystem transport needs; it does not create them itself."""
    if not str(app.conf.broker_url).startswith("filesystem"):
        return
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = app.conf.broker_transport_options.get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
