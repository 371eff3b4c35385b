"""Choice lists start with a real prompt, never "---------", in every app and in admin."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.utils import translation

from brukarkraft.forms_rendering import DASHES

pytestmark = pytest.mark.django_db

APPS = ("audits", "surveys", "councils", "resources", "brukarkraft")


def _form_classes():
    """Every form class defined in the apps' forms and admin modules."""
    found = {}
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if any(part in module.name for part in (".tests", ".migrations", ".management")):
                continue
            if "form" not in module.name and not module.name.endswith("admin"):
                continue
            for _name, cls in inspect.getmembers(importlib.import_module(module.name)):
                if (
                    inspect.isclass(cls)
                    and issubclass(cls, forms.BaseForm)
                    and cls.__module__.split(".")[0] in APPS
                ):
                    found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


def _rendered_choice_fields(cls):
    """The choice fields of `cls` rendered as the portal renders them, where the form can be
    made without arguments."""
    try:
        form = cls()
    except TypeError:
        form = cls.__new__(cls)
        forms.BaseForm.__init__(form)
        form.fields = {name: field for name, field in cls.base_fields.items()}
    for name, field in form.fields.items():
        if isinstance(field, forms.ChoiceField) and not isinstance(
            field.widget, forms.CheckboxSelectMultiple | forms.SelectMultiple
        ):
            if isinstance(field, forms.ModelChoiceField) and field.queryset is None:
                continue  # the view sets it
            yield name, form[name].as_widget()


FORMS = _form_classes()


def test_the_walk_finds_the_forms_that_had_dashes():
    assert {"audits.forms.conduct.SessionForm", "audits.forms.manage.TeamAddForm"} <= set(FORMS)


@pytest.mark.parametrize("path", sorted(FORMS))
def test_no_choice_list_starts_with_dashes(path):
    with translation.override("en"):
        for name, html in _rendered_choice_fields(FORMS[path]):
            assert DASHES not in html, f"{path}.{name}"


def test_a_required_list_asks_to_choose_and_an_optional_one_offers_none():
    class Example(forms.Form):
        needed = forms.ChoiceField(choices=[("", DASHES), ("a", "A")])
        maybe = forms.ChoiceField(choices=[("", DASHES), ("a", "A")], required=False)

    form = Example()
    with translation.override("sv"):
        assert '<option value="" selected>Välj …</option>' in form["needed"].as_widget()
        assert '<option value="" selected>Ingen</option>' in form["maybe"].as_widget()
