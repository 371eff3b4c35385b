"""Rate limits on the public forms (django-ratelimit), per client address.

Counted in the default cache, i.e. in Redis in production, so one limit holds across
every web process. A Redis outage lets requests through (RATELIMIT_FAIL_OPEN).
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.decorators import ratelimit


def _rate(group: str, request: HttpRequest) -> str:
    # Read on every request rather than at import, so the setting can change in tests.
    return settings.RATE_LIMITS[group]


def limit_posts(name: str) -> Callable:
    """Answer POSTs beyond settings.RATE_LIMITS[name] from one address with the 429 page.

    Every view decorated with one name shares that name's count.
    """
    return ratelimit(group=name, key="ip", rate=_rate, method="POST", block=True)
