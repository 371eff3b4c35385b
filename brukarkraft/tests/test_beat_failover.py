"""Beat on two machines: a Redis lock lets one send, and the other takes over when it dies.

Real processes against Redis (skipped without REDIS_URL; CI sets it): two `celery beat`
with celery-redbeat and one worker, all started from brukarkraft/tests/beat_probe.py with a
schedule of one job every second, a lock of 3 s renewed every tick (at most 1 s apart),
and a queue, schedule and lock under prefixes of this test's own. Each beat stamps what it
sends with its name and the time; the worker records each run.

The test shows that only the beat holding the lock sends, that each send is one slot (no
two sends within half an interval of each other), then kills the holder with SIGKILL (no
chance to release the lock, as when its machine is lost) and shows that the other beat
takes the lock within the lock timeout and carries on: the longest pause between two sends
stays within lock timeout + poll interval + a slot, still no slot is sent twice, and every
job sent ran exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

import pytest
import redis
from django.conf import settings

from brukarkraft.tests.test_celery_worker import BASE_DIR

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not settings.REDIS_URL, reason="needs Redis: the beat lock lives there (set REDIS_URL)"
    ),
]

INTERVAL = 1.0  # seconds between two sends of the probe job
LOCK_TIMEOUT = 3  # BEAT_LOCK_TIMEOUT
LOOP = 1  # BEAT_MAX_LOOP_INTERVAL: the holder renews, the other polls, this often
STARTUP_TIMEOUT = 60
NOT_INHERITED = {"CELERY_TASK_ALWAYS_EAGER", "EMAIL_URL", "SQLITE_TEST_NAME", "CELERY_BROKER_URL"}


@pytest.fixture
def probe():
    """This test's own prefix for the queue, the schedule, the lock and the probe's lists."""
    name = f"brukarkraft-beat-{uuid.uuid4().hex[:12]}"
    client = redis.Redis.from_url(settings.REDIS_URL)
    yield name, client
    with suppress(redis.exceptions.RedisError), client:
        for key in client.scan_iter(match=f"{name}*"):
            client.delete(key)


@contextmanager
def celery(role: str, name: str, *, probe: str, log: Path, beat: str = ""):
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    env.update(
        DJANGO_SETTINGS_MODULE="brukarkraft.settings",
        REDIS_URL=settings.REDIS_URL,
        BROKER_KEY_PREFIX=f"{probe}:queue:",
        BEAT_KEY_PREFIX=f"{probe}:beat",
        BEAT_LOCK_TIMEOUT=str(LOCK_TIMEOUT),
        BEAT_MAX_LOOP_INTERVAL=str(LOOP),
        PROBE_REDIS_URL=settings.REDIS_URL,
        PROBE_KEY=probe,
        PROBE_BEAT=beat,
        PROBE_INTERVAL=str(INTERVAL),
        PYTHONUNBUFFERED="1",
    )
    command = [sys.executable, "-m", "brukarkraft.tests.beat_probe", "-A", "brukarkraft", role]
    if role == "worker":
        command += [
            "--pool=solo",
            "--loglevel=info",
            f"--hostname={name}-{probe[-6:]}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    else:
        # --schedule only matters to the plain scheduler; redbeat keeps its state in Redis.
        command += ["--loglevel=info", f"--schedule={log.with_suffix('.schedule')}"]
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
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def wait_for(condition, *, what: str, processes, timeout: float = STARTUP_TIMEOUT) -> float:
    """Wait until `condition()`; return when (monotonic). Fail if a process stops."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        for process, log in processes:
            if process.poll() is not None:
                pytest.fail(f"{log.name} stopped (exit {process.returncode}):\n{log.read_text()}")
        time.sleep(0.1)
    logs = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for _, log in processes)
    pytest.fail(f"Waited {timeout} s for {what}.\n{logs}")


def entries(client, key: str) -> list[dict]:
    return [json.loads(item) for item in client.lrange(key, 0, -1)]


