"""The library in admin: resources (their text edited through services.resource_update,
so a resource in review goes back to draft), versions, attachments, reviews, search words.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportModelAdmin

from brukarkraft.trail import ReadOnlyHistoryAdmin

from .. import services
from ..models import (
    Attachment,
    Audience,
    Resource,
    ResourceVersion,
    Review,
    SearchWord,
    Topic,
)
from .base import WORKFLOW_HELP, ReadOnlyAdmin, ReadOnlyInline
from .importing import ResourceMetadataResource


class ResourceForm(forms.ModelForm):
    """Topics and audiences as checkboxes rather than raw JSON."""

    topics = forms.MultipleChoiceField(
        label=_("topics"),
        choices=Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audiences = forms.MultipleChoiceField(
        label=_("audience"),
        choices=Audience.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Resource
        fields = [
            "title",
            "slug",
            "kind",
            "language",
            "easy_to_read",
            "summary",
            "body",
            "topics",
            "audiences",
            "source",
            "source_version",
            "publish_at",
        ]


class VersionInline(ReadOnlyInline):
    model = ResourceVersion
    fields = ["number", "title", "published_at", "approved_by", "downloads", "pdf"]
    ordering = ["-number"]


class AttachmentInline(ReadOnlyInline):
    """Files are added in the editor, which checks their content."""

    model = Attachment
    fields = ["title", "kind", "size", "downloads", "uploaded_by", "uploaded_at"]


class ReviewInline(ReadOnlyInline):
    model = Review
    fields = ["decided_at", "reviewer", "decision", "comment"]


@admin.register(Resource)
class ResourceAdmin(ReadOnlyHistoryAdmin, ImportExportModelAdmin):
    resource_classes = [ResourceMetadataResource]
    form = ResourceForm
    list_display = [
        "title",
        "slug",
        "kind",
        "language",
        "easy_to_read",
        "status",
        "version_number",
        "updated_at",
    ]
    list_filter = ["status", "kind", "language", "easy_to_read"]
    search_fields = ["title", "slug", "summary"]
    date_hierarchy = "updated_at"
    list_select_related = ["current_version"]
    raw_id_fields = ["source"]
    inlines = [VersionInline, AttachmentInline, ReviewInline]
    fieldsets = [
        (
            None,
            {"fields": ["title", "slug", "kind", "language", "easy_to_read", "summary", "body"]},
        ),
        (_("Topics and audience"), {"fields": ["topics", "audiences"]}),
        (_("Translation"), {"fields": ["source", "source_version"]}),
        (
            _("Workflow"),
            {
                "description": WORKFLOW_HELP,
                "fields": [
                    "status",
                    "current_version",
                    "publish_at",
                    "published_at",
                    "author",
                    "submitted_by",
                    "submitted_at",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]
    readonly_fields = [
        "status",
        "current_version",
        "published_at",
        "author",
        "submitted_by",
        "submitted_at",
        "created_at",
        "updated_at",
    ]
    actions = ["archive"]

    def has_add_permission(self, request):
        # Resources are written in the editor, which starts them as drafts.
        return False

    def has_delete_permission(self, request, obj=None):
        # Published versions are a record: archive instead.
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == Resource.Status.ARCHIVED:
            return [field.name for field in Resource._meta.fields if field.editable] + list(
                self.readonly_fields
            )
        return self.readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("current_version")

    @admin.display(description=_("version"), ordering="current_version__number")
    def version_number(self, resource: Resource) -> str:
        version = resource.current_version
        return str(version.number) if version else "–"

    def save_model(self, request, obj, form, change):
        # The text goes through the service (a resource in review returns to draft);
        # the address name and translation link are plain metadata.
        data = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.RESOURCE_FIELDS
        }
        if data:
            obj.status = services.resource_update(resource=obj, by=request.user, data=data).status
        Resource.objects.filter(pk=obj.pk).update(
            slug=obj.slug, source=obj.source, source_version=obj.source_version
        )

    @admin.action(description=_("Archive the chosen resources"), permissions=["change"])
    def archive(self, request, queryset):
        archived = 0
        for resource in queryset:
            try:
                services.resource_archive(resource=resource, by=request.user)
            except ValidationError:
                continue
            archived += 1
        self.message_user(
            request,
            ngettext("%(count)d resource archived.", "%(count)d resources archived.", archived)
            % {"count": archived},
            messages.SUCCESS,
        )


@admin.register(ResourceVersion)
class ResourceVersionAdmin(ReadOnlyAdmin):
    """A published version is frozen: the text readers were given at the time."""

    list_display = ["resource", "number", "published_at", "approved_by", "downloads"]
    list_filter = ["resource__language", "resource__kind"]
    search_fields = ["title", "resource__title", "resource__slug"]
    date_hierarchy = "published_at"
    list_select_related = ["resource", "approved_by"]
    exclude = ["attachments"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Files are uploaded in the editor, which checks their content; only the title may be
    corrected here."""

    list_display = ["title", "resource", "kind", "size", "downloads", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["title", "resource__title", "sha256"]
    date_hierarchy = "uploaded_at"
    list_select_related = ["resource"]
    readonly_fields = [
        "resource",
        "file",
        "kind",
        "size",
        "sha256",
        "downloads",
        "uploaded_by",
        "uploaded_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["resource", "decision", "reviewer", "decided_at"]
    list_filter = ["decision"]
    search_fields = ["resource__title", "comment", "reviewer__full_name"]
    date_hierarchy = "decided_at"
    list_select_related = ["resource", "reviewer"]


@admin.register(SearchWord)
class SearchWordAdmin(ReadOnlyAdmin):
    """The words offered as corrections of typos. Publishing adds them; a word of a text
    taken out of the library may be deleted here so it is no longer offered."""

    list_display = ["word"]
    search_fields = ["word"]

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)
