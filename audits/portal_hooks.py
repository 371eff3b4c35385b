"""What the user audits contribute to the portal's core (brukarkraft.registry): their demo
data, retention rules, personal-data section, change history on the staff trail, panels on
the commissioner's, auditor's and staff start pages, rows on "What we keep", notice kinds,
beat jobs and the staff role's permissions in admin."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab
from django.db.models import Q
from django.urls import reverse

from brukarkraft import registry
from brukarkraft.roles import Role

from . import privacy, records, retention
from .models import Audit, Notification


def _seed_demo(demo: registry.DemoData) -> tuple[Any, str]:
    from .demo import seed

    # The demo audit links the first demo survey (audits may read surveys: docs/domain.md).
    audits = seed(
        people=demo.people, organisations=demo.organisations, survey=demo.results["surveys"][0]
    )
    return audits, f"{Audit.objects.count()} user audits"


def _commissioner_start(user) -> dict:
    # One query for the organisations' audits and the user's own drafts (colleagues'
    # drafts are theirs alone); the quote comes along for the "next step" column.
    audits = list(
        Audit.objects.filter(organisation__memberships__user=user)
        .filter(~Q(status=Audit.Status.DRAFT) | Q(ordered_by=user))
        .select_related("organisation", "quote")
        .order_by("-created_at", "-pk")
    )
    return {
        "audits": [audit for audit in audits if audit.status != Audit.Status.DRAFT],
        "drafts": [audit for audit in audits if audit.status == Audit.Status.DRAFT],
    }


def _auditor_start(user) -> dict:
    from .views.conduct import auditor_start_context

    return auditor_start_context(user)


def _staff_start(user) -> dict:
    # Everything that waits for the centre, in one query: new orders, audits to plan,
    # drafts to approve, responses to follow up and follow-ups to close.
    waiting = Audit.objects.waiting_counts()
    return {"waiting": waiting, "audits_requested": waiting["requested"]}


def _public_start(user) -> dict:
    # The public home page shows the latest reports of the report bank (audits/bank/).
    from .bank.selectors import latest

    return {"latest_publications": latest(), "home_panels": ["audits/bank/_latest.html"]}


def _trail_visible(key: str, rows):
    # A draft order is the commissioner's own until it is sent, as on the audit pages.
    return rows.exclude(status="draft") if key == "audit" else rows


def _trail_links(records: dict[str, list]):
    audit_ids = {r.id for r in records.get("audit", [])}
    for key in ("finding", "proposal"):
        audit_ids |= {r.audit_id for r in records.get(key, [])}
    # Staff never see drafts: their pages would be 404.
    found = set(
        Audit.objects.filter(pk__in=audit_ids)
        .exclude(status="draft")
        .order_by()
        .values_list("pk", flat=True)
    )

    def url(key: str, record) -> str | None:
        if key == "audit" and record.id in found:
            return reverse("audits:detail", args=[record.id])
        if key in ("finding", "proposal") and record.audit_id in found:
            return reverse(f"audits:{key}s", args=[record.audit_id])
        return None

    return url


registry.register_demo("audits", _seed_demo, order=20)
registry.register_retention_rules(retention.RULES, order=20)
registry.register_privacy_section(privacy, order=10)
registry.register_trail(
    registry.TrailSource(
        models={
            "audit": "audits.Audit",
            "finding": "audits.Finding",
            "proposal": "audits.Proposal",
        },
        links=_trail_links,
        visible=_trail_visible,
    ),
    order=10,
)
registry.register_start_page(Role.COMMISSIONER, _commissioner_start)
registry.register_start_page(Role.AUDITOR, _auditor_start)
registry.register_start_page(Role.STAFF, _staff_start)
registry.register_start_page("public", _public_start)
registry.register_records(records.kept_items, order=10)
registry.register_notice_kinds("audits", Notification.Kind.choices)
registry.register_beat(
    "audit-reminders", "audits.tasks.send_due_reminders", crontab(hour=7, minute=5)
)
registry.register_beat(
    "requeue-stale-reports", "audits.tasks.requeue_stale_reports", crontab(minute="*/10")
)
registry.register_beat(
    "requeue-missing-public-reports",
    "audits.bank.tasks.requeue_missing_public_reports",
    crontab(minute="*/10"),
)
registry.register_beat(
    "requeue-stale-guide-pdfs",
    "audits.fieldwork.tasks.requeue_stale_guide_pdfs",
    crontab(minute="*/10"),
)

# Staff look after the audit pool and the fees in admin; every model is visible to them.
# History (events), frozen reports, notifications and the workflow's own records are
# read-only there: they change only through audits.services.
_AUDITS_VIEW = [
    "audit",
    "auditevent",
    "auditmember",
    "auditorprofile",
    "confidentialityundertaking",
    "conflict",
    "coordinator",
    "datacollection",
    "feeentry",
    "finding",
    "notification",
    "proposal",
    "quote",
    "reportversion",
    "unit",
]
_AUDITS_ADD = ["auditorprofile", "conflict", "coordinator", "feeentry", "unit"]
_AUDITS_CHANGE = ["audit", "auditorprofile", "conflict", "coordinator", "feeentry", "unit"]
_AUDITS_DELETE = ["conflict", "coordinator"]
AUDITS_STAFF_PERMISSIONS = [
    *(f"audits.view_{name}" for name in _AUDITS_VIEW),
    *(f"audits.add_{name}" for name in _AUDITS_ADD),
    *(f"audits.change_{name}" for name in _AUDITS_CHANGE),
    *(f"audits.delete_{name}" for name in _AUDITS_DELETE),
    # The question bank of the guides: staff keep it; guides are only shown.
    "audits.view_bankquestion",
    "audits.add_bankquestion",
    "audits.change_bankquestion",
    *(
        f"audits.view_{name}"
        for name in ("guide", "guidesection", "guidequestion", "guidecomment", "guidepdf")
    ),
]
registry.register_role_permissions(Role.STAFF, AUDITS_STAFF_PERMISSIONS)
