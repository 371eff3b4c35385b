"""Bidirectional control characters never stay in a name or title, whatever saves it."""

import pytest
from django.apps import apps
from django.db import models
from django.db.models.signals import pre_save
from django.urls import reverse

from brukarkraft.models import Organisation
from brukarkraft.tests.factories import OrganisationFactory
from brukarkraft.text import BIDI_CONTROLS, strip_bidi_controls

pytestmark = pytest.mark.django_db

PORTAL_APPS = ["brukarkraft", "audits", "surveys", "councils", "resources"]
# "Anna" with a right-to-left override: shown as "Annaordre" to whoever reads it.
REVERSED = "Anna\u202eredro"


def test_every_bidi_control_is_taken_out_and_nothing_else():
    assert len(BIDI_CONTROLS) == 12
    assert strip_bidi_controls(f"Å{BIDI_CONTROLS}ö – ok") == "Åö – ok"
    assert strip_bidi_controls(None) is None


def one_line_fields(model):
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField) and not field.choices
    ]


@pytest.mark.parametrize("app_label", PORTAL_APPS)
def test_every_one_line_field_of_every_model_loses_them_before_saving(app_label):
    checked = 0
    for model in apps.get_app_config(app_label).get_models():
        fields = one_line_fields(model)
        if not fields:
            continue
        instance = model()
        for field in fields:
            setattr(instance, field.attname, REVERSED)
        pre_save.send(sender=model, instance=instance, raw=False, using="default")
        for field in fields:
            assert getattr(instance, field.attname) == "Annaredro", (model, field.name)
            checked += 1
    assert checked


def test_a_name_saved_through_a_form_is_stored_without_them(client, commissioner):
    client.force_login(commissioner)

    response = client.post(reverse("profile"), {"full_name": REVERSED, "preferred_language": "sv"})

    assert response.status_code == 302
    commissioner.refresh_from_db()
    assert commissioner.full_name == "Annaredro"


def test_a_name_saved_by_a_service_or_import_is_stored_without_them():
    organisation = OrganisationFactory(name=f"\u2067{REVERSED}\u2069 kommun")

    assert Organisation.objects.get(pk=organisation.pk).name == "Annaredro kommun"
