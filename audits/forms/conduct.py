"""Forms for the audit team's pages. Forms validate and normalise; services change things."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from brukarkraft.models import Organisation
from brukarkraft.text import TEXT_LENGTH

from ..models import (
    AuditorProfile,
    Conflict,
    DataCollection,
    FeeEntry,
    Finding,
    ServiceArea,
    Unit,
)

# Easy-to-read guidance (lättläst): a sentence longer than this is hard to follow.
EASY_READ_MAX_WORDS = 15


class CommaDecimalField(forms.DecimalField):
    """A decimal that accepts "3,5" as well as "3.5" in every language of the site.

    Swedish and Norwegian write a decimal comma; Django's localized input would accept it
    only while the page is in those languages, and a number input rejects it in some
    browsers, so the field is a text input that normalises the comma itself.
    """

    widget = forms.TextInput

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["inputmode"] = "decimal"
        return attrs

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        return super().to_python(value)


def _not_in_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(gettext("The date cannot be in the future."), code="future")
    return value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


# --- The auditor's own pages ----------------------------------------------------


class UndertakingForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read the undertaking and promise to keep it."),
        error_messages={"required": _("Tick the box to accept the undertaking.")},
    )


class AuditorProfileForm(forms.ModelForm):
    experience_areas = forms.MultipleChoiceField(
        label=_("Experience areas"),
        choices=ServiceArea.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The kinds of service you have used yourself."),
    )

    class Meta:
        model = AuditorProfile
        fields = ["county", "experience_areas", "available", "availability_note"]
        help_texts = {
            "availability_note": _("For example: weekdays only, or not in July."),
        }


class ConflictForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.select_related("municipality", "organisation"),
        required=False,
        help_text=_("Choose a unit, or an organisation if the conflict covers all its units."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
    )
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=Conflict.Reason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("Optional. Write only what the resource centre needs to know."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].label_from_instance = lambda unit: f"{unit} – {unit.organisation.name}"


# --- Conducting the audit ---------------------------------------------------------


class SessionForm(forms.ModelForm):
    class Meta:
        model = DataCollection
        fields = ["kind", "held_on", "informants", "duration_minutes", "note"]
        widgets = {
            "held_on": DateInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "informants": _("How many people took part. Only the number, never who."),
            "note": _(
                "Never write names or anything that identifies a person. The unit never sees"
                " these notes."
            ),
        }

    def clean_held_on(self):
        return _not_in_future(self.cleaned_data.get("held_on"))


class FindingForm(forms.ModelForm):
    polarity = forms.ChoiceField(
        label=_("Positive or negative"),
        choices=Finding.Polarity.choices,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Finding
        fields = ["theme", "polarity", "title", "description", "quotes"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "quotes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "description": _(
                "What groups of informants said or what you saw. Never single persons."
            ),
        }


class FindingEditForm(FindingForm):
    # The version the edit began from; the service refuses the save if it has moved on.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class FindingChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Finding) -> str:
        return gettext("Finding %(number)s: %(title)s") % {"number": obj.number, "title": obj.title}


class ProposalForm(forms.Form):
    text = forms.CharField(
        label=_("Proposal"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_LENGTH,
        help_text=_("What the unit could do, in plain words."),
    )
    findings = FindingChoiceField(
        label=_("Findings it builds on"),
        queryset=Finding.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("A proposal must build on at least one finding.")},
    )

    def __init__(self, *args, audit, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this audit's findings can be chosen: an id from another audit is not valid.
        self.fields["findings"].queryset = audit.findings.order_by("number")


class ProposalEditForm(ProposalForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def long_sentences(text: str, limit: int = EASY_READ_MAX_WORDS) -> list[tuple[str, int]]:
    """The sentences of `text` with more than `limit` words, with their word counts."""
    found = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        sentence = sentence.strip()
        words = len(sentence.split())
        if words > limit:
            found.append((sentence, words))
    return found


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=TEXT_LENGTH,
        required=False,
        help_text=_("The main findings and proposals in a few paragraphs."),
    )
    easy_read_summary = forms.CharField(
        label=_("Easy-to-read summary"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=TEXT_LENGTH,
        required=False,
        help_text=_(
            "Write short sentences with common words, and one idea per sentence. A sentence"
            " has at most 15 words. It opens the report."
        ),
    )

    def clean_easy_read_summary(self) -> str:
        text = self.cleaned_data.get("easy_read_summary", "")
        errors = [
            ValidationError(
                ngettext(
                    "This sentence has %(count)s word; easy-to-read sentences have at most"
                    " %(limit)s: “%(sentence)s”",
                    "This sentence has %(count)s words; easy-to-read sentences have at most"
                    " %(limit)s: “%(sentence)s”",
                    words,
                )
                % {"count": words, "limit": EASY_READ_MAX_WORDS, "sentence": sentence},
                code="long_sentence",
            )
            for sentence, words in long_sentences(text)
        ]
        if errors:
            raise ValidationError(errors)
        return text


class FeeForm(forms.ModelForm):
    hours = CommaDecimalField(
        label=_("Hours"),
        min_value=Decimal("0"),
        max_value=Decimal("24"),
        max_digits=5,
        decimal_places=2,
        help_text=_("For example 3,5 for three and a half hours."),
    )
    travel_cost = CommaDecimalField(
        label=_("Tickets and other travel costs (SEK)"),
        min_value=Decimal("0"),
        max_digits=8,
        decimal_places=2,
        required=False,
        initial=Decimal("0"),
        help_text=_("Bus, train or parking. Keep the receipts."),
    )

    class Meta:
        model = FeeEntry
        fields = ["worked_on", "activity", "hours", "travel_km", "travel_cost", "note"]
        widgets = {"worked_on": DateInput()}
        help_texts = {"travel_km": _("Kilometres driven in your own car, there and back.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Most days have no travel: an empty box means none.
        self.fields["travel_km"].required = False

    def clean_worked_on(self):
        return _not_in_future(self.cleaned_data.get("worked_on"))

    def clean_travel_km(self) -> int:
        return self.cleaned_data.get("travel_km") or 0

    def clean_travel_cost(self) -> Decimal:
        return self.cleaned_data.get("travel_cost") or Decimal("0")
