"""Forms for the commissioner's pages: ordering, the quote, the response and the follow-up.

Forms validate and normalise; the services in audits/services/ change things.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from brukarkraft.faults import SubmissionKeyMixin
from brukarkraft.models import Municipality, Organisation, User
from brukarkraft.text import NOTE_LENGTH, TEXT_LENGTH
from brukarkraft.validators import normalise_org_number, validate_org_number

from ..models import Audit, Method, Proposal, ServiceArea

MAX_UNITS = 5
MAX_AGREEMENT_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"

# The kinds of organisation that order audits; user organisations perform them.
COMMISSIONER_KINDS = [
    Organisation.Kind.MUNICIPALITY,
    Organisation.Kind.REGION,
    Organisation.Kind.STATE_AGENCY,
    Organisation.Kind.FINSAM,
    Organisation.Kind.PRIVATE_PROVIDER,
]


class MunicipalityField(forms.ModelChoiceField):
    """A municipality select labelled "Örebro (Örebro län)": several counties share names."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault(
            "queryset", Municipality.objects.select_related("county").order_by("name")
        )
        kwargs.setdefault("empty_label", _("Choose a municipality"))
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Municipality) -> str:
        return f"{obj.name} ({obj.county.name})"


def _org_number(value: str) -> str:
    value = value.strip()
    if value:
        validate_org_number(value)
        value = normalise_org_number(value)
    return value


# --- Starting an order and registering ------------------------------------------


class OrderStartForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Which organisation orders the audit?"),
        queryset=Organisation.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    language = forms.ChoiceField(
        label=_("Language of the audit"),
        choices=Audit.Language.choices,
        widget=forms.RadioSelect,
        help_text=_("The questionnaire, the report and our letters to you use this language."),
    )

    def __init__(self, *args, organisations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        # With one organisation there is nothing to choose.
        if len(organisations) == 1:
            self.single_organisation = organisations[0]
            del self.fields["organisation"]
        else:
            self.single_organisation = None

    def chosen_organisation(self) -> Organisation:
        return self.single_organisation or self.cleaned_data["organisation"]


class RegisterForm(forms.Form):
    full_name = forms.CharField(label=_("Your full name"), max_length=200)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("You log in with it, and we write to you about the order."),
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. Do not use your name or e-mail address."),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    organisation_name = forms.CharField(
        label=_("Name of your organisation"),
        max_length=200,
        help_text=_("For example: Örebro kommun, arbetsmarknadsenheten."),
    )
    organisation_kind = forms.ChoiceField(
        label=_("Kind of organisation"),
        choices=[(kind.value, kind.label) for kind in COMMISSIONER_KINDS],
        widget=forms.RadioSelect,
    )
    org_number = forms.CharField(
        label=_("Organisation number"),
        max_length=13,
        help_text=_("Ten digits, for example 212000-1967."),
    )
    municipality = MunicipalityField(
        label=_("Municipality"), help_text=_("Where the organisation has its seat.")
    )

    field_order = [
        "full_name",
        "email",
        "password1",
        "password2",
        "organisation_name",
        "organisation_kind",
        "org_number",
        "municipality",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["organisation_name"].widget.attrs["autocomplete"] = "organization"

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_org_number(self) -> str:
        return _org_number(self.cleaned_data["org_number"])

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", gettext("The two passwords are not the same."))
        elif first:
            # The validators compare the password with the name and e-mail given here.
            person = User(email=data.get("email", ""), full_name=data.get("full_name", ""))
            try:
                validate_password(first, user=person)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


# --- The five steps of the order --------------------------------------------------


class TitleForm(forms.ModelForm):
    class Meta:
        model = Audit
        fields = ["title"]
        labels = {"title": _("A name for the audit")}
        help_texts = {
            "title": _("If you leave it empty, the audit is named after the first unit."),
        }


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Name of the unit"), max_length=200)
    service_area = forms.ChoiceField(
        label=_("Service area"), choices=[("", _("Choose a service area")), *ServiceArea.choices]
    )
    municipality = MunicipalityField(label=_("Municipality"))

    def full_clean(self) -> None:
        # A row left wholly empty is a unit not wanted (the page offers five rows); a row
        # emptied by hand removes that unit. Fields stay required for half-filled rows.
        if self.is_bound and not any(
            str(self.data.get(self.add_prefix(name), "")).strip() for name in self.fields
        ):
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


class BaseUnitFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if not form.cleaned_data:
                continue
            key = (form.cleaned_data["name"].lower(), form.cleaned_data["municipality"].pk)
            if key in seen:
                raise ValidationError(gettext("The same unit is named twice."), code="duplicate")
            seen.add(key)

    def units(self) -> list[dict]:
        return [form.cleaned_data for form in self.forms if form.cleaned_data]


def unit_formset(audit: Audit, data=None) -> BaseUnitFormSet:
    """The draft's units, then empty rows up to five, so units are added without JavaScript."""
    initial = [
        {"name": unit.name, "service_area": unit.service_area, "municipality": unit.municipality}
        for unit in audit.units.all()
    ]
    formset_class = forms.formset_factory(
        UnitForm,
        formset=BaseUnitFormSet,
        extra=max(MAX_UNITS - len(initial), 0),
        max_num=MAX_UNITS,
        absolute_max=MAX_UNITS,
        validate_max=True,
    )
    # Empty rows are allowed, so the browser must not demand them filled.
    return formset_class(
        data, initial=initial, prefix="units", form_kwargs={"use_required_attribute": False}
    )


class WhatForm(forms.ModelForm):
    preferred_methods = forms.MultipleChoiceField(
        label=_("Methods you would like"),
        choices=Method.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("We suggest the methods in the quote; you can change them then."),
    )

    class Meta:
        model = Audit
        fields = [
            "target_group",
            "approx_users",
            "audit_questions",
            "preferred_methods",
            "period_start",
            "period_end",
        ]
        widgets = {
            "target_group": forms.Textarea(attrs={"rows": 3}),
            "audit_questions": forms.Textarea(attrs={"rows": 5}),
            "period_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "period_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "target_group": _("Which service users do you want the auditors to ask?"),
            "audit_questions": _("In your own words. We help you turn it into audit questions."),
            "period_start": _("Year, month and day, for example 2026-09-01."),
            "period_end": _("Year, month and day, for example 2026-12-15."),
        }

    def clean_period_start(self):
        start = self.cleaned_data.get("period_start")
        if start and start < timezone.localdate():
            raise ValidationError(gettext("The earliest start cannot be in the past."), code="past")
        return start


class ContactForm(forms.ModelForm):
    class Meta:
        model = Audit
        fields = [
            "contact_name",
            "contact_email",
            "contact_phone",
            "invoice_org_number",
            "invoice_address",
            "invoice_reference",
            "invoice_email",
        ]
        widgets = {"invoice_address": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "invoice_org_number": _("Ten digits, for example 212000-1967."),
            "invoice_reference": _("The reference or code your invoices must carry."),
        }

    # What services.order_missing requires before the order can be sent, with what to say
    # when it is empty. Marked required here, where it is asked, not first on the review.
    REQUIRED_TO_SEND = {
        "contact_name": _("Give the name of the contact person."),
        "contact_email": _("Give the contact person's e-mail address."),
        "invoice_address": _("Give an invoice address: the order cannot be sent without it."),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact_name"].widget.attrs["autocomplete"] = "name"
        self.fields["contact_email"].widget.attrs["autocomplete"] = "email"
        self.fields["contact_phone"].widget.attrs["autocomplete"] = "tel"
        for name, message in self.REQUIRED_TO_SEND.items():
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = message

    def saving_for_later(self) -> None:
        """ "Save and continue later" keeps a half-filled step: nothing is required then
        (the review still refuses to send without it)."""
        for name in self.REQUIRED_TO_SEND:
            self.fields[name].required = False

    def clean_invoice_org_number(self) -> str:
        return _org_number(self.cleaned_data["invoice_org_number"])


class NeedsForm(forms.ModelForm):
    class Meta:
        model = Audit
        fields = [
            "needs_interpreter",
            "interpreter_languages",
            "needs_easy_read",
            "needs_sign_language",
            "other_needs",
        ]
        labels = {
            "needs_interpreter": _("Spoken-language interpreter"),
            "interpreter_languages": _("Which languages?"),
        }
        help_texts = {
            "interpreter_languages": _("Needed if you ticked interpreter."),
        }
        widgets = {"other_needs": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        if data.get("needs_interpreter") and not data.get("interpreter_languages", "").strip():
            self.add_error(
                "interpreter_languages", gettext("Say which languages the interpreter needs.")
            )
        if not data.get("needs_interpreter"):
            data["interpreter_languages"] = ""
        return data


class TermsForm(forms.Form):
    accept_terms = forms.BooleanField(
        label=_("I accept the terms on behalf of the organisation."),
        error_messages={
            "required": _("Tick the box to accept the terms: the order cannot be sent without.")
        },
    )
    accept_processor_agreement = forms.BooleanField(
        label=_("I accept the processor agreement on behalf of the organisation."),
        error_messages={
            "required": _(
                "Tick the box to accept the processor agreement: the order cannot be sent without."
            )
        },
    )


# The steps of the order wizard, in order: (number, name, form).
STEPS = [
    (1, _("Units"), None),
    (2, _("What you want to know"), WhatForm),
    (3, _("Contact and invoicing"), ContactForm),
    (4, _("The informants' needs"), NeedsForm),
    (5, _("Terms"), TermsForm),
]


# --- The quote, the agreement and cancelling --------------------------------------


class QuoteAcceptForm(forms.Form):
    accept = forms.BooleanField(
        error_messages={
            "required": _(
                "Tick the box to accept the quote and the agreement, or write to the resource"
                " centre if something should change."
            )
        }
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment to the resource centre"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accept"].label = gettext(
            "I accept the quote and the agreement on behalf of %(organisation)s"
        ) % {"organisation": organisation.name}


class AgreementForm(SubmissionKeyMixin, forms.Form):
    signed_agreement = forms.FileField(
        label=_("The signed agreement (PDF)"),
        help_text=_("A PDF file of at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_signed_agreement(self):
        upload = self.cleaned_data["signed_agreement"]
        if upload.size > MAX_AGREEMENT_BYTES:
            raise ValidationError(
                gettext("The file is too large. Upload a PDF of at most 10 MB."), code="too_big"
            )
        # The name and the browser's content type are the sender's claim; the bytes are not.
        upload.seek(0)
        head = upload.read(len(PDF_MAGIC))
        upload.seek(0)
        if head != PDF_MAGIC:
            raise ValidationError(
                gettext("The file is not a PDF. Save the signed agreement as PDF and try again."),
                code="not_pdf",
            )
        return upload


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you cancel?"),
        max_length=2000,
        error_messages={
            "required": _("Say why you cancel: the resource centre and the team read it.")
        },
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The resource centre and the audit team read the reason."),
    )


# --- Response and follow-up --------------------------------------------------------


class _SometimesNeeded:
    """A field the service requires only for some answers (owner and deadline only when the
    proposal is accepted): its label must not say "optional", and the service checks it."""

    def validate(self, value) -> None:
        if value in self.empty_values:
            return
        super().validate(value)


class SometimesCharField(_SometimesNeeded, forms.CharField):
    pass


class SometimesDateField(_SometimesNeeded, forms.DateField):
    pass


class ProposalResponseForm(forms.Form):
    # Browsers must not demand owner and deadline for a rejected proposal.
    use_required_attribute = False

    response = forms.ChoiceField(
        label=_("Your answer"),
        choices=Proposal.Response.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether you accept the proposal, accept it in part or reject it.")
        },
    )
    # Required either way; what to say when it is empty depends on the answer (clean).
    action = SometimesCharField(
        label=_("What you will do, or why you reject the proposal"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_LENGTH,
    )
    action_owner = SometimesCharField(
        label=_("Who is responsible"),
        max_length=200,
        help_text=_(
            "Needed when you accept the proposal in whole or in part. A role is enough, for"
            " example: the unit manager."
        ),
    )
    deadline = SometimesDateField(
        label=_("Deadline"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Needed when you accept the proposal in whole or in part."),
    )

    @classmethod
    def for_proposal(cls, proposal: Proposal, data=None) -> ProposalResponseForm:
        initial = {
            "response": proposal.response,
            "action": proposal.action,
            "action_owner": proposal.action_owner,
            "deadline": proposal.deadline,
        }
        return cls(data, initial=initial, prefix=f"p{proposal.pk}")

    def clean(self):
        data = super().clean()
        if "action" not in self.errors and not (data.get("action") or "").strip():
            if data.get("response") == Proposal.Response.REJECTED:
                message = gettext("Say why you reject the proposal.")
            else:
                message = gettext("Describe what you will do about the proposal.")
            self.add_error("action", ValidationError(message, code="required"))
        return data


class ProposalProgressForm(forms.Form):
    progress = forms.ChoiceField(
        label=_("How far has the work come?"),
        choices=Proposal.Progress.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how far the work has come.")},
    )
    progress_note = forms.CharField(
        label=_("What has been done"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE_LENGTH,
        error_messages={"required": _("Describe what has been done.")},
    )

    @classmethod
    def for_proposal(cls, proposal: Proposal, data=None) -> ProposalProgressForm:
        initial = {"progress": proposal.progress, "progress_note": proposal.progress_note}
        return cls(data, initial=initial, prefix=f"p{proposal.pk}")
