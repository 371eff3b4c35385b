"""What the surveys contribute to the portal's core (brukarkraft.registry): their demo data
(seeded first: the demo audit links a survey), retention rules, personal-data section,
rows on "What we keep" and the nightly purge of expired answers on beat."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from brukarkraft import registry

from . import privacy, records, retention


def _seed_demo(demo: registry.DemoData) -> tuple[Any, str]:
    from .demo import seed

    surveys = seed(staff=demo.people["personal@demo.brukarkraft.se"])
    return surveys, f"{len(surveys)} surveys"


registry.register_demo("surveys", _seed_demo, order=10)
registry.register_retention_rules(retention.RULES, order=10)
registry.register_privacy_section(privacy, order=40)
registry.register_records(records.kept_items, order=20)
registry.register_beat(
    "purge-expired-survey-answers",
    "surveys.tasks.purge_expired_raw_answers",
    crontab(hour=3, minute=37),
)
