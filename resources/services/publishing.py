"""Publishing the library's resources: review by a second person, numbered versions made
current now or on their date (with their translations), the search index, and the
printable PDF a worker renders (enqueued by task name after commit). Also the Markdown
rendering and its safe-tag lists.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from brukarkraft.models import User
from brukarkraft.queue import enqueue_by_name

from .. import searchtext
from ..access import require_staff
from ..markup import render_markdown
from ..models import (
    SEARCH_CONFIGS,
    Resource,
    ResourceVersion,
    Review,
    SearchWord,
)


@transaction.atomic
def resource_review(*, resource: Resource, by: User, decision: str, comment: str = "") -> Resource:
    """A second person approves (a new numbered version is published, now or on the
    scheduled date) or asks for changes (back to draft). No one approves their own work."""
    require_staff(by)
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if resource.status != Resource.Status.IN_REVIEW:
        raise ValidationError(gettext("Only a resource in review can be reviewed."), code="state")
    if by.pk in {resource.author_id, resource.submitted_by_id}:
        raise ValidationError(
            gettext("Someone else must review this: you wrote it or sent it for review."),
            code="own_work",
        )
    if decision == Review.Decision.CHANGES:
        if not comment.strip():
            raise ValidationError(
                {"comment": gettext("Say what should be changed.")}, code="comment_required"
            )
        Review.objects.create(resource=resource, reviewer=by, decision=decision, comment=comment)
        resource.status = Resource.Status.DRAFT
        resource.save(update_fields=["status", "updated_at"])
        return resource
    if decision != Review.Decision.APPROVED:
        raise ValueError(decision)
    Review.objects.create(resource=resource, reviewer=by, decision=decision, comment=comment)
    now = timezone.now()
    when = resource.publish_at if resource.publish_at and resource.publish_at > now else now
    number = (resource.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = ResourceVersion.objects.create(
        resource=resource,
        number=number,
        title=resource.title,
        summary=resource.summary,
        body=resource.body,
        body_html=render_markdown(resource.body),
        approved_by=by,
        published_at=when,
    )
    version.attachments.set(resource.attachments.all())
    resource.publish_at = None
    if when <= now and not _waits_for_source(resource):
        _make_current(resource, version)
    else:
        resource.status = Resource.Status.SCHEDULED
        resource.save(update_fields=["status", "publish_at", "updated_at"])
    return resource


def _waits_for_source(resource: Resource) -> bool:
    """A translation of a source not yet published is published together with it."""
    if resource.source_id is None:
        return False
    return not Resource.objects.filter(pk=resource.source_id).published().exists()


def _publish_waiting_translations(source: Resource) -> None:
    """The source is published: its approved translations that waited for it go out too,
    each with its latest approved version if that version's time has come."""
    now = timezone.now()
    waiting = Resource.objects.select_for_update().filter(
        source=source, status=Resource.Status.SCHEDULED
    )
    for translation in waiting:
        latest = translation.versions.order_by("-number").first()
        if latest is not None and latest.published_at <= now:
            latest.published_at = now  # published with the source, not before
            latest.save(update_fields=["published_at"])
            _make_current(translation, latest)


def _make_current(resource: Resource, version: ResourceVersion) -> None:
    resource.current_version = version
    resource.status = Resource.Status.PUBLISHED
    resource.published_at = resource.published_at or version.published_at
    resource.save(
        update_fields=["current_version", "status", "published_at", "publish_at", "updated_at"]
    )
    _index(resource, version)
    version_id = version.pk
    enqueue_by_name("resources.tasks.print_version", version_id)
    _publish_waiting_translations(resource)


def _index(resource: Resource, version: ResourceVersion) -> None:
    """Index the published text in its own language: PostgreSQL's search vector, or the
    stems where the database has no text search; and its words for typo corrections."""
    texts = (version.title, version.summary, version.body)
    SearchWord.objects.bulk_create(
        [SearchWord(word=word) for word in sorted(searchtext.vocabulary(*texts))],
        ignore_conflicts=True,
        batch_size=500,
    )
    if connection.vendor != "postgresql":
        Resource.objects.filter(pk=resource.pk).update(
            search_words=searchtext.stemmed_text(resource.language, *texts)
        )
        return
    from django.contrib.postgres.search import SearchVector, Value

    config = SEARCH_CONFIGS[resource.language]
    Resource.objects.filter(pk=resource.pk).update(
        search_vector=SearchVector(Value(version.title), weight="A", config=config)
        + SearchVector(Value(version.summary), weight="B", config=config)
        + SearchVector(Value(version.body), weight="C", config=config)
    )


def resources_publish_due(now=None) -> int:
    """Publish approved versions whose scheduled time has come (a beat task calls this)."""
    now = now or timezone.now()
    published = 0
    for version in ResourceVersion.objects.filter(
        resource__status=Resource.Status.SCHEDULED, published_at__lte=now
    ).select_related("resource"):
        with transaction.atomic():
            resource = Resource.objects.select_for_update().get(pk=version.resource_id)
            if resource.status != Resource.Status.SCHEDULED:
                continue
            latest = resource.versions.order_by("-number").first()
            if latest.pk != version.pk or _waits_for_source(resource):
                continue
            _make_current(resource, version)
            published += 1
    return published


def versions_missing_pdf(older_than: timedelta = timedelta(minutes=10)) -> list[int]:
    """Current versions published a while ago whose printable PDF never arrived."""
    return list(
        ResourceVersion.objects.filter(pdf="", published_at__lte=timezone.now() - older_than)
        .filter(pk__in=Resource.objects.published().values("current_version"))
        .values_list("pk", flat=True)
    )


def version_print(*, version_id: int) -> ResourceVersion | None:
    """Worker side: render a published version as a printable PDF once."""
    from django.core.files.base import ContentFile

    from ..pdf import version_pdf

    version = ResourceVersion.objects.select_related("resource").filter(pk=version_id).first()
    if version is None or version.pdf:
        return version
    pdf = version_pdf(version)
    with transaction.atomic():
        version = ResourceVersion.objects.select_for_update().get(pk=version_id)
        if not version.pdf:
            version.pdf.save(
                f"{version.resource.slug}-v{version.number}.pdf", ContentFile(pdf), save=False
            )
            version.save(update_fields=["pdf"])
    return version
