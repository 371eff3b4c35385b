"""Demo data of the report bank for `seed_demo`: the closed demo audit is published (its
terms allow the report, findings and quotes), so the bank has content; the reported audit
of Jobbtorget Vivalla gets terms allowing the report and findings but not the quotes, for
the demo commissioner to consent to and the demo staff to publish. Daglig verksamhet
Kumla's two audits are published too, the later linked as a re-audit of the earlier, so
the national picture has figures and the two can be read side by side. Runs again safely."""

from __future__ import annotations

from audits import services as audit_services
from audits.models import Audit
from brukarkraft.models import User

from . import services
from .models import Publication

PUBLISHED_TITLE = "Uppföljning av Jobbtorget Vivalla 2025"
WAITING_TITLE = "Bemötande och delaktighet på Jobbtorget Vivalla"
EARLIER_TITLE = "Brukarrevision av Daglig verksamhet Kumla 2024"
REAUDIT_TITLE = "Ny brukarrevision av Daglig verksamhet Kumla"


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
    earlier = Audit.objects.filter(title=EARLIER_TITLE).first()
    reaudit = Audit.objects.filter(title=REAUDIT_TITLE).first()
    if earlier is not None and reaudit is not None and reaudit.reaudit_of_id is None:
        audit_services.audit_link_reaudit(audit=reaudit, earlier=earlier, by=staff)
    for title in (PUBLISHED_TITLE, EARLIER_TITLE, REAUDIT_TITLE):
        closed = Audit.objects.filter(title=title).first()
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
