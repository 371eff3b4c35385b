"""A real Celery worker process takes the portal's tasks from the broker and does the work.

The broker is the one configured (Redis in CI) or, without one, kombu's filesystem
transport in a folder of the test's own. The worker reads the test database: a file
on SQLite (see conftest.py), the test database by name on PostgreSQL.
"""

import email
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from brukarkraft.celery import app as celery_app
from brukarkraft.models import AccessibilityFeedback
from brukarkraft.tasks import notify_staff_of_feedback
from brukarkraft.tests.factories import AccessibilityFeedbackFactory

BASE_DIR = Path(__file__).resolve().parents[2]
WORKER_TIMEOUT = 60
STAFF_INBOX = "inkorg@resurscentrum.example.se"


def database_url() -> str:
    """The URL under which another process reaches the test database."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        name = str(db["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            pytest.fail("The SQLite test database is in memory; conftest.py should make it a file.")
        return f"sqlite:///{name}"
    if db["ENGINE"] == "django.db.backends.postgresql":
        credentials = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            credentials += ":" + quote(db["PASSWORD"], safe="")
        host = db["HOST"] or "localhost"
        port = f":{db['PORT']}" if db["PORT"] else ""
        return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"
    pytest.skip(f"No worker test for the {db['ENGINE']} backend")


@pytest.fixture
def broker(tmp_path):
    """Point this process's Celery app at the test broker; return the worker's environment."""
    saved = {
        "task_always_eager": celery_app.conf.task_always_eager,
        "broker_url": celery_app.conf.broker_url,
        "broker_transport_options": dict(celery_app.conf.broker_transport_options or {}),
    }
    # conftest.py makes every test eager; this one needs the message to travel.
    celery_app.conf.task_always_eager = False
    worker_env = {}
    if str(settings.CELERY_BROKER_URL).startswith("filesystem"):
        root = tmp_path / "celery"
        celery_app.conf.broker_url = "filesystem://"
        celery_app.conf.broker_transport_options = {
            "data_folder_in": str(root / "queue"),
            "data_folder_out": str(root / "queue"),
            "processed_folder": str(root / "processed"),
            "control_folder": str(root / "control"),
            "store_processed": False,
        }
        for folder in ("queue", "processed", "control"):
            (root / folder).mkdir(parents=True)
        worker_env["CELERY_FILESYSTEM_ROOT"] = str(root)
    yield worker_env
    for key, value in saved.items():
        setattr(celery_app.conf, key, value)


@contextmanager
def running_worker(*, queue: str, env: dict[str, str], log: Path):
    """Start `celery worker` on one queue of its own and stop it however the test ends."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "brukarkraft",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "--loglevel=info",
        f"--queues={queue}",
        f"--hostname={queue}@%h",
        # Nothing to talk to: no other workers in this test.
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with log.open("w") as output:
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def wait_for(condition, *, process: subprocess.Popen, log: Path, what: str) -> None:
    deadline = time.monotonic() + WORKER_TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            pytest.fail(f"The worker stopped (exit {process.returncode}):\n{log.read_text()}")
        time.sleep(0.25)
    pytest.fail(f"Waited {WORKER_TIMEOUT} s for {what}. Worker log:\n{log.read_text()[-5000:]}")


def send(task, *args, queue: str):
    # An explicit connection: the app's producer pool may hold one to the broker of settings.
    with celery_app.connection_for_write() as broker_connection:
        return task.apply_async(args=args, queue=queue, producer=broker_connection.Producer())


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_mails_staff_once_about_feedback_delivered_twice(tmp_path, broker):
    feedback = AccessibilityFeedbackFactory(
        message="Knappen Skicka går inte att nå med tangentbordet."
    )
    # A queue per test run, so that no other worker on a shared Redis takes the message.
    queue = f"brukarkraft-test-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path / "mail"
    log = tmp_path / "worker.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CELERY_TASK_ALWAYS_EAGER", "EMAIL_URL", "SQLITE_TEST_NAME"}
    }
    env.update(
        broker,
        DJANGO_SETTINGS_MODULE="brukarkraft.settings",
        DATABASE_URL=database_url(),
        # Four slashes: django-environ reads "filemail:///tmp/x" as the relative path "tmp/x".
        EMAIL_URL=f"filemail:///{mail_dir}",
        PORTAL_CONTACT_EMAIL=STAFF_INBOX,
        PYTHONUNBUFFERED="1",
    )

    with running_worker(queue=queue, env=env, log=log) as worker:
        # The second delivery stands for a message redelivered after a lost acknowledgement.
        first = send(notify_staff_of_feedback, feedback.pk, queue=queue)
        second = send(notify_staff_of_feedback, feedback.pk, queue=queue)

        wait_for(
            lambda: all(f"[{r.id}] succeeded" in log.read_text() for r in (first, second)),
            process=worker,
            log=log,
            what="both tasks to succeed",
        )

    feedback.refresh_from_db()
    assert feedback.staff_notified_at is not None
    mails = list(mail_dir.iterdir())
    assert len(mails) == 1, [mail.read_text() for mail in mails]
    mail = email.message_from_bytes(mails[0].read_bytes())
    body = mail.get_payload(decode=True).decode(mail.get_content_charset())
    assert mail["To"] == STAFF_INBOX
    assert feedback.message in body
    assert f"/feedback/inbox/{feedback.pk}/" in body


@pytest.mark.django_db
def test_the_notification_task_mails_staff_only_once(mailoutbox, settings):
    settings.PORTAL_CONTACT_EMAIL = STAFF_INBOX
    feedback = AccessibilityFeedbackFactory()

    notify_staff_of_feedback.delay(feedback.pk)
    feedback.refresh_from_db()
    notified_at = feedback.staff_notified_at
    notify_staff_of_feedback.delay(feedback.pk)
    feedback.refresh_from_db()

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [STAFF_INBOX]
    assert notified_at is not None
    assert feedback.staff_notified_at == notified_at


@pytest.mark.django_db
def test_the_notification_task_ignores_feedback_that_no_longer_exists(mailoutbox):
    feedback = AccessibilityFeedbackFactory()
    feedback_id = feedback.pk
    AccessibilityFeedback.objects.filter(pk=feedback_id).delete()

    notify_staff_of_feedback.delay(feedback_id)

    assert mailoutbox == []
