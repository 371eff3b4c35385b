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


# celery-redbeat's settings, as settings.py names them (CELERY_ + the name in capitals).
REDBEAT_SETTINGS = (
    "redbeat_redis_url",
    "redbeat_redis_options",
    "redbeat_key_prefix",
    "redbeat_lock_timeout",
)


def expose_redbeat_settings() -> None:
    """Give redbeat its settings under their bare names as well. redbeat decides whether a
    setting was given by looking for that bare name among the configuration's keys; behind
    Django's CELERY_ namespace it does not find it, so it would warn and, for the Redis
    options, leave them out. Runs in BrukarkraftConfig.ready(), before beat starts."""
    from django.conf import settings

    app.conf.update(
        {
            name: getattr(settings, f"CELERY_{name.upper()}")
            for name in REDBEAT_SETTINGS
            if hasattr(settings, f"CELERY_{name.upper()}")
        }
    )


def ensure_filesystem_broker_folders() -> None:
    """Create the folders kombu's filesystem transport needs; it does not create them itself."""
    if not str(app.conf.broker_url).startswith("filesystem"):
        return
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = app.conf.broker_transport_options.get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
