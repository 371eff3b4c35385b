"""Error pages the portal renders itself."""

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

# The page says "wait a minute"; every rate in settings.RATE_LIMITS is per minute or less.
RETRY_AFTER_SECONDS = 60


def rate_limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """django-ratelimit's page for a blocked request: 429, in the language of the address."""
    # No request context: the context processors would load the user and their roles,
    # and this page must stay cheap while someone floods the portal.
    html = render_to_string("429.html", {"back_url": request.get_full_path()})
    response = HttpResponse(html, status=429)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
