"""Shared bits of the councils admin: turning a service's ValidationError into form errors,
the gender-balance and pay sentences, the pages behind the change pages' buttons
(ServicePagesMixin) and read-only inlines.
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
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from brukarkraft.exports import csv_response
from brukarkraft.models import Organisation
from brukarkraft.text import NOTE_LENGTH

from .. import selectors
from ..models import (
    TERM_WARNING_DAYS,
    Attendance,
    Council,
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


def balance_sentence(balance: selectors.GenderBalance) -> str:
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
    sentences as selectors.member_warnings, which asks once per member)."""
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


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 4}), max_length=NOTE_LENGTH
    )


class ConfirmForm(forms.Form):
    pass
