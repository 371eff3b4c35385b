"""Every free-text box of every app has a limit the person writing sees, the browser never
cuts text at it, and the server refuses longer text with a message."""

import importlib
import inspect
import pkgutil
import re

import pytest
from django import forms
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import translation

from audits.forms.order import TitleForm
from audits.models import Audit
from brukarkraft.forms_rendering import text_limit

pytestmark = pytest.mark.django_db

PORTAL_APPS = ["brukarkraft", "audits", "surveys", "councils", "resources"]
# Written by the portal itself, never typed into a form; the survey answer's limit is the
# answering form's (MAX_TEXT_ANSWER).
NOT_TYPED = {
    ("audits", "ReportVersion", "error"),
    ("audits", "GuidePdf", "error"),
    ("surveys", "ExportJob", "error"),
    ("resources", "ResourceVersion", "body_html"),
    ("surveys", "Answer", "text"),
    # Word stems the library computes from a published text for search; nobody types them.
    ("resources", "Resource", "search_words"),
    # ... and the report bank from a published audit.
    ("audits", "Publication", "search_words"),
}


def form_classes():
    for label in PORTAL_APPS:
        for package in ("forms", "admin"):
            try:
                module = importlib.import_module(f"{label}.{package}")
            except ModuleNotFoundError:
                continue
            modules = [module]
            if hasattr(module, "__path__"):
                modules = [
                    importlib.import_module(f"{module.__name__}.{info.name}")
                    for info in pkgutil.iter_modules(module.__path__)
                ]
            for each in modules:
                for _name, cls in inspect.getmembers(each, inspect.isclass):
                    if issubclass(cls, forms.BaseForm) and cls.__module__ == each.__name__:
                        yield cls


def test_every_free_text_field_of_every_form_has_a_limit():
    unlimited = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in form_classes()
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.CharField)
        and not field.max_length
        and not field.widget.is_hidden
        and (isinstance(field.widget, forms.Textarea) or field.widget.input_type == "text")
    ]

    assert not unlimited


@pytest.mark.parametrize("app_label", PORTAL_APPS)
def test_every_long_text_of_every_model_has_a_limit(app_label):
    unlimited = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_app_config(app_label).get_models()
        if not model.__name__.startswith("Historical")
        for field in model._meta.concrete_fields
        if isinstance(field, models.TextField)
        and not field.max_length
        and (app_label, model.__name__, field.name) not in NOT_TYPED
    ]

    assert not unlimited


def test_a_title_shows_its_limit_and_is_never_cut_by_the_browser():
    with translation.override("en"):
        field = TitleForm()["title"]
        html = str(field)

    assert text_limit(field.field) == 200
    assert "At most 200 characters." in field.help_text
    assert 'data-maxlength="200"' in html
    assert not re.search(r"\smaxlength=", html)
    assert f'aria-describedby="{field.auto_id}_helptext"' in html


def test_e_mail_and_password_boxes_get_no_count():
    assert text_limit(forms.EmailField(max_length=254)) is None
    assert text_limit(forms.CharField(max_length=50, widget=forms.PasswordInput)) is None


def test_a_title_over_its_limit_is_refused_with_a_message_and_nothing_is_saved(
    client, commissioner, organisation
):
    audit = Audit.objects.create(
        organisation=organisation, ordered_by=commissioner, title="Före", language="sv"
    )
    client.force_login(commissioner)
    with translation.override("en"):
        url = reverse("audits:order_step", args=[audit.pk, 1])

    response = client.post(
        url, {"title": "å" * 250, "units-TOTAL_FORMS": "0", "units-INITIAL_FORMS": "0"}
    )

    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters (it has 250)." in (
        response.content.decode()
    )
    audit.refresh_from_db()
    assert audit.title == "Före"
