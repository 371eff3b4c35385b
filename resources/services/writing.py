"""Writing the library's resources: the working copy (create, edit, send for review,
archive), translations and easy-to-read variants, and attachments.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from brukarkraft.faults import repeat_of
from brukarkraft.models import User
from brukarkraft.uploads import validate_document

from ..access import require_staff
from ..models import (
    Attachment,
    Resource,
    ResourceVersion,
)

RESOURCE_FIELDS = {
    "kind", "language", "topics", "audiences", "easy_to_read", "title", "summary", "body",
    "publish_at",
}  # fmt: skip


@transaction.atomic
def resource_create(*, by: User, data: dict, slug: str) -> Resource:
    require_staff(by)
    unknown = set(data) - RESOURCE_FIELDS
    if unknown:
        raise ValueError(f"Not resource fields: {sorted(unknown)}")
    resource = Resource(author=by, slug=slug, **data)
    resource.full_clean()
    resource.save()
    return resource


@transaction.atomic
def resource_update(*, resource: Resource, by: User, data: dict) -> Resource:
    """Edit the working copy. A resource in review goes back to draft: the reviewer must
    see what will be published. The published version stays out until approved again."""
    require_staff(by)
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if resource.status == Resource.Status.ARCHIVED:
        raise ValidationError(gettext("An archived resource cannot be changed."), code="archived")
    unknown = set(data) - RESOURCE_FIELDS
    if unknown:
        raise ValueError(f"Not resource fields: {sorted(unknown)}")
    for name, value in data.items():
        setattr(resource, name, value)
    if resource.status in {
        Resource.Status.IN_REVIEW,
        Resource.Status.PUBLISHED,
        Resource.Status.SCHEDULED,
    }:
        resource.status = Resource.Status.DRAFT
    resource.full_clean()
    resource.save()
    return resource


@transaction.atomic
def resource_submit(*, resource: Resource, by: User) -> Resource:
    """Send the working copy for review by a second person."""
    require_staff(by)
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if resource.status != Resource.Status.DRAFT:
        raise ValidationError(gettext("Only a draft can be sent for review."), code="not_draft")
    if not resource.body.strip() and not resource.attachments.exists():
        raise ValidationError(
            gettext("Write the text or add an attachment before sending it for review."),
            code="empty",
        )
    resource.status = Resource.Status.IN_REVIEW
    resource.submitted_by = by
    resource.submitted_at = timezone.now()
    resource.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    return resource


@transaction.atomic
def resource_archive(*, resource: Resource, by: User) -> Resource:
    """Take a resource out of the library; its versions are kept."""
    require_staff(by)
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if resource.status == Resource.Status.ARCHIVED:
        raise ValidationError(gettext("The resource is already archived."), code="archived")
    resource.status = Resource.Status.ARCHIVED
    resource.save(update_fields=["status", "updated_at"])
    return resource


@transaction.atomic
def resource_translate(
    *, source: Resource, by: User, language: str, easy_to_read: bool = False, slug: str
) -> Resource:
    """Start a translation or an easy-to-read variant as a draft. From a published source
    it copies the published text and remembers that version; from a source still in draft
    (or in review) it copies the working copy and follows no version yet, and it is published
    together with its source or after it (resource_review), never before."""
    require_staff(by)
    # Read as it is now: it may have been published or archived since the page was shown.
    source = Resource.objects.select_related("current_version").get(pk=source.pk)
    if source.status == Resource.Status.ARCHIVED:
        raise ValidationError(
            gettext("An archived resource cannot be translated or adapted."), code="archived"
        )
    if language == source.language and easy_to_read == source.easy_to_read:
        raise ValidationError(
            gettext("Choose another language, or make an easy-to-read variant."),
            code="same",
        )
    version = source.current_version
    text = version or source  # the published text, or the draft's working copy
    resource = Resource(
        slug=slug,
        kind=source.kind,
        language=language,
        topics=list(source.topics),
        audiences=list(source.audiences),
        easy_to_read=easy_to_read,
        title=text.title,
        summary=text.summary,
        body=text.body,
        source=source,
        source_version=version.number if version else None,
        author=by,
    )
    resource.full_clean()
    resource.save()
    return resource


@transaction.atomic
def translation_mark_current(*, resource: Resource, by: User) -> Resource:
    """Say that a translation now follows the source's current version."""
    require_staff(by)
    resource = (
        Resource.objects.select_for_update(of=("self",))
        .select_related("source__current_version")
        .get(pk=resource.pk)
    )
    if resource.source is None or resource.source.current_version_id is None:
        raise ValidationError(gettext("This resource follows no published source."))
    resource.source_version = resource.source.current_version.number
    resource.save(update_fields=["source_version", "updated_at"])
    return resource


def stale_translations() -> QuerySet[Resource]:
    """Translations and variants older than their source's published version."""
    return (
        Resource.objects.exclude(status=Resource.Status.ARCHIVED)
        .filter(source__current_version__isnull=False)
        .filter(
            Q(source_version__isnull=True)
            | Q(source_version__lt=F("source__current_version__number"))
        )
        .select_related("source__current_version", "current_version")
    )


@transaction.atomic
def attachment_add(*, resource: Resource, by: User, upload, title: str) -> Attachment:
    """Store a PDF, DOCX or ODT file checked by its content (not its name), at most 10 MB."""
    require_staff(by)
    kind = validate_document(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    Resource.objects.select_for_update().get(pk=resource.pk)
    repeat = repeat_of(
        resource.attachments,
        at="uploaded_at",
        sha256=digest.hexdigest(),
        title=title or upload.name,
        uploaded_by=by,
    )
    if repeat is not None:
        return repeat  # The same file sent twice: stored once.
    attachment = Attachment(
        resource=resource,
        title=title or upload.name,
        kind=kind,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, by: User) -> None:
    """Remove an attachment from the working copy; published versions keep theirs."""
    require_staff(by)
    if attachment.versions.exists():
        raise ValidationError(
            gettext("A published version offers this file: it stays until archived."),
            code="published",
        )
    attachment.file.delete(save=False)
    attachment.delete()


def count_download(*, attachment: Attachment | None = None, version: ResourceVersion | None = None):
    """One more download, counted in the database; nothing about who downloaded."""
    if attachment is not None:
        Attachment.objects.filter(pk=attachment.pk).update(downloads=F("downloads") + 1)
    if version is not None:
        ResourceVersion.objects.filter(pk=version.pk).update(downloads=F("downloads") + 1)
