"""Publication terms, consent, publishing and withdrawal: the rules and the history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audits.bank import services
from audits.bank.models import Publication, PublicationFacet
from audits.models import Audit, AuditEvent
from audits.tests.factories import audit_in_state
from brukarkraft.roles import Role
from brukarkraft.tests.factories import UserFactory

from .helpers import EVERYTHING, published_audit, with_pdf

pytestmark = pytest.mark.django_db
S = Audit.Status


@pytest.fixture
def approved(commissioner, staff):
    audit = with_pdf(audit_in_state(S.REPORT_APPROVED, commissioner=commissioner, staff=staff))
    services.terms_save(audit=audit, by=staff, data=EVERYTHING)
    return audit


def test_publishing_takes_the_commissioner_and_someone_else_at_the_centre(
    approved, commissioner, staff
):
    services.consent(audit=approved, by=commissioner)
    publication = services.publish(audit=approved, by=staff)

    assert publication.status == Publication.Status.PUBLISHED
    assert publication.consented_by == commissioner
    assert publication.published_by == staff
    assert publication.published_at is not None
    actions = list(
        AuditEvent.objects.filter(audit=approved).order_by("pk").values_list("action", "by")
    )[-3:]
    assert actions == [
        ("publication_terms_saved", staff.pk),
        ("publication_consented", commissioner.pk),
        ("report_published", staff.pk),
    ]


def test_one_person_cannot_both_consent_and_publish(approved, organisation, staff):
    # Someone who is both commissioner and staff still needs a second person.
    both = UserFactory(roles=[Role.COMMISSIONER, Role.STAFF])
    from brukarkraft.tests.factories import MembershipFactory

    MembershipFactory(user=both, organisation=organisation)
    services.consent(audit=approved, by=both)

    with pytest.raises(ValidationError) as refused:
        services.publish(audit=approved, by=both)

    assert refused.value.code == "same_person"
    assert Publication.objects.get(audit=approved).status == Publication.Status.CONSENTED


def test_nothing_is_published_without_consent(approved, staff):
    with pytest.raises(ValidationError) as refused:
        services.publish(audit=approved, by=staff)
    assert refused.value.code == "no_consent"


def test_a_report_not_yet_approved_cannot_be_consented(commissioner, staff):
    audit = audit_in_state(S.REPORT_DRAFT, commissioner=commissioner, staff=staff)
    services.terms_save(audit=audit, by=staff, data=EVERYTHING)

    with pytest.raises(ValidationError) as refused:
        services.consent(audit=audit, by=commissioner)

    assert refused.value.code == "not_approved"
    assert not Publication.objects.exists()


def test_terms_that_keep_the_report_back_stop_publishing(approved, commissioner, staff):
    services.terms_save(audit=approved, by=staff, data={**EVERYTHING, "may_publish_report": False})

    with pytest.raises(ValidationError) as refused:
        services.consent(audit=approved, by=commissioner)

    assert refused.value.code == "not_allowed"


def test_without_terms_nothing_can_be_published(commissioner, staff):
    audit = with_pdf(audit_in_state(S.REPORT_APPROVED, commissioner=commissioner, staff=staff))
    with pytest.raises(ValidationError) as refused:
        services.consent(audit=audit, by=commissioner)
    assert refused.value.code == "not_allowed"


def test_publishing_waits_for_the_agreed_date(approved, commissioner, staff):
    later = timezone.localdate() + timedelta(days=10)
    services.terms_save(audit=approved, by=staff, data={**EVERYTHING, "publish_from": later})

    with pytest.raises(ValidationError) as refused:
        services.consent(audit=approved, by=commissioner)

    assert refused.value.code == "too_early"


def test_terms_never_allow_a_part_without_its_whole(approved, staff):
    terms = services.terms_save(
        audit=approved,
        by=staff,
        data={**EVERYTHING, "may_publish_report": False},
    )
    assert (terms.may_publish_findings, terms.may_publish_quotes) == (False, False)


def test_terms_are_fixed_while_consent_stands(approved, commissioner, staff):
    services.consent(audit=approved, by=commissioner)
    with pytest.raises(PermissionDenied):
        services.terms_save(audit=approved, by=staff, data=EVERYTHING)


def test_an_auditor_cannot_publish(approved, commissioner):
    services.consent(audit=approved, by=commissioner)
    lead = approved.members.get(role="lead").user

    with pytest.raises(PermissionDenied):
        services.publish(audit=approved, by=lead)
    with pytest.raises(PermissionDenied):
        services.consent(audit=approved, by=lead)
    with pytest.raises(PermissionDenied):
        services.terms_save(audit=approved, by=lead, data=EVERYTHING)


def test_the_commissioner_of_another_organisation_cannot_consent(approved, other_commissioner):
    with pytest.raises(PermissionDenied):
        services.consent(audit=approved, by=other_commissioner)
    assert not Publication.objects.exists()


def test_the_commissioner_may_withdraw_with_a_reason(commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff)

    with pytest.raises(ValidationError):
        services.withdraw(audit=audit, by=commissioner, reason="  ")
    publication = services.withdraw(audit=audit, by=commissioner, reason="Enheten har bytt namn.")

    assert publication.status == Publication.Status.WITHDRAWN
    assert publication.withdrawn_by == commissioner
    event = AuditEvent.objects.filter(audit=audit).latest("pk")
    assert (event.action, event.comment) == ("report_withdrawn", "Enheten har bytt namn.")
    assert not Publication.objects.public().exists()


def test_another_commissioner_or_an_auditor_cannot_withdraw(
    commissioner, staff, other_commissioner
):
    audit = published_audit(commissioner=commissioner, staff=staff)
    lead = audit.members.get(role="lead").user
    for person in (other_commissioner, lead):
        with pytest.raises(PermissionDenied):
            services.withdraw(audit=audit, by=person, reason="Nej.")
    assert Publication.objects.get(audit=audit).status == Publication.Status.PUBLISHED


def test_a_withdrawn_report_can_be_consented_and_published_again(commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff)
    services.withdraw(audit=audit, by=staff, reason="Fel i rapporten.")

    services.consent(audit=audit, by=commissioner)
    publication = services.publish(audit=audit, by=staff)

    assert publication.status == Publication.Status.PUBLISHED
    assert publication.reason == ""


def test_publishing_records_the_facets_of_the_audit(commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff, findings=3)
    facets = set(
        PublicationFacet.objects.filter(publication__audit=audit).values_list("kind", "value")
    )
    unit = audit.units.get()
    themes = set(audit.findings.values_list("theme", flat=True))

    assert ("area", unit.service_area) in facets
    assert ("municipality", unit.municipality.code) in facets
    assert ("county", unit.municipality.county.code) in facets
    assert ("year", str(timezone.now().year)) in facets
    assert {("theme", theme) for theme in themes} <= facets
    assert {("method", m) for m in audit.quote.methods} <= facets


def test_themes_are_not_facets_when_the_findings_are_kept_back(commissioner, staff):
    audit = published_audit(
        commissioner=commissioner,
        staff=staff,
        terms={**EVERYTHING, "may_publish_findings": False, "may_publish_quotes": False},
    )
    assert not PublicationFacet.objects.filter(publication__audit=audit, kind="theme").exists()
