"""Audits brought into the report bank through the real services, for the bank's tests."""

from __future__ import annotations

from unittest import mock

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation

from audits.bank import services
from audits.models import Audit, ReportVersion
from audits.tests.factories import audit_in_state

EVERYTHING = {
    "may_publish_report": True,
    "may_publish_findings": True,
    "may_publish_quotes": True,
    "publish_from": None,
}


def en(name: str, *args) -> str:
    """The English address of a named page."""
    with translation.override("en"):
        return reverse(name, args=args)


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def with_pdf(audit: Audit) -> Audit:
    """Give the approved version a stored file (audit_in_state records the row only)."""
    version = audit.reports.get(approved=True)
    version.file.save(f"{audit.pk}.pdf", ContentFile(PDF), save=False)
    version.size = len(PDF)
    version.save(update_fields=["file", "size"])
    assert version.status == ReportVersion.Status.READY
    return audit


def published_audit(
    *, commissioner, staff, terms=None, status=Audit.Status.CLOSED, layout=False, **kwargs
):
    """An audit in `status` whose terms allow publishing, consented and published, with
    its public PDF made as the worker makes it after the commit (which a test's transaction
    never reaches). The PDF's layout is a stand-in unless `layout` (WeasyPrint is slow)."""
    audit = with_pdf(audit_in_state(status, commissioner=commissioner, staff=staff, **kwargs))
    services.terms_save(audit=audit, by=staff, data=terms or EVERYTHING)
    services.consent(audit=audit, by=commissioner)
    publication = services.publish(audit=audit, by=staff)
    if layout:
        services.public_report_render(publication_id=publication.pk)
    else:
        with mock.patch("audits.pdf.audit_report_pdf", return_value=(PDF, 1)):
            services.public_report_render(publication_id=publication.pk)
    audit.refresh_from_db()
    return audit
