"""The form renderer of every form in the portal, admin included (settings.FORM_RENDERER)."""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext

# Django's label of the empty choice in choice lists (BLANK_CHOICE_DASH, ModelChoiceField).
DASHES = "---------"


class PortalFormRenderer(DjangoTemplates):
    """Django's renderer, with a real prompt instead of "---------" as the empty choice.

    One place for every select and radio list of every app, whether the choice comes from a
    model field's choices or a ModelChoiceField: a screen reader reads "Choose…" where it
    read "dash dash dash". A field that sets its own empty label keeps it.
    """

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if isinstance(widget, dict) and widget.get("optgroups"):
            prompt = gettext("Choose…") if widget.get("required") else gettext("None")
            for _group, options, _index in widget["optgroups"]:
                for option in options:
                    if option.get("label") == DASHES and option.get("value") in ("", None):
                        option["label"] = prompt
        return super().render(template_name, context, request=request)
