"""Forms for the staff editor and the review. They validate and normalise; services change."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brukarkraft.text import DOCUMENT_LENGTH, NOTE_LENGTH, TEXT_LENGTH

from ..models import LANGUAGES, Audience, Kind, Resource, Review, Topic

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
# Fixed paths under the library (resources/urls.py): a resource cannot take these names.
RESERVED_SLUGS = {"manage", "courses", "guidance"}
BODY_HELP = _(
    "Markdown: start a line with # for a heading (## for a subheading), put * around "
    "*emphasis* and ** around **strong** text, start lines with - or 1. for lists, and write "
    "links as [text](https://…). Leave an empty line between paragraphs. Pictures, scripts "
    "and other HTML are removed."
)


def _slug_field() -> forms.SlugField:
    return forms.SlugField(
        label=_("Address name"),
        max_length=120,
        help_text=_(
            "The last part of the page's address: lower-case letters, digits and hyphens, "
            "for example revisionsmanual-2025. It cannot be changed later."
        ),
    )


def _clean_new_slug(slug: str) -> str:
    slug = slug.lower()
    if slug in RESERVED_SLUGS:
        raise forms.ValidationError(
            _("“%(slug)s” is used by the portal itself: choose another address name."),
            code="reserved",
            params={"slug": slug},
        )
    if Resource.objects.filter(slug=slug).exists():
        raise forms.ValidationError(
            _("Another resource already has this address name."), code="taken"
        )
    return slug


class ResourceForm(forms.Form):
    """The working copy. The address name is chosen once, when the resource is created."""

    slug = _slug_field()
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    language = forms.ChoiceField(label=_("Language of the text"), choices=LANGUAGES)
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    audiences = forms.MultipleChoiceField(
        label=_("Written for"),
        choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    easy_to_read = forms.BooleanField(
        label=_("Easy to read"),
        required=False,
        help_text=_("Short sentences, everyday words, one thing at a time."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_LENGTH,
        help_text=_("Two or three sentences shown in the library's list and search results."),
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        max_length=DOCUMENT_LENGTH,
        help_text=BODY_HELP,
    )
    publish_at = forms.DateTimeField(
        label=_("Publish on"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_(
            "Optional. When approved before this time, the new version waits until then. "
            "Leave empty to publish as soon as it is approved."
        ),
    )

    def __init__(self, *args, resource: Resource | None = None, **kwargs):
        self.resource = resource
        super().__init__(*args, **kwargs)
        if resource is not None:
            # The address is fixed once created: links to the resource must keep working.
            del self.fields["slug"]

    def clean_slug(self) -> str:
        return _clean_new_slug(self.cleaned_data["slug"])

    def clean_publish_at(self):
        value = self.cleaned_data["publish_at"]
        if value is not None and value < timezone.now():
            raise forms.ValidationError(
                _("The publication time has passed: choose a later one or leave it empty."),
                code="past",
            )
        return value

    def data_for_service(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "slug"}

    @staticmethod
    def initial_for(resource: Resource) -> dict:
        names = ["kind", "language", "topics", "audiences", "easy_to_read", "title", "summary"]
        initial = {name: getattr(resource, name) for name in names}
        initial["body"] = resource.body
        if resource.publish_at:
            initial["publish_at"] = timezone.localtime(resource.publish_at)
        return initial


class AttachmentForm(forms.Form):
    """A file for the working copy; its content is checked by the service."""

    title = forms.CharField(
        label=_("Name of the file"),
        max_length=200,
        help_text=_("What the reader sees, for example “Intervjuguide (Word)”."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("A PDF, Word (DOCX) or OpenDocument (ODT) file of at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.odt"}),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[
            (Review.Decision.APPROVED, _("Approve: publish this version")),
            (Review.Decision.CHANGES, _("Ask for changes: send it back as a draft")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose to approve or to ask for changes.")},
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=NOTE_LENGTH,
        help_text=_("Required when you ask for changes: say what should be changed."),
    )


class TranslateForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the new version"), choices=LANGUAGES)
    easy_to_read = forms.BooleanField(
        label=_("Easy-to-read variant"),
        required=False,
        help_text=_("Tick to adapt the text to easy-to-read, in this or another language."),
    )
    slug = _slug_field()

    def clean_slug(self) -> str:
        return _clean_new_slug(self.cleaned_data["slug"])


class ConfirmForm(forms.Form):
    """A button that confirms an act; it has no fields."""
