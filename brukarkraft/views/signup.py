"""Confirming a new account's e-mail address, and staff deciding requests to join an
organisation that already has an account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext

from ..http import post_only
from ..models import JoinRequest
from ..permissions import role_required
from ..ratelimits import limit_posts
from ..roles import Role
from ..services import join_request_decide, signup_confirm

LOGIN_BACKEND = "brukarkraft.backends.EmailBackend"
STAFF_ROLES = (Role.STAFF, Role.ADMIN)


def signup_sent(request: HttpRequest) -> HttpResponse:
    """The same page whether or not the address had an account."""
    return render(request, "brukarkraft/signup_sent.html")


@limit_posts("login")
def signup_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    # The link only shows a button: mail scanners that open links must not use it up.
    if request.method != "POST":
        return render(request, "brukarkraft/signup_confirm.html", {"token": token})
    result = signup_confirm(token=token)
    if result is None:
        return render(request, "brukarkraft/signup_confirm.html", {"invalid": True}, status=400)
    user, join_request = result
    login(request, user, backend=LOGIN_BACKEND)
    if join_request is None:
        messages.success(request, gettext("Your account is ready. You can now order a user audit."))
    else:
        messages.success(
            request,
            gettext(
                "Your account is ready. %(organisation)s already has an account with us: your"
                " request to join it waits for the resource centre, and we write to you when"
                " it is decided."
            )
            % {"organisation": join_request.organisation.name},
        )
    return redirect("start")


@role_required(*STAFF_ROLES)
def join_requests(request: HttpRequest) -> HttpResponse:
    pending = JoinRequest.objects.pending().select_related("user", "organisation")
    decided = (
        JoinRequest.objects.exclude(status=JoinRequest.Status.PENDING)
        .select_related("user", "organisation", "decided_by")
        .order_by("-decided_at", "-pk")[:20]
    )
    return render(
        request, "brukarkraft/join_requests.html", {"pending": pending, "decided": decided}
    )


@role_required(*STAFF_ROLES)
@post_only("join_requests")
def join_request_decision(request: HttpRequest, pk: int) -> HttpResponse:
    join_request = get_object_or_404(JoinRequest, pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        join_request = join_request_decide(
            join_request=join_request, by=request.user, approve=approve
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        values = {
            "person": join_request.user.full_name,
            "organisation": join_request.organisation.name,
        }
        if approve:
            messages.success(request, gettext("%(person)s has joined %(organisation)s.") % values)
        else:
            messages.success(
                request,
                gettext("The request of %(person)s to join %(organisation)s is declined.") % values,
            )
    return redirect("join_requests")
