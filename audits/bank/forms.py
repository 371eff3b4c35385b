"""Forms of the report bank: the agreement's publication terms, the reason for a withdrawal
and the public search with its facets. They validate; audits.bank.services changes."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from audits.forms.manage import DateInput
from brukarkraft.text import NOTE_LENGTH

from .models import PublicationTerms
from .selectors import Facet

MAX_QUERY = 200


class TermsForm(forms.ModelForm):
    class Meta:
        model = PublicationTerms
        fields = [
            "may_publish_report",
            "may_publish_findings",
            "may_publish_quotes",
            "publish_from",
        ]
        widgets = {"publish_from": DateInput()}

    def clean(self):
        cleaned = super().clean()
        # A part without its whole would publish something the agreement keeps back.
        if cleaned.get("may_publish_findings") and not cleaned.get("may_publish_report"):
            self.add_error(
                "may_publish_findings", _("The findings can be published only with the report.")
            )
        if cleaned.get("may_publish_quotes") and not cleaned.get("may_publish_findings"):
            self.add_error(
                "may_publish_quotes", _("The quotes can be published only with the findings.")
            )
        return cleaned


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it withdrawn?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE_LENGTH,
        help_text=_("Kept in the audit's history. It is not shown to the public."),
    )


class BankSearchForm(forms.Form):
    """The bank's search words and one value per facet, each option with its count among
    the results. The view reads the request with `read_search` first (the options depend
    on the results), so this form only shows the choices; a chosen value with no results
    left stays on offer with 0."""

    optional_marks = False

    q = forms.CharField(label=_("Search words"), required=False, max_length=MAX_QUERY)

    def __init__(self, *args, facets: list[Facet], chosen: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for facet in facets:
            options = [(v.value, f"{v.label} ({v.count})") for v in facet.values]
            picked = chosen.get(facet.kind)
            if picked and picked not in {value for value, _label in options}:
                options.append((picked, f"{picked} (0)"))
            self.fields[facet.kind] = forms.ChoiceField(
                label=facet.label, required=False, choices=[("", _("All")), *options]
            )


def read_search(params, kinds) -> tuple[str, dict[str, str]]:
    """The search words and the chosen facet values of a request's query string."""
    text = " ".join(params.get("q", "").split())[:MAX_QUERY]
    filters = {kind: params.get(kind, "").strip()[:40] for kind in kinds}
    return text, {kind: value for kind, value in filters.items() if value}


class NationalFilterForm(forms.Form):
    """Narrow the national picture's findings to one service area and one year (GET)."""

    area = forms.ChoiceField(label=_("Service area"), required=False)
    year = forms.ChoiceField(label=_("Year"), required=False)

    def __init__(self, data, *, areas: list[tuple[str, str]], years: list[int]):
        super().__init__(data)
        area = cast(forms.ChoiceField, self.fields["area"])
        year = cast(forms.ChoiceField, self.fields["year"])
        area.choices = [("", _("All service areas")), *areas]
        year.choices = [("", _("All years"))] + [(str(y), str(y)) for y in years]

    def chosen(self) -> tuple[str, str]:
        """The area and year chosen, or "" for a value that is not (or no longer) there."""
        if not self.is_valid():
            return "", ""
        return self.cleaned_data["area"], self.cleaned_data["year"]


class AuditChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.reference} {obj.title}".strip()


class ReauditForm(forms.Form):
    """Staff choose the earlier audit of the same unit that this audit audits again."""

    earlier = AuditChoiceField(
        label=_("Earlier audit"),
        queryset=None,
        required=False,
        empty_label=_("Not a re-audit"),
        help_text=_("Earlier audits of the same organisation that audited one of its units."),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["earlier"].queryset = candidates
