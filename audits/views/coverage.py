"""Coverage across the counties: audits and proposals per county, with a bar chart."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from brukarkraft.models import County
from brukarkraft.permissions import role_required
from brukarkraft.roles import Role

from ..models import Audit, Proposal

# --- Coverage across the counties -------------------------------------------------------


@dataclass
class CoverageRow:
    name: str
    code: str
    active: int = 0
    closed: int = 0
    proposals: int = 0
    answered: int = 0
    accepted: int = 0
    implemented: int = 0


# The chart's geometry in SVG user units; the SVG scales to the width of the page.
CHART_LABEL_WIDTH = 230
CHART_BAR_WIDTH = 330
CHART_BAR_HEIGHT = 16
CHART_ROW_HEIGHT = 48
CHART_TOP = 10


def _chart(rows: list[CoverageRow]) -> dict:
    """Bar lengths and positions for the inline SVG: two labelled bars per county."""
    top = max([1, *(max(row.active, row.closed) for row in rows)])
    bars = []
    for index, row in enumerate(rows):
        y = CHART_TOP + index * CHART_ROW_HEIGHT
        active = round(row.active / top * CHART_BAR_WIDTH)
        closed = round(row.closed / top * CHART_BAR_WIDTH)
        bars.append(
            {
                "row": row,
                "label_y": y + CHART_BAR_HEIGHT,
                "active_y": y,
                "closed_y": y + CHART_BAR_HEIGHT + 4,
                "active_width": active,
                "closed_width": closed,
                "active_text_x": CHART_LABEL_WIDTH + active + 6,
                "closed_text_x": CHART_LABEL_WIDTH + closed + 6,
                "active_text_y": y + CHART_BAR_HEIGHT - 3,
                "closed_text_y": y + 2 * CHART_BAR_HEIGHT + 1,
            }
        )
    return {
        "bars": bars,
        "bar_x": CHART_LABEL_WIDTH,
        "label_x": CHART_LABEL_WIDTH - 8,
        "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 110,
        "height": CHART_TOP * 2 + len(rows) * CHART_ROW_HEIGHT,
        "bar_height": CHART_BAR_HEIGHT,
    }


@role_required(Role.STAFF, Role.ADMIN)
def coverage(request: HttpRequest) -> HttpResponse:
    """Audits and proposals per county, every county listed: the goal is all 21."""
    S = Audit.Status
    audit_counts = {
        row["county"]: row
        for row in Audit.objects.exclude(status__in=[S.DRAFT, S.CANCELLED])
        .order_by()
        .values("county")
        .annotate(
            active=Count("pk", filter=~Q(status=S.CLOSED)),
            closed=Count("pk", filter=Q(status=S.CLOSED)),
        )
    }
    proposal_counts = {
        row["audit__county"]: row
        for row in Proposal.objects.exclude(audit__status__in=[S.DRAFT, S.CANCELLED])
        .order_by()
        .values("audit__county")
        .annotate(
            total=Count("pk"),
            answered=Count("pk", filter=~Q(response="")),
            accepted=Count(
                "pk",
                filter=Q(response__in=[Proposal.Response.ACCEPTED, Proposal.Response.PARTLY]),
            ),
            implemented=Count("pk", filter=Q(progress=Proposal.Progress.IMPLEMENTED)),
        )
    }

    def row_for(name: str, code: str, key) -> CoverageRow:
        audits = audit_counts.get(key, {})
        proposals = proposal_counts.get(key, {})
        return CoverageRow(
            name=name,
            code=code,
            active=audits.get("active", 0),
            closed=audits.get("closed", 0),
            proposals=proposals.get("total", 0),
            answered=proposals.get("answered", 0),
            accepted=proposals.get("accepted", 0),
            implemented=proposals.get("implemented", 0),
        )

    rows = [row_for(county.name, county.code, county.pk) for county in County.objects.all()]
    unplaced = row_for(gettext("County not given"), "", None)
    national = CoverageRow(name=gettext("Sweden"), code="")
    for row in [*rows, unplaced]:
        for field in ("active", "closed", "proposals", "answered", "accepted", "implemented"):
            setattr(national, field, getattr(national, field) + getattr(row, field))
    context = {
        "rows": rows,
        "unplaced": unplaced if unplaced.active or unplaced.closed or unplaced.proposals else None,
        "national": national,
        "counties_reached": sum(1 for row in rows if row.active or row.closed),
        "chart": _chart(rows),
    }
    return render(request, "audits/manage/coverage.html", context)
