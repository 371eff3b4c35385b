"""Councils in admin: the council's change page with its terms of reference, seats and
members inline, and the terms-of-reference and seat lists.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from brukarkraft.models import Organisation
from brukarkraft.trail import ReadOnlyHistoryAdmin

from .. import selectors, services
from ..models import (
    Case,
    Council,
    MandateVersion,
    Meeting,
    Member,
    Seat,
)
from .common import (
    ServicePagesMixin,
    add_service_errors,
    attendance_for_pay,
    balance_sentence,
    cache_choices,
    council_warnings,
    pay_csv,
)

# --- Council -------------------------------------------------------------------------


class MandateForm(forms.ModelForm):
    class Meta:
        model = MandateVersion
        fields = ["text", "adopted_on", "revision_due"]

    # Adoption before revision: MandateVersion.clean() says so on the field.


class MandateInline(admin.StackedInline):
    """Versions are kept: a saved version is read-only, a new one is adopted through
    services.mandate_revise (which numbers it)."""

    model = MandateVersion
    form = MandateForm
    fields = ["number", "text", "adopted_on", "revision_due", "created_by"]
    readonly_fields = ["number", "created_by"]
    extra = 0
    can_delete = False
    verbose_name = _("terms of reference (new version)")
    verbose_name_plural = _("terms of reference (new versions)")

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")

    def has_change_permission(self, request, obj=None):
        return False


class SeatInline(admin.TabularInline):
    model = Seat
    extra = 0
    fields = ["organisation", "category", "places", "deputies"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("organisation")
        if field is not None:
            field.queryset = Organisation.objects.order_by("name")
            cache_choices(request, field, "organisations")
        return formset


class MemberFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        terms = []
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            member = form.instance
            member.council = self.instance
            try:
                services.member_validate(member)
            except ValidationError as exc:
                add_service_errors(form, exc)
                continue
            terms.append(member)
        # Rows submitted together must not overlap each other either.
        for index, one in enumerate(terms):
            for other in terms[index + 1 :]:
                if (
                    one.user_id == other.user_id
                    and one.term_start < other.term_end
                    and other.term_start < one.term_end
                ):
                    raise ValidationError(
                        gettext("%(name)s has two overlapping terms in this list.")
                        % {"name": one.display_name or one.user.full_name},
                        code="overlap",
                    )


class MemberFields:
    formset = MemberFormSet
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        base = formset.form.base_fields
        if "seat" in base:
            base["seat"].queryset = (
                Seat.objects.filter(council=obj).select_related("organisation")
                if obj
                else Seat.objects.none()
            )
            cache_choices(request, base["seat"], f"seats-{obj.pk if obj else 0}")
        if "organisation" in base:
            base["organisation"].queryset = Organisation.objects.order_by("name")
            cache_choices(request, base["organisation"], "organisations")
        return formset


class MemberInline(MemberFields, admin.TabularInline):
    """The council's terms. The person of a saved term is fixed; add terms below."""

    model = Member
    fields = [
        "user",
        "display_name",
        "role",
        "seat",
        "organisation",
        "category",
        "gender",
        "term_start",
        "term_end",
        "publish_consent",
    ]
    readonly_fields = ["user", "display_name"]
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request, obj=None):
        return False


class NewMemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = [
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

    def clean(self):
        data = super().clean()
        if data.get("user") and not self.instance.display_name:
            self.instance.display_name = data["user"].full_name
        seat = data.get("seat")
        if seat is not None:
            # As services.member_add: a seat's organisation and category are the default.
            if not data.get("organisation"):
                self.instance.organisation = data["organisation"] = seat.organisation
            if not data.get("category"):
                self.instance.category = data["category"] = seat.category
        return data


class NewMemberInline(MemberFields, admin.TabularInline):
    """Add terms: one row per person and term (appointments go through nominations)."""

    model = Member
    form = NewMemberForm
    fields = NewMemberForm.Meta.fields
    autocomplete_fields = ["user"]
    verbose_name = _("new member")
    verbose_name_plural = _("new members")
    verbose_name_plural = _("add members")

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Council)
class CouncilAdmin(ServicePagesMixin, ReadOnlyHistoryAdmin):
    list_display = [
        "name",
        "owner",
        "level",
        "members_now",
        "open_cases",
        "next_meeting",
        "mandate_revision",
    ]
    list_filter = ["level", "owner__kind", "is_active"]
    search_fields = ["name", "slug", "owner__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["owner"]
    readonly_fields = ["advisory_only_display", "created_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "owner", "level", "language", "description"]}),
        (
            _("How the council works"),
            {
                "fields": [
                    "advisory_only_display",
                    "meetings_per_year",
                    "term_years",
                    "tenure_cap_years",
                    "requires_gender_balance",
                    "is_public",
                    "is_active",
                ]
            },
        ),
        (_("Pay"), {"fields": ["meeting_fee", "travel_rule", "lost_earnings_max"]}),
    ]
    inlines = [MandateInline, SeatInline, MemberInline, NewMemberInline]
    actions = ["export_pay", "make_annual_report"]

    def get_queryset(self, request):
        today = timezone.localdate()
        members = (
            Member.objects.filter(
                council=OuterRef("pk"), term_start__lte=today, term_end__gte=today
            )
            .order_by()
            .values("council")
            .annotate(n=Count("pk"))
            .values("n")
        )
        cases = (
            Case.objects.open()
            .filter(council=OuterRef("pk"))
            .order_by()
            .values("council")
            .annotate(n=Count("pk"))
            .values("n")
        )
        meetings = Meeting.objects.filter(
            council=OuterRef("pk"), starts_at__gte=timezone.now()
        ).order_by("starts_at")
        mandates = MandateVersion.objects.filter(council=OuterRef("pk")).order_by("-number")
        return (
            super()
            .get_queryset(request)
            .select_related("owner")
            .annotate(
                members_now_count=Coalesce(
                    Subquery(members, output_field=IntegerField()), Value(0)
                ),
                open_case_count=Coalesce(Subquery(cases, output_field=IntegerField()), Value(0)),
                next_meeting_at=Subquery(meetings.values("starts_at")[:1]),
                revision_due_on=Subquery(mandates.values("revision_due")[:1]),
            )
        )

    @admin.display(description=_("members now"), ordering="members_now_count")
    def members_now(self, council):
        return council.members_now_count

    @admin.display(description=_("open cases"), ordering="open_case_count")
    def open_cases(self, council):
        return council.open_case_count

    @admin.display(description=_("next meeting"), ordering="next_meeting_at")
    def next_meeting(self, council):
        if council.next_meeting_at is None:
            return "–"
        return date_format(timezone.localtime(council.next_meeting_at), "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("terms of reference revised by"), ordering="revision_due_on")
    def mandate_revision(self, council):
        due = council.revision_due_on
        if due is None:
            return gettext("Warning: no terms of reference")
        if due <= timezone.localdate():
            return gettext("Warning: revision due %(date)s") % {"date": due.isoformat()}
        return due.isoformat()

    @admin.display(description=_("advisory only"))
    def advisory_only_display(self, council):
        return gettext(
            "Yes. A council advises the owner; it has no decision power and handles no"
            " individual cases."
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        council = self.get_object(request, unquote(object_id))
        extra_context = extra_context or {}
        if council is not None:
            extra_context["summary"] = self.summary(council)
        return super().change_view(request, object_id, form_url, extra_context)

    def summary(self, council: Council) -> dict:
        balance = selectors.gender_balance(council)
        latest = council.mandates.order_by("-number").first()
        return {
            "size": balance.size,
            "balance": balance,
            "balance_text": balance_sentence(balance),
            "coverage": selectors.category_coverage(council),
            "warnings": council_warnings(council),
            "mandate": latest,
            "mandate_due": latest is not None and latest.is_due,
        }

    def save_formset(self, request, form, formset, change):
        if formset.model is MandateVersion:
            formset.save(commit=False)
            created = []
            for new_form in formset.extra_forms:
                if not new_form.has_changed():
                    continue
                data = new_form.cleaned_data
                created.append(
                    services.mandate_revise(
                        council=form.instance,
                        by=request.user,
                        text=data["text"],
                        adopted_on=data["adopted_on"],
                        revision_due=data["revision_due"],
                    )
                )
            formset.new_objects = created
            return
        super().save_formset(request, form, formset, change)

    @admin.action(description=_("Export attendance for pay (CSV)"), permissions=["view"])
    def export_pay(self, request, queryset):
        meetings = Meeting.objects.filter(council__in=queryset.values("pk"))
        return pay_csv(attendance_for_pay(meetings), "council-pay.csv")

    @admin.action(description=_("Make this year's annual report"), permissions=["change"])
    def make_annual_report(self, request, queryset):
        year = timezone.localdate().year
        for council in queryset:
            services.annual_report_request(council=council, year=year)
        messages.success(
            request, gettext("The annual reports for %(year)s are being made.") % {"year": year}
        )


@admin.register(MandateVersion)
class MandateVersionAdmin(admin.ModelAdmin):
    """Versions are adopted on the council's page (services.mandate_revise) and kept."""

    list_display = ["council", "number", "adopted_on", "revision_due"]
    list_filter = ["council"]
    search_fields = ["council__name", "text"]
    list_select_related = ["council"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ["__str__", "council", "category", "places", "deputies"]
    list_filter = ["category", "council"]
    search_fields = ["council__name", "organisation__name"]
    list_select_related = ["council", "organisation"]
    autocomplete_fields = ["council", "organisation"]
