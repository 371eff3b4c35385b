"""Faults: the page for a database that cannot be reached, and forms sent twice.

What the visitor gets when the database cannot be reached is a friendly 503 page.

The page is rendered without the database (no context processors, no user, no session) in
the language LocaleMiddleware activated, and the fault is logged. Two ways in:
DatabaseErrorMiddleware.process_exception for errors raised in a view, and `server_error`
(urls.handler500) for errors raised in a middleware, where Django has already turned the
exception into a response before any middleware could see it (a session or user loaded by
a middleware, a session saved on the way out).

A form sent twice (a double click, a reload, a retry after that page) must not make its
thing twice: the services that create something look for what an identical submission made
a moment ago (`repeat_of`) and hand that back. Where "identical" cannot be told from the
content (an upload, a batch of new rows), the form carries a double-submit key instead
(`SubmissionKeyMixin`, `Submission`): issued with the empty form, read by the service under
its lock, and remembered in the shared cache once the thing is stored.
"""

from __future__ import annotations

import logging
import sys
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views import defaults

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=Model)

# Connection-level faults only: the server is down or restarting, the connection dropped,
# a lock or statement timed out, a deadlock. Trying again later can succeed. A
# ProgrammingError, IntegrityError or DataError is a bug and stays a 500.
CONNECTION_ERRORS = (OperationalError, InterfaceError)

# Seconds a client (or a load balancer) is asked to wait before trying again.
RETRY_AFTER = 30


def unavailable(
    request: HttpRequest,
    error: BaseException,
    *,
    what: str,
    template: str,
    retry_after: int = RETRY_AFTER,
) -> HttpResponse:
    """Log that `what` is down and answer with `template` as a 503 to try again after
    `retry_after` seconds, touching no database."""
    # The path without its query string (a search or a code could be in it), and no user.
    logger.error(
        "%s unavailable (%s) on %s %s",
        what,
        type(error).__name__,
        request.method,
        request.path,
        exc_info=error,
    )
    response = HttpResponse(loader.render_to_string(template), status=503)
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    return response


def database_unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    """The 503 page for a lost database."""
    return unavailable(request, error, what="Database", template="503.html")


class DatabaseErrorMiddleware:
    """Turn a lost database connection in a view into the 503 page instead of a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, CONNECTION_ERRORS) and not settings.DEBUG:
            return database_unavailable(request, exception)
        return None


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: the 503 page when the exception being handled is a database fault."""
    # Django calls the 500 handler while it handles the exception, so it is still current.
    error = sys.exc_info()[1]
    if isinstance(error, CONNECTION_ERRORS):
        return database_unavailable(request, error)
    return defaults.server_error(request, template_name)


# The same content from the same person within this time is the same submission sent again.
REPEAT_WINDOW = timedelta(minutes=10)


def repeat_of(queryset: QuerySet[M], *, at: str, **same) -> M | None:
    """What an identical submission made within REPEAT_WINDOW (`at` names its time field).

    The caller must hold a lock that two such submissions both take (usually the parent
    row, with select_for_update), so that the second waits for the first and then finds it.
    """
    since = timezone.now() - REPEAT_WINDOW
    return queryset.filter(**{f"{at}__gte": since}, **same).order_by(f"-{at}").first()


# How long a sent form's double-submit key is remembered: sending that form again within
# this time stores nothing more.
SUBMISSION_MEMORY_SECONDS = 60 * 60 * 24


class SubmissionKeyMixin(forms.Form):
    """A form's hidden double-submit key (`submission_id`), issued with the empty form.

    The same form sent again (a double click, a load balancer retrying the POST on another
    web node after the first lost its connection) carries the same key; a new form, a new
    one. Not required: a form without one (a page from before the key) is stored as before.
    Mix in before the Form or ModelForm class."""

    submission_id = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("submission_id", uuid.uuid4())

    @property
    def submission_key(self) -> str:
        """The key as sent, after cleaning ("" if the form carried none)."""
        value = self.cleaned_data.get("submission_id")
        return str(value) if value else ""


@dataclass(frozen=True)
class Submission:
    """One sent form, known by its scope (what it changes: "surveys:code-batch:<survey>")
    and its double-submit key, remembered in the default cache (Redis, shared by every web
    node).

    The service reads `earlier()` and calls `remember()` under the same row lock, which a
    second send of the form waits for: it then finds what the first stored. With the cache
    down the read misses, and storing twice is better than storing nothing."""

    key: str

    @classmethod
    def of(cls, scope: str, submission_id: str | uuid.UUID | None) -> Submission:
        return cls(f"submission:{scope}:{submission_id}" if submission_id else "")

    def earlier(self) -> Any | None:
        """What the first send remembered (the id of what it made, or True), or None."""
        return cache.get(self.key) if self.key else None

    def remember(self, value: Any = True) -> None:
        """Call last, still under the lock: only the commit can fail after it."""
        if self.key:
            cache.set(self.key, value, timeout=SUBMISSION_MEMORY_SECONDS)
