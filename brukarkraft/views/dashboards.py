"""Start pages: each role lands on its own page after logging in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .. import registry, selectors, services
from ..http import post_only
from ..models import JoinRequest
from ..permissions import role_required
from ..roles import Role

START_PAGES = {
    Role.ADMIN: "start_admin",
    Role.STAFF: "start_staff",
    Role.AUDITOR: "start_auditor",
    Role.COMMISSIONER: "start_commissioner",
}


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Send the user to their role's start page, or explain that they have no role yet."""
    role = request.user.primary_role
    if role in START_PAGES:
        return redirect(START_PAGES[role])
    return render(request, "brukarkraft/start_no_role.html")


def _notices(user) -> list:
    return list(selectors.open_notices(user))


@login_required
@post_only("start")
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a line off the person's own "new for you" list."""
    services.notice_mark_read(user=request.user, pk=pk)
    return redirect("start")


@role_required(Role.COMMISSIONER)
def commissioner_home(request: HttpRequest) -> HttpResponse:
    context = {
        "notices": _notices(request.user),
        "organisations": selectors.organisations_with_colleagues(request.user),
        # The apps' panels (portal_hooks): the audits' orders and drafts.
        **registry.start_page_context(Role.COMMISSIONER, request.user),
    }
    return render(request, "brukarkraft/start_commissioner.html", context)


@role_required(Role.AUDITOR)
def auditor_home(request: HttpRequest) -> HttpResponse:
    context = {
        "notices": _notices(request.user),
        "organisations": selectors.organisations_of(request.user),
        **registry.start_page_context(Role.AUDITOR, request.user),
    }
    return render(request, "brukarkraft/start_auditor.html", context)


@role_required(Role.STAFF, Role.ADMIN)
def staff_home(request: HttpRequest) -> HttpResponse:
    feedback_by_status = selectors.open_feedback_by_status()
    counties = list(selectors.organisations_per_county())
    context = {
        "notices": _notices(request.user),
        # The apps' panels (portal_hooks): what waits in the audits' work queue.
        **registry.start_page_context(Role.STAFF, request.user),
        "feedback_by_status": feedback_by_status,
        "open_feedback_total": sum(row.count for row in feedback_by_status),
        "organisations_by_kind": selectors.organisations_by_kind(),
        "counties": counties,
        "counties_reached": sum(1 for county in counties if county.organisation_count),
        "users_per_role": selectors.users_per_role(),
        "join_requests_pending": JoinRequest.objects.pending().count(),
    }
    return render(request, "brukarkraft/start_staff.html", context)


@role_required(Role.ADMIN)
def admin_home(request: HttpRequest) -> HttpResponse:
    context = {
        "notices": _notices(request.user),
        "users_per_role": selectors.users_per_role(),
        "organisation_count": selectors.organisation_count(),
        "open_feedback_count": selectors.open_feedback_count(),
    }
    return render(request, "brukarkraft/start_admin.html", context)
