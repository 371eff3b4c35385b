"""The commissioner's pages: ordering an audit, the quote and agreement, cancelling,
answering the improvement proposals and reporting progress at the follow-up."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from brukarkraft.http import post_only
from brukarkraft.ratelimits import limit_posts
from brukarkraft.roles import Role
from brukarkraft.services import signup_start
from brukarkraft.storage import refuses_upload_on_outage

from .. import access, services
from ..forms.order import (
    STEPS,
    AgreementForm,
    CancelForm,
    OrderStartForm,
    ProposalProgressForm,
    ProposalResponseForm,
    QuoteAcceptForm,
    RegisterForm,
    TermsForm,
    TitleForm,
    unit_formset,
)
from ..models import Audit, Finding, Proposal, Quote

LAST_STEP = len(STEPS)


# --- Helpers ----------------------------------------------------------------------


def _own_draft(request: HttpRequest, pk: int) -> Audit:
    """The order `pk` if the user started it; 404 for everyone else, colleagues included."""
    audit = access.visible_audit(request.user, pk)
    if audit.ordered_by_id != request.user.pk:
        raise Http404
    return audit


def _steps(audit: Audit, current: int | None) -> list[dict]:
    """The step list: a step is done once the draft has been saved past it and nothing it
    asks for is missing (a step saved for later may still lack what sending needs)."""
    incomplete = {step for _sentence, step in _missing_with_steps(audit)}
    return [
        {
            "number": number,
            "name": name,
            "done": number < audit.order_step and number not in incomplete,
            "started": number < audit.order_step,
            "current": number == current,
            "url": reverse("audits:order_step", args=[audit.pk, number]),
        }
        for number, name, _form in STEPS
    ]


def _missing_with_steps(audit: Audit) -> list[tuple[str, int | None]]:
    """order_missing's sentences, each with the step where it is put right."""
    where = {
        gettext("Name at least one unit to audit."): 1,
        gettext("Describe the target group."): 2,
        gettext("Write what you want to know."): 2,
        gettext("Give a contact person with an e-mail address."): 3,
        gettext("Give an invoice address."): 3,
        gettext("Accept the terms."): 5,
        gettext("Accept the processor agreement."): 5,
    }
    return [(sentence, where.get(sentence)) for sentence in services.order_missing(audit)]


def _proposals(audit: Audit):
    findings = Prefetch("findings", queryset=Finding.objects.order_by("number"))
    return audit.proposals.prefetch_related(findings).order_by("number")


def _at_or_after(audit: Audit, status: str) -> bool:
    return audit.status in Audit.FLOW and Audit.FLOW.index(audit.status) >= Audit.FLOW.index(status)


# --- Starting an order --------------------------------------------------------------


@limit_posts("order")
def order_start(request: HttpRequest) -> HttpResponse:
    """What a user audit is; the user's drafts; a form to start a new order."""
    if not request.user.is_authenticated:
        return render(request, "audits/order/start.html", {"anonymous": True})
    if not request.user.has_role(Role.COMMISSIONER):
        raise PermissionDenied
    organisations = request.user.organisations.order_by("name")
    language = translation.get_language()
    form = OrderStartForm(
        request.POST or None,
        organisations=organisations,
        initial={"language": language if language in Audit.Language.values else "sv"},
    )
    if request.method == "POST" and organisations and form.is_valid():
        audit = services.order_start(
            organisation=form.chosen_organisation(),
            by=request.user,
            language=form.cleaned_data["language"],
        )
        messages.success(request, gettext("Your order is started. It is saved at every step."))
        return redirect("audits:order_step", pk=audit.pk, step=1)
    drafts = Audit.objects.filter(
        ordered_by=request.user, status=Audit.Status.DRAFT
    ).select_related("organisation")
    context = {
        "form": form,
        "organisations": organisations,
        "drafts": drafts,
        "join_requests": request.user.join_requests.pending().select_related("organisation"),
    }
    return render(request, "audits/order/start.html", context)


