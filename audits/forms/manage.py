"""Forms for the shared audit pages and the centre's handling. They validate; services change."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brukarkraft.models import County, Organisation, User
from brukarkraft.text import NOTE_LENGTH, TEXT_LENGTH

from ..models import Audit, AuditMember, Method, ServiceArea

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def user_organisations():
    """Organisations that can perform an audit: user organisations and umbrella bodies."""
    return Organisation.objects.filter(
        is_active=True,
        kind__in=[Organisation.Kind.USER_ORGANISATION, Organisation.Kind.UMBRELLA_BODY],
    ).order_by("name")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    """The audit list's filters; every field is optional and an empty form shows everything."""

    # A filter's fields are all optional: marking each so is noise (bootstrap5/field.html).
    optional_marks = False

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Reference number, title or the commissioner's name."),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    county = forms.ModelChoiceField(
        label=_("County"), queryset=County.objects.all(), required=False, empty_label=_("All")
    )
    service_area = forms.ChoiceField(label=_("Service area"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *Audit.Status.choices]
        self.fields["service_area"].choices = [("", _("All")), *ServiceArea.choices]


class AcceptForm(forms.Form):
    performing_organisation = forms.ModelChoiceField(
        label=_("Performed by"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Decide later"),
        help_text=_("The user organisation whose auditors carry out the audit."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE_LENGTH,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["performing_organisation"].queryset = user_organisations()


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("The commissioner sees this."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=NOTE_LENGTH,
        error_messages={"required": _("Give a reason.")},
    )


class QuoteForm(forms.Form):
    """Every field of the quote and agreement (uppdragsplan)."""

    scope = forms.CharField(
        label=_("Scope"),
        help_text=_("Which units and which users the audit covers."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_LENGTH,
    )
    audit_questions = forms.CharField(
        label=_("Audit questions"), widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_LENGTH
    )
    methods = forms.MultipleChoiceField(
        label=_("Methods"),
        choices=Method.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one method.")},
    )
    timetable = forms.CharField(
        label=_("Timetable"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_LENGTH
    )
    who_informs = forms.CharField(
        label=_("Who informs the informants"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_LENGTH,
    )
    results_return = forms.CharField(
        label=_("How the results are returned"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_LENGTH,
    )
    price = forms.DecimalField(
        label=_("Price in SEK, excluding VAT"),
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        help_text=_("In Swedish kronor, for example 45000."),
    )
    ownership = forms.CharField(
        label=_("Ownership and publication of the results"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_LENGTH,
    )


def quote_initial(audit: Audit) -> dict:
    """A first draft of the quote from what the commissioner wrote in the order."""
    scope = "\n".join(
        f"{unit.name}, {unit.municipality} ({unit.get_service_area_display()})"
        for unit in audit.units.all()
    )
    return {
        "scope": scope,
        "audit_questions": audit.audit_questions,
        "methods": [value for value in audit.preferred_methods if value in Method.values],
    }


class PerformerForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("User organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Not decided"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = user_organisations()


class PoolFilterForm(forms.Form):
    """Filters for the auditor pool on the team page."""

    # A filter's fields are all optional: marking each so is noise (bootstrap5/field.html).
    optional_marks = False

    TRAINED = "trained"
    ANY = "any"

    county = forms.ModelChoiceField(
        label=_("County"), queryset=County.objects.all(), required=False, empty_label=_("All")
    )
    area = forms.ChoiceField(label=_("Experience of"), required=False)
    training = forms.ChoiceField(
        label=_("Training"),
        required=False,
        choices=[(TRAINED, _("Valid training only")), (ANY, _("Everyone in the pool"))],
    )
    available = forms.BooleanField(label=_("Available for new audits only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("Any service area")), *ServiceArea.choices]


class TeamAddForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True))
    role = forms.ChoiceField(
        choices=[
            (AuditMember.Role.AUDITOR, AuditMember.Role.AUDITOR.label),
            (AuditMember.Role.LEAD, AuditMember.Role.LEAD.label),
        ]
    )


class SurveyLinkForm(forms.Form):
    survey = forms.ModelChoiceField(
        label=_("Survey"),
        queryset=None,
        required=False,
        empty_label=_("No survey"),
        help_text=_("The team may analyse the survey, and the report shows its results."),
    )

    def __init__(self, *args, surveys, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = surveys


class TransitionForm(forms.Form):
    """A confirmation; the comment is offered only where the service records one."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE_LENGTH,
        help_text=_("Shown in the audit's history."),
    )

    def __init__(self, *args, with_comment: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_comment:
            del self.fields["comment"]


class FeedbackScheduleForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Date and time"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)


class FeedbackRecordForm(forms.Form):
    response_due = forms.DateField(
        label=_("The commissioner's response is due"),
        widget=DateInput,
        help_text=_("Usually 30 days after the meeting."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE_LENGTH,
    )

    def __init__(self, *args, **kwargs):
        from ..services import RESPONSE_DAYS

        kwargs.setdefault(
            "initial", {"response_due": timezone.localdate() + timedelta(days=RESPONSE_DAYS)}
        )
        super().__init__(*args, **kwargs)


# About six months gives the unit time to carry out what it promised.
FOLLOW_UP_DAYS = 180


class FollowUpStartForm(forms.Form):
    follow_up_due = forms.DateField(
        label=_("Progress is reported by"),
        widget=DateInput,
        help_text=_("The commissioner reports what has been done with each proposal by then."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial", {"follow_up_due": timezone.localdate() + timedelta(days=FOLLOW_UP_DAYS)}
        )
        super().__init__(*args, **kwargs)
