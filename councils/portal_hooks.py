"""What the user councils contribute to the portal's core (brukarkraft.registry): their
demo data, personal-data section, change history on the staff trail, a row on "What we
keep", the admins' daily reminder on beat and the staff role's permissions in admin."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab
from django.urls import reverse

from brukarkraft import registry
from brukarkraft.roles import Role

from . import privacy, records
from .models import Council


def _seed_demo(demo: registry.DemoData) -> tuple[Any, str]:
    from .demo import seed

    councils = seed(people=demo.people, organisations=demo.organisations)
    return councils, f"{len(councils)} user councils"


def _trail_links(records: dict[str, list]):
    council_ids = {r.id for r in records.get("council", [])} | {
        r.council_id for r in records.get("member", [])
    }
    found = dict(Council.objects.filter(pk__in=council_ids).order_by().values_list("pk", "slug"))

    def url(key: str, record) -> str | None:
        if key == "council" and record.id in found:
            return reverse("councils:detail", args=[found[record.id]])
        if key == "member" and record.council_id in found:
            return reverse("councils:detail", args=[found[record.council_id]])
        return None

    return url


registry.register_demo("councils", _seed_demo, order=30)
registry.register_privacy_section(privacy, order=20)
registry.register_trail(
    registry.TrailSource(
        models={"council": "councils.Council", "member": "councils.Member"}, links=_trail_links
    ),
    order=20,
)
registry.register_records(records.kept_items, order=30)
registry.register_beat(
    "council-reminders", "councils.tasks.remind_council_admins", crontab(hour=7, minute=15)
)


# Council secretaries at the centre run the councils in admin: they see and add and change
# every councils model; state changes still go through councils.services (admin's buttons).
_COUNCILS_MODELS = [
    "agendaitem",
    "annualreport",
    "appointmentrequest",
    "assessment",
    "assessmentanswer",
    "attendance",
    "case",
    "council",
    "document",
    "mandateversion",
    "meeting",
    "member",
    "nomination",
    "seat",
]
COUNCILS_STAFF_PERMISSIONS = [
    f"councils.{verb}_{name}" for name in _COUNCILS_MODELS for verb in ("view", "add", "change")
]
registry.register_role_permissions(Role.STAFF, COUNCILS_STAFF_PERMISSIONS)
