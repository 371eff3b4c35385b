"""Forms of method guidance: the booking and the staff's answer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from brukarkraft.text import TEXT_LENGTH

from ..models import GuidanceRequest


class GuidanceRequestForm(forms.ModelForm):
    # A plain choice field: the model's has no default, so a ModelForm would add an empty
    # "---------" radio button.
    topic = forms.ChoiceField(
        label=_("What it is about"),
        choices=GuidanceRequest.Topic.choices,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = GuidanceRequest
        fields = [
            "organisation_name",
            "name",
            "email",
            "phone",
            "topic",
            "message",
            "preferred_times",
            "format",
        ]
        labels = {"organisation_name": _("Organisation")}
        help_texts = {
            "organisation_name": _("The municipality, region, unit or user organisation."),
            "preferred_times": _("For example: weekday mornings, or the week of 10 March."),
        }
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "organisation_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "message": forms.Textarea(attrs={"rows": 6}),
            "format": forms.RadioSelect,
        }


class GuidanceAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        help_text=_("The requester gets the answer by e-mail."),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=TEXT_LENGTH,
        error_messages={"required": _("Write the answer.")},
    )
