"""Forms of the shared app: accounts (login, password reset, profile) and accessibility feedback."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit, urlunsplit

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import AccessibilityFeedback, User
from .services import email_send_later

# --- Accounts ----------------------------------------------------------------


class LoginForm(auth_forms.AuthenticationForm):
    """Log in with e-mail address and password."""

    # The field keeps Django's name "username" so axes and the auth views find it.
    username = auth_forms.UsernameField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _(
            "The e-mail address or the password is wrong. Check both and try again."
        ),
        "inactive": _("This account is not active. Contact the resource centre."),
    }

    def clean_username(self) -> str:
        # Addresses are stored in lower case; lower-casing here also makes axes count
        # "Anna@x.se" and "anna@x.se" as one address when it throttles attempts.
        return self.cleaned_data["username"].strip().lower()


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Send the reset link in the language each recipient chose."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        language = context["user"].preferred_language
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        # Both the text and the {% url %} in the template follow the active
        # language, so the link lands under the recipient's /nb/ or /en/ prefix.
        with translation.override(language):
            subject = "".join(render_to_string(subject_template_name, context).splitlines())
            body = render_to_string(email_template_name, context)
        # Rendered here, in the request, sent by the worker: a slow mail server must not
        # hold the page, and the template needs the request's context.
        email_send_later(subject=subject, body=body, to=[to_email], from_email=from_email)


class ProfileForm(forms.ModelForm):
    """The name and language a person can change themselves."""

    class Meta:
        model = User
        fields = ["full_name", "preferred_language"]
        labels = {
            "full_name": _("Full name"),
            "preferred_language": _("Language for the portal and e-mail"),
        }
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "preferred_language": forms.RadioSelect(attrs={"class": "form-check-input"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language is named in itself so a reader finds their own at a glance.
        self.fields["preferred_language"].choices = [
            (code, translation.get_language_info(code)["name_local"].capitalize())
            for code, _name in settings.LANGUAGES
        ]

    def clean_full_name(self) -> str:
        return self.cleaned_data["full_name"].strip()


# --- Accessibility feedback --------------------------------------------------


def local_path(value: str, *, host: str = "") -> str | None:
    """`value` as a path on this site ("/x/?y"), or None if it points anywhere else.

    A full address on our own `host` is cut down to its path, so a pasted link
    works; nothing that leads off the site is ever kept.
    """
    value = (value or "").strip()
    if not value or any(ord(char) < 32 or char == "\\" for char in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        if not (host and parts.scheme in ("http", "https") and parts.netloc == host):
            return None
    elif not value.startswith("/") or value.startswith("//"):
        return None
    return urlunsplit(("", "", parts.path or "/", parts.query, ""))


class FeedbackForm(forms.Form):
    """Report an accessibility problem or ask for content in an accessible format."""

    kind = forms.ChoiceField(
        label=_("What is your feedback about?"),
        choices=AccessibilityFeedback.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what your feedback is about.")},
    )
    requested_format = forms.ChoiceField(
        label=_("If you ask for another format: which format do you need?"),
        choices=AccessibilityFeedback.Format.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "Choose one only if you ask for content in an accessible format. "
            "If you choose “Other format”, say which in your message."
        ),
    )
    page_url = forms.CharField(
        label=_("The page it is about"),
        max_length=500,
        required=False,
        help_text=_(
            "The address of the page on this website, for example /accessibility/. "
            "If you came here from a link at the bottom of a page, we have filled it in."
        ),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "off"}),
    )
    message = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        help_text=_(
            "Describe the problem, or the content you need and in which format. "
            "You can write up to 5,000 characters."
        ),
        widget=forms.Textarea(attrs={"rows": 7}),
        error_messages={"required": _("Write your message.")},
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        required=False,
        help_text=_("You do not have to give your name. You can send feedback anonymously."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        required=False,
        help_text=_(
            "You do not have to give your e-mail address, but without it we cannot "
            "answer you or send you the content you asked for."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    # Issued with the empty form: a second POST with the same id (a double click,
    # a reload) is recognised and stores nothing more.
    submission_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, host: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.host = host
        self.initial.setdefault("submission_id", uuid.uuid4())
        self._fresh_submission_id = False
        if self.is_bound and not _is_uuid(self.data.get("submission_id")):
            # Re-render with a valid id, so sending the form again can succeed.
            self.data = self.data.copy()
            self.data["submission_id"] = str(uuid.uuid4())
            self._fresh_submission_id = True

    def clean_submission_id(self) -> uuid.UUID:
        if self._fresh_submission_id:
            raise ValidationError(
                gettext("The form could not be read. Check your answers and send it again."),
                code="submission_id",
            )
        return self.cleaned_data["submission_id"]

    def clean_page_url(self) -> str:
        value = self.cleaned_data["page_url"].strip()
        if not value:
            return ""
        path = local_path(value, host=self.host)
        if path is None:
            raise ValidationError(
                gettext(
                    "Give the address of a page on this website. It starts with /, "
                    "for example /accessibility/."
                ),
                code="not_local",
            )
        return path

    def clean_message(self) -> str:
        return self.cleaned_data["message"].strip()

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("kind") == AccessibilityFeedback.Kind.FORMAT:
            if not cleaned.get("requested_format"):
                self.add_error(
                    "requested_format",
                    ValidationError(gettext("Choose the format you need."), code="format_required"),
                )
        else:
            # A format chosen before switching to another kind means nothing.
            cleaned["requested_format"] = ""
        return cleaned


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


class FeedbackStatusFilterForm(forms.Form):
    """The status filter above the feedback inbox (a GET form)."""

    # A filter's fields are all optional: marking each so is noise (bootstrap5/field.html).
    optional_marks = False

    status = forms.ChoiceField(
        label=_("Show"),
        choices=[("", _("All feedback")), *AccessibilityFeedback.Status.choices],
        required=False,
    )


class FeedbackHandleForm(forms.Form):
    """What staff record when they handle a piece of feedback."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=AccessibilityFeedback.Status.choices,
        widget=forms.RadioSelect,
    )
    staff_note = forms.CharField(
        label=_("Note from staff"),
        required=False,
        max_length=5000,
        help_text=_(
            "Only resource-centre staff see the note. Write what was done, not details "
            "about the sender's health."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
