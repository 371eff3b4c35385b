"""Names the admin shows for third-party apps that give them in English only.

django-otp names its apps "Otp_Totp" and "Otp_Static" and its TOTP device with a plain
string, and Django derives "static devices" from the class name: no catalogue can translate
them. The names are set here, translatably, when the apps are ready. Only the display names
change: a model's migration state is read from its Meta as written (original_attrs), so
no migration of the third-party apps follows from this.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _

APP_NAMES = {
    "axes": _("Login lock-outs"),
    "otp_totp": _("Two-step login: authenticator apps"),
    "otp_static": _("Two-step login: backup codes"),
}

MODEL_NAMES = {
    ("otp_totp", "totpdevice"): (_("authenticator app"), _("authenticator apps")),
    ("otp_static", "staticdevice"): (_("set of backup codes"), _("sets of backup codes")),
    ("otp_static", "statictoken"): (_("backup code"), _("backup codes")),
}


def apply() -> None:
    installed = {config.label for config in apps.get_app_configs()}
    for label, name in APP_NAMES.items():
        if label in installed:
            apps.get_app_config(label).verbose_name = name
    for (label, model_name), (singular, plural) in MODEL_NAMES.items():
        if label in installed:
            opts = apps.get_model(label, model_name)._meta
            opts.verbose_name = singular
            opts.verbose_name_plural = plural
