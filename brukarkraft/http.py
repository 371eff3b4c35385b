"""Small view helpers about HTTP methods, shared by every app."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse

from .models import User


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
