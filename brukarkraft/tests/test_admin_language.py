"""The admin speaks the interface's language: every name the portal's models give, every
inline's plural, and the third-party apps the admin shows (locale/vendor/)."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

pytestmark = pytest.mark.django_db

PORTAL_APPS = ("brukarkraft", "audits", "surveys", "councils", "resources")


def test_every_field_of_every_portal_model_has_a_translated_name():
    # Without one Django makes it from the attribute ("notice sent by"), in English only.
    untranslated = [
        f"{model.__name__}.{field.name}"
        for label in PORTAL_APPS
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical")
        for field in model._meta.get_fields()
        if not field.auto_created
        and hasattr(field, "verbose_name")
        and not isinstance(field.verbose_name, Promise)
    ]

    assert untranslated == []


def test_every_inline_that_names_its_rows_names_them_in_the_plural_too():
    # Django adds an English "s" to a verbose_name without a plural: "Mandat (ny version)s".
    missing = [
        f"{model_admin.__class__.__name__}.{inline.__name__}"
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
        if "verbose_name" in vars(inline) and "verbose_name_plural" not in vars(inline)
    ]

    assert missing == []


@pytest.mark.parametrize(
    ("language", "english", "translated"),
    [
        ("sv", ["Access attempts", "Access logs", "TOTP devices", "Static devices"], "Sök"),
        ("nb", ["Access attempts", "Access logs", "TOTP devices", "Static devices"], "Søk"),
    ],
)
def test_the_admin_index_names_the_third_party_apps_in_the_language(
    client, admin_user, language, english, translated
):
    client.force_login(admin_user)

    with translation.override(language):
        index = client.get(reverse("admin:index")).content.decode()
        attempts = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()

    assert [name for name in english if name in index] == []
    assert "Attempt Time" not in attempts
    assert translated in attempts
