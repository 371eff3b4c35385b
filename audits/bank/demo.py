"""Demo data of the report bank for `seed_demo`: the closed demo audit is published (its
terms allow the report, findings and quotes), so the bank has content; the reported audit
of Jobbtorget Vivalla gets terms allowing the report and findings but not the quotes, for
the demo commissioner to consent to and the demo staff to publish. Runs again safely."""

from __future__ import annotations

from audits.models import Audit
from brukarkraft.models import User

from . import services
from .models import Publication

PUBLISHED_TITLE = "Uppföljning av Jobbtorget Vivalla 2025"
WAITING_TITLE = "Bemötande och delaktighet på Jobbtorget Vivalla"


def seed(*, people: dict[str, User]) -> int:
    """Returns how many demo reports are published."""
    demo = "demo.brukarkraft.se"
    commissioner = people[f"bestallare@{demo}"]
    staff = people[f"personal@{demo}"]
    everything = {
        "may_publish_report": True,
        "may_publish_findings": True,
        "may_publish_quotes": True,
        "publish_from": None,
    }
    closed = Audit.objects.filter(title=PUBLISHED_TITLE).first()
    if closed is not None and not Publication.objects.filter(audit=closed).exists():
        services.terms_save(audit=closed, by=staff, data=everything)
        services.consent(audit=closed, by=commissioner)
        services.publish(audit=closed, by=staff)
    waiting = Audit.objects.filter(title=WAITING_TITLE).first()
    if waiting is not None and services.terms_of(waiting) is None:
        services.terms_save(
            audit=waiting, by=staff, data={**everything, "may_publish_quotes": False}
        )
    return Publication.objects.public().count()
