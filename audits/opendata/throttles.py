"""The open data's rate limit: DRF's anonymous throttle, counted per client address in the
shared cache (Redis in production, so one limit holds across every web process), at
settings.RATE_LIMITS["open_data"]. The CSV files and the feeds count in the same bucket as
the API. Off with the portal's other rate limits (RATELIMIT_ENABLE)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import AnonRateThrottle

from brukarkraft.ratelimits import client_ip


class OpenDataThrottle(AnonRateThrottle):
    scope = "open_data"

    def get_rate(self) -> str:
        # Read on every request, so the setting can change in tests and by environment.
        return settings.RATE_LIMITS["open_data"]

    def get_ident(self, request) -> str:
        # The same address as every other rate limit (the reverse proxy's header).
        return client_ip(request)

    def allow_request(self, request, view) -> bool:
        if not getattr(settings, "RATELIMIT_ENABLE", True):
            return True
        return super().allow_request(request, view)


def over_limit(request: HttpRequest) -> bool:
    """For the plain Django views (CSV files, feeds): True when this request is one too many."""
    return not OpenDataThrottle().allow_request(request, None)
