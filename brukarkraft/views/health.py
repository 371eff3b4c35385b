"""A health check for load balancers and monitoring: database, cache and Celery broker.

Only the database decides whether this machine can serve (200 or 503): with Redis down the
pages are still served and background jobs wait in the database (brukarkraft.queue), so a
load balancer must not take every web machine out of service. Cache and broker faults are
reported as "degraded" for monitoring to alert on.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def check_database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def check_cache() -> bool:
    # A key of its own per call, so concurrent checks cannot pass on each other's value.
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    try:
        return cache.get(key) == "ok"
    finally:
        cache.delete(key)


def check_broker() -> bool:
    from brukarkraft.celery import app, ensure_filesystem_broker_folders

    if str(app.conf.broker_url).startswith("filesystem"):
        # The filesystem transport has no server: it works when its folder takes a file.
        ensure_filesystem_broker_folders()
        folder = Path(app.conf.broker_transport_options["data_folder_in"])
        # The probe's name does not end in ".msg", so a worker never reads it as a task.
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".healthz-", suffix=".probe"):
            pass
        return True
    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    return True


# A failure of these takes the machine out of service; the others only degrade it.
REQUIRED = {"database"}
CHECKS: dict[str, Callable[[], bool]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}


def _run(name: str, check: Callable[[], bool]) -> str:
    try:
        if check():
            return "ok"
        logger.error("Health check %s returned a wrong answer", name)
    except Exception:
        # The reason goes to the log only: the endpoint is public and must not leak internals.
        logger.exception("Health check %s failed", name)
    return "error"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report each dependency as "ok" or "error"; 503 only if a required one fails."""
    results = {name: _run(name, check) for name, check in CHECKS.items()}
    serving = all(results[name] == "ok" for name in REQUIRED)
    if not serving:
        status = "error"
    elif all(value == "ok" for value in results.values()):
        status = "ok"
    else:
        status = "degraded"
    results["status"] = status
    return JsonResponse(results, status=200 if serving else 503)
