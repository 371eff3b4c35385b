"""Celery (beat or worker) with a one-job schedule of its own, for test_beat_failover.py.

    python -m brukarkraft.tests.beat_probe -A brukarkraft beat ...
    python -m brukarkraft.tests.beat_probe -A brukarkraft worker ...

The schedule is one job, `beat_probe.record`, every PROBE_INTERVAL seconds. Each beat
stamps every message it sends with its own name (PROBE_BEAT) and the time, and writes the
send to the Redis list PROBE_KEY:sent; the worker writes each run to PROBE_KEY:ran. The
test reads both lists: who sent which job when, and that every job sent ran once.
BROKER_KEY_PREFIX puts the test's queue under a prefix of its own (as slow_report_worker.py
does) and BEAT_KEY_PREFIX (settings.py) its schedule and lock. Both hooks live here, in the
test package: the production modules have no test-only code paths.
"""

import json
import os
import sys
import time

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brukarkraft.settings")
    django.setup()

    import redis
    from celery.signals import before_task_publish

    from brukarkraft.celery import app

    client = redis.Redis.from_url(os.environ["PROBE_REDIS_URL"])
    key = os.environ["PROBE_KEY"]
    beat = os.environ.get("PROBE_BEAT", "")

    @app.task(name="beat_probe.record")
    def record(sent_at: float = 0.0, beat: str = "") -> None:
        client.rpush(f"{key}:ran", json.dumps({"sent_at": sent_at, "beat": beat}))

    @before_task_publish.connect(weak=False)
    def stamp(sender=None, body=None, **kwargs) -> None:
        # Protocol 2: body is (args, kwargs, embed); it is serialised after this signal.
        if sender != "beat_probe.record" or not beat:
            return
        sent_at = time.time()
        body[1].update(sent_at=sent_at, beat=beat)
        client.rpush(f"{key}:sent", json.dumps({"sent_at": sent_at, "beat": beat}))

    # Only the probe: none of the portal's own jobs may be sent by the test's beats.
    app.conf.beat_schedule = {
        "beat-probe": {
            "task": "beat_probe.record",
            "schedule": float(os.environ.get("PROBE_INTERVAL", "1")),
        }
    }
    prefix = os.environ.get("BROKER_KEY_PREFIX")
    if prefix:
        app.conf.broker_transport_options = {
            **app.conf.broker_transport_options,
            "global_keyprefix": prefix,
        }

    from celery.bin.celery import main as celery_main

    sys.argv[0] = "celery"
    sys.exit(celery_main())


if __name__ == "__main__":
    main()
