"""The library's search form: one text box and a few filters, all optional (a GET form)."""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ..models import LANGUAGES, Audience, Kind, Resource, Topic


class LanguageSelect(forms.Select):
    """Each language named in itself, marked with its `lang` for screen readers."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = value
        return option


class LibrarySearchForm(forms.Form):
    # A filter's fields are all optional: marking each so is noise (bootstrap5/field.html).
    optional_marks = False

    q = forms.CharField(
        label=_("Search the library"),
        required=False,
        max_length=200,
        help_text=_("Words from the title, the summary or the text."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *Kind.choices]
    )
    language = forms.ChoiceField(
        label=_("Language of the text"),
        required=False,
        choices=[("", _("Any language")), *LANGUAGES],
        widget=LanguageSelect,
    )
    topic = forms.ChoiceField(
        label=_("Topic"), required=False, choices=[("", _("Any topic")), *Topic.choices]
    )
    audience = forms.ChoiceField(
        label=_("Written for"), required=False, choices=[("", _("Any reader")), *Audience.choices]
    )
    easy_to_read = forms.BooleanField(label=_("Only easy-to-read texts"), required=False)

    def filter(self, queryset: QuerySet[Resource]) -> QuerySet[Resource]:
        """Narrow `queryset` by the valid filters; an invalid form filters nothing."""
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["language"]:
            queryset = queryset.filter(language=data["language"])
        if data["easy_to_read"]:
            queryset = queryset.filter(easy_to_read=True)
        # Topics and audiences are JSON lists of fixed codes. JSON containment
        # (`topics__contains`) exists on PostgreSQL only; matching the quoted code in the
        # JSON text works on SQLite and PostgreSQL alike, and the quotes keep one code from
        # matching inside another. The codes come from the choices above, never free text.
        if data["topic"]:
            queryset = queryset.filter(Q(topics__icontains=f'"{data["topic"]}"'))
        if data["audience"]:
            queryset = queryset.filter(Q(audiences__icontains=f'"{data["audience"]}"'))
        return queryset

    @property
    def text(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_valid() else ""

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())
