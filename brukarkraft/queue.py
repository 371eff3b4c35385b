"""Hand background jobs to Celery without losing them when the broker is down.

`enqueue()` publishes a task; if the broker (Redis) cannot be reached it keeps the job as a
PendingTask row instead, and `send_pending()` (beat, every minute) publishes what was kept,
oldest first. A job may therefore be delivered twice (a crash after the publish but before the
row is marked sent, or a redelivery after a lost worker), so every task queued through here
must be idempotent: it checks the state it is about to produce and does nothing if it is there.

Arguments are stored as they are, so pass ids and codes only, never personal data.

Services enqueue by the task's name (`enqueue_by_name("audits.tasks.x", ...)`), after their
transaction commits, so that they never import the tasks that call them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from importlib import import_module

import redis.exceptions
from celery import Task
from celery.exceptions import NotRegistered
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import KombuError

from .models import PendingTask

logger = logging.getLogger(__name__)

# What a publish raises when the broker is unreachable: kombu wraps the Redis client's
# connection errors in kombu.exceptions.OperationalError (measured: ~0.7 s for a closed port
# after Celery's publish retries, ~5 s for a Redis that accepts but never answers, which is
# the transport's socket_timeout). OSError covers the filesystem transport of development.
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    KombuError,
    OSError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)

# A beat run sends at most this many kept jobs; the rest wait for the next minute.
SEND_BATCH = 200

# After a failed publish, this process keeps jobs without trying the broker for this long:
# during an outage only one request in this time waits for the timeout, not every one.
BROKER_RETRY_SECONDS = 30
_broker_down_until = 0.0


def _eager(task: Task) -> bool:
    return bool(task.app.conf.task_always_eager)


def enqueue(task: Task, *args, **kwargs) -> PendingTask | None:
    """Publish `task(*args, **kwargs)`; keep it for later if the broker is down.

    Returns the PendingTask row when the job was kept, None when it was published.
    """
    # delay(), as the call sites used before, so that code patching a task's delay still
    # sees every job.
    if _eager(task):
        # Tests and CELERY_TASK_ALWAYS_EAGER run the task here and now; an error inside the
        # task must surface as before, not be mistaken for a broker outage.
        task.delay(*args, **kwargs)
        return None
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return _keep(task, args, kwargs, error="Not tried: the broker was unreachable just now")
    try:
        task.delay(*args, **kwargs)
    except BROKER_ERRORS as error:
        _broker_down_until = time.monotonic() + BROKER_RETRY_SECONDS
        return _keep(task, args, kwargs, error=_describe(error))
    return None


def task_named(task_name: str) -> Task:
    """The Celery task registered as `task_name`; NotRegistered if there is none.

    Web processes import no tasks module up front (Celery's autodiscovery runs in the worker),
    so the module the name points at is imported here, as `from app.tasks import x` did."""
    from .celery import app

    if task_name not in app.tasks:
        module, _dot, _name = task_name.rpartition(".")
        try:
            import_module(module)
        except ImportError:
            pass  # Then the name is unknown: NotRegistered below.
    return app.tasks[task_name]


def enqueue_by_name(
    task_name: str, *args, on_commit: bool = True, robust: bool = False, **kwargs
) -> None:
    """enqueue() the task registered as `task_name`, once the current transaction commits
    (at once outside a transaction, or with `on_commit=False`; `robust` as in
    transaction.on_commit). A misspelt name raises NotRegistered here, in the caller, not
    later in the worker."""
    task = task_named(task_name)
    if on_commit:
        transaction.on_commit(lambda: enqueue(task, *args, **kwargs), robust=robust)
    else:
        enqueue(task, *args, **kwargs)


def requeue_lost(task_name: str, ids: Iterable[int]) -> int:
    """Send `task_name(id)` again for each id whose job was lost, except those whose job is
    already kept here waiting for the broker; returns how many were sent.

    For the sweeps of work a row says is queued or being made for longer than its job can
    take (a crash between commit and publish, or a broker that lost its queue). The job must
    be idempotent, as every job sent through this module is."""
    kept = {
        args[0]
        for args in PendingTask.objects.unsent()
        .filter(task=task_name)
        .values_list("args", flat=True)
        if args
    }
    sent = 0
    for pk in ids:
        if pk in kept:
            continue
        logger.warning("%s for %s lost its job; sending it again", task_name, pk)
        enqueue_by_name(task_name, pk, on_commit=False)
        sent += 1
    return sent


def _keep(task: Task, args: tuple, kwargs: dict, *, error: str) -> PendingTask:
    pending = PendingTask.objects.create(
        task=task.name, args=list(args), kwargs=kwargs, last_error=error[:200]
    )
    # The job's name and number only: arguments are ids, but the log needs none of them.
    logger.warning("Broker unreachable; kept %s as pending job %s", task.name, pending.pk)
    return pending


def forget_broker_failure() -> None:
    """Try the broker again on the next job (tests, and after reconfiguring the broker)."""
    global _broker_down_until
    _broker_down_until = 0.0


def is_kept(task: Task, *args) -> bool:
    """Whether a job for `task(*args)` is waiting in the database for the broker."""
    return PendingTask.objects.unsent().filter(task=task.name, args=list(args)).exists()


def send_pending(*, limit: int = SEND_BATCH, only: Iterable[int] | None = None) -> int:
    """Publish the kept jobs (or those of `only`), oldest first; return how many were sent.

    Each row is locked (skipping rows another sender holds) and marked sent in the same
    transaction as its publish, so two beats or workers never send one row twice. A publish
    that fails counts an attempt and stops the run: the broker is still down.
    """
    from .celery import app

    sent = 0
    unsent = PendingTask.objects.unsent().order_by("created_at", "pk")
    if only is not None:
        unsent = unsent.filter(pk__in=list(only))
    ids = list(unsent[:limit].values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            row = (
                PendingTask.objects.unsent()
                .select_for_update(skip_locked=True)
                .filter(pk=pk)
                .first()
            )
            if row is None:
                continue  # Another sender holds it or has sent it.
            row.attempts += 1
            try:
                app.tasks[row.task].delay(*row.args, **row.kwargs)
            except NotRegistered as error:
                # A task renamed or removed since it was kept: leave it for staff to see.
                row.last_error = _describe(error)
                row.save(update_fields=["attempts", "last_error"])
                logger.error("Pending job %s names an unknown task", row.pk)
                continue
            except BROKER_ERRORS as error:
                row.last_error = _describe(error)
                row.save(update_fields=["attempts", "last_error"])
                logger.warning(
                    "Broker still unreachable (%s); %s pending jobs wait",
                    type(error).__name__,
                    len(ids) - sent,
                )
                break
            row.sent_at = timezone.now()
            row.last_error = ""
            row.save(update_fields=["attempts", "last_error", "sent_at"])
            sent += 1
    if sent:
        logger.info("Sent %s pending jobs", sent)
    return sent


def _describe(error: BaseException) -> str:
    # Broker errors name hosts and ports, never people; the field is short.
    return f"{type(error).__name__}: {error}"[:200]
