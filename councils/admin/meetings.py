"""Meetings and minutes in admin: agenda, notice, attendance, minutes and their approval,
pay lists, and the members' documents.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from brukarkraft.uploads import validate_document

from .. import services
from ..models import (
    AgendaItem,
    Attendance,
    Case,
    Document,
    Meeting,
    Member,
)
from .common import ConfirmForm, ServicePagesMixin, attendance_for_pay, cache_choices, pay_csv

# --- Meetings --------------------------------------------------------------------------


class AgendaForm(forms.ModelForm):
    case_status = forms.ChoiceField(
        label=_("case status after the meeting"),
        required=False,
        choices=[
            ("", _("Unchanged")),
            (Case.Status.DISCUSSED, Case.Status.DISCUSSED.label),
            (Case.Status.FOLLOW_UP, Case.Status.FOLLOW_UP.label),
            (Case.Status.CLOSED, Case.Status.CLOSED.label),
        ],
    )

    class Meta:
        model = AgendaItem
        fields = ["title", "case", "document", "decision", "follow_up"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        if self.instance.pk:
            # An item's case is fixed once it is on the agenda.
            self.fields["case"].disabled = True

    def clean(self):
        data = super().clean()
        meeting = self.instance.meeting if self.instance.meeting_id else None
        case = data.get("case")
        if not data.get("title") and not case:
            self.add_error("title", gettext("Give the item a title or choose a case."))
        if case is not None and meeting is not None and not self.instance.pk:
            if case.council_id != meeting.council_id:
                self.add_error("case", gettext("The case belongs to another council."))
            elif case.status in {Case.Status.CLOSED, Case.Status.REJECTED}:
                self.add_error("case", gettext("A closed or rejected case cannot go on an agenda."))
        if data.get("case_status") and case is None:
            self.add_error("case_status", gettext("Only an item with a case moves a case on."))
        if data.get("case_status") and not data.get("decision"):
            self.add_error("decision", gettext("Record the decision on the case."))
        return data


class LockedWithMinutes:
    """Once the minutes are approved, the meeting's rows are read-only."""

    def _open(self, obj):
        return obj is None or not obj.is_locked

    def has_add_permission(self, request, obj=None):
        return self._open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._open(obj) and super().has_delete_permission(request, obj)


class AgendaInline(LockedWithMinutes, admin.TabularInline):
    model = AgendaItem
    form = AgendaForm
    fields = ["position", "title", "case", "document", "decision", "follow_up", "case_status"]
    readonly_fields = ["position"]
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        base = formset.form.base_fields
        council_id = obj.council_id if obj else None
        base["case"].queryset = Case.objects.filter(council_id=council_id)
        base["document"].queryset = (
            obj.council.documents.all() if obj else base["document"].queryset.none()
        )
        cache_choices(request, base["case"], f"cases-{council_id}")
        cache_choices(request, base["document"], f"documents-{council_id}")
        return formset

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("case", "document")


class AttendanceForm(forms.ModelForm):
    class Meta:
        model = Attendance
        fields = ["member", "status", "deputy", "travel_cost", "lost_earnings"]

    def clean(self):
        data = super().clean()
        if data.get("status") == Attendance.Status.DEPUTY and not data.get("deputy"):
            self.add_error("deputy", gettext("Name the deputy who attended."))
        return data


class AttendanceFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        changed = [f for f in self.forms if f.has_changed() and not self._should_delete_form(f)]
        if changed and self.instance.starts_at and self.instance.starts_at > timezone.now():
            raise ValidationError(
                gettext("Attendance is recorded once the meeting has begun."), code="future"
            )


class AttendanceInline(LockedWithMinutes, admin.TabularInline):
    model = Attendance
    form = AttendanceForm
    formset = AttendanceFormSet
    fields = ["member", "status", "deputy", "travel_cost", "lost_earnings"]
    extra = 0

    def missing_members(self, request, obj) -> list[int]:
        """The members called to a meeting that has begun who have no attendance row yet:
        the inline starts with a row for each (status to tick), instead of one row made by
        hand per member. Once per request (get_extra and the formset's initial both ask)."""
        if obj is None or obj.is_locked or obj.starts_at > timezone.now():
            return []
        cache = request.__dict__.setdefault("_attendance_missing", {})
        if obj.pk not in cache:
            cache[obj.pk] = list(
                Member.objects.expected_at(obj)
                .exclude(attendance__meeting=obj)
                .values_list("pk", flat=True)
            )
        return cache[obj.pk]

    def get_extra(self, request, obj=None, **kwargs):
        return len(self.missing_members(request, obj))

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        base = formset.form.base_fields
        members = Member.objects.filter(council_id=obj.council_id if obj else None).order_by(
            "display_name"
        )
        for name in ("member", "deputy"):
            base[name].queryset = members
            cache_choices(request, base[name], f"{name}-{obj.council_id if obj else 0}")
        return formset

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member", "deputy")


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["council", "starts_at", "ends_at", "place", "accessibility", "minutes"]
        # Start before end: Meeting.clean() says so on the field.


