"""Which beat scheduler the settings choose, checked in fresh processes as beat would start.

With REDIS_URL, celery-redbeat (schedule and lock in Redis, so beat may run on several
machines); without it, the embedded default keeps Celery's plain beat and its schedule file.
Nothing here connects to Redis: only the configuration is read.
"""

import json

import pytest

from brukarkraft.tests.test_settings import production, run_django

# The Celery configuration beat reads, and what redbeat itself makes of it.
SCRIPT = """
import json, warnings
warnings.simplefilter("error", DeprecationWarning)
import django; django.setup()
from brukarkraft.celery import app
conf = app.conf
found = {
    "scheduler": conf.beat_scheduler,
    "max_loop_interval": conf.beat_max_loop_interval,
    "redbeat_settings": sorted(k for k in conf.keys() if k.startswith("redbeat_")),
}
if conf.beat_scheduler.startswith("redbeat"):
    from redbeat.schedulers import ensure_conf, get_redis
    redbeat = ensure_conf(app)
    client = get_redis(app).connection_pool.connection_kwargs
    found.update(
        redis_url=redbeat.redis_url,
        lock_key=redbeat.lock_key,
        schedule_key=redbeat.schedule_key,
        lock_timeout=redbeat.lock_timeout,
        socket_timeout=client.get("socket_timeout"),
    )
print(json.dumps(found))
"""


@pytest.fixture(autouse=True)
def _no_beat_variables(monkeypatch):
    # The child inherits this process's environment; the defaults are under test.
    for name in ("BEAT_LOCK_TIMEOUT", "BEAT_MAX_LOOP_INTERVAL", "BEAT_KEY_PREFIX"):
        monkeypatch.delenv(name, raising=False)


def beat_configuration(tmp_path, **variables: str) -> dict:
    result = run_django(["-c", SCRIPT], tmp_path, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_with_redis_beat_uses_redbeat_with_a_lock_in_that_redis(tmp_path):
    found = beat_configuration(tmp_path, **production(tmp_path))

    assert found["scheduler"] == "redbeat.RedBeatScheduler"
    assert found["redis_url"] == "redis://127.0.0.1:6379/0"
    assert found["lock_key"] == "brukarkraft:beat:lock"
    assert found["schedule_key"] == "brukarkraft:beat:schedule"
    assert found["lock_timeout"] == 30
    assert found["max_loop_interval"] == 5
    # Given to redbeat explicitly (no DeprecationWarning, which is an error in the script)
    # and passed on to its Redis client.
    assert found["socket_timeout"] == 2


def test_the_lock_timing_and_key_prefix_come_from_the_environment(tmp_path):
    found = beat_configuration(
        tmp_path,
        **production(tmp_path),
        BEAT_LOCK_TIMEOUT="45",
        BEAT_MAX_LOOP_INTERVAL="3",
        BEAT_KEY_PREFIX="staging:beat",
    )

    assert found["lock_timeout"] == 45
    assert found["max_loop_interval"] == 3
    assert found["lock_key"] == "staging:beat:lock"
    assert found["schedule_key"] == "staging:beat:schedule"


def test_the_embedded_default_keeps_the_plain_beat(tmp_path):
    found = beat_configuration(tmp_path)

    assert found["scheduler"] == "celery.beat:PersistentScheduler"
    assert found["redbeat_settings"] == []


def test_a_lock_shorter_than_a_tick_is_refused(tmp_path):
    result = run_django(
        ["-c", "import django; django.setup()"],
        tmp_path,
        **production(tmp_path, BEAT_LOCK_TIMEOUT="5", BEAT_MAX_LOOP_INTERVAL="5"),
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "BEAT_LOCK_TIMEOUT must be longer than BEAT_MAX_LOOP_INTERVAL" in result.stderr