@limit_posts("order")
def order_register(request: HttpRequest) -> HttpResponse:
    """A new commissioner registers themselves and their organisation; a link in an e-mail
    confirms the address before anything is made (brukarkraft.services.signup_start)."""
    if request.user.is_authenticated:
        return redirect("audits:order_start")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        signup_start(
            email=data["email"],
            full_name=data["full_name"],
            password=data["password1"],
            organisation_name=data["organisation_name"],
            organisation_kind=data["organisation_kind"],
            org_number=data["org_number"],
            municipality=data["municipality"],
            language=translation.get_language(),
        )
        # The same page whether or not the address has an account.
        return redirect("signup_sent")
    return render(request, "audits/order/register.html", {"form": form})


# --- The five steps, the review and discarding ---------------------------------------


@login_required
@limit_posts("order")
def order_step(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    audit = _own_draft(request, pk)
    if audit.status != Audit.Status.DRAFT:
        return redirect("audits:order_receipt", pk=audit.pk)
    if not 1 <= step <= LAST_STEP:
        raise Http404
    data = request.POST if request.method == "POST" else None
    form, formset = _step_forms(audit, step, data)
    if data is not None and "later" in data and hasattr(form, "saving_for_later"):
        form.saving_for_later()
    if data is not None:
        done = _post_step(request, audit, step, form, formset)
        if done is not None:
            return done

    context = {
        "audit": audit,
        "step": step,
        "step_name": STEPS[step - 1][1],
        "steps": _steps(audit, step),
        "last_step": LAST_STEP,
        "form": form,
        "formset": formset,
    }
    return render(request, f"audits/order/step_{step}.html", context)


def _step_forms(audit: Audit, step: int, data):
    """The step's form, and for the first step the units' formset (else None)."""
    if step == 1:
        return TitleForm(data, instance=audit), unit_formset(audit, data)
    if step == LAST_STEP:
        form = TermsForm(
            data,
            initial={
                "accept_terms": audit.terms_accepted_at is not None,
                "accept_processor_agreement": audit.processor_agreement_accepted_at is not None,
            },
        )
        return form, None
    return STEPS[step - 1][2](data, instance=audit), None


def _post_step(request: HttpRequest, audit: Audit, step: int, form, formset) -> HttpResponse | None:
    """Save a posted step; the redirect on success, None to show the page with its errors."""
    valid = form.is_valid()
    if formset is not None:
        valid = formset.is_valid() and valid
    if not valid:
        if formset is not None and not form.errors:
            # The page title and the error summary follow `form`: flag the units there too.
            form.add_error(None, gettext("Check the units below."))
        return None
    try:
        _save_step(audit, request, step, form, formset)
    except ValidationError as error:
        form.add_error(None, error)
        return None
    if "later" in request.POST:
        messages.success(
            request,
            gettext("Your order is saved. Continue it when you like from this page."),
        )
        return redirect("audits:order_start")
    messages.success(request, gettext("Saved."))
    if step == LAST_STEP:
        return redirect("audits:order_review", pk=audit.pk)
    return redirect("audits:order_step", pk=audit.pk, step=step + 1)


def _save_step(audit: Audit, request: HttpRequest, step: int, form, formset) -> None:
    # The step reached is saved as the next one, as order_set_units does for the units.
    if step == 1:
        # Title and units are one step: both are saved or neither.
        with transaction.atomic():
            services.order_save_step(
                audit=audit, by=request.user, step=2, data={"title": form.cleaned_data["title"]}
            )
            services.order_set_units(audit=audit, by=request.user, units=formset.units())
        return
    services.order_save_step(
        audit=audit, by=request.user, step=step + 1, data=dict(form.cleaned_data)
    )


@login_required
@limit_posts("order")
def order_review(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _own_draft(request, pk)
    if audit.status != Audit.Status.DRAFT:
        # A second press of "Send" lands here: the order is already on its way.
        return redirect("audits:order_receipt", pk=audit.pk)
    if request.method == "POST":
        try:
            services.order_submit(audit=audit, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("audits:order_review", pk=audit.pk)
        messages.success(request, gettext("Thank you! Your order has been sent."))
        return redirect("audits:order_receipt", pk=audit.pk)
    context = {
        "audit": audit,
        "steps": _steps(audit, None),
        "reviewing": True,
        "missing": _missing_with_steps(audit),
    }
    return render(request, "audits/order/review.html", context)


@login_required
def order_discard(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _own_draft(request, pk)
    if audit.status != Audit.Status.DRAFT:
        return redirect("audits:order_receipt", pk=audit.pk)
    if request.method == "POST":
        services.order_discard(audit=audit, by=request.user)
        messages.success(request, gettext("The draft order is deleted."))
        return redirect("audits:order_start")
    return render(request, "audits/order/discard.html", {"audit": audit})


@login_required
def order_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    access.require(access.is_commissioner_of(request.user, audit))
    if audit.status == Audit.Status.DRAFT:
        return redirect("audits:order_review", pk=audit.pk)
    return render(request, "audits/order/receipt.html", {"audit": audit})


# --- The quote and the agreement --------------------------------------------------------


@login_required
def quote(request: HttpRequest, pk: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    the_quote = Quote.objects.filter(audit=audit).select_related("accepted_by").first()
    is_commissioner = access.is_commissioner_of(request.user, audit)
    manager = access.can_manage(request.user, audit)
    if the_quote is None or (the_quote.sent_at is None and not manager):
        if request.method == "POST" and is_commissioner and the_quote is not None:
            # The centre took the quote back to change it while the commissioner read it.
            messages.error(
                request,
                gettext("The quote has been changed since you opened it. Read the new version."),
            )
            return redirect("audits:detail", pk=audit.pk)
        raise Http404
    can_accept = is_commissioner and audit.status == Audit.Status.QUOTED
    form = None
    if can_accept or request.method == "POST":
        access.require(is_commissioner)
        form = QuoteAcceptForm(
            request.POST or None,
            organisation=audit.organisation,
            initial={"revision": the_quote.revision},
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.quote_accept(
                audit=audit,
                by=request.user,
                revision=form.cleaned_data["revision"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                gettext("Thank you! The quote is accepted. Upload the signed agreement next."),
            )
            return redirect("audits:agreement_upload", pk=audit.pk)
    context = {
        "audit": audit,
        "quote": the_quote,
        "form": form,
        "can_accept": can_accept,
        "is_commissioner": is_commissioner,
        "can_upload": (is_commissioner or manager) and the_quote.accepted_at is not None,
    }
    return render(request, "audits/order/quote.html", context)


@login_required
@refuses_upload_on_outage
def agreement_upload(request: HttpRequest, pk: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    access.require(access.is_party_to(request.user, audit))
    the_quote = Quote.objects.filter(audit=audit).first()
    form = AgreementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_upload(
                audit=audit,
                by=request.user,
                signed_agreement=form.cleaned_data["signed_agreement"],
                submission_id=form.submission_key,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, gettext("The signed agreement is stored."))
            return redirect("audits:agreement_upload", pk=audit.pk)
    context = {
        "audit": audit,
        "quote": the_quote,
        "accepted": the_quote is not None and the_quote.accepted_at is not None,
        "form": form,
    }
    return render(request, "audits/order/agreement.html", context)


@login_required
def agreement_download(request: HttpRequest, pk: int) -> FileResponse:
    audit = access.visible_audit(request.user, pk)
    access.require(access.can_see_agreement(request.user, audit))
    the_quote = Quote.objects.filter(audit=audit).exclude(signed_agreement="").first()
    if the_quote is None:
        raise Http404
    return FileResponse(
        the_quote.signed_agreement.open("rb"),
        as_attachment=True,
        filename=f"agreement-{audit.reference}.pdf",
        content_type="application/pdf",
    )


@login_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    access.require(access.is_party_to(request.user, audit))
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.audit_cancel(audit=audit, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, gettext("The audit is cancelled."))
            return redirect("audits:detail", pk=audit.pk)
    context = {
        "audit": audit,
        "form": form,
        "cancellable": audit.is_cancellable and audit.status != Audit.Status.DRAFT,
        "is_quote": audit.status == Audit.Status.QUOTED,
    }
    return render(request, "audits/order/cancel.html", context)


# --- The response to the proposals -------------------------------------------------------


def _proposals_page(
    request: HttpRequest,
    audit: Audit,
    *,
    stage: str,
    form_class: type,
    template: str,
    done_field: str,
    failed: tuple[int, forms.Form] | None = None,
    skip_rejected: bool = False,
) -> HttpResponse:
    """The proposals with one form each while the commissioner may write at `stage`;
    read-only for everyone else and afterwards. `failed` re-shows one form with its errors.
    With `skip_rejected`, rejected proposals get no form and are not counted."""
    if not _at_or_after(audit, stage):
        raise Http404
    editable = audit.status == stage and access.is_commissioner_of(request.user, audit)
    proposals = list(_proposals(audit))
    rows = []
    for proposal in proposals:
        proposal.left_out = skip_rejected and proposal.response == Proposal.Response.REJECTED
        form = None
        if editable and not proposal.left_out:
            form = failed[1] if failed and failed[0] == proposal.pk else None
            form = form or form_class.for_proposal(proposal)
        rows.append((proposal, form))
    context = {
        "audit": audit,
        "rows": rows,
        "editable": editable,
        "done": sum(
            1 for proposal in proposals if not proposal.left_out and getattr(proposal, done_field)
        ),
        "total": sum(1 for proposal in proposals if not proposal.left_out),
        "form": failed[1] if failed else None,
        "failed_pk": failed[0] if failed else None,
    }
    return render(request, template, context)


def _response_page(
    request: HttpRequest, audit: Audit, failed: tuple[int, ProposalResponseForm] | None = None
) -> HttpResponse:
    return _proposals_page(
        request,
        audit,
        stage=Audit.Status.FEEDBACK_HELD,
        form_class=ProposalResponseForm,
        template="audits/order/response.html",
        done_field="response",
        failed=failed,
    )


@login_required
def response(request: HttpRequest, pk: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    return _response_page(request, audit)


@login_required
@post_only("audits:response", "pk")
def proposal_respond(request: HttpRequest, pk: int, proposal: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    access.require(access.is_commissioner_of(request.user, audit))
    the_proposal = get_object_or_404(Proposal.objects.filter(audit=audit), pk=proposal)
    form = ProposalResponseForm.for_proposal(the_proposal, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.proposal_respond(
                proposal=the_proposal,
                by=request.user,
                response=data["response"],
                action=data["action"],
                owner=data["action_owner"],
                deadline=data["deadline"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                gettext("Your answer to proposal %(number)s is saved.")
                % {"number": the_proposal.number},
            )
            url = reverse("audits:response", args=[audit.pk])
            return redirect(f"{url}#proposal-{the_proposal.number}")
    return _response_page(request, audit, failed=(the_proposal.pk, form))


@login_required
@post_only("audits:response", "pk")
def response_submit(request: HttpRequest, pk: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    access.require(access.is_commissioner_of(request.user, audit))
    try:
        services.response_submit(audit=audit, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, gettext("Thank you! Your response is sent to the centre."))
    return redirect("audits:response", pk=audit.pk)


# --- The follow-up --------------------------------------------------------------------------


def _follow_up_page(
    request: HttpRequest, audit: Audit, failed: tuple[int, ProposalProgressForm] | None = None
) -> HttpResponse:
    return _proposals_page(
        request,
        audit,
        stage=Audit.Status.FOLLOW_UP,
        form_class=ProposalProgressForm,
        template="audits/order/follow_up.html",
        done_field="progress",
        failed=failed,
        # A rejected proposal has no work to report on (services.audit_close agrees).
        skip_rejected=True,
    )


@login_required
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    return _follow_up_page(request, audit)


@login_required
@post_only("audits:follow_up", "pk")
def proposal_progress(request: HttpRequest, pk: int, proposal: int) -> HttpResponse:
    audit = access.visible_audit(request.user, pk)
    access.require(access.is_commissioner_of(request.user, audit))
    the_proposal = get_object_or_404(Proposal.objects.filter(audit=audit), pk=proposal)
    form = ProposalProgressForm.for_proposal(the_proposal, request.POST)
    if form.is_valid():
        try:
            services.proposal_report_progress(
                proposal=the_proposal,
                by=request.user,
                progress=form.cleaned_data["progress"],
                note=form.cleaned_data["progress_note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                gettext("Your report on proposal %(number)s is saved.")
                % {"number": the_proposal.number},
            )
            url = reverse("audits:follow_up", args=[audit.pk])
            return redirect(f"{url}#proposal-{the_proposal.number}")
    return _follow_up_page(request, audit, failed=(the_proposal.pk, form))
