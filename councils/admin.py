"""User councils in Django admin, made for a council secretary's daily work.

Every change of state goes through councils.services: the buttons on the change pages
(send the notice, approve the minutes, recommend, appoint, decline …) open a small admin
page that calls one service; a ValidationError from it becomes a form error and an admin
message, and nothing is saved. Rows edited in inlines are validated with the same rules
(services.member_validate for terms) before anything is written.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin

from brukarkraft.exports import csv_response
from brukarkraft.importing import LookupWidget
from brukarkraft.models import Organisation, User
from brukarkraft.text import NOTE_LENGTH
from brukarkraft.trail import ReadOnlyHistoryAdmin
from brukarkraft.uploads import validate_document

from . import services
from .models import (
    TERM_WARNING_DAYS,
    AgendaItem,
    AnnualReport,
    AppointmentRequest,
    Assessment,
    AssessmentAnswer,
    Attendance,
    Case,
    Council,
    Document,
    MandateVersion,
    Meeting,
    Member,
    Nomination,
    Seat,
    UserCategory,
)

CALLED_KINDS = [Organisation.Kind.USER_ORGANISATION, Organisation.Kind.UMBRELLA_BODY]


# --- Helpers ------------------------------------------------------------------------


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on a field the form has, else on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def cache_choices(request, field: forms.Field | None, key: str) -> None:
    """Evaluate a select's choices once per request: every row of an inline shares them,
    so a page with 30 rows runs one query for the list instead of 30."""
    if field is None or not hasattr(field, "queryset"):
        return
    cache = request.__dict__.setdefault("_councils_choices", {})
    if key not in cache:
        cache[key] = list(field.choices)
    field.choices = cache[key]


def women_and_men(count: int, kind: str) -> str:
    if kind == "woman":
        return ngettext("%(count)s woman", "%(count)s women", count) % {"count": count}
    return ngettext("%(count)s man", "%(count)s men", count) % {"count": count}


def balance_sentence(balance: services.GenderBalance) -> str:
    """ "needs 2 women and 2 men, has 1 woman and 3 men — 1 more woman needed"."""
    size = ngettext(
        "%(count)s member (deputies included)",
        "%(count)s members (deputies included)",
        balance.size,
    ) % {"count": balance.size}
    if not balance.required:
        return gettext("%(size)s: no gender rule applies below 2 members.") % {"size": size}
    needs = gettext("needs %(women)s and %(men)s, has %(has_women)s and %(has_men)s") % {
        "women": women_and_men(balance.required, "woman"),
        "men": women_and_men(balance.required, "man"),
        "has_women": women_and_men(balance.women, "woman"),
        "has_men": women_and_men(balance.men, "man"),
    }
    missing = []
    if balance.women_needed:
        missing.append(
            ngettext("%(count)s more woman", "%(count)s more women", balance.women_needed)
            % {"count": balance.women_needed}
        )
    if balance.men_needed:
        missing.append(
            ngettext("%(count)s more man", "%(count)s more men", balance.men_needed)
            % {"count": balance.men_needed}
        )
    if len(missing) == 2:
        tail = gettext("%(first)s and %(second)s needed") % {
            "first": missing[0],
            "second": missing[1],
        }
    elif missing:
        tail = gettext("%(missing)s needed") % {"missing": missing[0]}
    else:
        tail = gettext("the rule is met")
    others = ""
    if balance.other or balance.unknown:
        others = " " + gettext("(%(count)s other or not given)") % {
            "count": balance.other + balance.unknown
        }
    return f"{size}: {needs}{others} — {tail}"


def council_warnings(council: Council) -> list[str]:
    """Terms ending within 90 days and tenures over the cap, from one query (the same
    sentences as services.member_warnings, which asks once per member)."""
    today = timezone.localdate()
    rows = list(
        council.members.order_by("term_start").values_list(
            "user_id", "display_name", "term_start", "term_end"
        )
    )
    tenure: dict[int, int] = defaultdict(int)
    for user_id, _name, start, end in rows:
        tenure[user_id] += (end - start).days
    warnings, warned = [], set()
    soon = today + timedelta(days=TERM_WARNING_DAYS)
    for _user_id, name, _start, end in rows:
        if today <= end <= soon:
            warnings.append(
                gettext("The term of %(name)s ends on %(date)s.")
                % {"name": name, "date": end.isoformat()}
            )
    for user_id, name, _start, end in rows:
        if (
            end >= today
            and user_id not in warned
            and tenure[user_id] > council.tenure_cap_years * 365
        ):
            warned.add(user_id)
            warnings.append(
                gettext("%(name)s will have served more than %(years)s years in total.")
                % {"name": name, "years": council.tenure_cap_years}
            )
    return warnings


def money(value: Decimal | None) -> str:
    """Two decimals with the language's decimal mark, which is what Excel expects with ";"."""
    return number_format(value or Decimal("0"), 2, use_l10n=True, force_grouping=False)


