"""Resources' metadata and course registrations out and in through django-import-export.
The import-export classes live here, not in a `resources.py`: the app itself is called
resources.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext
from import_export import fields, resources, widgets

from brukarkraft.importing import LookupWidget
from brukarkraft.models import Organisation, User

from .. import services
from ..models import (
    Audience,
    Course,
    Registration,
    Resource,
    Topic,
)


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
