"""Every change to the library, the courses and method guidance: one function per act,
each in a transaction; bad input raises a translated ValidationError and changes nothing."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import markdown
import nh3
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from brukarkraft.faults import repeat_of
from brukarkraft.models import Organisation, User
from brukarkraft.queue import enqueue
from brukarkraft.roles import Role
from brukarkraft.uploads import validate_document

from . import searchtext
from .models import (
    SEARCH_CONFIGS,
    Attachment,
    Course,
    CourseSession,
    GuidanceRequest,
    Registration,
    Resource,
    ResourceVersion,
    Review,
    SearchWord,
    SessionAttendance,
    TrainingRecord,
)

# Markdown may carry these tags into the page; everything else is stripped (nh3).
ALLOWED_TAGS = {
    "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "a", "blockquote",
    "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "hr", "br",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}

RESOURCE_FIELDS = {
    "kind", "language", "topics", "audiences", "easy_to_read", "title", "summary", "body",
    "publish_at",
}  # fmt: skip


def _require_staff(user: User) -> None:
    if not (user.is_authenticated and user.has_role(Role.STAFF, Role.ADMIN)):
        raise PermissionDenied


def render_markdown(text: str) -> str:
    """Markdown to HTML with only safe tags; a # heading becomes h2 (the page owns h1)."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    for level in (5, 4, 3, 2, 1):  # shift down one level, deepest first
        html = html.replace(f"<h{level}>", f"<h{min(level + 1, 4)}>").replace(
            f"</h{level}>", f"</h{min(level + 1, 4)}>"
        )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


# --- Writing and publishing ---------------------------------------------------------


@transaction.atomic
def resource_create(*, by: User, data: dict, slug: str) -> Resource:
    _require_staff(by)
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
    _require_staff(by)
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
    _require_staff(by)
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
def resource_review(*, resource: Resource, by: User, decision: str, comment: str = "") -> Resource:
    """A second person approves (a new numbered version is published, now or on the
    scheduled date) or asks for changes (back to draft). No one approves their own work."""
    _require_staff(by)
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
    from .tasks import print_version

    resource.current_version = version
    resource.status = Resource.Status.PUBLISHED
    resource.published_at = resource.published_at or version.published_at
    resource.save(
        update_fields=["current_version", "status", "published_at", "publish_at", "updated_at"]
    )
    _index(resource, version)
    version_id = version.pk
    transaction.on_commit(lambda: enqueue(print_version, version_id))
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


@transaction.atomic
def resource_archive(*, resource: Resource, by: User) -> Resource:
    """Take a resource out of the library; its versions are kept."""
    _require_staff(by)
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
    _require_staff(by)
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
    _require_staff(by)
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
    _require_staff(by)
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
    _require_staff(by)
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


def version_print(*, version_id: int) -> ResourceVersion | None:
    """Worker side: render a published version as a printable PDF once."""
    from django.core.files.base import ContentFile

    from .pdf import version_pdf

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


# --- Search -------------------------------------------------------------------------


def search(queryset: QuerySet[Resource], text: str) -> QuerySet[Resource]:
    """Search in each text's own language, so an inflected form finds its stem: full-text
    search on PostgreSQL (ranked), the Snowball stems of `search_words` elsewhere (every
    word must begin a stem of the text). `queryset` is already limited to what the reader
    may see."""
    text = " ".join(text.split())[:200]
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        match = Q()
        rank = None
        for language, config in SEARCH_CONFIGS.items():
            query = SearchQuery(text, config=config, search_type="websearch")
            match |= Q(language=language, search_vector=query)
            this = SearchRank(F("search_vector"), query)
            rank = this if rank is None else rank + this
        return queryset.filter(match).annotate(rank=rank).order_by("-rank", "title")
    for word in searchtext.words(text):
        match = Q()
        for language in SEARCH_CONFIGS:
            stem = searchtext.stem(word, language)
            match |= Q(language=language, search_words__contains=f" {stem}")
        queryset = queryset.filter(match)
    return queryset