def pay_rows(attendance) -> list[list[str]]:
    """Per attendance row what is paid: the fee goes to whoever attended (the deputy, not
    the absent member); lost earnings are capped at the council's maximum."""
    rows = []
    for row in attendance:
        council = row.meeting.council
        attended = row.status != Attendance.Status.ABSENT
        paid = row.deputy if row.status == Attendance.Status.DEPUTY and row.deputy else row.member
        fee = council.meeting_fee if attended else Decimal("0")
        travel = row.travel_cost if attended else Decimal("0")
        lost = min(row.lost_earnings, council.lost_earnings_max) if attended else Decimal("0")
        rows.append(
            [
                council.name,
                timezone.localtime(row.meeting.starts_at).date().isoformat(),
                paid.display_name,
                str(row.get_status_display()),
                money(fee),
                money(travel),
                money(lost),
                money(fee + travel + lost),
            ]
        )
    return rows


def pay_csv(attendance, filename: str) -> HttpResponse:
    # Members' names come from self-registration: a formula in one must not run.
    response, writer = csv_response(filename)
    writer.writerow(
        [
            gettext("council"),
            gettext("meeting date"),
            gettext("member"),
            gettext("attendance"),
            gettext("meeting fee"),
            gettext("travel costs"),
            gettext("lost earnings"),
            gettext("total"),
        ]
    )
    writer.writerows(pay_rows(attendance))
    return response


def attendance_for_pay(meetings):
    return (
        Attendance.objects.filter(meeting__in=meetings)
        .select_related("meeting__council", "member", "deputy")
        .order_by("meeting__council__name", "meeting__starts_at", "member__display_name")
    )


# --- Service pages --------------------------------------------------------------------


class ServicePagesMixin:
    """Small admin pages that call one service, and a safety net for the change form."""

    service_template = "admin/councils/service_page.html"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A rule a service enforces while inlines are saved rolls the whole save back
        # (the admin wraps it in a transaction); the admin sees why instead of an error page.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return HttpResponseRedirect(request.get_full_path())

    def object_or_404(self, request, object_id, *, change: bool = True):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        allowed = (
            self.has_change_permission(request, obj)
            if change
            else self.has_view_permission(request, obj)
        )
        if not allowed:
            raise PermissionDenied
        return obj

    def change_url(self, obj) -> str:
        opts = obj._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])

    def changelist_url(self) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")

    def service_page(
        self,
        request,
        *,
        title,
        form: forms.Form,
        perform,
        obj=None,
        intro="",
        submit=None,
        template=None,
        context=None,
        hidden=(),
        cancel_url=None,
    ):
        """Show `form`; on a valid POST run `perform(cleaned_data)` in a transaction and
        redirect where it says. A ValidationError shows on the form and as a message."""
        if request.method == "POST" and form.is_bound and form.is_valid():
            try:
                with transaction.atomic():
                    redirect_to = perform(form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
                for message in exc.messages:
                    messages.error(request, message)
            else:
                return HttpResponseRedirect(redirect_to)
        request.current_app = self.admin_site.name
        ctx = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "form": form,
            "original": obj,
            "intro": intro,
            "submit_label": submit or gettext("Confirm"),
            "hidden": hidden,
            "cancel_url": cancel_url
            or (self.change_url(obj) if obj is not None else self.changelist_url()),
            **(context or {}),
        }
        return TemplateResponse(request, template or self.service_template, ctx)

    def selection_hidden(self, request) -> list[tuple[str, str]]:
        """Hidden fields that bring an action's intermediate page back to the action."""
        return [("action", request.POST["action"]), ("apply", "1")] + [
            (admin.helpers.ACTION_CHECKBOX_NAME, pk)
            for pk in request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
        ]

    def bound(self, request, form_class, *, action: bool = False, **kwargs):
        if request.method == "POST" and (not action or "apply" in request.POST):
            return form_class(request.POST, **kwargs)
        return form_class(**kwargs)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
        balance = services.gender_balance(council)
        latest = council.mandates.order_by("-number").first()
        return {
            "size": balance.size,
            "balance": balance,
            "balance_text": balance_sentence(balance),
            "coverage": services.category_coverage(council),
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


# --- Appointments --------------------------------------------------------------------


class NominationInline(ReadOnlyInline):
    model = Nomination
    fields = [
        "candidate",
        "organisation",
        "status",
        "nominated_by",
        "nominated_at",
        "recommended_by",
        "recommended_at",
        "decided_by",
        "decided_at",
        "reason",
    ]
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "candidate", "organisation", "nominated_by", "recommended_by", "decided_by"
            )
        )


class RequestForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("user categories wanted"),
        choices=UserCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = AppointmentRequest
        fields = ["council", "places", "categories", "description", "deadline"]


class CallForm(forms.Form):
    organisations = forms.ModelMultipleChoiceField(
        label=_("user organisations to call"),
        queryset=Organisation.objects.filter(kind__in=CALLED_KINDS).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The call goes to these organisations; only they can nominate."),
    )


@admin.register(AppointmentRequest)
class AppointmentRequestAdmin(ServicePagesMixin, admin.ModelAdmin):
    form = RequestForm
    list_display = ["council", "places", "deadline", "status", "requested_at", "called_at"]
    list_filter = ["status", "council"]
    search_fields = ["council__name", "description"]
    list_select_related = ["council"]
    readonly_fields = [
        "status",
        "called_organisations",
        "requested_by",
        "requested_at",
        "called_at",
    ]
    fields = [
        "council",
        "places",
        "categories",
        "description",
        "deadline",
        "status",
        "called_organisations",
        "requested_by",
        "requested_at",
        "called_at",
    ]
    inlines = [NominationInline]
    change_form_template = "admin/councils/object_tools_change_form.html"

    def get_urls(self):
        return [
            path(
                "<path:object_id>/call/",
                self.admin_site.admin_view(self.call_view),
                name="councils_appointmentrequest_call",
            ),
        ] + super().get_urls()

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (["council"] if obj is not None else [])

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied

        def perform(data):
            created = services.request_create(
                council=data["council"],
                by=request.user,
                places=data["places"],
                description=data["description"],
                deadline=data["deadline"],
                categories=data["categories"],
            )
            messages.success(request, gettext("The request was registered."))
            return self.change_url(created)

        form = self.bound(request, RequestForm)
        return self.service_page(
            request,
            title=gettext("Register a request for representatives"),
            form=form,
            perform=perform,
        )

    def object_tools(self, obj) -> list[tuple[str, str]]:
        if obj.status == AppointmentRequest.Status.CLOSED:
            return []
        return [
            (
                reverse("admin:councils_appointmentrequest_call", args=[obj.pk]),
                gettext("Send the call"),
            )
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra_context = {**(extra_context or {}), "tools": self.object_tools(obj) if obj else []}
        return super().change_view(request, object_id, form_url, extra_context)

    def call_view(self, request, object_id):
        obj = self.object_or_404(request, object_id)

        def perform(data):
            services.request_call(request=obj, organisations=list(data["organisations"]))
            messages.success(
                request,
                ngettext(
                    "The call was sent to %(count)s organisation.",
                    "The call was sent to %(count)s organisations.",
                    len(data["organisations"]),
                )
                % {"count": len(data["organisations"])},
            )
            return self.change_url(obj)

        return self.service_page(
            request,
            title=gettext("Send the call for nominations"),
            form=self.bound(
                request, CallForm, initial={"organisations": obj.called_organisations.all()}
            ),
            perform=perform,
            obj=obj,
            intro=obj.description,
            submit=_("Send the call"),
        )


class NominationForm(forms.ModelForm):
    class Meta:
        model = Nomination
        fields = [
            "request",
            "candidate",
            "organisation",
            "category",
            "gender",
            "motivation",
            *services.NOMINATION_CRITERIA,
            "organisation_confirms_trust",
        ]


class AppointForm(forms.Form):
    role = forms.ChoiceField(
        label=_("role"), choices=Member.Role.choices, initial=Member.Role.MEMBER
    )
    seat = forms.ModelChoiceField(label=_("seat"), queryset=Seat.objects.none(), required=False)
    term_start = forms.DateField(label=_("term starts"))
    term_end = forms.DateField(
        label=_("term ends"),
        required=False,
        help_text=_("Leave empty for the council's usual term."),
    )
    publish_consent = forms.BooleanField(label=_("may be named on the public page"), required=False)
    balance_exception = forms.CharField(
        label=_("reason for the exception to the gender balance"),
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Needed when the council's rules require a gender balance and this appointment"
            " leaves it unmet. It is recorded and counted in the annual report."
        ),
    )

    def __init__(self, *args, council: Council, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seat"].queryset = council.seats.select_related("organisation")
        if not council.requires_gender_balance:
            del self.fields["balance_exception"]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 4}), max_length=NOTE_LENGTH
    )


