"""The report bank's pages. Public (no login): the searchable list of published audits,
one published audit as an accessible web page and its approved PDF. Behind login, on an
audit: its publication terms and the consent / publish / withdraw steps."""

from __future__ import annotations

from typing import TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from audits import access as audit_access
from audits.models import Audit, AuditEvent
from brukarkraft.exports import csv_response
from brukarkraft.http import AuthenticatedRequest, post_only, public_cache

from . import access, comparison, national, selectors, services
from .forms import BankSearchForm, NationalFilterForm, TermsForm, WithdrawForm, read_search
from .models import PublicationTerms

PAGE_SIZE = 20
R = TypeVar("R", bound=HttpResponseBase)
PUBLICATION_ACTIONS = [
    services.TERMS_SAVED,
    services.CONSENTED,
    services.PUBLISHED,
    services.WITHDRAWN,
]


# --- The public bank --------------------------------------------------------------------


@require_safe
def bank_list(request: HttpRequest) -> HttpResponse:
    text, filters = read_search(request.GET, selectors.FACET_KINDS)
    results = selectors.bank_results(text=text, filters=filters)
    facets = selectors.cached_facet_counts(results, text=text, filters=filters)
    paginator = Paginator(results.for_cards(), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    for row in page.object_list:
        selectors.describe_card(row)
    context = {
        "search_form": BankSearchForm(request.GET or None, facets=facets, chosen=filters),
        "facets": facets,
        "page": page,
        "page_numbers": paginator.get_elided_page_range(page.number, on_each_side=2),
        "publications": page.object_list,
        "searched": bool(text or filters),
    }
    return public_cache(render(request, "audits/bank/list.html", context))


def _published(pk: int):
    publication = selectors.published_audit(pk)
    if publication is None:
        raise Http404
    return publication


@require_safe
def bank_detail(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _published(pk)
    audit = publication.audit
    terms = audit.quote.publication_terms
    findings = list(audit.findings.all()) if terms.may_publish_findings else []
    context = {
        "publication": publication,
        "audit": audit,
        "terms": terms,
        "units": list(audit.units.all()),
        "themes": selectors.findings_by_theme(findings),
        "proposals": list(audit.proposals.all()),
        "methods": audit.quote.method_labels(),
        "sessions": selectors.informants_by_kind(list(audit.sessions.all())),
        # The PDF for the public: made without personal data by a worker once published.
        "report": publication if publication.public_report else None,
        "reaudits": selectors.reaudit_pairs(audit),
    }
    return public_cache(render(request, "audits/bank/detail.html", context))


@require_safe
def bank_report(request: HttpRequest, pk: int) -> FileResponse:
    """The public variant of the approved report, streamed from storage, only while the
    audit is published: no names of the team or of anyone responsible for an action, and
    findings and quotes only as the terms allow (audits.bank.services.public_report_render).
    The approved version itself, with the team's names, is never served here."""
    publication = _published(pk)
    audit = publication.audit
    if not publication.public_report:
        raise Http404
    response = FileResponse(
        publication.public_report.open("rb"),
        as_attachment=False,
        filename=f"{audit.reference or audit.pk}.pdf",
        content_type="application/pdf",
    )
    return public_cache(response)


@require_safe
def bank_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """A published re-audit next to the published audit it re-audits; 404 unless both are
    public. Findings only where the terms of both let them out."""
    pair = selectors.published_reaudit_pair(pk)
    if pair is None:
        raise Http404
    earlier, later = pair
    with_findings = (
        earlier.quote.publication_terms.may_publish_findings
        and later.quote.publication_terms.may_publish_findings
    )
    context = {
        "comparison": comparison.compare(earlier, later, with_findings=with_findings),
        "public": True,
    }
    return public_cache(render(request, "audits/bank/compare.html", context))


# --- The national picture ---------------------------------------------------------------


def _national_context(request: HttpRequest, picture: national.Picture, *, staff: bool) -> dict:
    areas = [(area, national.area_label(area)) for area in picture.areas]
    form = NationalFilterForm(request.GET or None, areas=areas, years=picture.years)
    area, year = form.chosen()
    return {
        "form": form,
        "datasets": national.datasets(picture, staff=staff, area=area, year=year),
        "filters": request.GET.urlencode(),
        "public_audits": picture.audits.get(True, 0),
        "unpublished_audits": picture.audits.get(False, 0),
        "staff": staff,
    }


def _national_csv(request: HttpRequest, picture: national.Picture, slug: str, *, staff: bool):
    if slug not in national.DATASETS:
        raise Http404
    context = _national_context(request, picture, staff=staff)
    dataset = next(d for d in context["datasets"] if d.slug == slug)
    prefix = "national-staff" if staff else "national"
    response, writer = csv_response(f"{prefix}-{slug}.csv")
    writer.writerow(dataset.header())
    writer.writerows(dataset.table())
    return response


def _private(response: R) -> R:
    # What is not published must never sit in a shared or a browser cache.
    patch_cache_control(response, private=True, no_store=True, max_age=0)
    return response


@require_safe
def national_picture(request: HttpRequest) -> HttpResponse:
    context = _national_context(request, national.public_picture(), staff=False)
    return public_cache(render(request, "audits/bank/national.html", context))


@require_safe
def national_csv(request: HttpRequest, slug: str) -> HttpResponse:
    return public_cache(_national_csv(request, national.public_picture(), slug, staff=False))


def _require_staff(request: HttpRequest) -> None:
    audit_access.require(audit_access.is_staff(request.user))


@login_required
@require_safe
def national_staff(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    context = _national_context(request, national.staff_picture(), staff=True)
    return _private(render(request, "audits/bank/national.html", context))


@login_required
@require_safe
def national_staff_csv(request: HttpRequest, slug: str) -> HttpResponse:
    _require_staff(request)
    return _private(_national_csv(request, national.staff_picture(), slug, staff=True))


# --- Terms and publishing, behind login -------------------------------------------------


def _audit(request: HttpRequest, pk: int) -> Audit:
    # 404 for an audit outside the user's reach, as everywhere in audits.
    return audit_access.visible_audit(
        request.user, pk, Audit.objects.for_detail().select_related("publication")
    )


def _publication_page(request: HttpRequest, audit: Audit, withdraw_form=None) -> HttpResponse:
    terms = services.terms_of(audit)
    active = access.active_publication(audit)
    user = request.user
    events = (
        AuditEvent.objects.filter(audit=audit, action__in=PUBLICATION_ACTIONS)
        .select_related("by")
        .order_by("at", "pk")
    )
    context = {
        "audit": audit,
        "terms": terms,
        "current": getattr(audit, "publication", None),
        "events": events,
        "may_edit_terms": _has_quote(audit) and access.can_edit_terms(user, audit),
        "may_consent": access.can_consent(user, audit)
        and active is None
        and bool(terms and terms.may_publish_report)
        and audit.report_is_frozen,
        "may_publish": access.can_publish(user, audit)
        and active is not None
        and active.status == active.Status.CONSENTED
        and active.consented_by_id != user.pk,
        "may_withdraw": access.can_withdraw(user, audit) and active is not None,
        "may_retry_public_report": access.can_publish(user, audit)
        and active is not None
        and active.is_public
        and active.public_report_failed_at is not None,
        "form": withdraw_form or WithdrawForm(),
    }
    return render(request, "audits/bank/publication.html", context)


@login_required
@require_safe
def publication(request: HttpRequest, pk: int) -> HttpResponse:
    return _publication_page(request, _audit(request, pk))


def _has_quote(audit: Audit) -> bool:
    try:
        return audit.quote is not None
    except Audit.quote.RelatedObjectDoesNotExist:
        return False


@login_required
def terms_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    audit = _audit(request, pk)
    audit_access.require(_has_quote(audit) and access.can_edit_terms(request.user, audit))
    terms = services.terms_of(audit) or PublicationTerms(quote=audit.quote)
    form = TermsForm(request.POST or None, instance=terms)
    if request.method == "POST" and form.is_valid():
        services.terms_save(audit=audit, by=request.user, data=form.cleaned_data)
        messages.success(request, gettext("The publication terms are saved."))
        return redirect("bank:publication", pk=audit.pk)
    return render(request, "audits/bank/terms.html", {"audit": audit, "form": form})


def _step(request: HttpRequest, pk: int, step, done: str, **kwargs) -> HttpResponse:
    audit = _audit(request, pk)
    try:
        step(audit=audit, by=request.user, **kwargs)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("bank:publication", pk=audit.pk)


@login_required
@post_only("bank:publication", "pk")
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        services.consent,
        gettext("You have consented. The resource centre publishes the report."),
    )


@login_required
@post_only("bank:publication", "pk")
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request, pk, services.publish, gettext("The report is published in the report bank.")
    )


@login_required
@post_only("bank:publication", "pk")
def public_report_retry(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        services.public_report_retry,
        gettext("The report bank's PDF is being made again."),
    )


@login_required
@post_only("bank:publication", "pk")
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        audit = _audit(request, pk)
        audit_access.require(access.can_withdraw(request.user, audit))
        return _publication_page(request, audit, withdraw_form=form)
    return _step(
        request,
        pk,
        services.withdraw,
        gettext("The report is withdrawn. It is no longer public."),
        reason=form.cleaned_data["reason"],
    )