def search_correction(text: str) -> str | None:
    """The search with each word not in any published text replaced by the nearest word
    that is (a letter wrong, missing, extra or two swapped), or None when nothing changes.
    One query: near words come from a trigram index on PostgreSQL, from words of about the
    same length elsewhere; the edit distance decides on both."""
    typed = searchtext.words(" ".join(text.split())[:200])
    fixable = [word for word in typed if searchtext.typos_allowed(word)]
    if not fixable:
        return None
    if connection.vendor == "postgresql":
        near = Q(word__in=fixable)
        for word in fixable:
            near |= Q(word__trigram_similar=word)
        candidates = SearchWord.objects.filter(near)
    else:
        from django.db.models.functions import Length

        lengths = [len(word) for word in fixable]
        candidates = SearchWord.objects.annotate(length=Length("word")).filter(
            length__range=(min(lengths) - 2, max(lengths) + 2)
        )
    known = set(candidates.values_list("word", flat=True)[:5000])
    corrected = [
        word if word in known or word not in fixable else searchtext.closest(word, known) or word
        for word in typed
    ]
    return " ".join(corrected) if corrected != typed else None


# --- Courses --------------------------------------------------------------------------


@transaction.atomic
def registration_create(
    *,
    course: Course,
    participant: User,
    by: User,
    organisation: Organisation | None = None,
    needs: str = "",
) -> Registration:
    """Register a participant; when the course is full they go on the waiting list."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if not course.registration_open or not course.is_published:
        raise ValidationError(gettext("Registration for this course is closed."), code="closed")
    is_staff = by.has_role(Role.STAFF, Role.ADMIN)
    if by.pk != participant.pk and not is_staff:
        # Someone else only for an organisation both belong to: no place is taken by a
        # registration made for a stranger.
        if (
            organisation is None
            or organisation.memberships.filter(user__in=[by, participant])
            .values("user")
            .distinct()
            .count()
            < 2
        ):
            raise PermissionDenied
    elif organisation is not None and not is_staff:
        if not organisation.memberships.filter(user=by).exists():
            raise PermissionDenied
    if organisation is None and by.pk != participant.pk and is_staff:
        # Staff register on someone's behalf: the organisation recorded is the participant's.
        organisation = _only_organisation_of(participant)
    if (
        course.registrations.exclude(status=Registration.Status.CANCELLED)
        .filter(participant=participant)
        .exists()
    ):
        raise ValidationError(
            gettext("%(name)s is already registered for this course.")
            % {"name": participant.full_name},
            code="duplicate",
        )
    taken = course.registrations.filter(
        status__in=[Registration.Status.REGISTERED, Registration.Status.COMPLETED]
    ).count()
    status = (
        Registration.Status.REGISTERED if taken < course.capacity else Registration.Status.WAITING
    )
    return Registration.objects.create(
        course=course,
        participant=participant,
        organisation=organisation,
        registered_by=by,
        needs=needs,
        status=status,
    )


def _only_organisation_of(person: User) -> Organisation | None:
    """The one organisation `person` belongs to; None with none or several."""
    organisations = list(Organisation.objects.filter(memberships__user=person)[:2])
    return organisations[0] if len(organisations) == 1 else None


@transaction.atomic
def registration_cancel(*, registration: Registration, by: User) -> Registration | None:
    """Cancel a place; the first on the waiting list gets it. Returns who moved up."""
    course = Course.objects.select_for_update().get(pk=registration.course_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    allowed = by.pk in {registration.participant_id, registration.registered_by_id} or by.has_role(
        Role.STAFF, Role.ADMIN
    )
    if not allowed:
        raise PermissionDenied
    if registration.status not in {Registration.Status.REGISTERED, Registration.Status.WAITING}:
        raise ValidationError(gettext("This registration cannot be cancelled."), code="state")
    had_place = registration.status == Registration.Status.REGISTERED
    registration.status = Registration.Status.CANCELLED
    registration.save(update_fields=["status"])
    if not had_place:
        return None
    first = (
        course.registrations.filter(status=Registration.Status.WAITING)
        .order_by("registered_at", "pk")
        .first()
    )
    if first is not None:
        first.status = Registration.Status.REGISTERED
        first.save(update_fields=["status"])
    return first


@transaction.atomic
def attendance_set(*, session: CourseSession, by: User, present_ids: set[int]) -> int:
    """Record who came to a session (registered participants only)."""
    _require_staff(by)
    registrations = session.course.registrations.filter(
        status__in=[Registration.Status.REGISTERED, Registration.Status.COMPLETED]
    )
    unknown = set(present_ids) - set(registrations.values_list("pk", flat=True))
    if unknown:
        raise ValidationError(gettext("Only registered participants can be marked present."))
    count = 0
    for registration in registrations:
        SessionAttendance.objects.update_or_create(
            session=session,
            registration=registration,
            defaults={"present": registration.pk in present_ids},
        )
        count += registration.pk in present_ids
    return count


@transaction.atomic
def registration_complete(
    *, registration: Registration, by: User, on: date | None = None
) -> TrainingRecord:
    """Mark the course completed: the participant gets a training record (with its expiry),
    and a course that qualifies user auditors makes them trained in the auditor pool."""
    _require_staff(by)
    registration = (
        Registration.objects.select_for_update().select_related("course").get(pk=registration.pk)
    )
    course = registration.course
    if registration.status != Registration.Status.REGISTERED:
        raise ValidationError(
            gettext("Only a registered participant can complete the course."), code="state"
        )
    # Completion needs the attendance the course requires (Course.completion), counted in
    # the database: the sessions of this course this participant was present at.
    completion = course.completion(
        attended=SessionAttendance.objects.filter(
            registration=registration, session__course=course, present=True
        ).count(),
        sessions=course.sessions.count(),
    )
    if not completion.allowed:
        raise ValidationError(completion.reason, code="attendance")
    on = on or timezone.localdate()
    valid_until = None
    if course.validity_months:
        valid_until = on + timedelta(days=round(course.validity_months * 30.44))
    registration.status = Registration.Status.COMPLETED
    registration.completed_at = timezone.now()
    registration.save(update_fields=["status", "completed_at"])
    record, _created = TrainingRecord.objects.update_or_create(
        user=registration.participant,
        course=course,
        defaults={"completed_on": on, "valid_until": valid_until},
    )
    if course.qualifies_auditors:
        from audits.services import auditor_training_record

        auditor_training_record(user=registration.participant, valid_until=valid_until)
    return record


# --- Method guidance -------------------------------------------------------------------


@transaction.atomic
def guidance_request_create(*, data: dict, by: User | None) -> GuidanceRequest:
    from .tasks import notify_guidance

    requested_by = by if by and by.is_authenticated else None
    if requested_by is not None:
        User.objects.select_for_update().get(pk=requested_by.pk)
    repeat = repeat_of(
        GuidanceRequest.objects.all(), at="created_at", requested_by=requested_by, **data
    )
    if repeat is not None:
        return repeat  # Sent twice: the centre is told once.
    request = GuidanceRequest(requested_by=requested_by, **data)
    request.full_clean()
    request.save()
    request_id = request.pk
    transaction.on_commit(lambda: enqueue(notify_guidance, request_id, "received"))
    return request


@transaction.atomic
def guidance_answer(*, request: GuidanceRequest, by: User, answer: str) -> GuidanceRequest:
    from .tasks import notify_guidance

    _require_staff(by)
    request = GuidanceRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == GuidanceRequest.Status.CLOSED:
        raise ValidationError(gettext("This request is closed."), code="closed")
    if not answer.strip():
        raise ValidationError({"answer": gettext("Write the answer.")}, code="required")
    request.answer = answer
    request.status = GuidanceRequest.Status.ANSWERED
    request.handled_by = by
    request.answered_at = timezone.now()
    request.save(update_fields=["answer", "status", "handled_by", "answered_at"])
    request_id = request.pk
    transaction.on_commit(lambda: enqueue(notify_guidance, request_id, "answered"))
    return request


@transaction.atomic
def guidance_close(*, request: GuidanceRequest, by: User) -> GuidanceRequest:
    _require_staff(by)
    request = GuidanceRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == GuidanceRequest.Status.CLOSED:
        raise ValidationError(gettext("This request is already closed."), code="closed")
    request.status = GuidanceRequest.Status.CLOSED
    request.handled_by = request.handled_by or by
    request.save(update_fields=["status", "handled_by"])
    return request
