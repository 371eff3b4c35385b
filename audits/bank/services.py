"""Every change to publication terms and publications, each in a transaction that locks the
audit and writes a line of its history (AuditEvent): saving the terms, the commissioner's
consent, the centre's publishing (by someone other than the one who consented) and the
withdrawal. Publishing also writes the bank's facet values and search index."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import NoReturn

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from audits import pdf
from audits.models import Audit, AuditEvent, Quote, ReportVersion
from brukarkraft.models import User
from brukarkraft.queue import enqueue_by_name, requeue_lost

from . import access, search
from .models import Publication, PublicationFacet, PublicationTerms

logger = logging.getLogger(__name__)

GENERATE_PUBLIC_REPORT = "audits.bank.tasks.generate_public_report"
# The national picture is cached under the bank's fingerprint, which a publish or a
# withdrawal changes; the worker counts the new picture at once, so that the first reader
# after the change is served from the cache too (bench/bank.py: seconds at 10,000 audits).
REFRESH_NATIONAL_PICTURE = "audits.bank.tasks.refresh_national_picture"
# At most this many public PDFs are sent again by one run of beat's sweep: after an outage
# the rest follow in the next runs instead of flooding the queue at once.
PUBLIC_REPORT_SWEEP_BATCH = 20

TERMS_FIELDS = ("may_publish_report", "may_publish_findings", "may_publish_quotes", "publish_from")

# The history's action codes (audits' detail page says them in words).
TERMS_SAVED = AuditEvent.Kind.PUBLICATION_TERMS_SAVED
CONSENTED = AuditEvent.Kind.PUBLICATION_CONSENTED
PUBLISHED = AuditEvent.Kind.REPORT_PUBLISHED
WITHDRAWN = AuditEvent.Kind.REPORT_WITHDRAWN


def _lock(audit: Audit) -> Audit:
    return Audit.objects.select_for_update(of=("self",)).get(pk=audit.pk)


def _record(audit: Audit, *, action: str, by: User, comment: str = "") -> AuditEvent:
    return AuditEvent.objects.create(
        audit=audit,
        action=action,
        from_status=audit.status,
        to_status=audit.status,
        by=by,
        comment=comment,
    )


def _refuse(message: str, code: str) -> NoReturn:
    raise ValidationError(message, code=code)


def terms_of(audit: Audit) -> PublicationTerms | None:
    quote = Quote.objects.filter(audit=audit).first()
    if quote is None:
        return None
    return PublicationTerms.objects.filter(quote=quote).first()


@transaction.atomic
def terms_save(*, audit: Audit, by: User, data: dict) -> PublicationTerms:
    """Record what the agreement lets the parties publish. Quotes need the findings and
    the findings the report, so the terms never allow a part without its whole."""
    audit = _lock(audit)
    if not access.can_edit_terms(by, audit):
        raise PermissionDenied
    quote = Quote.objects.filter(audit=audit).first()
    if quote is None:
        _refuse(gettext("Write the quote before its publication terms."), "no_quote")
    values = {name: data.get(name) for name in TERMS_FIELDS}
    values["may_publish_report"] = bool(values["may_publish_report"])
    values["may_publish_findings"] = values["may_publish_report"] and bool(
        values["may_publish_findings"]
    )
    values["may_publish_quotes"] = values["may_publish_findings"] and bool(
        values["may_publish_quotes"]
    )
    terms, _created = PublicationTerms.objects.update_or_create(
        quote=quote, defaults={**values, "updated_by": by}
    )
    _record(audit, action=TERMS_SAVED, by=by, comment=describe_terms(terms))
    return terms


def describe_terms(terms: PublicationTerms) -> str:
    """The terms in one line for the history."""
    parts = [
        gettext("report: %(answer)s")
        % {"answer": gettext("yes") if terms.may_publish_report else gettext("no")},
        gettext("findings: %(answer)s")
        % {"answer": gettext("yes") if terms.may_publish_findings else gettext("no")},
        gettext("quotes: %(answer)s")
        % {"answer": gettext("yes") if terms.may_publish_quotes else gettext("no")},
    ]
    if terms.publish_from:
        parts.append(gettext("from %(date)s") % {"date": terms.publish_from.isoformat()})
    return ", ".join(parts)


def _check_publishable(audit: Audit) -> PublicationTerms:
    """The report is approved, the agreement lets it be published and the day has come."""
    if not audit.report_is_frozen:
        _refuse(gettext("Only an approved report can be published."), "not_approved")
    terms = terms_of(audit)
    if terms is None or not terms.may_publish_report:
        _refuse(gettext("The agreement does not let the report be published."), "not_allowed")
    if not terms.has_come():
        _refuse(
            gettext("The agreement lets the report be published from %(date)s.")
            % {"date": terms.publish_from.isoformat() if terms.publish_from else ""},
            "too_early",
        )
    if not audit.reports.filter(approved=True, status=ReportVersion.Status.READY).exists():
        _refuse(gettext("The approved report is missing."), "no_report")
    return terms


@transaction.atomic
def consent(*, audit: Audit, by: User) -> Publication:
    """The commissioner agrees that the approved report goes into the public bank."""
    audit = _lock(audit)
    if not access.can_consent(by, audit):
        raise PermissionDenied
    _check_publishable(audit)
    publication = Publication.objects.select_for_update().filter(audit=audit).first()
    if publication is not None and publication.status != Publication.Status.WITHDRAWN:
        _refuse(gettext("Consent has already been given."), "already_consented")
    publication = publication or Publication(audit=audit)
    publication.status = Publication.Status.CONSENTED
    publication.consented_by, publication.consented_at = by, timezone.now()
    publication.published_by = publication.published_at = None
    publication.withdrawn_by = publication.withdrawn_at = None
    publication.reason = ""
    publication.save()
    _record(audit, action=CONSENTED, by=by)
    return publication


@transaction.atomic
def publish(*, audit: Audit, by: User) -> Publication:
    """Staff put a consented report in the public bank: two people, never one alone."""
    audit = _lock(audit)
    if not access.can_publish(by, audit):
        raise PermissionDenied
    terms = _check_publishable(audit)
    publication = Publication.objects.select_for_update().filter(audit=audit).first()
    if publication is None or publication.status != Publication.Status.CONSENTED:
        _refuse(gettext("The commissioner has not consented to publishing."), "no_consent")
    if publication.consented_by_id == by.pk:
        _refuse(
            gettext("Someone other than the one who gave consent must publish."),
            "same_person",
        )
    publication.status = Publication.Status.PUBLISHED
    publication.published_by, publication.published_at = by, timezone.now()
    # Its job is sent below; beat's sweep sends it again if it is lost.
    publication.public_report_requested_at = publication.published_at
    # Each publishing has its own PUBLIC_REPORT_MAX_ATTEMPTS.
    publication.public_report_attempts = 0
    publication.public_report_failed_at = None
    publication.language = audit.language
    publication.year = _report_year(audit)
    # A public PDF left from an earlier publishing was made under the terms of then.
    _forget_public_report(publication)
    publication.save()
    _write_facets(publication, terms)
    search.index(publication)
    _record(audit, action=PUBLISHED, by=by)
    enqueue_by_name(GENERATE_PUBLIC_REPORT, publication.pk)
    enqueue_by_name(REFRESH_NATIONAL_PICTURE)
    return publication


@transaction.atomic
def withdraw(*, audit: Audit, by: User, reason: str) -> Publication:
    """Take the report out of the bank (or take back the consent before it is published).
    Every public page reads only published rows, so it is gone from them at once."""
    audit = _lock(audit)
    if not access.can_withdraw(by, audit):
        raise PermissionDenied
    publication = Publication.objects.select_for_update().filter(audit=audit).first()
    if publication is None or publication.status == Publication.Status.WITHDRAWN:
        _refuse(gettext("There is nothing to withdraw."), "nothing_to_withdraw")
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": gettext("Say why the report is withdrawn.")}, code="required"
        )
    publication.status = Publication.Status.WITHDRAWN
    publication.withdrawn_by, publication.withdrawn_at = by, timezone.now()
    publication.reason = reason
    _forget_public_report(publication)
    publication.save()
    _record(audit, action=WITHDRAWN, by=by, comment=reason)
    enqueue_by_name(REFRESH_NATIONAL_PICTURE)
    return publication


def _forget_public_report(publication: Publication) -> None:
    """Clear the public PDF; its file goes once the change is committed (a rollback keeps
    both the row and the file)."""
    name = publication.public_report.name
    publication.public_report = ""
    publication.public_report_size = 0
    publication.public_report_made_for = None
    if name:
        storage = publication.public_report.storage
        transaction.on_commit(lambda: storage.delete(name))


def _has_current_report(publication: Publication) -> bool:
    """A public PDF is stored, made for the last publishing (one stored before that was
    recorded counts as current)."""
    made_for = publication.public_report_made_for
    return bool(publication.public_report) and (
        made_for is None or made_for == publication.published_at
    )


def public_report_render(*, publication_id: int) -> Publication | None:
    """Make the report bank's PDF of a published audit (worker side): the approved report's
    content without personal data, and findings and quotes only as the terms allow
    (audits.pdf.PublicParts). Safe to run twice; does nothing once withdrawn, and replaces
    a PDF made for an earlier publishing."""
    publication = (
        Publication.objects.public()
        .select_related("audit__quote__publication_terms")
        .filter(pk=publication_id)
        .first()
    )
    if publication is None or _has_current_report(publication):
        return publication
    published_at = publication.published_at
    # Counted before the layout, so that a report that fails every time, or kills its
    # worker, uses its attempts up; a delivery beyond them (the broker's redelivery of a
    # killed job) lays nothing out. The sweep then gives up (public_reports_requeue).
    counted = Publication.objects.filter(
        pk=publication_id,
        published_at=published_at,
        public_report_attempts__lt=settings.PUBLIC_REPORT_MAX_ATTEMPTS,
    ).update(public_report_attempts=F("public_report_attempts") + 1)
    if not counted:
        logger.warning("Public report of publication %s: attempts used up", publication_id)
        return publication
    audit = publication.audit
    terms = audit.quote.publication_terms
    version = audit.reports.filter(approved=True, status=ReportVersion.Status.READY).first()
    # Looked up at each call (pdf.audit_report_pdf), so a test can replace the layout.
    data, _pages = pdf.audit_report_pdf(
        audit,
        version.language if version else audit.language,
        version=version.number if version else None,
        public=pdf.PublicParts(
            findings=terms.may_publish_findings, quotes=terms.may_publish_quotes
        ),
    )
    with transaction.atomic():
        publication = Publication.objects.select_for_update().filter(pk=publication_id).first()
        # Withdrawn (or made by another delivery) while the PDF was being laid out.
        if publication is None or not publication.is_public or _has_current_report(publication):
            return publication
        # Withdrawn and published again while it was being laid out: what was read may be
        # from before. The new publishing's own job makes the PDF.
        if publication.published_at != published_at:
            return publication
        _forget_public_report(publication)
        publication.public_report.save(
            f"{audit.reference or audit.pk}-public.pdf", ContentFile(data), save=False
        )
        publication.public_report_size = len(data)
        publication.public_report_made_for = published_at
        publication.save(
            update_fields=["public_report", "public_report_size", "public_report_made_for"]
        )
    logger.info("Public report of publication %s made", publication_id)
    return publication


def public_reports_requeue(*, now=None, limit: int = PUBLIC_REPORT_SWEEP_BATCH) -> int:
    """Beat's sweep: send the job again for published reports whose public PDF is missing,
    or older than the last publishing, and whose last job was sent longer ago than a job
    can take (REPORT_STALE_AFTER_SECONDS: it failed for good, or its worker was lost).
    At most `limit` a run; returns how many were sent.

    One whose job has begun PUBLIC_REPORT_MAX_ATTEMPTS times since its publishing (a
    report that cannot be laid out) is not sent again: it is marked as given up, once, with
    an error in the log, and the staff's publication page says so and offers
    public_report_retry.

    Each one sent is marked as asked for now, so a second run (or a second beat) sends
    nothing more until that job too has had its time; and the job itself makes the PDF
    once, whichever delivery wins."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.REPORT_STALE_AFTER_SECONDS)
    most = settings.PUBLIC_REPORT_MAX_ATTEMPTS
    with transaction.atomic():
        rows = list(
            Publication.objects.public()
            .filter(
                Q(public_report="") | Q(public_report_made_for__lt=F("published_at")),
                Q(public_report_requested_at__isnull=True)
                | Q(public_report_requested_at__lt=cutoff),
                public_report_failed_at__isnull=True,
            )
            .order_by("published_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", "public_report_attempts")[:limit]
        )
        due = [pk for pk, attempts in rows if attempts < most]
        spent = [pk for pk, attempts in rows if attempts >= most]
        Publication.objects.filter(pk__in=due).update(public_report_requested_at=now)
        Publication.objects.filter(pk__in=spent).update(public_report_failed_at=now)
    for pk in spent:
        logger.error(
            "Public report of publication %s could not be made in %s attempts; not sent again",
            pk,
            most,
        )
    # After the commit: a second sweep at the same moment skipped the rows held here, and
    # one after it finds them asked for.
    return requeue_lost(GENERATE_PUBLIC_REPORT, due)