class ConfirmForm(forms.Form):
    pass


@admin.register(Nomination)
class NominationAdmin(ServicePagesMixin, admin.ModelAdmin):
    list_display = ["candidate", "council", "organisation", "status", "nominated_at", "decided_at"]
    list_filter = ["status", "request__council"]
    search_fields = ["candidate__full_name", "candidate__email", "organisation__name"]
    list_select_related = ["candidate", "organisation", "request__council"]
    actions = ["recommend"]
    change_form_template = "admin/councils/object_tools_change_form.html"

    def get_readonly_fields(self, request, obj=None):
        # A nomination's steps and answers are records; they change through the buttons.
        return [field.name for field in Nomination._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("council"), ordering="request__council__name")
    def council(self, nomination):
        return nomination.request.council

    def get_urls(self):
        views = [
            ("recommend", self.recommend_view),
            ("appoint", self.appoint_view),
            ("decline", self.decline_view),
            ("withdraw", self.withdraw_view),
        ]
        return [
            path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(view),
                name=f"councils_nomination_{name}",
            )
            for name, view in views
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        tools = []
        if obj is not None:
            if obj.status == Nomination.Status.NOMINATED:
                tools.append(("recommend", gettext("Recommend")))
            if obj.status == Nomination.Status.RECOMMENDED:
                tools.append(("appoint", gettext("Appoint…")))
            if obj.status in {Nomination.Status.NOMINATED, Nomination.Status.RECOMMENDED}:
                tools += [("decline", gettext("Decline…")), ("withdraw", gettext("Withdraw…"))]
        extra_context = {
            **(extra_context or {}),
            "tools": [
                (reverse(f"admin:councils_nomination_{name}", args=[obj.pk]), label)
                for name, label in tools
            ],
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied

        def perform(data):
            created = services.nomination_create(
                request=data["request"],
                by=request.user,
                candidate=data["candidate"],
                organisation=data["organisation"],
                motivation=data["motivation"],
                criteria={name: data[name] for name in services.NOMINATION_CRITERIA},
                organisation_confirms_trust=data["organisation_confirms_trust"],
                category=data["category"],
                gender=data["gender"],
            )
            messages.success(request, gettext("The nomination was registered."))
            return self.change_url(created)

        return self.service_page(
            request,
            title=gettext("Register a nomination"),
            form=self.bound(request, NominationForm),
            perform=perform,
        )

    def recommend_view(self, request, object_id):
        obj = self.object_or_404(request, object_id)

        def perform(data):
            services.nomination_recommend(nomination=obj, by=request.user)
            messages.success(request, gettext("The candidate was recommended."))
            return self.change_url(obj)

        return self.service_page(
            request,
            title=gettext("Recommend %(name)s") % {"name": obj.candidate.full_name},
            form=self.bound(request, ConfirmForm),
            perform=perform,
            obj=obj,
            intro=gettext(
                "The umbrella body or the centre recommends the candidate to the owner, having"
                " weighed the answers on the criteria."
            ),
            submit=_("Recommend"),
        )

    def appoint_view(self, request, object_id):
        obj = self.object_or_404(request, object_id)
        council = obj.request.council

        def perform(data):
            member = services.nomination_appoint(
                nomination=obj,
                by=request.user,
                role=data["role"],
                term_start=data["term_start"],
                term_end=data["term_end"],
                seat=data["seat"],
                publish_consent=data["publish_consent"],
                balance_exception=data.get("balance_exception", ""),
            )
            messages.success(
                request,
                gettext("%(name)s was appointed: the term runs %(start)s – %(end)s.")
                % {
                    "name": member.display_name,
                    "start": member.term_start.isoformat(),
                    "end": member.term_end.isoformat(),
                },
            )
            return self.change_url(obj)

        now = services.gender_balance(council)
        after = services.gender_balance(council, adding=obj.gender)
        coverage_now = {row["category"]: row for row in services.category_coverage(council)}
        coverage_after = services.category_coverage(council, adding=obj.category)
        coverage = [
            {**row, "members_now": coverage_now.get(row["category"], {}).get("members", 0)}
            for row in coverage_after
        ]
        form = self.bound(
            request, AppointForm, council=council, initial={"term_start": timezone.localdate()}
        )
        return self.service_page(
            request,
            title=gettext("Appoint %(name)s") % {"name": obj.candidate.full_name},
            form=form,
            perform=perform,
            obj=obj,
            submit=_("Appoint"),
            template="admin/councils/nomination/appoint.html",
            context={
                "nomination": obj,
                "council": council,
                "criteria": [
                    (Nomination._meta.get_field(name).verbose_name, getattr(obj, name))
                    for name in ("motivation", *services.NOMINATION_CRITERIA)
                ],
                "balance_now": balance_sentence(now),
                "balance_after": balance_sentence(after),
                "balance_now_ok": now.ok,
                "balance_after_ok": after.ok,
                "balance_required": council.requires_gender_balance,
                "coverage": coverage,
            },
        )

    def _close_view(self, request, object_id, status: str, title: str, done: str):
        obj = self.object_or_404(request, object_id)

        def perform(data):
            services.nomination_close(
                nomination=obj, by=request.user, status=status, reason=data["reason"]
            )
            messages.success(request, done)
            return self.change_url(obj)

        return self.service_page(
            request,
            title=title % {"name": obj.candidate.full_name},
            form=self.bound(request, ReasonForm),
            perform=perform,
            obj=obj,
            submit=_("Confirm"),
        )

    def decline_view(self, request, object_id):
        return self._close_view(
            request,
            object_id,
            Nomination.Status.DECLINED,
            gettext("Decline %(name)s"),
            gettext("The nomination was declined."),
        )

    def withdraw_view(self, request, object_id):
        return self._close_view(
            request,
            object_id,
            Nomination.Status.WITHDRAWN,
            gettext("Withdraw %(name)s"),
            gettext("The nomination was withdrawn."),
        )

    @admin.action(description=_("Recommend the selected candidates"), permissions=["change"])
    def recommend(self, request, queryset):
        done = 0
        for nomination in queryset:
            try:
                services.nomination_recommend(nomination=nomination, by=request.user)
                done += 1
            except ValidationError as exc:
                messages.error(request, f"{nomination.candidate}: {' '.join(exc.messages)}")
        if done:
            messages.success(
                request,
                ngettext(
                    "%(count)s candidate recommended.", "%(count)s candidates recommended.", done
                )
                % {"count": done},
            )


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


# --- Cases -----------------------------------------------------------------------------


class CaseAgendaInline(ReadOnlyInline):
    model = AgendaItem
    fields = ["meeting", "position", "title", "decision", "follow_up"]
    verbose_name = _("discussed at")
    verbose_name_plural = _("discussed at")
    verbose_name_plural = _("meetings where the case was discussed")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("meeting__council")


class CaseForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = ["council", "title", "why", "where", "when", "proposed_solution"]


@admin.register(Case)
class CaseAdmin(ServicePagesMixin, admin.ModelAdmin):
    list_display = ["council", "number", "title", "status", "age", "submitted_at"]
    list_filter = ["status", "council"]
    search_fields = ["title", "why", "council__name"]
    list_select_related = ["council"]
    readonly_fields = [
        "council",
        "number",
        "status",
        "rejection_reason",
        "submitted_by",
        "submitted_at",
        "closed_at",
    ]
    fields = [
        "council",
        "number",
        "title",
        "why",
        "where",
        "when",
        "proposed_solution",
        "status",
        "rejection_reason",
        "submitted_by",
        "submitted_at",
        "closed_at",
    ]
    inlines = [CaseAgendaInline]
    actions = ["reject"]

    @admin.display(description=_("age (days)"))
    def age(self, case):
        return case.age_days

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied

        def perform(data):
            case = services.case_submit(by=request.user, **data)
            messages.success(request, gettext("Case %(case)s was registered.") % {"case": case})
            return self.change_url(case)

        return self.service_page(
            request,
            title=gettext("Register a case"),
            form=self.bound(request, CaseForm),
            perform=perform,
        )

    @admin.action(description=_("Reject…"), permissions=["change"])
    def reject(self, request, queryset):
        cases = list(queryset)

        def perform(data):
            for case in cases:
                services.case_reject(case=case, reason=data["reason"])
            messages.success(
                request,
                ngettext("%(count)s case rejected.", "%(count)s cases rejected.", len(cases))
                % {"count": len(cases)},
            )
            return self.changelist_url()

        return self.service_page(
            request,
            title=gettext("Reject cases"),
            form=self.bound(request, ReasonForm, action=True),
            perform=perform,
            intro=", ".join(str(case) for case in cases),
            submit=_("Reject"),
            hidden=self.selection_hidden(request),
        )


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


# --- Self-assessment and annual reports ---------------------------------------------


class AnswerInline(ReadOnlyInline):
    model = AssessmentAnswer
    fields = ["level", "stage", "answer", "comment"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """A self-assessment is made on the portal's own form (15 questions in five groups,
    checked whole by services.assessment_record), not built here row by row: "add" lists
    the councils with a link to that form, and a recorded one links to its profile."""

    list_display = ["__str__", "council", "unit_name", "held_on", "rapporteur"]
    list_filter = ["council"]
    search_fields = ["council__name", "unit_name", "rapporteur", "secretary"]
    list_select_related = ["council"]
    autocomplete_fields = ["council"]
    readonly_fields = ["portal_link", "created_by", "created_at"]
    inlines = [AnswerInline]

    @admin.display(description=_("in the portal"))
    def portal_link(self, assessment: Assessment) -> str:
        if assessment.pk is None:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("councils:assessment_detail", args=[assessment.council.slug, assessment.pk]),
            gettext("The profile and the answers on the portal"),
        )

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        request.current_app = self.admin_site.name
        councils = Council.objects.filter(is_active=True).order_by("name")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Record a self-assessment"),
            "councils": [
                (council, reverse("councils:assessment_new", args=[council.slug]))
                for council in councils
            ],
        }
        return TemplateResponse(request, "admin/councils/assessment/add_in_portal.html", context)


