"""Rate limits on the public forms (django-ratelimit), per client address unless a view
says whom else to count (a survey counts per respondent).

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


def limit_posts(name: str, key: str | Callable[[str, HttpRequest], str] = "ip") -> Callable:
    """Answer POSTs beyond settings.RATE_LIMITS[name] with the 429 page.

    Counted per client address, or per whatever `key(group, request)` returns. Every
    view decorated with one name shares that name's count.
    """
    return ratelimit(group=name, key=key, rate=_rate, method="POST", block=True)