@transaction.atomic
def public_report_retry(*, audit: Audit, by: User) -> Publication:
    """Staff try the public PDF again once the sweep has given up on it: its attempts
    start afresh and its job is sent. A double press sends nothing more."""
    audit = _lock(audit)
    if not access.can_publish(by, audit):
        raise PermissionDenied
    publication = Publication.objects.select_for_update().filter(audit=audit).first()
    if publication is None or not publication.is_public:
        _refuse(gettext("Only a published report's PDF can be made again."), "not_published")
    if publication.public_report_failed_at is None:
        return publication  # Made, or already on its way.
    publication.public_report_attempts = 0
    publication.public_report_failed_at = None
    publication.public_report_requested_at = timezone.now()
    publication.save(
        update_fields=[
            "public_report_attempts",
            "public_report_failed_at",
            "public_report_requested_at",
        ]
    )
    enqueue_by_name(GENERATE_PUBLIC_REPORT, publication.pk)
    return publication


def _report_year(audit: Audit) -> int:
    approved = (
        AuditEvent.objects.filter(audit=audit, action="report_approved").order_by("-at").first()
    )
    return (approved.at if approved else timezone.now()).year


def _write_facets(publication: Publication, terms: PublicationTerms) -> None:
    """The values the bank filters and counts by, as the audit stands when published."""
    audit = publication.audit
    Kind = PublicationFacet.Kind
    rows: dict[tuple[str, str], str] = {(Kind.YEAR, str(publication.year)): str(publication.year)}
    for unit in audit.units.select_related("municipality__county"):
        rows[(Kind.AREA, unit.service_area)] = ""
        rows[(Kind.MUNICIPALITY, unit.municipality.code)] = unit.municipality.name
        rows[(Kind.COUNTY, unit.municipality.county.code)] = unit.municipality.county.name
    if audit.county is not None:
        rows[(Kind.COUNTY, audit.county.code)] = audit.county.name
    for method in audit.quote.methods:
        rows[(Kind.METHOD, method)] = ""
    organisation = audit.performing_organisation
    if organisation is not None:
        rows[(Kind.PERFORMER, str(organisation.pk))] = organisation.name
    if terms.may_publish_findings:
        for theme in audit.findings.order_by().values_list("theme", flat=True).distinct():
            rows[(Kind.THEME, theme)] = ""
    publication.facets.all().delete()
    PublicationFacet.objects.bulk_create(
        PublicationFacet(publication=publication, kind=kind, value=value, label=label)
        for (kind, value), label in rows.items()
    )