def assert_one_send_per_slot(sends: list[dict]) -> None:
    times = [send["sent_at"] for send in sends]
    assert times == sorted(times)
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    # Two beats sending the same slot would send within milliseconds of each other.
    assert min(gaps) > INTERVAL / 2, gaps


def test_only_the_lock_holder_sends_and_the_other_beat_takes_over(tmp_path, probe):
    name, client = probe
    logs = {role: tmp_path / f"{role}.log" for role in ("a", "b", "worker")}
    with ExitStack() as stack:
        worker = stack.enter_context(celery("worker", "worker", probe=name, log=logs["worker"]))
        beats = {
            beat: stack.enter_context(celery("beat", beat, probe=name, log=logs[beat], beat=beat))
            for beat in ("a", "b")
        }
        running = [(worker, logs["worker"])] + [(beats[b], logs[b]) for b in beats]

        def holders() -> list[str]:
            return [b for b in beats if "beat: Acquired lock" in logs[b].read_text()]

        wait_for(lambda: holders(), what="a beat to take the lock", processes=running)
        wait_for(
            lambda: all("beat: Starting..." in logs[b].read_text() for b in beats),
            what="both beats to start",
            processes=running,
        )
        # Both beats are up, the other waiting for the lock: watch three more sends.
        started = client.llen(f"{name}:sent")
        wait_for(
            lambda: client.llen(f"{name}:sent") >= started + 3,
            what="three sends with both beats up",
            processes=running,
        )
        holder = holders()
        assert len(holder) == 1, holder
        holder = holder[0]
        (other,) = set(beats) - {holder}
        assert 0 < client.pttl(f"{name}:beat:lock") <= LOCK_TIMEOUT * 1000
        before = entries(client, f"{name}:sent")
        assert {send["beat"] for send in before} == {holder}
        assert_one_send_per_slot(before)

        # The holder's machine is lost: no chance to release the lock.
        killed_at = time.time()
        os.killpg(beats[holder].pid, signal.SIGKILL)
        beats[holder].wait(timeout=15)
        survivors = [(worker, logs["worker"]), (beats[other], logs[other])]
        taken = wait_for(
            lambda: "beat: Acquired lock" in logs[other].read_text(),
            what="the other beat to take the lock",
            processes=survivors,
            timeout=LOCK_TIMEOUT + 3 * LOOP + 10,
        )
        took = taken - time.monotonic() + time.time() - killed_at
        wait_for(
            lambda: sum(s["beat"] == other for s in entries(client, f"{name}:sent")) >= 3,
            what="three sends by the new holder",
            processes=survivors,
        )
        sent = client.llen(f"{name}:sent")
        # Every job sent ran once: wait until the worker has run them all.
        wait_for(
            lambda: client.llen(f"{name}:ran") >= sent,
            what="the worker to run every job sent",
            processes=survivors,
        )

    # The processes are gone: the lists are final.
    sends, ran = entries(client, f"{name}:sent"), entries(client, f"{name}:ran")
    after = [send for send in sends if send["sent_at"] > killed_at]
    assert {send["beat"] for send in after} == {other}
    assert {send["beat"] for send in sends if send["sent_at"] <= killed_at} == {holder}
    assert_one_send_per_slot(sends)
    # The lock ran out (at most LOCK_TIMEOUT after the holder's last renewal) and the other
    # beat, polling every LOOP seconds, took it; wall-clock slack for a busy test machine.
    assert took <= LOCK_TIMEOUT + LOOP + 2, took
    gap = after[0]["sent_at"] - max(s["sent_at"] for s in sends if s["sent_at"] <= killed_at)
    assert gap <= LOCK_TIMEOUT + LOOP + INTERVAL + 2, gap
    # Each run is one send, none twice; only the last sends may not have run before the end.
    ran_times = [r["sent_at"] for r in ran]
    assert len(set(ran_times)) == len(ran_times)
    assert set(ran_times) <= {s["sent_at"] for s in sends}
    assert {s["sent_at"] for s in sends[:sent]} <= set(ran_times)
