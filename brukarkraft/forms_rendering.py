"""How every form of the portal renders its fields (settings.FORM_RENDERER).

A text field with a limit shows the limit to the person writing, in its help text (so
screen readers read it with the field, in the portal and in the admin alike), and carries
it as data-maxlength for static/js/character-count.js, which adds a live count. The
browser's own maxlength attribute is left out on purpose: it cuts pasted text at the
limit without a word, so a long title lost its end silently. The form refuses text over
the limit with a message instead (the field's MaxLengthValidator).
"""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import Input
from django.utils.translation import gettext, ngettext

# Inputs where a person writes free text; e-mail addresses, passwords and numbers are not.
_TEXT_INPUT_TYPES = {"text", "search"}


def text_limit(field: forms.Field, widget: forms.Widget | None = None) -> int | None:
    """The most characters `field` takes when it is a visible free-text box, else None."""
    widget = widget or field.widget
    if not isinstance(field, forms.CharField) or not field.max_length or widget.is_hidden:
        return None
    if isinstance(widget, forms.Textarea):
        return field.max_length
    if isinstance(widget, Input) and widget.input_type in _TEXT_INPUT_TYPES:
        return field.max_length
    return None


class LimitedTextBoundField(BoundField):
    """A field that says how much text it takes, and never has the browser cut it."""

    def __init__(self, form, field, name) -> None:
        super().__init__(form, field, name)
        limit = text_limit(field)
        if limit:
            hint = ngettext(
                "At most %(limit)s character.", "At most %(limit)s characters.", limit
            ) % {"limit": limit}
            self.help_text = f"{self.help_text} {hint}" if self.help_text else hint

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        limit = text_limit(self.field, widget)
        if limit:
            attrs["maxlength"] = False  # False leaves the attribute out
            attrs["data-maxlength"] = limit
            attrs["data-count-left"] = gettext("Characters left: %(count)s")
            attrs["data-count-over"] = gettext("Characters too many: %(count)s")
        return attrs


# Django's label of the empty choice in choice lists (BLANK_CHOICE_DASH, ModelChoiceField).
DASHES = "---------"


class PortalFormRenderer(TemplatesSetting):
    """Django's renderer through TEMPLATES, with limits shown on text fields and a real prompt
    instead of "---------" as the empty choice.

    One place for every select and radio list of every app, whether the choice comes from a
    model field's choices or a ModelChoiceField: a screen reader reads "Choose…" where it
    read "dash dash dash". A field that sets its own empty label keeps it.
    """

    bound_field_class = LimitedTextBoundField

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if isinstance(widget, dict) and widget.get("optgroups"):
            prompt = gettext("Choose…") if widget.get("required") else gettext("None")
            for _group, options, _index in widget["optgroups"]:
                for option in options:
                    if option.get("label") == DASHES and option.get("value") in ("", None):
                        option["label"] = prompt
        return super().render(template_name, context, request=request)
