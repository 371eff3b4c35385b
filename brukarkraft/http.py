"""Small view helpers about HTTP methods and caching, shared by every app."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from .models import User

# A public page that can be taken back (a withdrawn report) must disappear at once:
# browsers keep nothing (max-age=0, they ask again each time), while a shared cache in
# front of the portal (a CDN, under load) may answer from its copy for this many seconds.
SHARED_MAX_AGE = 30

R = TypeVar("R", bound=HttpResponseBase)


def public_cache(response: R, *, shared_max_age: int = SHARED_MAX_AGE) -> R:
    """Mark a page anyone may read as cacheable by shared caches for a short while.

    For a logged-in reader NoStoreWhenLoggedInMiddleware makes the page private again."""
    patch_cache_control(response, public=True, max_age=0, s_maxage=shared_max_age)
    return response


def post_only(page: str, *keep: str) -> Callable:
    """Like require_POST, but a GET or HEAD of the address is sent to the page the form is on.

    A form that failed validation leaves its POST address in the address bar; reopening
    it, going Back to it or following a bookmark must show the page again, not an empty
    405. `page` is the URL name of that page and `keep` the names of the view's URL
    arguments it takes (e.g. post_only("audits:response", "pk")). The redirect needs no
    lookup, so it reveals nothing: the page itself checks who may see it.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in {"GET", "HEAD"}:
                return redirect(reverse(page, kwargs={name: kwargs[name] for name in keep}))
            if request.method != "POST":
                return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
            return view(request, *args, **kwargs)

        # Read by the test that walks every URL pattern for POST-only addresses.
        wrapped.post_only_page = page
        wrapped.post_only_keep = keep
        return wrapped

    return decorator


class AuthenticatedRequest(HttpRequest):
    """For type checks only: the request of a view behind login_required, whose user is an
    account, never AnonymousUser. Annotate such a view's `request` with it."""

    user: User
