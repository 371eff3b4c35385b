"""Forms of the notes page, coding and making a finding from a code."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from audits.models import Finding, Theme

from .models import FIELD_NOTE_LENGTH, Code, Passage

TOO_LONG = _(
    "A note can be at most %(limit_value)s characters; this one has %(show_value)s. Split it "
    "under the questions or shorten it."
)


class NotesForm(forms.Form):
    """One textarea per slot (a guide question, or "free" for the free notes) for the
    auditor's own notes, with the version each began from and a "done" box."""

    def __init__(self, *args, slots: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = slots
        for slot in slots:
            key, mine = slot["key"], slot["mine"]
            self.fields[f"t-{key}"] = forms.CharField(
                label=slot["label"],
                required=False,
                strip=False,
                max_length=FIELD_NOTE_LENGTH,
                error_messages={"max_length": TOO_LONG},
                initial=mine.text if mine else "",
                widget=forms.Textarea(attrs={"rows": 6}),
            )
            self.fields[f"v-{key}"] = forms.IntegerField(
                required=False,
                initial=mine.version if mine else None,
                widget=forms.HiddenInput,
            )
            self.fields[f"d-{key}"] = forms.BooleanField(
                label=_("Done: nothing in it identifies a person"),
                required=False,
                initial=bool(mine and mine.status == "done"),
            )

    def bound(self, key: str) -> dict:
        return {
            "text": self[f"t-{key}"],
            "version": self[f"v-{key}"],
            "done": self[f"d-{key}"],
        }


SENTENCE_RE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")


def sentences(text: str) -> list[tuple[int, int, str]]:
    """The note cut into sentences: (start, end, text) — what a passage is chosen from."""
    return [
        (match.start(), match.end(), match.group().strip())
        for match in SENTENCE_RE.finditer(text)
        if match.group().strip()
    ]


class PassageForm(forms.Form):
    sentences = forms.TypedMultipleChoiceField(
        label=_("Sentences of the passage"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The passage runs from the first to the last sentence you tick."),
        error_messages={"required": _("Tick at least one sentence.")},
    )
    codes = forms.ModelMultipleChoiceField(
        label=_("Codes"),
        queryset=Code.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one code.")},
    )
    polarity = forms.ChoiceField(
        label=_("Positive or negative"),
        choices=Passage.Polarity.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the passage is positive or negative.")},
    )

    def __init__(self, *args, note, codes, **kwargs):
        super().__init__(*args, **kwargs)
        self.parts = sentences(note.text)
        self.fields["sentences"].choices = [
            (index, part[2]) for index, part in enumerate(self.parts)
        ]
        # Any code id is accepted here; the service refuses a code of another audit with
        # its own message, so the refusal is one rule in one place.
        self.fields["codes"].queryset = Code.objects.all()
        self.fields["codes"].choices = [(code.pk, code.name) for code in codes]

    def span(self) -> tuple[int, int]:
        chosen = self.cleaned_data["sentences"]
        return self.parts[min(chosen)][0], self.parts[max(chosen)][1]


class CodeForm(forms.Form):
    name = forms.CharField(label=_("New code"), max_length=100)
    theme = forms.ChoiceField(
        label=_("Theme"),
        choices=[("", _("No theme (the team's own code)")), *Theme.choices],
        required=False,
    )


class FindingFromCodeForm(forms.Form):
    title = forms.CharField(label=_("Heading"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    polarity = forms.ChoiceField(
        label=_("Positive or negative"), choices=Finding.Polarity.choices, widget=forms.RadioSelect
    )
    quotes = forms.ModelMultipleChoiceField(
        label=_("Quotes from the passages"),
        queryset=Passage.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Ticked passages become the finding's anonymised quotes."),
    )

    def __init__(self, *args, passages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quotes"].queryset = passages
