"""Two-step login for staff and admin: setting up the authenticator app, giving a code at
login, and the backup codes. The rules and the device handling are in brukarkraft.twofactor."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

import django_otp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_static.models import StaticDevice

from ..forms import local_path
from ..twofactor import (
    SESSION_NEW_CODES,
    SetupCodeForm,
    VerifyCodeForm,
    backup_codes_left,
    backup_codes_replace,
    has_authenticator,
    is_staff_account,
    issuer,
    qr_svg,
    secret_for_typing,
    totp_device_pending,
    two_factor_confirm,
    two_factor_verify,
)


def _staff_account_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    # Other accounts never use a second factor: the pages are not for them.
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_staff_account(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    # never_cache: the pages show secrets (the key, backup codes) no cache may keep.
    return never_cache(login_required(wrapped))


def _next_url(request: HttpRequest) -> str:
    """The page to continue to, if it is on this site; otherwise nothing."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    return local_path(candidate, host=request.get_host()) or ""


def _with_next(name: str, next_url: str) -> str:
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


@_staff_account_required
def setup(request: HttpRequest) -> HttpResponse:
    """Set up (or move to a new phone) the authenticator app; confirmed by one right code."""
    user = request.user
    next_url = _next_url(request)
    if has_authenticator(user) and not user.is_verified():
        # Replacing the app needs the current one: a password alone must not do it.
        return redirect(_with_next("two_factor_verify", next_url))
    device = totp_device_pending(user=user)
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor_confirm(user=user, device=device, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            device.refresh_from_db()
            django_otp.login(request, device)
            request.session[SESSION_NEW_CODES] = codes
            messages.success(request, gettext("Two-step login is on for your account."))
            return redirect(_with_next("two_factor_backup_codes", next_url))
    context = {
        "form": form,
        "next": next_url,
        "qr": qr_svg(device, title=gettext("QR code to add Brukarkraft to your authenticator app")),
        "secret": secret_for_typing(device),
        "issuer": issuer(),
        "is_replacing": has_authenticator(user),
    }
    return render(request, "brukarkraft/two_factor/setup.html", context)


@_staff_account_required
def verify(request: HttpRequest) -> HttpResponse:
    """Give the code from the app, or a backup code, to finish logging in."""
    user = request.user
    next_url = _next_url(request)
    if not has_authenticator(user):
        return redirect(_with_next("two_factor_setup", next_url))
    form = VerifyCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor_verify(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            django_otp.login(request, device)
            if isinstance(device, StaticDevice):
                left = backup_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a backup code. You have %(count)d backup code left: "
                        "make new ones on your account page.",
                        "You used a backup code. You have %(count)d backup codes left: "
                        "make new ones on your account page.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(next_url or reverse("start"))
    return render(request, "brukarkraft/two_factor/verify.html", {"form": form, "next": next_url})


@_staff_account_required
def backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes once, right after they are made; otherwise how many are left."""
    user = request.user
    next_url = _next_url(request)
    if not has_authenticator(user):
        return redirect(_with_next("two_factor_setup", next_url))
    if not user.is_verified():
        return redirect(_with_next("two_factor_verify", request.get_full_path()))
    if request.method == "POST":
        request.session[SESSION_NEW_CODES] = backup_codes_replace(user=user)
        messages.success(
            request, gettext("You have new backup codes. The old ones no longer work.")
        )
        return redirect(_with_next("two_factor_backup_codes", next_url))
    context = {
        "codes": request.session.pop(SESSION_NEW_CODES, None),
        "codes_left": backup_codes_left(user),
        "next": next_url,
    }
    return render(request, "brukarkraft/two_factor/backup_codes.html", context)
