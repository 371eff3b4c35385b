"""Appointments in admin: requests for representatives, the call to organisations, and
nominations through recommendation to appointment or decline.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from brukarkraft.models import Organisation
from brukarkraft.text import NOTE_LENGTH

from .. import selectors, services
from ..models import (
    NOMINATION_CRITERIA,
    AppointmentRequest,
    Council,
    Member,
    Nomination,
    Seat,
    UserCategory,
)
from .common import (
    CALLED_KINDS,
    ConfirmForm,
    ReadOnlyInline,
    ReasonForm,
    ServicePagesMixin,
    balance_sentence,
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
            *NOMINATION_CRITERIA,
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
                criteria={name: data[name] for name in NOMINATION_CRITERIA},
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

        now = selectors.gender_balance(council)
        after = selectors.gender_balance(council, adding=obj.gender)
        coverage_now = {row["category"]: row for row in selectors.category_coverage(council)}
        coverage_after = selectors.category_coverage(council, adding=obj.category)
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
                    for name in ("motivation", *NOMINATION_CRITERIA)
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
