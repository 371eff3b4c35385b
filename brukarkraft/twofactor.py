"""Two-factor authentication for staff and admin accounts (django-otp).

The second factor is a time-based code from an authenticator app (TOTP), with ten
backup codes for a lost phone. Who must use it: `is_staff_account`. Whether it is
required: settings.TWO_FACTOR_REQUIRED (off in the DEBUG demo).
"""

from __future__ import annotations

import math
import re
from base64 import b32encode
from dataclasses import dataclass

import django_otp
import segno
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .roles import Role

BACKUP_CODE_COUNT = 10
# The backup codes made by the last set-up or renewal, shown once on the next page.
SESSION_NEW_CODES = "two_factor_new_backup_codes"
# Device names are data, seen in admin; they stay in English like the model's own labels.
AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"
TOTP_DIGITS = 6


def is_staff_account(user) -> bool:
    """Staff and admin accounts: the ones with a second factor and a short session."""
    return bool(
        user.is_authenticated
        and (user.is_staff or user.is_superuser or user.has_role(Role.STAFF, Role.ADMIN))
    )


def has_authenticator(user) -> bool:
    """Whether the user has set up an authenticator app (backup codes alone do not count)."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@dataclass(frozen=True)
class TwoFactorStatus:
    is_on: bool
    backup_codes_left: int


def two_factor_status(user) -> TwoFactorStatus | None:
    """What the profile page says about two-step login; None for accounts without it."""
    if not is_staff_account(user):
        return None
    return TwoFactorStatus(is_on=has_authenticator(user), backup_codes_left=backup_codes_left(user))


def normalise_code(value: str) -> str:
    # People copy codes with spaces or dashes ("123 456", "abcd-efgh") and in capitals.
    return re.sub(r"[\s-]", "", value).lower()


def secret_for_typing(device: TOTPDevice) -> str:
    """The device's key in base32, in groups of four, as authenticator apps ask for it."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice, *, title: str) -> SafeString:
    """The device's otpauth:// link as an inline SVG QR code, named for screen readers."""
    qr = segno.make(device.config_url, error="m", micro=False)
    # Presentation attributes only (fill, stroke, width): a strict CSP forbids style="".
    svg = qr.svg_inline(
        title=title, scale=5, svgclass=None, lineclass=None, dark="#000", light="#fff"
    )
    # segno escapes the title; the secret is only in the modules' pattern, never as text.
    return mark_safe(svg.replace("<svg", '<svg role="img" focusable="false"', 1))  # noqa: S308


# --- Services ------------------------------------------------------------------------


def totp_device_pending(*, user) -> TOTPDevice:
    """The authenticator being set up: made on the first visit, kept until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def two_factor_confirm(*, user, device: TOTPDevice, code: str) -> list[str]:
    """Turn on the authenticator `device` if `code` is right; return new backup codes.

    Any earlier authenticator of the user is removed and the backup codes are replaced.
    """
    _raise_if_throttled(device)
    codes = _confirm_if_verified(user=user, device_id=device.pk, code=code)
    if codes is None:
        raise ValidationError(
            gettext(
                "That code is not right. Type the 6 digits the app shows now. If it still does "
                "not work, check that the time on your phone is right."
            ),
            code="wrong_code",
        )
    return codes


@transaction.atomic
def _confirm_if_verified(*, user, device_id: int, code: str) -> list[str] | None:
    # Returns instead of raising on a wrong code: the failure count that throttles the
    # next attempt must be committed, not rolled back with the error.
    device = TOTPDevice.objects.select_for_update().filter(user=user, pk=device_id).first()
    if device is None or not device.verify_token(code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return _replace_backup_codes(user)


@transaction.atomic
def backup_codes_replace(*, user) -> list[str]:
    """Make ten new backup codes for `user`; the old ones stop working."""
    return _replace_backup_codes(user)


def _replace_backup_codes(user) -> list[str]:
    # The same device is kept, so a session verified with a backup code stays verified.
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=BACKUP_CODES_NAME, confirmed=True)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def two_factor_verify(*, user, code: str) -> Device:
    """The device that accepts `code`: the authenticator for six digits, else a backup code.

    A backup code is used up. Wrong codes count towards django-otp's throttling, which
    makes each device wait 1, 2, 4, 8… seconds after successive failures.
    """
    code = normalise_code(code)
    is_totp = code.isdigit() and len(code) == TOTP_DIGITS
    model = TOTPDevice if is_totp else StaticDevice
    devices = list(model.objects.devices_for_user(user, confirmed=True))
    for device in devices:
        _raise_if_throttled(device)
    for device in devices:
        # django_otp.verify_token locks the device and commits the failure count.
        verified = django_otp.verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    raise ValidationError(
        gettext(
            "That code is not right. Type the 6 digits your app shows now, "
            "or one of your backup codes."
        ),
        code="wrong_code",
    )


def _raise_if_throttled(device: Device) -> None:
    allowed, details = device.verify_is_allowed()
    if allowed:
        return
    wait = (details or {}).get("locked_until")
    seconds = max(1, math.ceil((wait - timezone.now()).total_seconds())) if wait else 1
    raise ValidationError(
        ngettext(
            "You typed a wrong code too many times. Wait %(seconds)d second and try again.",
            "You typed a wrong code too many times. Wait %(seconds)d seconds and try again.",
            seconds,
        )
        % {"seconds": seconds},
        code="throttled",
    )


def issuer() -> str:
    return getattr(settings, "OTP_TOTP_ISSUER", "") or "Brukarkraft"


# --- Forms ---------------------------------------------------------------------------


class SetupCodeForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code from the app"),
        max_length=20,
        help_text=_("The app shows a new code every 30 seconds. Type the one it shows now."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not (code.isdigit() and len(code) == TOTP_DIGITS):
            raise ValidationError(gettext("Type the 6 digits the app shows."), code="format")
        return code


class VerifyCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_(
            "The 6 digits your authenticator app shows now. Without your phone, "
            "type one of your backup codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"}
        ),
    )

    def clean_code(self) -> str:
        return normalise_code(self.cleaned_data["code"])
