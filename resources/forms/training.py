"""Forms of the course pages. They validate and find the participant; services register."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from brukarkraft.models import Organisation, User
from brukarkraft.roles import Role


class RegistrationForm(forms.Form):
    """Register yourself, or (a member of an organisation, or staff) someone with an account."""

    SELF = "self"
    OTHER = "other"

    who = forms.ChoiceField(
        label=_("Who takes part?"),
        choices=[(SELF, _("I do")), (OTHER, _("Someone else"))],
        initial=SELF,
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(
        label=_("The participant's e-mail address"),
        required=False,
        help_text=_(
            "Only when you register someone else. The person needs an account on"
            " Brukarkraft with this address."
        ),
    )
    organisation = forms.ModelChoiceField(
        label=_("Registered by organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("No organisation"),
    )
    needs = forms.CharField(
        label=_("Support and accessibility needs"),
        required=False,
        max_length=2000,
        help_text=_("For example: interpreter, easy-to-read material, a support person, diet."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.is_staff = user.has_role(Role.STAFF, Role.ADMIN)
        self.organisations = list(
            Organisation.objects.filter(memberships__user=user).order_by("name")
        )
        if self.is_staff:
            # Staff register people of any organisation: "registered by organisation" is
            # the participant's, never staff's own (left empty, the service records it).
            self.fields["organisation"].queryset = Organisation.objects.order_by("name")
            self.fields["organisation"].empty_label = _("The participant's organisation")
            self.fields["organisation"].help_text = _(
                "Left as it is, the organisation the participant belongs to is recorded."
            )
        else:
            self.fields["organisation"].queryset = Organisation.objects.filter(
                pk__in=[organisation.pk for organisation in self.organisations]
            ).order_by("name")
            if len(self.organisations) == 1:
                self.fields["organisation"].initial = self.organisations[0].pk
        if not self.may_register_others:
            # Only yourself: the choice and the address would mean nothing. The field stays
            # (hidden) so that a forged "someone else" reaches the service, which refuses it.
            self.fields["who"].widget = forms.HiddenInput()
            self.fields["email"].widget = forms.HiddenInput()
        if not self.organisations and not self.is_staff:
            self.fields["organisation"].widget = forms.HiddenInput()

    @property
    def may_register_others(self) -> bool:
        return self.is_staff or bool(self.organisations)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("who") != self.OTHER:
            data["participant"] = self.user
            return data
        email = data.get("email")
        if not email:
            if self.may_register_others:
                self.add_error("email", gettext("Give the participant's e-mail address."))
            return data
        participant = User.objects.filter(email__iexact=email, is_active=True).first()
        if self.is_staff:
            # The centre's staff can look anyone up anyway: tell them plainly.
            if participant is None:
                self.add_error(
                    "email",
                    gettext(
                        "No account has this e-mail address. The person needs an account on"
                        " Brukarkraft before they can be registered."
                    ),
                )
                return data
            data["participant"] = participant
            return data
        if participant == self.user:
            data["participant"] = participant
            return data
        organisation = data.get("organisation")
        if self.organisations and organisation is None:
            self.add_error(
                "organisation", gettext("Choose the organisation you register the person for.")
            )
            return data
        if organisation is not None and (
            participant is None or not organisation.memberships.filter(user=participant).exists()
        ):
            # One answer for an unknown address and for a person outside the organisation,
            # so that the form never tells whether an address has an account.
            self.add_error(
                "email",
                gettext(
                    "We cannot register this address for %(organisation)s. You can register"
                    " people who have an account on Brukarkraft and belong to the"
                    " organisation."
                )
                % {"organisation": organisation.name},
            )
            return data
        data["participant"] = participant
        return data


class AttendanceForm(forms.Form):
    """Who came to one session: a checkbox per registered participant."""

    present = forms.MultipleChoiceField(
        label=_("Present"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick everyone who came. Those not ticked are recorded as absent."),
    )

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [
            (str(registration.pk), registration.participant.full_name)
            for registration in registrations
        ]

    def clean_present(self) -> set[int]:
        return {int(value) for value in self.cleaned_data["present"]}
