"""Public pages: what the resource centre offers, the accessibility statement, privacy."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import cache_control

from .. import registry
from ..languages import saved_language

# Change these together with the statement's text whenever the site is assessed again.
ACCESSIBILITY_ASSESSED_ON = date(2026, 11, 24)
ACCESSIBILITY_STATEMENT_UPDATED_ON = date(2026, 11, 24)
PRIVACY_NOTICE_UPDATED_ON = date(2026, 11, 24)

# The start-page hook's key for the public home page (registry.register_start_page).
PUBLIC = "public"

# Digg's form "Anmäl bristande tillgänglighet" for complaints under DOS-lagen.
DIGG_COMPLAINT_URL = "https://www.digg.se/tdosanmalan"
IMY_URL = "https://www.imy.se"
FEEDBACK_REPLY_WORKING_DAYS = 5


@cache_control(max_age=24 * 60 * 60, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers and crawlers ask for whatever the page links: the
    icon under its static name (hashed in production, so it is cached for good)."""
    return redirect(static("favicon.ico"))


def home(request: HttpRequest) -> HttpResponse:
    # "/" is Swedish by default; someone who chose another language before is taken to
    # the start page in it (a page opened with its language in the address stays as it is).
    saved = saved_language(request)
    if translation.get_language() == settings.LANGUAGE_CODE and saved not in (
        None,
        settings.LANGUAGE_CODE,
    ):
        with translation.override(saved):
            return redirect(reverse("home"))
    # Apps add panels (template names in `home_panels`) and their context through the
    # registry's start-page hook for the public, as they do for each role's start page.
    return render(request, "brukarkraft/home.html", registry.start_page_context(PUBLIC, None))


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    context = {
        "assessed_on": ACCESSIBILITY_ASSESSED_ON,
        "updated_on": ACCESSIBILITY_STATEMENT_UPDATED_ON,
        "digg_complaint_url": DIGG_COMPLAINT_URL,
        "reply_days": FEEDBACK_REPLY_WORKING_DAYS,
    }
    return render(request, "brukarkraft/accessibility.html", context)


def privacy_notice(request: HttpRequest) -> HttpResponse:
    context = {
        "updated_on": PRIVACY_NOTICE_UPDATED_ON,
        "imy_url": IMY_URL,
        "cookies": _cookies(),
    }
    return render(request, "brukarkraft/privacy.html", context)


def _lifetime(seconds: int | None) -> str:
    """A cookie's lifetime in words: whole days, or the browser session."""
    if seconds is None:
        return gettext("Until you close the web browser")
    days = max(1, seconds // 86400)
    return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}


def _cookies() -> dict:
    # Names and lifetimes come from the settings, so the notice stays true if they change.
    session_age = None if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE else settings.SESSION_COOKIE_AGE
    return {
        "session_name": settings.SESSION_COOKIE_NAME,
        "session_lifetime": _lifetime(session_age),
        "csrf_name": settings.CSRF_COOKIE_NAME,
        "csrf_lifetime": _lifetime(settings.CSRF_COOKIE_AGE),
        "language_name": settings.LANGUAGE_COOKIE_NAME,
        "language_lifetime": _lifetime(settings.LANGUAGE_COOKIE_AGE),
        "messages_name": CookieStorage.cookie_name,
    }