@admin.register(Meeting)
class MeetingAdmin(ServicePagesMixin, admin.ModelAdmin):
    form = MeetingForm
    list_display = [
        "council",
        "starts_at",
        "place",
        "notice",
        "minutes_status",
        "minutes_pdf_status",
    ]
    list_filter = ["minutes_status", "council"]
    search_fields = ["council__name", "place"]
    list_select_related = ["council"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["council"]
    actions = ["export_pay", "send_notice", "approve_minutes"]
    change_form_template = "admin/councils/object_tools_change_form.html"
    record_fields = [
        "notice_sent_at",
        "notice_sent_by",
        "minutes_status",
        "minutes_approved_at",
        "minutes_approved_by",
        "minutes_pdf_status",
        "minutes_pdf_link",
    ]

    def get_fieldsets(self, request, obj=None):
        main = ["council", "starts_at", "ends_at", "place", "accessibility"]
        if obj is None:
            return [(None, {"fields": main})]
        return [
            (None, {"fields": main}),
            (_("Notice"), {"fields": ["notice_sent_at", "notice_sent_by"]}),
            (
                _("Minutes"),
                {
                    "fields": [
                        "minutes",
                        "minutes_status",
                        "minutes_approved_at",
                        "minutes_approved_by",
                        "minutes_pdf_status",
                        "minutes_pdf_link",
                    ]
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.is_locked:
            return ["council", "starts_at", "ends_at", "place", "accessibility", "minutes"] + (
                self.record_fields
            )
        return ["council", *self.record_fields]

    def get_inlines(self, request, obj):
        return [AgendaInline, AttendanceInline] if obj is not None else []

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, AttendanceInline):
            # One row per member, the status left to tick: an untouched row saves nothing.
            kwargs["initial"] = [{"member": pk} for pk in inline.missing_members(request, obj)]
        return kwargs

    @admin.display(description=_("notice"), ordering="notice_sent_at")
    def notice(self, meeting):
        if meeting.notice_sent_at is None:
            return gettext("Not sent")
        sent = timezone.localtime(meeting.notice_sent_at).date().isoformat()
        if meeting.notice_was_late:
            return gettext("Sent %(date)s (late: under 3 weeks ahead)") % {"date": sent}
        return gettext("Sent %(date)s") % {"date": sent}

    @admin.display(description=_("minutes (PDF)"))
    def minutes_pdf_link(self, meeting):
        if meeting.minutes_pdf_status != Meeting.PdfStatus.READY or not meeting.minutes_pdf:
            return meeting.get_minutes_pdf_status_display()
        return format_html(
            '<a href="{}">{}</a>',
            reverse("councils:minutes_pdf", args=[meeting.council.slug, meeting.pk]),
            gettext("Open the minutes (PDF)"),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        tools = []
        if obj is not None and not obj.is_locked:
            tools = [
                (
                    reverse("admin:councils_meeting_notice", args=[obj.pk]),
                    gettext("Send notice"),
                ),
                (
                    reverse("admin:councils_meeting_approve", args=[obj.pk]),
                    gettext("Approve minutes"),
                ),
            ]
        extra_context = {**(extra_context or {}), "tools": tools}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/notice/",
                self.admin_site.admin_view(self.notice_view),
                name="councils_meeting_notice",
            ),
            path(
                "<path:object_id>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name="councils_meeting_approve",
            ),
        ] + super().get_urls()

    def _send_notice(self, request, meeting) -> None:
        warnings = services.notice_send(meeting=meeting, by=request.user)
        messages.success(
            request, gettext("The notice for %(meeting)s is on its way.") % {"meeting": meeting}
        )
        for warning in warnings:
            messages.warning(request, warning)

    def _approve(self, request, meeting) -> None:
        services.minutes_approve(meeting=meeting, by=request.user)
        messages.success(
            request,
            gettext("The minutes of %(meeting)s are approved and locked; the PDF is being made.")
            % {"meeting": meeting},
        )

    def notice_view(self, request, object_id):
        obj = self.object_or_404(request, object_id)

        def perform(data):
            self._send_notice(request, obj)
            return self.change_url(obj)

        intro = gettext(
            "The notice with the agenda goes by e-mail to every current member, in their"
            " language. It should go out at least 3 weeks before the meeting (by %(date)s)."
        ) % {"date": timezone.localtime(obj.notice_deadline).date().isoformat()}
        return self.service_page(
            request,
            title=gettext("Send the notice for %(meeting)s") % {"meeting": obj},
            form=self.bound(request, ConfirmForm),
            perform=perform,
            obj=obj,
            intro=intro,
            submit=_("Send notice"),
        )

    def approve_view(self, request, object_id):
        obj = self.object_or_404(request, object_id)

        def perform(data):
            self._approve(request, obj)
            return self.change_url(obj)

        return self.service_page(
            request,
            title=gettext("Approve the minutes of %(meeting)s") % {"meeting": obj},
            form=self.bound(request, ConfirmForm),
            perform=perform,
            obj=obj,
            intro=gettext(
                "Approved minutes are locked: the minutes, the agenda and the attendance can"
                " no longer be changed, and the minutes are published as a PDF."
            ),
            submit=_("Approve minutes"),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "minutes" in form.changed_data:
            services.minutes_save(meeting=obj, text=form.cleaned_data["minutes"])

    def save_formset(self, request, form, formset, change):
        meeting = form.instance
        if formset.model is AgendaItem:
            self._save_agenda(meeting, formset)
        elif formset.model is Attendance:
            self._save_attendance(meeting, formset)
        else:
            super().save_formset(request, form, formset, change)

    def _save_agenda(self, meeting, formset) -> None:
        formset.save(commit=False)
        for item in formset.deleted_objects:
            item.delete()
        record_fields = {"decision", "follow_up", "case_status"}
        for item_form in formset.forms:
            if not item_form.has_changed() or item_form in formset.deleted_forms:
                continue
            data = item_form.cleaned_data
            if item_form.instance.pk is None:
                item = services.agenda_add(
                    meeting=meeting,
                    title=data.get("title") or "",
                    case=data.get("case"),
                    document=data.get("document"),
                )
            else:
                item = item_form.instance
                item.save(update_fields=["title", "document"])
            if record_fields & set(item_form.changed_data):
                services.agenda_record(
                    item=item,
                    decision=data.get("decision") or "",
                    follow_up=data.get("follow_up") or "",
                    case_status=data.get("case_status") or None,
                )

    def _save_attendance(self, meeting, formset) -> None:
        formset.save(commit=False)
        for row in formset.deleted_objects:
            row.delete()
        rows = [
            {
                "member": f.cleaned_data["member"],
                "status": f.cleaned_data["status"],
                "deputy": f.cleaned_data.get("deputy"),
                "travel_cost": f.cleaned_data.get("travel_cost"),
                "lost_earnings": f.cleaned_data.get("lost_earnings"),
            }
            for f in formset.forms
            if f.has_changed() and f not in formset.deleted_forms
        ]
        if rows:
            services.attendance_record(meeting=meeting, rows=rows)

    @admin.action(description=_("Export attendance for pay (CSV)"), permissions=["view"])
    def export_pay(self, request, queryset):
        return pay_csv(attendance_for_pay(queryset.values("pk")), "meeting-pay.csv")

    @admin.action(description=_("Send notice"), permissions=["change"])
    def send_notice(self, request, queryset):
        for meeting in queryset:
            try:
                self._send_notice(request, meeting)
            except ValidationError as exc:
                messages.error(request, f"{meeting}: {' '.join(exc.messages)}")

    @admin.action(description=_("Approve minutes"), permissions=["change"])
    def approve_minutes(self, request, queryset):
        for meeting in queryset:
            try:
                self._approve(request, meeting)
            except ValidationError as exc:
                messages.error(request, f"{meeting}: {' '.join(exc.messages)}")


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["meeting", "member", "status", "deputy", "travel_cost", "lost_earnings"]
    list_filter = ["status", "meeting__council"]
    search_fields = ["member__display_name", "meeting__council__name"]
    list_select_related = ["meeting__council", "member", "deputy"]

    def get_readonly_fields(self, request, obj=None):
        # Attendance is recorded on the meeting (services.attendance_record).
        return [field.name for field in Attendance._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["__str__", "meeting", "case"]
    list_filter = ["meeting__council"]
    search_fields = ["title", "decision", "meeting__council__name"]
    list_select_related = ["meeting__council", "case"]

    def get_readonly_fields(self, request, obj=None):
        # Items are added and decided on the meeting's page, through the services.
        return [field.name for field in AgendaItem._meta.fields]

    def has_add_permission(self, request):
        return False


# --- Documents -------------------------------------------------------------------------


class DocumentForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = ["council", "title", "file"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None or not hasattr(upload, "content_type"):
            return upload  # unchanged file
        validate_document(upload)
        return upload


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    form = DocumentForm
    list_display = ["title", "council", "uploaded_at"]
    list_filter = ["council"]
    search_fields = ["title", "council__name"]
    list_select_related = ["council"]
    autocomplete_fields = ["council"]
