"""The library, courses and method guidance in Django admin.

The workflow is not run from here: a resource is written, sent for review, approved by a
second person, published and archived through resources.services (the editor in the
portal), which keeps the rules. Status and the published version are read-only; published
versions, reviews, attendance and training records are records, shown but never changed.
Admin's own edits of a resource's text go through services.resource_update, so a resource in
review goes back to draft as it would in the editor.

Resources' metadata and course registrations go out and come in through
django-import-export. The import-export classes live here, not in a `resources.py`: the app
itself is called resources.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin

from brukarkraft.importing import LookupWidget
from brukarkraft.models import Organisation, User
from brukarkraft.trail import ReadOnlyHistoryAdmin

from . import services
from .models import (
    Attachment,
    Audience,
    Course,
    CourseSession,
    GuidanceRequest,
    Registration,
    Resource,
    ResourceVersion,
    Review,
    SearchWord,
    SessionAttendance,
    Topic,
    TrainingRecord,
)

WORKFLOW_HELP = _(
    "The status and the published version change only through the editor in the portal:"
    " a second person approves every version. They cannot be edited here."
)
REGISTRATION_HELP = _(
    "Places and the waiting list follow the course's capacity: registrations are made in the"
    " portal or by import, and completion is recorded on the course's page in the portal."
)


class ReadOnlyInline(admin.TabularInline):
    """Records shown on their parent, never changed from admin."""

    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields or [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Import and export --------------------------------------------------------


class ChoiceListWidget(widgets.Widget):
    """A list of choice values written "user_audit, surveys"; an unknown value is the
    row's validation error."""

    def __init__(self, choices) -> None:
        super().__init__()
        self.choices = choices

    def clean(self, value, row=None, **kwargs):
        values = [part.strip() for part in str(value or "").replace(";", ",").split(",")]
        values = [part for part in values if part]
        allowed = dict(self.choices)
        unknown = [part for part in values if part not in allowed]
        if unknown:
            raise ValueError(
                gettext("%(values)s is not one of: %(allowed)s.")
                % {"values": ", ".join(unknown), "allowed": ", ".join(allowed)}
            )
        return list(dict.fromkeys(values))

    def render(self, value, obj=None, **kwargs):
        return ", ".join(value or [])


# The columns an import may change; the rest of an exported row is for reading.
METADATA_FIELDS = ["kind", "language", "topics", "audiences", "easy_to_read", "title", "summary"]


class ResourceMetadataResource(resources.ModelResource):
    """Resources by address name. An import changes the metadata of existing resources'
    working copies (through services.resource_update) and never publishes: a changed text
    waits for a second person's approval like any edit. New resources are written in the
    editor."""

    slug = fields.Field(attribute="slug", column_name="slug")
    kind = fields.Field(attribute="kind", column_name="kind")
    language = fields.Field(attribute="language", column_name="language")
    topics = fields.Field(
        attribute="topics", column_name="topics", widget=ChoiceListWidget(Topic.choices)
    )
    audiences = fields.Field(
        attribute="audiences", column_name="audiences", widget=ChoiceListWidget(Audience.choices)
    )
    easy_to_read = fields.Field(
        attribute="easy_to_read", column_name="easy_to_read", widget=widgets.BooleanWidget()
    )
    title = fields.Field(attribute="title", column_name="title")
    summary = fields.Field(attribute="summary", column_name="summary")
    status = fields.Field(attribute="status", column_name="status", readonly=True)
    version = fields.Field(column_name="version", readonly=True)

    class Meta:
        model = Resource
        import_id_fields = ["slug"]
        fields = ("slug", *METADATA_FIELDS, "status", "version")
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("current_version")

    def init_instance(self, row=None):
        raise ValidationError(
            gettext(
                "No resource has the address name %(slug)s. Resources are written in the"
                " editor; an import can only change existing ones."
            )
            % {"slug": (row or {}).get("slug") or "–"},
            code="unknown_resource",
        )

    def dehydrate_version(self, resource: Resource) -> str:
        version = resource.current_version
        return str(version.number) if version else ""

    def save_instance(self, instance, is_create, row, **kwargs):
        user = kwargs.get("user")
        if user is None:
            raise PermissionDenied
        updated = services.resource_update(
            resource=instance,
            by=user,
            data={name: getattr(instance, name) for name in METADATA_FIELDS},
        )
        instance.status = updated.status


