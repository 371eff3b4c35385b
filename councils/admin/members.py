"""Council members in admin: the member list, import and export of members, the personal
data export and erasure of a member.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin

from brukarkraft.importing import LookupWidget
from brukarkraft.models import Organisation, User
from brukarkraft.trail import ReadOnlyHistoryAdmin

from .. import services
from ..models import (
    Council,
    Member,
    UserCategory,
)
from .common import ServicePagesMixin, add_service_errors

# --- Import and export of members --------------------------------------------------


class ChoiceWidget(widgets.Widget):
    """A choice column: the stored value; an unknown value is the row's error."""

    def __init__(self, choices, blank: bool = True) -> None:
        super().__init__()
        self.values = {str(value) for value, _label in choices}
        self.blank = blank

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value and self.blank:
            return ""
        if value not in self.values:
            raise ValueError(
                gettext("%(value)s is not one of: %(choices)s.")
                % {"value": value or "–", "choices": ", ".join(sorted(self.values))}
            )
        return value


class MemberResource(resources.ModelResource):
    """Members by council address name and the person's e-mail; a row is one term. Import
    applies the rules of services.member_validate, so overlapping terms are refused."""

    council = fields.Field(
        attribute="council", column_name="council", widget=LookupWidget(Council, field="slug")
    )
    email = fields.Field(
        attribute="user",
        column_name="email",
        widget=LookupWidget(User, field="email", lookup="email__iexact"),
    )
    name = fields.Field(attribute="display_name", column_name="name")
    role = fields.Field(
        attribute="role", column_name="role", widget=ChoiceWidget(Member.Role.choices, False)
    )
    organisation = fields.Field(
        attribute="organisation",
        column_name="organisation",
        widget=LookupWidget(Organisation, field="name"),
    )
    category = fields.Field(
        attribute="category", column_name="category", widget=ChoiceWidget(UserCategory.choices)
    )
    gender = fields.Field(
        attribute="gender",
        column_name="gender",
        widget=ChoiceWidget(Member._meta.get_field("gender").choices),
    )
    term_start = fields.Field(
        attribute="term_start", column_name="term_start", widget=widgets.DateWidget()
    )
    term_end = fields.Field(
        attribute="term_end", column_name="term_end", widget=widgets.DateWidget()
    )
    consent = fields.Field(
        attribute="publish_consent", column_name="consent", widget=widgets.BooleanWidget()
    )

    class Meta:
        model = Member
        import_id_fields = ["council", "email", "term_start"]
        fields = (
            "council",
            "email",
            "name",
            "role",
            "organisation",
            "category",
            "gender",
            "term_start",
            "term_end",
            "consent",
        )
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("council", "user", "organisation")

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if instance.erased_at:
            raise ValidationError(gettext("This member's data has been erased."), code="erased")
        if instance.user_id and not instance.display_name:
            instance.display_name = instance.user.full_name
        if instance.council_id and instance.user_id and instance.term_start and instance.term_end:
            services.member_validate(instance)


# --- Members -------------------------------------------------------------------------


class EndsSoonFilter(admin.SimpleListFilter):
    title = _("term ends within 90 days")
    parameter_name = "ends_soon"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pk__in=Member.objects.ending_soon().values("pk"))
        if self.value() == "no":
            return queryset.exclude(pk__in=Member.objects.ending_soon().values("pk"))
        return queryset


class MemberAdminForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = [
            "council",
            "user",
            "role",
            "seat",
            "organisation",
            "category",
            "gender",
            "term_start",
            "term_end",
            "publish_consent",
        ]

    def _post_clean(self):
        super()._post_clean()
        # member_validate needs the instance with the form's values, so run it here.
        if not self.errors:
            try:
                services.member_validate(self.instance)
            except ValidationError as exc:
                add_service_errors(self, exc)


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand: the names are replaced everywhere, also in minutes."),
        error_messages={"required": _("Tick the box to confirm that you understand.")},
    )


@admin.register(Member)
class MemberAdmin(ServicePagesMixin, ReadOnlyHistoryAdmin, ImportExportModelAdmin):
    resource_classes = [MemberResource]
    form = MemberAdminForm
    list_display = [
        "display_name",
        "council",
        "role",
        "organisation",
        "term_end",
        "ends_within_90_days",
        "publish_consent",
    ]
    list_filter = [EndsSoonFilter, "role", "category", "council"]
    search_fields = ["display_name", "user__email", "organisation__name", "council__name"]
    list_select_related = ["council", "organisation"]
    autocomplete_fields = ["council", "user", "organisation"]
    readonly_fields = ["display_name", "erased_at", "created_at"]
    actions = ["export_personal_data", "erase_personal_data"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["council", "user"] if obj is not None else []
        return [*fixed, *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if not obj.display_name:
            obj.display_name = obj.user.full_name
        super().save_model(request, obj, form, change)

    @admin.display(description=_("ends within 90 days"), boolean=True)
    def ends_within_90_days(self, member):
        return member.ends_soon

    @admin.action(description=_("Export personal data (JSON)"), permissions=["view"])
    def export_personal_data(self, request, queryset):
        users = list(User.objects.filter(pk__in=queryset.values("user")))
        if len(users) != 1:
            messages.error(
                request,
                gettext("Choose the rows of one person: personal data is exported per person."),
            )
            return None
        response = HttpResponse(
            services.member_export(user=users[0]), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="personal-data-{users[0].pk}.json"'
        return response

    @admin.action(description=_("Erase personal data"), permissions=["change"])
    def erase_personal_data(self, request, queryset):
        users = list(User.objects.filter(pk__in=queryset.values("user")).order_by("full_name"))

        def perform(data):
            changed = sum(services.member_erase(user=user) for user in users)
            messages.success(
                request,
                ngettext("%(count)s term was erased.", "%(count)s terms were erased.", changed)
                % {"count": changed},
            )
            return self.changelist_url()

        return self.service_page(
            request,
            title=gettext("Erase personal data"),
            form=self.bound(request, EraseForm, action=True),
            perform=perform,
            intro=gettext(
                'The names of these people are replaced with "Former member" in the members\''
                " rows and in the minutes; the minutes are otherwise kept whole. Nominations"
                " lose their texts. This cannot be undone."
            ),
            context={"people": users},
            submit=_("Erase"),
            hidden=self.selection_hidden(request),
            template="admin/councils/member/erase.html",
        )
