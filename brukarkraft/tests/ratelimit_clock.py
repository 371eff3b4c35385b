"""A stopped clock for django-ratelimit.

django-ratelimit counts in fixed windows of the real clock. Two posts a second apart can fall
either side of a window's edge, where the count starts again, and a test expecting the second
one refused then fails now and then. With the clock stopped both posts fall in one window;
a test moves the clock on purpose to see a window pass.
"""

import contextlib
import time
from collections.abc import Iterator
from unittest import mock


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