class AnnualReportForm(forms.Form):
    council = forms.ModelChoiceField(label=_("council"), queryset=Council.objects.all())
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)


@admin.register(AnnualReport)
class AnnualReportAdmin(ServicePagesMixin, admin.ModelAdmin):
    """The report is a PDF a worker makes; admin asks for it and shows its status."""

    list_display = ["council", "year", "status", "requested_at"]
    list_filter = ["status", "year", "council"]
    search_fields = ["council__name"]
    list_select_related = ["council"]
    readonly_fields = ["council", "year", "status", "file", "requested_at"]
    actions = ["make_annual_report"]

    def has_change_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied

        def perform(data):
            report = services.annual_report_request(council=data["council"], year=data["year"])
            messages.success(request, gettext("The annual report is being made."))
            return self.change_url(report)

        return self.service_page(
            request,
            title=gettext("Make an annual report"),
            form=self.bound(request, AnnualReportForm, initial={"year": timezone.localdate().year}),
            perform=perform,
        )

    @admin.action(description=_("Make annual report"), permissions=["view"])
    def make_annual_report(self, request, queryset):
        for report in queryset.select_related("council"):
            services.annual_report_request(council=report.council, year=report.year)
        messages.success(request, gettext("The annual reports are being made again."))


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


@admin.register(AssessmentAnswer)
class AssessmentAnswerAdmin(admin.ModelAdmin):
    list_display = ["assessment", "level", "stage", "answer"]
    list_filter = ["level", "stage", "answer"]
    search_fields = ["comment", "assessment__council__name", "assessment__unit_name"]
    list_select_related = ["assessment__council"]
