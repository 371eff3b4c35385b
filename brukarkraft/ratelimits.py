"""Rate limits on the public forms (django-ratelimit), per client address unless a view
says whom else to count (a survey counts per respondent).

Counted in the default cache, i.e. in Redis in production, so one limit holds across
every web process. A Redis outage lets requests through (RATELIMIT_FAIL_OPEN).

The client address comes from one place, client_ip(), for every rate limit and for
django-axes' login lock-outs alike.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.decorators import ratelimit


def client_ip(request: HttpRequest) -> str:
    """The client's address: settings.CLIENT_IP_META_KEY (the header the reverse proxy
    writes, e.g. HTTP_X_REAL_IP), or REMOTE_ADDR when that is the setting or the header is
    missing (a request that did not come through the proxy)."""
    value = request.META.get(settings.CLIENT_IP_META_KEY, "").strip()
    return value or request.META.get("REMOTE_ADDR", "")


def _rate(group: str, request: HttpRequest) -> str:
    # Read on every request rather than at import, so the setting can change in tests.
    return settings.RATE_LIMITS[group]


def limit_posts(name: str, key: str | Callable[[str, HttpRequest], str] = "ip") -> Callable:
    """Answer POSTs beyond settings.RATE_LIMITS[name] with the 429 page.

    Counted per client address, or per whatever `key(group, request)` returns. Every
    view decorated with one name shares that name's count.
    """
    return ratelimit(group=name, key=key, rate=_rate, method="POST", block=True)
