"""Forms of the guide pages. Forms validate and normalise; audits.fieldwork.services changes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from audits.models import Theme
from brukarkraft.text import NOTE_LENGTH, TEXT_LENGTH

from .models import BankQuestion, GuideSection


def _lines(value: str) -> str:
    """Follow-up prompts: one a line, blank lines and stray spaces dropped."""
    return "\n".join(line.strip() for line in value.splitlines() if line.strip())


class IntroductionForm(forms.Form):
    introduction = forms.CharField(
        label=_("Introduction"),
        max_length=TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Read out at the start of every session: that it is anonymous, that no names are"
            " written down, and that the informant may stop at any time."
        ),
    )


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Section title"), max_length=200)


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Question"), max_length=NOTE_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_ups = forms.CharField(
        label=_("Follow-up questions"),
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line."),
    )
    easy_read = forms.CharField(
        label=_("The question in easy words"),
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_follow_ups(self) -> str:
        return _lines(self.cleaned_data["follow_ups"])


class NewQuestionForm(QuestionForm):
    section = forms.ModelChoiceField(label=_("Section"), queryset=GuideSection.objects.none())

    field_order = ["section", "text", "follow_ups", "easy_read"]

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = sections
        self.fields["section"].empty_label = None


class BankPickForm(forms.Form):
    """Tick questions of the bank and choose the section they go into."""

    section = forms.ModelChoiceField(
        label=_("Add to the section"),
        queryset=GuideSection.objects.none(),
        widget=forms.Select(attrs={"class": "form-select w-auto"}),
    )
    questions = forms.ModelMultipleChoiceField(
        label=_("Questions from the bank"),
        queryset=BankQuestion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one question.")},
    )

    def __init__(self, *args, sections, bank, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = sections
        self.fields["section"].empty_label = None
        self.fields["questions"].queryset = bank
        self.fields["questions"].label_from_instance = lambda q: q.text_in(language)


class BankFilterForm(forms.Form):
    theme = forms.ChoiceField(
        label=_("Theme"),
        required=False,
        choices=[("", _("All themes")), *Theme.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Your comment"), max_length=NOTE_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )
