"""Portal-wide middleware: security headers, staff sessions, two-factor authentication,
no caching of pages behind login."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import ngettext

from .twofactor import has_authenticator, is_staff_account


class PermissionsPolicyMiddleware:
    """Switch off browser features the portal never uses (camera, microphone, location…)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def _come_back_to(request: HttpRequest) -> str:
    """Where to return after logging in again: after a POST, the page rather than the POST
    repeated as a GET."""
    return request.get_full_path() if request.method == "GET" else request.path


# Unix time of the staff member's last request, rounded down to the write interval.
LAST_ACTIVITY_KEY = "staff_last_activity"
# Writing the time on every request would save the session on every request; once a
# minute is precise enough for a timeout counted in minutes.
ACTIVITY_WRITE_INTERVAL = 60


def start_staff_session(sender, request, user, **kwargs) -> None:
    """At login (user_logged_in), start the idle clock and make the cookie end with the
    browser, so the session is written with the login rather than on the next page."""
    if request is None or not hasattr(request, "session") or not is_staff_account(user):
        return
    request.session[LAST_ACTIVITY_KEY] = int(time.time())
    request.session.set_expiry(0)


class StaffSessionMiddleware:
    """End staff and admin sessions after STAFF_SESSION_IDLE_MINUTES idle and at browser close.

    Needs the session, the user and messages: it comes after their middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_staff_account(request.user):
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            minutes = settings.STAFF_SESSION_IDLE_MINUTES
            if last is not None and now - last > minutes * 60:
                return self._log_out(request, minutes)
            if last is None or now - last >= ACTIVITY_WRITE_INTERVAL:
                request.session[LAST_ACTIVITY_KEY] = now
            if not request.session.get_expire_at_browser_close():
                # A session cookie: closing the browser ends it. The idle check above is the
                # server's half, since a browser may restore "session" cookies.
                request.session.set_expiry(0)
        return self.get_response(request)

    @staticmethod
    def _log_out(request: HttpRequest, minutes: int) -> HttpResponse:
        next_url = _come_back_to(request)
        logout(request)
        messages.info(
            request,
            ngettext(
                "You were logged out after %(minutes)d minute without activity. "
                "Log in again to continue.",
                "You were logged out after %(minutes)d minutes without activity. "
                "Log in again to continue.",
                minutes,
            )
            % {"minutes": minutes},
        )
        return redirect_to_login(next_url)


# Pages an unverified staff member may still open: the ways to verify, to leave, to
# change language. Unknown addresses never reach process_view and get their 404.
TWO_FACTOR_EXEMPT_VIEWS = {
    "two_factor_setup",
    "two_factor_verify",
    "two_factor_backup_codes",
    "login",
    "logout",
    "set_language",
    "healthz",
    "admin:logout",
}


class TwoFactorRequiredMiddleware:
    """Send staff and admin who have not given their second factor to give it.

    Only when settings.TWO_FACTOR_REQUIRED is on. Comes after django_otp's OTPMiddleware,
    which tells whether this session was verified. Covers admin like every other page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not settings.TWO_FACTOR_REQUIRED:
            return None
        if request.resolver_match.view_name in TWO_FACTOR_EXEMPT_VIEWS:
            return None
        user = request.user
        if not is_staff_account(user) or user.is_verified():
            return None
        target = "two_factor_verify" if has_authenticator(user) else "two_factor_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': _come_back_to(request)})}")


class NoStoreWhenLoggedInMiddleware:
    """Mark every page answered to a logged-in user as not to be stored by any cache.

    A page behind login shows one person's data and the state of things at that moment:
    no shared cache may keep it, and the browser must fetch it again on Back, so a status
    changed a minute ago is never shown as it was. Generic on purpose: every app's pages
    get it, and a view that already said no-store (an anonymous survey page, say) keeps
    its own header. Static files never reach here (WhiteNoise answers them first).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if "no-store" not in response.headers.get("Cache-Control", ""):
                add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response
