"""The demo shows the fieldwork pages with content: the collecting audit has its guides."""

import pytest

from audits.fieldwork.models import Guide, GuideKind, GuideQuestion
from audits.models import Audit

pytestmark = pytest.mark.django_db


def test_the_collecting_demo_audit_has_a_shared_interview_guide_and_a_draft_group_guide(
    seeded_demo,
):
    audit = Audit.objects.get(status=Audit.Status.COLLECTING)
    guides = {guide.kind: guide for guide in Guide.objects.filter(audit=audit)}

    assert set(guides) == {GuideKind.INTERVIEW, GuideKind.FOCUS_GROUP}
    assert guides[GuideKind.INTERVIEW].shared_at is not None
    assert GuideQuestion.objects.filter(section__guide=guides[GuideKind.INTERVIEW]).count() > 5
    assert guides[GuideKind.FOCUS_GROUP].shared_at is None
    assert guides[GuideKind.INTERVIEW].comments.exists()
