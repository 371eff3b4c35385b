"""A report whose worker dies while making it is delivered again and finishes.

Real worker processes against Redis (skipped without REDIS_URL; CI sets it). The worker
(brukarkraft/tests/slow_report_worker.py) takes a few extra seconds per report, so the test
can kill it while the version is being made:

- Killing the pool process: the worker's main process sees the child die and, with
  acks_late and task_reject_on_worker_lost, rejects the message with requeue, which puts
  it back at the head of the queue at once; a new pool process makes the report.
- Killing the whole worker (the machine is lost): nobody rejects anything. kombu's Redis
  transport emulates acknowledgements: on delivery it stores the message in the "unacked"
  hash, with its delivery time in the "unacked_index" sorted set, and removes it on ack.
  QoS.restore_visible() moves every message delivered more than visibility_timeout
  seconds ago back onto its queue. A worker runs it when it starts consuming
  (MultiChannelPoller.on_poll_init) and then on a timer (unacked_restore_interval, every
  10 s, scanning on every unacked_restore_throttle-th call, i.e. about every 100 s by
  default), so in production a lost report comes back within visibility_timeout plus
  that sweep (kombu 5.7). Here the worker runs with CELERY_VISIBILITY_TIMEOUT=3, and a
  fresh worker started after the kill restores the message when it starts.

report_render is idempotent (a ready version is left alone, a running one is made again),
so the version ends ready, with one file, after two attempts.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import redis
from django.conf import settings
from pypdf import PdfReader

from audits import services
from audits.models import Audit, ReportVersion
from audits.tests.factories import audit_in_state
from brukarkraft import queue
from brukarkraft.celery import app as celery_app
from brukarkraft.models import PendingTask
from brukarkraft.tests.test_celery_worker import BASE_DIR, database_url, wait_for

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not str(settings.CELERY_BROKER_URL).startswith("redis"),
        reason="needs Redis as the broker (set REDIS_URL)",
    ),
]

# Seconds each report takes on top of rendering; long enough to see it running and kill it.
SLOW_REPORT_SECONDS = "4"
NOT_INHERITED = {"CELERY_TASK_ALWAYS_EAGER", "EMAIL_URL", "SQLITE_TEST_NAME", "MEDIA_ROOT"}


@pytest.fixture
def broker(tmp_path):
    """Route this process's tasks to a queue and key prefix of this test's own."""
    conf = celery_app.conf
    saved = {
        "task_always_eager": conf.task_always_eager,
        "broker_transport_options": dict(conf.broker_transport_options or {}),
        "task_default_queue": conf.task_default_queue,
    }
    name = f"brukarkraft-killed-{uuid.uuid4().hex[:12]}"
    conf.task_always_eager = False
    conf.task_default_queue = name
    conf.broker_transport_options = {**saved["broker_transport_options"], "global_keyprefix": name}
    _forget_connections()
    queue.forget_broker_failure()
    yield name
    _delete_keys(name)
    for key, value in saved.items():
        setattr(conf, key, value)
    _forget_connections()


def _forget_connections() -> None:
    # The app keeps a connection and producer pool made from the settings of first use.
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


def _delete_keys(prefix: str) -> None:
    # Every key of the test (queue, bindings, the unacked hash) carries its prefix; a
    # shared Redis (CI, developers) would otherwise keep them.
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    with suppress(redis.exceptions.RedisError), client:
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)


@contextmanager
def slow_worker(queue: str, *, media: Path, log: Path, slow: bool = True):
    """Start a prefork worker with one pool process on `queue`; kill it however the test ends."""
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    env.update(
        DJANGO_SETTINGS_MODULE="brukarkraft.settings",
        DATABASE_URL=database_url(),
        MEDIA_ROOT=str(media),
        CELERY_VISIBILITY_TIMEOUT="3",
        BROKER_KEY_PREFIX=queue,
        SLOW_REPORT_SECONDS=SLOW_REPORT_SECONDS if slow else "0",
        PYTHONUNBUFFERED="1",
    )
    command = [
        sys.executable,
        "-m",
        "brukarkraft.tests.slow_report_worker",
        "-A",
        "brukarkraft",
        "worker",
        "--pool=prefork",
        "--concurrency=1",
        "--loglevel=info",
        f"--queues={queue}",
        f"--hostname={queue}-{uuid.uuid4().hex[:6]}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with log.open("a") as output:
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
        # The whole process group: a killed main process leaves no pool process behind.
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, ValueError, IndexError):
            # The command name (2nd field) may hold spaces; the parent id follows the state.
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _pool_process(worker: subprocess.Popen, log: Path) -> int:
    children: list[int] = []

    def found() -> bool:
        children[:] = _children(worker.pid)
        return len(children) == 1

    wait_for(found, process=worker, log=log, what="the worker's pool process")
    return children[0]


def _request_report(audit: Audit) -> ReportVersion:
    staff = audit.events.filter(action="report_drafted").get().by
    # On commit, enqueue() publishes generate_report to this test's queue.
    version = services.report_request(audit=audit, by=staff)
    assert not PendingTask.objects.exists(), "the broker did not take the job"
    return version


def _status(version: ReportVersion) -> str:
    version.refresh_from_db()
    return version.status


def _assert_made_once(version: ReportVersion, media: Path, log: Path) -> None:
    version.refresh_from_db()
    assert version.status == ReportVersion.Status.READY, log.read_text()[-4000:]
    assert version.attempts >= 2
    files = list((media / "audits" / "reports").iterdir())
    assert [file.name for file in files] == [Path(version.file.name).name]
    data = files[0].read_bytes()
    assert len(data) == version.size
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == version.pages >= 2
    assert version.audit.reference in reader.pages[0].extract_text()


@pytest.fixture
def audit():
    return audit_in_state(Audit.Status.REPORT_DRAFT, findings=2)


def test_a_report_is_made_after_its_pool_process_is_killed(tmp_path, settings, broker, audit):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    log = tmp_path / "worker.log"

    with slow_worker(broker, media=media, log=log) as worker:
        pool_process = _pool_process(worker, log)
        version = _request_report(audit)
        wait_for(
            lambda: _status(version) == ReportVersion.Status.RUNNING,
            process=worker,
            log=log,
            what="the report to be running",
        )
        os.kill(pool_process, signal.SIGKILL)
        wait_for(
            lambda: _status(version) == ReportVersion.Status.READY,
            process=worker,
            log=log,
            what="the report to be made again",
        )
        assert "WorkerLostError" in log.read_text()

    _assert_made_once(version, media, log)


def test_a_report_is_made_after_the_whole_worker_is_killed(tmp_path, settings, broker, audit):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    log = tmp_path / "worker.log"

    with slow_worker(broker, media=media, log=log) as worker:
        _pool_process(worker, log)
        version = _request_report(audit)
        wait_for(
            lambda: _status(version) == ReportVersion.Status.RUNNING,
            process=worker,
            log=log,
            what="the report to be running",
        )
        started = time.monotonic()
        # The machine is lost: main process and pool process die without a word.
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=15)
    assert _status(version) == ReportVersion.Status.RUNNING
    # Past the visibility timeout (3 s) the message counts as lost and is restored.
    time.sleep(max(0.0, 3.5 - (time.monotonic() - started)))

    with slow_worker(broker, media=media, log=log, slow=False) as fresh:
        wait_for(
            lambda: _status(version) == ReportVersion.Status.READY,
            process=fresh,
            log=log,
            what="a fresh worker to make the report",
        )

    _assert_made_once(version, media, log)