class RegistrationResource(resources.ModelResource):
    """Course registrations: course by address name, participant by e-mail, organisation by
    name. An import only adds registrations, each through services.registration_create, so
    the course's capacity and waiting list hold (status and time are set there, not read
    from the file). A row that cannot be registered stops the whole import."""

    course = fields.Field(
        attribute="course", column_name="course", widget=LookupWidget(Course, field="slug")
    )
    participant = fields.Field(
        attribute="participant",
        column_name="participant_email",
        widget=LookupWidget(User, field="email", lookup="email__iexact"),
    )
    participant_name = fields.Field(column_name="participant_name", readonly=True)
    organisation = fields.Field(
        attribute="organisation",
        column_name="organisation",
        widget=LookupWidget(Organisation, field="name"),
    )
    status = fields.Field(attribute="status", column_name="status", readonly=True)
    registered_at = fields.Field(
        attribute="registered_at",
        column_name="registered_at",
        readonly=True,
        widget=widgets.DateTimeWidget(),
    )

    class Meta:
        model = Registration
        fields = (
            "course",
            "participant",
            "participant_name",
            "organisation",
            "status",
            "registered_at",
        )
        export_order = fields
        # Every row is a new registration; the service refuses one that already exists.
        force_init_instance = True
        # registered_by is set by the service; the model's own checks run there.
        clean_model_instances = False

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("course", "participant", "organisation")

    def dehydrate_participant_name(self, registration: Registration) -> str:
        return registration.participant.full_name

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        errors = {}
        if instance.course_id is None:
            errors["course"] = gettext("Name the course by its address name.")
        if instance.participant_id is None:
            errors["participant"] = gettext("Give the participant's e-mail address.")
        if errors:
            raise ValidationError(errors, code="required")

    def save_instance(self, instance, is_create, row, **kwargs):
        user = kwargs.get("user")
        if user is None:
            raise PermissionDenied
        registration = services.registration_create(
            course=instance.course,
            participant=instance.participant,
            organisation=instance.organisation,
            by=user,
        )
        instance.pk = registration.pk
        instance.status = registration.status
        instance.registered_at = registration.registered_at


# --- The library ----------------------------------------------------------------


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


# --- Training -------------------------------------------------------------------


class SessionInline(admin.TabularInline):
    model = CourseSession
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "kind",
        "language",
        "capacity",
        "registered_count",
        "waiting_count",
        "registration_open",
        "is_published",
    ]
    list_filter = ["kind", "language", "registration_open", "is_published", "qualifies_auditors"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SessionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).for_list()

    @admin.display(description=_("registered"), ordering="registered")
    def registered_count(self, course: Course) -> int:
        return course.registered

    @admin.display(description=_("waiting"), ordering="waiting")
    def waiting_count(self, course: Course) -> int:
        return course.waiting


@admin.register(CourseSession)
class CourseSessionAdmin(admin.ModelAdmin):
    list_display = ["course", "starts_at", "ends_at", "place", "topic"]
    list_filter = ["course__kind", "course"]
    search_fields = ["course__title", "place", "topic"]
    date_hierarchy = "starts_at"
    list_select_related = ["course"]


class AttendanceInline(ReadOnlyInline):
    model = SessionAttendance
    fields = ["session", "present"]
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("session__course")


@admin.register(Registration)
class RegistrationAdmin(ImportExportModelAdmin):
    resource_classes = [RegistrationResource]
    list_display = ["participant", "course", "organisation", "status", "registered_at"]
    list_filter = ["status", "course"]
    search_fields = [
        "participant__full_name",
        "participant__email",
        "organisation__name",
        "course__title",
    ]
    date_hierarchy = "registered_at"
    list_select_related = ["participant", "course", "organisation"]
    inlines = [AttendanceInline]
    fieldsets = [
        (
            None,
            {
                "description": REGISTRATION_HELP,
                "fields": [
                    "course",
                    "participant",
                    "organisation",
                    "registered_by",
                    "status",
                    "registered_at",
                    "completed_at",
                    "needs",
                ],
            },
        )
    ]
    readonly_fields = [
        "course",
        "participant",
        "organisation",
        "registered_by",
        "status",
        "registered_at",
        "completed_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SessionAttendance)
class SessionAttendanceAdmin(ReadOnlyAdmin):
    """Attendance is taken on the session's page in the portal."""

    list_display = ["registration", "session", "present"]
    list_filter = ["present", "session__course"]
    search_fields = ["registration__participant__full_name", "session__course__title"]
    list_select_related = ["registration__participant", "registration__course", "session__course"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(ReadOnlyAdmin):
    """A record comes from a completed course (services.registration_complete), which also
    updates the auditor pool."""

    list_display = ["user", "course", "completed_on", "valid_until"]
    list_filter = ["course", "completed_on"]
    search_fields = ["user__full_name", "user__email", "course__title"]
    date_hierarchy = "completed_on"
    list_select_related = ["user", "course"]


# --- Method guidance ------------------------------------------------------------------


@admin.register(GuidanceRequest)
class GuidanceRequestAdmin(admin.ModelAdmin):
    """Requests are answered in the queue in the portal, which mails the answer."""

    list_display = ["created_at", "organisation_name", "name", "topic", "status", "handled_by"]
    list_filter = ["status", "topic", "format"]
    search_fields = ["organisation_name", "name", "email", "message"]
    date_hierarchy = "created_at"
    list_select_related = ["handled_by"]
    raw_id_fields = ["organisation", "requested_by"]
    readonly_fields = ["status", "answer", "handled_by", "answered_at", "created_at"]
    actions = ["close"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Close the chosen requests"), permissions=["change"])
    def close(self, request, queryset):
        closed = 0
        for guidance in queryset:
            try:
                services.guidance_close(request=guidance, by=request.user)
            except ValidationError:
                continue
            closed += 1
        self.message_user(
            request,
            ngettext("%(count)d request closed.", "%(count)d requests closed.", closed)
            % {"count": closed},
            messages.SUCCESS,
        )
