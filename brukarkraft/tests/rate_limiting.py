"""Rate limits in tests: switched on for a while, on a stopped clock.

django-ratelimit counts in fixed windows of the real clock. Two posts a second apart can fall
either side of a window's edge, where the count starts again, and a test expecting the second
one refused then fails now and then. With the clock stopped both posts fall in one window;
a test moves the clock on purpose to see a window pass.
"""

import contextlib
import time
import uuid
from collections.abc import Iterator
from unittest import mock

from django.conf import settings
from django.test import override_settings


@contextlib.contextmanager
def stopped_rate_limit_clock() -> Iterator[list[float]]:
    """Stop django-ratelimit's clock; the list's one item is the time it shows, to move on."""
    now = [time.time()]

    class Clock:
        @staticmethod
        def time() -> float:
            return now[0]

    # The live server of the browser tests answers from a thread of this process: the patch
    # reaches it too.
    with mock.patch("django_ratelimit.core.time", Clock):
        yield now


@contextlib.contextmanager
def rate_limits_on(**rates: str) -> Iterator[list[float]]:
    """Rate limits on (conftest turns them off), `rates` over the settings' own, e.g.
    feedback="1/m"; counted afresh under a prefix of their own, on a stopped clock."""
    with (
        override_settings(
            RATELIMIT_ENABLE=True,
            RATE_LIMITS={**settings.RATE_LIMITS, **rates},
            RATELIMIT_CACHE_PREFIX=f"rl-test-{uuid.uuid4().hex}:",
        ),
        stopped_rate_limit_clock() as now,
    ):
        yield now
