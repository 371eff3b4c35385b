"""Accessibility feedback: the public form, and the inbox where staff handle it."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from ..faults import SUBMISSION_MEMORY_SECONDS
from ..forms import FeedbackForm, FeedbackHandleForm, FeedbackStatusFilterForm, local_path
from ..models import AccessibilityFeedback
from ..permissions import role_required
from ..ratelimits import limit_posts
from ..roles import Role
from ..services import feedback_submit, feedback_update
from .pages import FEEDBACK_REPLY_WORKING_DAYS

INBOX_PAGE_SIZE = 50


def _submission_key(data: dict) -> str:
    # The content is part of the key: going back and sending a different message
    # from the same page is a new report, while sending the same one again is not.
    content = "\x1f".join(
        str(data[name])
        for name in ("kind", "requested_format", "page_url", "message", "name", "email")
    )
    digest = hashlib.sha256(content.encode()).hexdigest()
    return f"feedback:submission:{data['submission_id']}:{digest}"


@limit_posts("feedback")
def feedback_create(request: HttpRequest) -> HttpResponse:
    """The feedback form; anyone may send it, logged in or not, with or without a name."""
    host = request.get_host()
    if request.method == "POST":
        form = FeedbackForm(request.POST, host=host)
        if form.is_valid():
            data = form.cleaned_data
            key = _submission_key(data)
            # None: Redis is down (django-redis ignores the error). Storing the feedback,
            # perhaps twice, is then better than dropping it.
            if cache.add(key, 1, timeout=SUBMISSION_MEMORY_SECONDS) is not False:
                try:
                    feedback_submit(
                        kind=data["kind"],
                        message=data["message"],
                        language=translation.get_language(),
                        page_url=data["page_url"],
                        requested_format=data["requested_format"],
                        name=data["name"],
                        email=data["email"],
                    )
                except DatabaseError:
                    # Nothing was stored, so sending the form again must be allowed.
                    cache.delete(key)
                    raise
            thanks = reverse("feedback_thanks")
            if data["page_url"]:
                thanks += "?" + urlencode({"page": data["page_url"]})
            return redirect(thanks)
    else:
        initial = {}
        page = local_path(request.GET.get("page", ""), host=host)
        if page:
            initial["page_url"] = page
        if request.GET.get("kind") in AccessibilityFeedback.Kind.values:
            initial["kind"] = request.GET["kind"]
        form = FeedbackForm(initial=initial, host=host)
    return render(request, "brukarkraft/feedback_form.html", {"form": form})


def feedback_thanks(request: HttpRequest) -> HttpResponse:
    context = {
        "back_to": local_path(request.GET.get("page", "")),
        "reply_days": FEEDBACK_REPLY_WORKING_DAYS,
    }
    return render(request, "brukarkraft/feedback_thanks.html", context)


@role_required(Role.STAFF, Role.ADMIN)
def feedback_inbox(request: HttpRequest) -> HttpResponse:
    """All feedback, newest first, optionally of one status, with counts per status."""
    filter_form = FeedbackStatusFilterForm(request.GET or None)
    status = filter_form.cleaned_data["status"] if filter_form.is_valid() else ""

    counts = dict(
        AccessibilityFeedback.objects.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    status_counts = [
        (value, label, counts.get(value, 0))
        for value, label in AccessibilityFeedback.Status.choices
    ]

    feedback = AccessibilityFeedback.objects.select_related("handled_by").order_by(
        "-created_at", "-pk"
    )
    if status:
        feedback = feedback.filter(status=status)
    page = Paginator(feedback, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))

    context = {
        "filter_form": filter_form,
        "status": status,
        "status_label": AccessibilityFeedback.Status(status).label if status else "",
        "status_counts": status_counts,
        "total_count": sum(counts.values()),
        "page_obj": page,
        "feedback_list": page.object_list,
    }
    return render(request, "brukarkraft/feedback_inbox.html", context)


@role_required(Role.STAFF, Role.ADMIN)
def feedback_handle(request: HttpRequest, pk: int) -> HttpResponse:
    """Read one piece of feedback in full and record its status and a note."""
    feedback = get_object_or_404(AccessibilityFeedback.objects.select_related("handled_by"), pk=pk)
    form = FeedbackHandleForm(
        request.POST or None,
        initial={"status": feedback.status, "staff_note": feedback.staff_note},
    )
    if request.method == "POST" and form.is_valid():
        feedback = feedback_update(
            feedback=feedback,
            by=request.user,
            status=form.cleaned_data["status"],
            staff_note=form.cleaned_data["staff_note"],
        )
        messages.success(
            request,
            gettext("Saved. The feedback now has the status “%(status)s”.")
            % {"status": feedback.get_status_display()},
        )
        return redirect("feedback_handle", pk=feedback.pk)
    context = {"form": form, "feedback": feedback, "page_link": local_path(feedback.page_url)}
    return render(request, "brukarkraft/feedback_handle.html", context)
