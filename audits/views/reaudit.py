"""Re-audits: the centre links a new audit of a unit to its earlier audit, and everyone who
may read both audits' results sees the two side by side."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from .. import access, services
from ..bank import comparison
from ..bank.forms import ReauditForm
from ..models import Audit
from .helpers import _add_error, _staff_audit


@login_required
def reaudit_link(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _staff_audit(request, pk)
    candidates = services.reaudit_candidates(audit)
    if request.method == "POST":
        form = ReauditForm(request.POST, candidates=candidates)
        if form.is_valid():
            try:
                services.audit_link_reaudit(
                    audit=audit, by=request.user, earlier=form.cleaned_data["earlier"]
                )
            except ValidationError as error:
                _add_error(form, error)
            else:
                messages.success(request, gettext("The link to the earlier audit is saved."))
                return redirect(audit)
    else:
        form = ReauditForm(candidates=candidates, initial={"earlier": audit.reaudit_of_id})
    return render(request, "audits/manage/reaudit.html", {"audit": audit, "form": form})


@login_required
@require_safe
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    """The audit next to the earlier audit it re-audits: for whoever may read the results
    of both (staff, the commissioner once the reports are approved, the teams)."""
    user = request.user
    later = access.visible_audit(user, pk, Audit.objects.select_related("organisation"))
    if later.reaudit_of_id is None:
        raise Http404
    earlier = access.visible_audit(
        user, later.reaudit_of_id, Audit.objects.select_related("organisation")
    )
    access.require(access.can_read_results(user, later) and access.can_read_results(user, earlier))
    if access.is_on_team(user, later) and not access.has_undertaking(user):
        # As on the audit's page: the auditor signs the undertaking before reading results.
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('audits:undertaking')}?{query}")
    context = {"comparison": comparison.compare(earlier, later), "public": False}
    return render(request, "audits/bank/compare.html", context)
