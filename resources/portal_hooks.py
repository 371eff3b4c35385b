"""What the library contributes to the portal's core (brukarkraft.registry): its demo data
(library, courses, guidance), personal-data section, the resources' change history on the
staff trail, a row on "What we keep", publishing on beat and the staff role's permissions."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab
from django.urls import reverse

from brukarkraft import registry
from brukarkraft.roles import Role

from . import privacy, records
from .models import Resource


def _seed_demo(demo: registry.DemoData) -> tuple[Any, str]:
    from .demo import seed

    library = seed(people=demo.people, organisations=demo.organisations)
    return library, (
        f"{len(library['resources'])} library resources, {len(library['courses'])} courses"
    )


def _trail_links(records: dict[str, list]):
    found = set(
        Resource.objects.filter(pk__in={r.id for r in records.get("resource", [])})
        .order_by()
        .values_list("pk", flat=True)
    )

    def url(key: str, record) -> str | None:
        if key == "resource" and record.id in found:
            return reverse("resources:edit", args=[record.id])
        return None

    return url


registry.register_demo("resources", _seed_demo, order=40)
registry.register_privacy_section(privacy, order=30)
registry.register_trail(
    registry.TrailSource(models={"resource": "resources.Resource"}, links=_trail_links), order=30
)
registry.register_records(records.kept_items, order=40)
registry.register_beat(
    "publish-due-resources", "resources.tasks.publish_due_resources", crontab(minute="*/5")
)


# The resource centre runs its library, courses and guidance in the portal and in admin:
# staff see, add and change every resources model. Admin itself keeps the workflow's
# records (versions, reviews, attendance, training records) read-only and sends status
# changes through resources.services.
_RESOURCES_MODELS = [
    "attachment",
    "course",
    "coursesession",
    "guidancerequest",
    "registration",
    "resource",
    "resourceversion",
    "review",
    "sessionattendance",
    "trainingrecord",
]
RESOURCES_STAFF_PERMISSIONS = [
    f"resources.{verb}_{name}" for name in _RESOURCES_MODELS for verb in ("view", "add", "change")
]
registry.register_role_permissions(Role.STAFF, RESOURCES_STAFF_PERMISSIONS)
