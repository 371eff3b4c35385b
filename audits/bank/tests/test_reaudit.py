"""Re-audits: the link is set by staff only, to an earlier audit of the same organisation's
unit, never in a loop, with a line in the history; the audits side by side for those who
may read both, and in the public bank only while both are published."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from audits import services as audit_services
from audits.bank import comparison, services
from audits.models import Audit, AuditEvent, Theme
from audits.tests.factories import audit_in_state

from .helpers import EVERYTHING, en, published_audit

pytestmark = pytest.mark.django_db
S = Audit.Status


def same_unit(earlier: Audit, later: Audit) -> None:
    """The later audit audits the earlier one's unit again."""
    later.units.add(earlier.units.get())


@pytest.fixture
def pair(commissioner, staff):
    earlier = audit_in_state(S.CLOSED, commissioner=commissioner, staff=staff, findings=4)
    later = audit_in_state(S.CLOSED, commissioner=commissioner, staff=staff, findings=2)
    same_unit(earlier, later)
    return earlier, later


def codes(error: ValidationError) -> list[str]:
    return [item.code for item in error.error_list]


# --- The link ---------------------------------------------------------------------------


def test_staff_link_a_reaudit_with_a_history_line(pair, staff):
    earlier, later = pair
    assert list(audit_services.reaudit_candidates(later)) == [earlier]

    audit_services.audit_link_reaudit(audit=later, earlier=earlier, by=staff)

    later.refresh_from_db()
    assert later.reaudit_of == earlier
    event = later.events.get(action=AuditEvent.Kind.REAUDIT_LINKED)
    assert event.by == staff and earlier.reference in event.comment

    audit_services.audit_link_reaudit(audit=later, earlier=None, by=staff)
    later.refresh_from_db()
    assert later.reaudit_of is None
    assert later.events.filter(action=AuditEvent.Kind.REAUDIT_LINKED).count() == 2


def test_only_staff_may_link(pair, commissioner, auditor):
    earlier, later = pair
    for person in (commissioner, auditor):
        with pytest.raises(PermissionDenied):
            audit_services.audit_link_reaudit(audit=later, earlier=earlier, by=person)
    later.refresh_from_db()
    assert later.reaudit_of is None


def test_the_link_is_refused_with_a_reason(pair, staff, commissioner, other_commissioner):
    earlier, later = pair
    elsewhere = audit_in_state(S.CLOSED, commissioner=other_commissioner, staff=staff)
    other_unit = audit_in_state(S.CLOSED, commissioner=commissioner, staff=staff)
    draft = audit_in_state(S.DRAFT, commissioner=commissioner)
    cases = [
        (later, later, "self"),
        (later, elsewhere, "other_organisation"),
        (later, other_unit, "other_unit"),
        (earlier, later, "not_earlier"),
    ]
    for audit, candidate, code in cases:
        with pytest.raises(ValidationError) as refused:
            audit_services.audit_link_reaudit(audit=audit, earlier=candidate, by=staff)
        assert codes(refused.value) == [code]
    # In the reader's language.
    with translation.override("sv"), pytest.raises(ValidationError) as refused:
        audit_services.audit_link_reaudit(audit=later, earlier=elsewhere, by=staff)
    assert "samma organisation" in refused.value.messages[0]
    assert draft not in audit_services.reaudit_candidates(later)
    assert not Audit.objects.filter(reaudit_of__isnull=False).exists()


def test_a_loop_is_refused(pair, staff):
    earlier, later = pair
    audit_services.audit_link_reaudit(audit=later, earlier=earlier, by=staff)
    # Dates entered wrongly would let the older audit look newer: the loop still stops it.
    Audit.objects.filter(pk=earlier.pk).update(created_at=later.created_at + timedelta(days=1))
    earlier.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        audit_services.audit_link_reaudit(audit=earlier, earlier=later, by=staff)

    assert codes(refused.value) == ["cycle"]


# --- The link page and the comparison for the parties ------------------------------------


def test_the_link_page_is_for_staff(client, pair, staff, commissioner, auditor):
    earlier, later = pair
    address = en("audits:reaudit_link", later.pk)
    client.force_login(commissioner)
    assert client.get(address).status_code == 403
    assert client.post(address, {"earlier": earlier.pk}).status_code == 403
    client.force_login(auditor)
    assert client.get(address).status_code == 404

    client.force_login(staff)
    page = client.get(address)
    assert page.status_code == 200 and earlier.reference in page.content.decode()
    response = client.post(address, {"earlier": earlier.pk})
    assert response.status_code == 302
    later.refresh_from_db()
    assert later.reaudit_of == earlier
    detail = client.get(en("audits:detail", later.pk)).content.decode()
    assert en("audits:compare", later.pk) in detail
    assert en("audits:reaudit_link", later.pk) in detail


