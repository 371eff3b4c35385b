"""The change history for staff: who changed what in audits, councils and the library."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..permissions import role_required
from ..roles import Role
from ..trail import ChangeFilterForm, changes, page_of_changes

PAGE_SIZE = 50


@role_required(Role.STAFF, Role.ADMIN)
def change_history(request: HttpRequest) -> HttpResponse:
    form = ChangeFilterForm(request.GET or None)
    context = {"form": form, "page_obj": None, "changes": []}
    if form.is_bound and not form.is_valid():
        return render(request, "brukarkraft/trail.html", context)
    filters = form.cleaned_data if form.is_bound else {}
    page_obj = Paginator(changes(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context.update(
        page_obj=page_obj,
        page_numbers=page_obj.paginator.get_elided_page_range(page_obj.number),
        changes=page_of_changes(list(page_obj.object_list)),
    )
    return render(request, "brukarkraft/trail.html", context)
