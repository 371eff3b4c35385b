"""The report bank's PDF is a public variant of the approved report, made by the worker
when the audit is published: it names no one (no audit team, no one responsible for an
action, not in its metadata either) and holds findings and quotes only as the terms allow,
while the approved report inside the portal keeps the team's names."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from audits.bank import services
from audits.bank.models import Publication
from audits.models import Audit, Proposal
from audits.pdf import audit_report_pdf
from audits.tests.factories import audit_in_state

from .helpers import EVERYTHING, en, published_audit, with_pdf

pytestmark = pytest.mark.django_db

# Two of the demo's people (seed_demo): an auditor on the team and a unit manager who is
# responsible for carrying out a proposal.
AUDITOR = "Amira Hassan"
RESPONSIBLE = "Cecilia Lindqvist"


def text_of(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    # Lines wrap wherever the layout wants; compare on single spaces.
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def named_people(audit: Audit) -> Audit:
    """Give the audit's lead auditor the demo auditor's name and its proposal a named
    person responsible for the action, as real reports have."""
    lead = audit.members.get(role="lead").user
    lead.full_name = AUDITOR
    lead.save(update_fields=["full_name"])
    Proposal.objects.filter(audit=audit).update(action_owner=f"{RESPONSIBLE}, enhetschef")
    return audit


def closed_audit(commissioner, staff) -> Audit:
    audit = audit_in_state(Audit.Status.CLOSED, commissioner=commissioner, staff=staff)
    return named_people(with_pdf(audit))


def publish(audit: Audit, commissioner, staff, terms=None) -> Publication:
    services.terms_save(audit=audit, by=staff, data=terms or EVERYTHING)
    services.consent(audit=audit, by=commissioner)
    return services.publish(audit=audit, by=staff)


def public_pdf(client, audit: Audit) -> bytes:
    response = client.get(en("bank:report", audit.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def test_the_public_pdf_names_no_one_while_the_internal_report_does(
    client, commissioner, staff, django_capture_on_commit_callbacks
):
    audit = closed_audit(commissioner, staff)
    finding = audit.findings.get()
    # Publishing queues the worker's job after the commit; here the task runs inline.
    with django_capture_on_commit_callbacks(execute=True):
        publish(audit, commissioner, staff)

    reader, public = text_of(public_pdf(client, audit))
    internal_reader, internal = text_of(audit_report_pdf(audit, audit.language)[0])

    # The content is there: the finding, its quote (the terms allow it), the proposal.
    assert finding.title in public
    assert finding.quote_lines()[0] in public
    assert "Inför en fast kontaktperson." in public
    # Nobody's name: not on the cover, not in the proposals table, not in the metadata.
    for name in (AUDITOR, RESPONSIBLE, staff.full_name, commissioner.full_name):
        assert name not in public
        assert name not in str(reader.metadata)
    for member in audit.members.select_related("user"):
        assert member.user.full_name not in public
    # The approved report inside the portal still says who wrote it and who is responsible.
    assert AUDITOR in internal
    assert RESPONSIBLE in internal
    assert AUDITOR in str(internal_reader.metadata)


def test_quotes_stay_out_of_the_public_pdf_unless_the_terms_allow_them(client, commissioner, staff):
    audit = published_audit(
        commissioner=commissioner,
        staff=staff,
        terms={**EVERYTHING, "may_publish_quotes": False},
        layout=True,
    )
    finding = audit.findings.get()

    page = client.get(en("bank:detail", audit.pk))
    _reader, public = text_of(public_pdf(client, audit))

    # The web page offers the PDF, and the PDF leaves the quote out as the page does.
    assert page.context["report"] is not None
    assert finding.title in public
    assert finding.quote_lines()[0] not in public
    assert finding.quote_lines()[0] not in page.content.decode()


def test_findings_stay_out_of_the_public_pdf_unless_the_terms_allow_them(
    client, commissioner, staff
):
    audit = published_audit(
        commissioner=commissioner,
        staff=staff,
        terms={**EVERYTHING, "may_publish_findings": False, "may_publish_quotes": False},
        layout=True,
    )
    finding = audit.findings.get()

    _reader, public = text_of(public_pdf(client, audit))

    assert finding.title not in public
    assert finding.description not in public
    assert "Inför en fast kontaktperson." in public


def test_until_the_worker_has_made_it_no_pdf_is_offered(client, commissioner, staff):
    audit = closed_audit(commissioner, staff)
    # The job waits for the commit, which a test's transaction never reaches.
    publication = publish(audit, commissioner, staff)

    page = client.get(en("bank:detail", audit.pk))

    assert page.status_code == 200
    assert page.context["report"] is None
    assert "Its PDF is being made" in page.content.decode()
    # Above all, the approved version with the team's names is not served instead.
    assert client.get(en("bank:report", audit.pk)).status_code == 404
    assert not Publication.objects.get(pk=publication.pk).public_report


def test_withdrawing_deletes_the_public_pdf_and_publishing_again_makes_a_new_one(
    client, commissioner, staff, django_capture_on_commit_callbacks
):
    audit = published_audit(commissioner=commissioner, staff=staff)
    publication = Publication.objects.get(audit=audit)
    stored = publication.public_report.name
    storage = publication.public_report.storage
    assert storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(audit=audit, by=commissioner, reason="Enheten har lagts ned.")

    publication.refresh_from_db()
    assert not publication.public_report and publication.public_report_size == 0
    assert not storage.exists(stored)
    assert client.get(en("bank:report", audit.pk)).status_code == 404

    services.consent(audit=audit, by=commissioner)
    services.publish(audit=audit, by=staff)
    assert client.get(en("bank:report", audit.pk)).status_code == 404
    services.public_report_render(publication_id=publication.pk)
    assert client.get(en("bank:report", audit.pk)).status_code == 200


def test_a_job_that_arrives_after_the_withdrawal_makes_nothing(commissioner, staff):
    audit = closed_audit(commissioner, staff)
    publication = publish(audit, commissioner, staff)
    services.withdraw(audit=audit, by=commissioner, reason="Fel rapport.")

    services.public_report_render(publication_id=publication.pk)

    publication.refresh_from_db()
    assert not publication.public_report


def test_a_second_delivery_of_the_job_keeps_the_first_pdf(commissioner, staff):
    audit = published_audit(commissioner=commissioner, staff=staff)
    publication = Publication.objects.get(audit=audit)
    first = publication.public_report.name

    services.public_report_render(publication_id=publication.pk)

    publication.refresh_from_db()
    assert publication.public_report.name == first
