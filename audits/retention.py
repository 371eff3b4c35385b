"""Retention rules for audits: draft orders never sent, and report versions superseded long ago.

Run nightly by brukarkraft.retention.apply_all, each in its own transaction.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet

from brukarkraft.retention import cutoff, delete_counting, delete_files_on_commit, queryset_rule

from .models import Audit, ReportVersion


def abandoned_drafts_due(now: datetime) -> QuerySet[Audit]:
    """Draft orders nobody has changed for the period. Every edit of the order form saves
    the audit, so `updated_at` is the last time anyone worked on it."""
    return Audit.objects.filter(
        status=Audit.Status.DRAFT, updated_at__lt=cutoff("abandoned_drafts", now)
    )


def delete_abandoned_drafts(now: datetime) -> int:
    # Locked, so a commissioner saving the draft right now waits and then finds it gone,
    # rather than the draft going while its history stays.
    ids = list(abandoned_drafts_due(now).select_for_update().values_list("pk", flat=True))
    if not ids:
        return 0
    deleted = delete_counting(Audit.objects.filter(pk__in=ids))
    # The change history holds a copy of every saved version of the order (contact details
    # included), and deleting adds one more: a draft that goes, goes from there too.
    Audit.history.filter(id__in=ids).delete()
    return deleted


def old_report_versions_due(now: datetime) -> QuerySet[ReportVersion]:
    """Versions superseded by a later ready version that has been ready for the period.

    Never the approved (frozen) version, never the latest ready one (it is the report until
    another is ready), never one a worker is making."""
    limit = cutoff("old_report_versions", now)
    superseded = ReportVersion.objects.filter(
        audit=OuterRef("audit"),
        number__gt=OuterRef("number"),
        status=ReportVersion.Status.READY,
        finished_at__lt=limit,
    )
    return (
        ReportVersion.objects.filter(Exists(superseded), approved=False)
        .exclude(status__in=[ReportVersion.Status.QUEUED, ReportVersion.Status.RUNNING])
        .order_by()
    )


def delete_old_report_versions(now: datetime) -> int:
    rows = list(old_report_versions_due(now).select_for_update().values_list("pk", "file"))
    if not rows:
        return 0
    deleted = delete_counting(ReportVersion.objects.filter(pk__in=[pk for pk, _name in rows]))
    delete_files_on_commit(ReportVersion, "file", [name for _pk, name in rows])
    return deleted


def field_notes_due(now: datetime) -> QuerySet:
    """Field notes (and with them their coded passages) of audits whose report was approved
    longer ago than FIELD_NOTES_RETENTION_DAYS. The findings and their evidence counts stay."""
    from .models import AuditEvent, FieldNote

    approved_long_ago = AuditEvent.objects.filter(
        audit=OuterRef("session__audit"),
        to_status=Audit.Status.REPORT_APPROVED,
        at__lt=cutoff("field_notes", now),
    )
    return FieldNote.objects.filter(Exists(approved_long_ago)).order_by()


RULES = [
    queryset_rule("abandoned_audit_drafts", abandoned_drafts_due, delete_abandoned_drafts),
    queryset_rule("old_report_versions", old_report_versions_due, delete_old_report_versions),
    queryset_rule("field_notes", field_notes_due),
]
