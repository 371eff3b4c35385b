"""Deployments sharing one Redis keep apart: a queue, broker keys and cache keys of their own.

The multinode test (e2e/test_multinode.py) runs next to the rest of the suite on the same
Redis through these settings; a real deployment may do the same for staging."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from brukarkraft.tests.test_celery_worker import BASE_DIR

READ = """
import json
from django.conf import settings
print(json.dumps({
    "queue": settings.CELERY_TASK_DEFAULT_QUEUE,
    "broker": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "cache_prefix": settings.CACHES["default"].get("KEY_PREFIX"),
    "stale": settings.REPORT_STALE_AFTER_SECONDS,
    "static": settings.STORAGES["staticfiles"]["BACKEND"],
}))
"""


def settings_with(**variables: str) -> dict:
    """The settings a fresh process reads from this environment."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CELERY_", "CACHE_", "REPORT_", "STATIC_", "REDIS_", "DEBUG"))
    }
    env.update(DJANGO_SETTINGS_MODULE="brukarkraft.settings", **variables)
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {READ}"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_deployment_takes_its_own_queue_and_key_prefixes_from_the_environment():
    read = settings_with(
        REDIS_URL="redis://127.0.0.1:6379/3",
        CELERY_QUEUE="staging",
        CELERY_BROKER_KEY_PREFIX="staging:",
        CACHE_KEY_PREFIX="staging",
        CELERY_VISIBILITY_TIMEOUT="4",
        REPORT_STALE_AFTER_SECONDS="3",
        DEBUG="false",
        SECRET_KEY="x" * 60,
        STATIC_COMPRESS="false",
    )

    assert read["queue"] == "staging"
    assert read["broker"]["global_keyprefix"] == "staging:"
    assert read["broker"]["visibility_timeout"] == 4
    assert read["cache_prefix"] == "staging"
    assert read["stale"] == 3
    assert read["static"] == "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"


def test_without_them_a_deployment_has_the_plain_defaults():
    read = settings_with(REDIS_URL="redis://127.0.0.1:6379/3", DEBUG="false", SECRET_KEY="x" * 60)

    assert read["queue"] == "celery"
    assert "global_keyprefix" not in read["broker"]
    assert read["cache_prefix"] == "brukarkraft"
    assert read["stale"] == 15 * 60
    assert read["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
