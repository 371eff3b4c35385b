"""A real Celery worker for browser tests: the live server queues, the worker does the work.

The live server runs in the test process, so its `.delay()` calls use this process's Celery
app: `real_worker` points that app at the test broker (Redis when configured, as in CI, or
kombu's filesystem transport in a folder of the test's own) and at a queue of the test's own,
then starts `celery worker` on that queue, reading the test database and the same MEDIA_ROOT
as the live server, so files the worker writes can be downloaded through the pages.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from kombu import Exchange, Queue
from kombu.exceptions import OperationalError

from brukarkraft.celery import app as celery_app
from brukarkraft.tests.test_celery_worker import database_url, running_worker, wait_for

# Settings the test process has that the worker must not inherit.
NOT_INHERITED = {"CELERY_TASK_ALWAYS_EAGER", "EMAIL_URL", "SQLITE_TEST_NAME", "MEDIA_ROOT"}


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path
    queue: str
    mail_dir: Path

    def wait_for(self, condition, what: str) -> None:
        """Wait until `condition()` holds; fail with the worker's log if it never does."""
        wait_for(condition, process=self.process, log=self.log, what=what)

    def log_text(self) -> str:
        return self.log.read_text()


def _forget_broker_connections() -> None:
    # The app keeps a connection and producer pool made from the broker settings of the
    # moment it was first used; without this, messages could go to the settings' broker.
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


def _delete_queue(queue: str) -> None:
    # A shared Redis (CI, developers) would otherwise keep every run's queue bindings.
    # kombu deletes only the bindings a channel knows, so the queue is declared first.
    with suppress(OSError, OperationalError), celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        Queue(queue, Exchange(queue, "direct"), routing_key=queue)(channel).declare()
        channel.queue_delete(queue)


@contextmanager
def real_worker(folder: Path, *, media_root: Path) -> Iterator[Worker]:
    """Route every task of this process to a fresh queue and run a worker on it.

    `media_root` must be the live server's settings.MEDIA_ROOT. Mail the worker sends is
    written to files in `folder / "mail"`.
    """
    conf = celery_app.conf
    saved = {
        "task_always_eager": conf.task_always_eager,
        "broker_url": conf.broker_url,
        "broker_transport_options": dict(conf.broker_transport_options or {}),
        "task_default_queue": conf.task_default_queue,
    }
    # A queue per run, so that no other worker on a shared Redis takes the messages.
    queue = f"brukarkraft-e2e-{uuid.uuid4().hex[:12]}"
    mail_dir = folder / "mail"
    log = folder / "worker.log"
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    env.update(
        DJANGO_SETTINGS_MODULE="brukarkraft.settings",
        DATABASE_URL=database_url(),
        MEDIA_ROOT=str(media_root),
        # Four slashes: django-environ reads "filemail:///tmp/x" as the relative path "tmp/x".
        EMAIL_URL=f"filemail:///{mail_dir}",
        PYTHONUNBUFFERED="1",
    )
    if str(settings.CELERY_BROKER_URL).startswith("filesystem"):
        root = folder / "celery"
        for name in ("queue", "processed", "control"):
            (root / name).mkdir(parents=True, exist_ok=True)
        conf.broker_url = "filesystem://"
        conf.broker_transport_options = {
            "data_folder_in": str(root / "queue"),
            "data_folder_out": str(root / "queue"),
            "processed_folder": str(root / "processed"),
            "control_folder": str(root / "control"),
            "store_processed": False,
        }
        env["CELERY_FILESYSTEM_ROOT"] = str(root)
    # conftest.py makes every test eager; here the messages must travel.
    conf.task_always_eager = False
    conf.task_default_queue = queue
    _forget_broker_connections()
    try:
        with running_worker(queue=queue, env=env, log=log) as process:
            yield Worker(process=process, log=log, queue=queue, mail_dir=mail_dir)
    finally:
        _delete_queue(queue)
        for key, value in saved.items():
            setattr(conf, key, value)
        _forget_broker_connections()
