"""Rate limits on the public forms (django-ratelimit), per client address unless a view
says whom else to count (a survey counts per respondent).

Counted in the default cache, i.e. in Redis in production, so one limit holds across
every web process. A Redis outage lets requests through (RATELIMIT_FAIL_OPEN).

The count uses django-ratelimit's keys and windows, but in Redis it takes one round trip
instead of two (SET NX with the expiry, then INCR, sent together): every answering POST
of a survey is counted, and a day centre's respondents post many.

The client address comes from one place, client_ip(), for every rate limit and for
django-axes' login lock-outs alike.
"""

import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django_ratelimit import core
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

logger = logging.getLogger(__name__)


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

    def decorator(view: Callable) -> Callable:
        # django-ratelimit's own path, for any cache but Redis (the tests' local memory).
        generic = ratelimit(group=name, key=key, rate=_rate, method="POST", block=True)(view)

        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if request.method != "POST" or not getattr(settings, "RATELIMIT_ENABLE", True):
                return view(request, *args, **kwargs)
            cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
            client = getattr(getattr(cache, "client", None), "get_client", None)
            if client is None:
                return generic(request, *args, **kwargs)
            if _over_limit(client, cache, name, key, request):
                request.limited = True  # type: ignore[attr-defined]  # django-ratelimit's flag
                raise Ratelimited()
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _over_limit(client, cache, group: str, key, request: HttpRequest) -> bool:
    """Count this POST in Redis (django-redis) in one round trip; True when over the limit."""
    rate = _rate(group, request)
    limit, period = core._split_rate(rate)
    value = key(group, request) if callable(key) else core._SIMPLE_KEYS[key](request)
    window = core._get_window(value, period)
    cache_key = cache.make_key(core._make_cache_key(group, window, rate, value, "POST"))
    try:
        pipe = client(write=True).pipeline(transaction=False)
        # As django-ratelimit's add-then-incr: the key starts at 0 and expires after the
        # window (plus its margin); the INCR then counts this request.
        pipe.set(cache_key, 0, ex=period + core.EXPIRATION_FUDGE, nx=True)
        pipe.incr(cache_key)
        count = pipe.execute()[1]
    except Exception:  # noqa: BLE001 — any Redis failure: the same rule as django-ratelimit's
        logger.warning("rate limit %s not counted: the cache is unavailable", group, exc_info=True)
        return not getattr(settings, "RATELIMIT_FAIL_OPEN", False)
    return count > limit