def test_the_comparison_shows_what_improved(client, pair, staff, commissioner):
    earlier, later = pair
    audit_services.audit_link_reaudit(audit=later, earlier=earlier, by=staff)

    result = comparison.compare(earlier, later)

    by_theme = {change.theme: change for change in result.themes}
    # findings=4 before: treatment +, participation −, influence +, safety −; 2 now.
    assert by_theme[Theme.SAFETY].before_negative == 1
    assert by_theme[Theme.SAFETY].now_negative == 0
    assert by_theme[Theme.SAFETY].verdict == "improved"
    assert by_theme[Theme.INFLUENCE].verdict == "worse"  # a positive finding less
    assert by_theme[Theme.PARTICIPATION].verdict == "same"
    assert [p.pk for p in result.implemented] == [p.pk for p in earlier.proposals.all()]

    client.force_login(commissioner)
    page = client.get(en("audits:compare", later.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "What improved" in html and "Safety" in html
    assert 'aria-labelledby="chart-compare-title chart-compare-desc"' in html


def test_the_comparison_needs_both_audits(
    client, pair, staff, commissioner, other_commissioner, auditor
):
    earlier, later = pair
    address = en("audits:compare", later.pk)
    client.force_login(staff)
    assert client.get(address).status_code == 404  # not linked yet
    audit_services.audit_link_reaudit(audit=later, earlier=earlier, by=staff)
    assert client.get(address).status_code == 200

    client.force_login(other_commissioner)
    assert client.get(address).status_code == 404
    client.force_login(auditor)
    assert client.get(address).status_code == 404
    client.logout()
    assert client.get(address).status_code == 302

    # An auditor on the later audit's team only may not read the earlier one through it.
    member = later.members.first().user
    client.force_login(member)
    assert client.get(address).status_code == 404


def test_the_comparison_query_count_does_not_grow(
    client, commissioner, staff, django_assert_max_num_queries
):
    def page_queries(findings: int) -> None:
        earlier = audit_in_state(
            S.CLOSED, commissioner=commissioner, staff=staff, findings=findings
        )
        later = audit_in_state(S.CLOSED, commissioner=commissioner, staff=staff, findings=findings)
        same_unit(earlier, later)
        audit_services.audit_link_reaudit(audit=later, earlier=earlier, by=staff)
        client.force_login(staff)
        # Session, user, the two audits, the access checks, findings, proposals.
        with django_assert_max_num_queries(8):
            client.get(en("audits:compare", later.pk))

    page_queries(1)
    page_queries(7)


# --- In the public bank ------------------------------------------------------------------


def test_the_bank_compares_only_published_pairs(client, commissioner, staff):
    earlier = published_audit(commissioner=commissioner, staff=staff, findings=4)
    later = published_audit(commissioner=commissioner, staff=staff, findings=2)
    same_unit(earlier, later)
    audit_services.audit_link_reaudit(audit=later, earlier=earlier, by=staff)
    address = en("bank:compare", later.pk)

    page = client.get(address)
    assert page.status_code == 200
    assert "public" in page["Cache-Control"]
    assert page.context["comparison"].with_findings
    assert address in client.get(en("bank:detail", later.pk)).content.decode()
    assert address in client.get(en("bank:detail", earlier.pk)).content.decode()
    # Auditor names stay out, as on every bank page.
    for member in later.members.select_related("user"):
        assert member.user.full_name not in page.content.decode()

    services.withdraw(audit=earlier, by=commissioner, reason="Ändrad överenskommelse.")

    assert client.get(address).status_code == 404
    assert address not in client.get(en("bank:detail", later.pk)).content.decode()
    # An unlinked published audit has nothing to compare.
    assert client.get(en("bank:compare", earlier.pk)).status_code == 404


def test_the_bank_leaves_findings_out_when_the_terms_keep_them_back(client, commissioner, staff):
    earlier = published_audit(
        commissioner=commissioner,
        staff=staff,
        findings=2,
        terms={**EVERYTHING, "may_publish_findings": False, "may_publish_quotes": False},
    )
    later = published_audit(commissioner=commissioner, staff=staff, findings=2)
    same_unit(earlier, later)
    audit_services.audit_link_reaudit(audit=later, earlier=earlier, by=staff)

    page = client.get(en("bank:compare", later.pk))

    assert page.status_code == 200
    assert not page.context["comparison"].with_findings
    assert page.context["comparison"].themes == []
    assert "keeps them back" in page.content.decode()


def test_an_auditor_on_both_teams_reads_them_after_the_undertaking(client, commissioner, staff):
    from audits.models import ConfidentialityUndertaking
    from audits.tests.factories import trained_auditor

    team = [trained_auditor(), trained_auditor()]
    earlier = audit_in_state(S.CLOSED, commissioner=commissioner, staff=staff, auditors=team)
    later = audit_in_state(S.CLOSED, commissioner=commissioner, staff=staff, auditors=team)
    same_unit(earlier, later)
    audit_services.audit_link_reaudit(audit=later, earlier=earlier, by=staff)
    client.force_login(team[0])
    assert client.get(en("audits:compare", later.pk)).status_code == 200

    ConfidentialityUndertaking.objects.filter(user=team[0]).delete()

    response = client.get(en("audits:compare", later.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(en("audits:undertaking"))


def test_the_bank_comparison_is_three_queries(
    client, commissioner, staff, django_assert_max_num_queries
):
    earlier = published_audit(commissioner=commissioner, staff=staff, findings=6)
    later = published_audit(commissioner=commissioner, staff=staff, findings=5)
    same_unit(earlier, later)
    audit_services.audit_link_reaudit(audit=later, earlier=earlier, by=staff)

    # The pair with its terms, the findings counted, the proposals.
    with django_assert_max_num_queries(3):
        response = client.get(en("bank:compare", later.pk))
    assert response.status_code == 200
