"""User councils (brukarråd / brukerutvalg): mandate, members, appointments, meetings, cases
and the participation self-assessment (docs/domain.md §3–4)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from brukarkraft.models import Organisation
from brukarkraft.text import DOCUMENT_LENGTH, NOTE_LENGTH, TEXT_LENGTH
from brukarkraft.validators import validate_order

# Days before a term ends that admins are warned.
TERM_WARNING_DAYS = 90
# A notice must go out at least this long before the meeting (docs/domain.md §3).
NOTICE_DAYS = 21


class UserCategory(models.TextChoices):
    MENTAL_HEALTH = "mental_health", _("Mental health")
    ADDICTION = "addiction", _("Addiction")
    DISABILITY = "disability", _("Disability")
    INTELLECTUAL_DISABILITY = "intellectual_disability", _("Intellectual disability")
    LABOUR_MARKET = "labour_market", _("Labour-market programmes")
    SOCIAL_SERVICES = "social_services", _("Social services")
    RELATIVES = "relatives", _("Relatives")
    YOUNG_PEOPLE = "young_people", _("Young people")
    OLDER_PEOPLE = "older_people", _("Older people")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    OTHER = "other", _("Other or non-binary")


def required_per_gender(size: int) -> int:
    """The Norwegian rule (docs/domain.md §3): how many of each of women and men a council of
    `size` members (deputies included) needs at least. Over 9 members: 40 % of each."""
    if size < 2:
        return 0
    if size <= 3:
        return 1
    if size <= 5:
        return 2
    if size <= 8:
        return 3
    if size == 9:
        return 4
    # 40 % of the members, rounded up.
    return -(-size * 2 // 5)


class CouncilQuerySet(models.QuerySet):
    def public(self) -> CouncilQuerySet:
        return self.filter(is_public=True)

    def for_list(self) -> CouncilQuerySet:
        today = timezone.localdate()
        return self.select_related("owner").annotate(
            member_count=Count(
                "members",
                filter=Q(members__term_start__lte=today, members__term_end__gte=today),
                distinct=True,
            ),
            open_case_count=Count(
                "cases",
                filter=~Q(cases__status__in=["closed", "rejected"]),
                distinct=True,
            ),
        )

    def visible_to(self, user) -> CouncilQuerySet:
        """Councils whose member area `user` may enter: staff all, members their own."""
        if not user.is_authenticated:
            return self.none()
        from brukarkraft.roles import Role

        if user.has_role(Role.STAFF, Role.ADMIN):
            return self.all()
        return self.filter(members__user=user).distinct()


class Council(models.Model):
    """A council advising an owner; it has no decision power (advisory only)."""

    class Level(models.TextChoices):
        MUNICIPAL = "municipal", _("Municipal")
        REGIONAL = "regional", _("Regional")
        NATIONAL = "national", _("National")
        SERVICE = "service", _("Within one service")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("address name"), max_length=80, unique=True)
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="councils",
        verbose_name=_("owner"),
        help_text=_("The municipality, region, agency or trust the council advises."),
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=[("sv", "Svenska"), ("nb", "Norsk bokmål"), ("en", "English")],
        default="sv",
    )
    description = models.TextField(_("about the council"), blank=True, max_length=TEXT_LENGTH)
    meetings_per_year = models.PositiveSmallIntegerField(_("meetings per year"), default=4)
    term_years = models.PositiveSmallIntegerField(_("term of office (years)"), default=2)
    tenure_cap_years = models.PositiveSmallIntegerField(
        _("longest total tenure (years)"), default=6
    )
    meeting_fee = models.DecimalField(
        _("fee per meeting (SEK)"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    travel_rule = models.CharField(
        _("travel costs"),
        max_length=200,
        blank=True,
        help_text=_("For example: public transport refunded against receipts."),
    )
    lost_earnings_max = models.DecimalField(
        _("lost earnings, most per meeting (SEK)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
    )
    requires_gender_balance = models.BooleanField(
        _("gender balance required"),
        default=False,
        help_text=_(
            "The council's rules require a balance of women and men (the Norwegian rules do):"
            " an appointment that leaves it unmet needs a recorded reason."
        ),
    )
    is_public = models.BooleanField(_("public page"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CouncilQuerySet.as_manager()

    # Every change is kept with who made it and when (django-simple-history); staff read it
    # on the change-history page. Erasing a person also rewrites their name here.
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("user council")
        verbose_name_plural = _("user councils")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("councils:detail", args=[self.slug])

    @property
    def advisory_only(self) -> bool:
        # Councils advise; they never decide for the owner (docs/domain.md §3).
        return True


class MandateVersion(models.Model):
    """The council's terms of reference; every revision is kept."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="mandates", verbose_name=_("council")
    )
    number = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("terms of reference"), max_length=DOCUMENT_LENGTH)
    adopted_on = models.DateField(_("adopted"))
    revision_due = models.DateField(_("revise by"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["council", "-number"]
        verbose_name = _("terms of reference")
        verbose_name_plural = _("terms of reference")
        constraints = [
            models.UniqueConstraint(fields=["council", "number"], name="mandate_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.council} v{self.number}"

    def clean(self) -> None:
        validate_order(
            self.adopted_on,
            self.revision_due,
            field="revision_due",
            message=gettext("The revision date must come after the adoption."),
        )

    @property
    def is_due(self) -> bool:
        return self.revision_due <= timezone.localdate()


class Seat(models.Model):
    """Places on the council held by an organisation or a user category."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="seats", verbose_name=_("council")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="council_seats",
        verbose_name=_("organisation"),
    )
    category = models.CharField(
        _("user category"), max_length=32, choices=UserCategory.choices, blank=True
    )
    places = models.PositiveSmallIntegerField(
        _("members"), default=1, validators=[MinValueValidator(1)]
    )
    deputies = models.PositiveSmallIntegerField(_("deputies"), default=1)

    class Meta:
        ordering = ["council", "pk"]
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(category=""),
                name="seat_has_organisation_or_category",
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation or self.get_category_display())


# The consent rule of Member.is_named_in_public, as a filter on members.
NAMED_IN_PUBLIC = Q(publish_consent=True, erased_at__isnull=True)


class MemberQuerySet(models.QuerySet):
    def current(self, on: date | None = None) -> MemberQuerySet:
        on = on or timezone.localdate()
        return self.filter(term_start__lte=on, term_end__gte=on)

    def published(self) -> MemberQuerySet:
        """Members who may be named in public: see Member.is_named_in_public."""
        return self.filter(NAMED_IN_PUBLIC)

    def not_published(self) -> MemberQuerySet:
        return self.exclude(NAMED_IN_PUBLIC)

    def expected_at(self, meeting: Meeting) -> MemberQuerySet:
        """Who is called to `meeting`: the council's members serving on its day, observers
        included; deputies attend only in a member's place, so they are not listed."""
        on = timezone.localtime(meeting.starts_at).date()
        return (
            self.filter(council_id=meeting.council_id)
            .current(on)
            .exclude(role=Member.Role.DEPUTY)
            .order_by("display_name", "pk")
        )

    def ending_soon(self, on: date | None = None) -> MemberQuerySet:
        on = on or timezone.localdate()
        return self.current(on).filter(term_end__lte=on + timedelta(days=TERM_WARNING_DAYS))


class Member(models.Model):
    """One term of one person on a council. A new term is a new row, so tenure adds up."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice chair")
        SECRETARY = "secretary", _("Secretary")
        MEMBER = "member", _("Member")
        DEPUTY = "deputy", _("Deputy")
        OBSERVER = "observer", _("Observer")

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="members", verbose_name=_("council")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="council_memberships",
        verbose_name=_("person"),
    )
    # Kept on the row so that minutes and lists read the same after the account is erased.
    display_name = models.CharField(_("name"), max_length=200)
    seat = models.ForeignKey(
        Seat,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("seat"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="council_members",
        verbose_name=_("represents organisation"),
    )
    category = models.CharField(
        _("represents user category"), max_length=32, choices=UserCategory.choices, blank=True
    )
    gender = models.CharField(
        _("gender"),
        max_length=8,
        choices=Gender.choices,
        blank=True,
        help_text=_("Optional. Used only to check the gender balance."),
    )
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    publish_consent = models.BooleanField(_("may be named on the public page"), default=False)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MemberQuerySet.as_manager()

    # Every change is kept with who made it and when (django-simple-history); staff read it
    # on the change-history page. Erasing a person also rewrites their name here.
    history = HistoricalRecords()

    class Meta:
        ordering = ["council", "role", "display_name"]
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gt=models.F("term_start")),
                name="member_term_ends_after_start",
                # What a form shows if clean() is ever bypassed: never the constraint's name.
                violation_error_message=_("The term must end after it starts."),
                violation_error_code="ends_before_start",
            )
        ]
        indexes = [models.Index(fields=["council", "term_end"])]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()})"

    def clean(self) -> None:
        validate_order(
            self.term_start,
            self.term_end,
            field="term_end",
            message=gettext("The term must end after it starts."),
        )

    @property
    def is_deputy(self) -> bool:
        return self.role == self.Role.DEPUTY

    @property
    def is_named_in_public(self) -> bool:
        """The one consent rule for every public output (the council's page, the minutes and
        annual report PDFs): only a member who agreed to be named, and was not erased, is
        named; the others are counted. MemberQuerySet.published() is the same rule in SQL,
        for lists loaded from the database rather than from a prefetch."""
        return self.publish_consent and self.erased_at is None

    @property
    def ends_soon(self) -> bool:
        today = timezone.localdate()
        return today <= self.term_end <= today + timedelta(days=TERM_WARNING_DAYS)


# --- Appointments (docs/domain.md §3) -----------------------------------------


class AppointmentRequest(models.Model):
    """The owner's request for representatives, and the call that goes out to organisations."""

    class Status(models.TextChoices):
        OPEN = "open", _("Requested")
        CALLED = "called", _("Call sent to organisations")
        CLOSED = "closed", _("Closed")

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="requests", verbose_name=_("council")
    )
    places = models.PositiveSmallIntegerField(
        _("representatives wanted"), default=1, validators=[MinValueValidator(1)]
    )
    categories = models.JSONField(_("user categories wanted"), default=list, blank=True)
    description = models.TextField(
        _("what the owner asks for"),
        help_text=_("The assignment, the term, and what the representatives should bring."),
        max_length=TEXT_LENGTH,
    )
    deadline = models.DateField(_("nominations by"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    called_organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="council_calls",
        verbose_name=_("organisations called"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    called_at = models.DateTimeField(_("call sent"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("request for representatives")
        verbose_name_plural = _("requests for representatives")

    def __str__(self) -> str:
        return f"{self.council}: {self.places} ({self.requested_at:%Y-%m-%d})"


class Nomination(models.Model):
    """A candidate put forward by an organisation, recommended, then appointed or not."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("Nominated")
        RECOMMENDED = "recommended", _("Recommended")
        APPOINTED = "appointed", _("Appointed")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    request = models.ForeignKey(
        AppointmentRequest,
        on_delete=models.CASCADE,
        related_name="nominations",
        verbose_name=_("request"),
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="council_nominations",
        verbose_name=_("candidate"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="council_nominations",
        verbose_name=_("nominated by"),
    )
    category = models.CharField(
        _("user category"), max_length=32, choices=UserCategory.choices, blank=True
    )
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    motivation = models.TextField(_("why this candidate"), max_length=TEXT_LENGTH)
    # The criteria of docs/domain.md §3, each answered in words.
    representativeness = models.TextField(_("representativeness"), max_length=TEXT_LENGTH)
    candidate_motivation = models.TextField(_("the candidate's motivation"), max_length=TEXT_LENGTH)
    organisation_or_umbrella = models.TextField(
        _("own organisation or umbrella body"), max_length=TEXT_LENGTH
    )
    national_or_local = models.TextField(_("national or local"), max_length=TEXT_LENGTH)
    assignment = models.TextField(_("the assignment"), max_length=TEXT_LENGTH)
    ability_and_willingness = models.TextField(_("ability and willingness"), max_length=TEXT_LENGTH)
    capacity = models.TextField(_("capacity"), max_length=TEXT_LENGTH)
    organisation_confirms_trust = models.BooleanField(
        _("the organisation confirms the candidate has its trust"), default=False
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOMINATED
    )
    reason = models.TextField(_("reason"), blank=True, max_length=NOTE_LENGTH)
    balance_exception = models.TextField(
        _("reason for the exception to the gender balance"),
        blank=True,
        max_length=NOTE_LENGTH,
        help_text=_("Recorded when the appointment leaves the council's gender balance unmet."),
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("nominated by"),
    )
    nominated_at = models.DateTimeField(_("nominated"), default=timezone.now)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recommended by"),
    )
    recommended_at = models.DateTimeField(_("recommended"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    member = models.OneToOneField(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="nomination",
        verbose_name=_("membership created"),
    )

    class Meta:
        ordering = ["request", "nominated_at"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "candidate"], name="nomination_once_per_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate} – {self.request}"


# --- Meetings and cases ---------------------------------------------------------


class MeetingQuerySet(models.QuerySet):
    def upcoming(self) -> MeetingQuerySet:
        return self.filter(starts_at__gte=timezone.now()).order_by("starts_at")

    def published(self) -> MeetingQuerySet:
        return self.filter(minutes_status=Meeting.MinutesStatus.APPROVED)


class Meeting(models.Model):
    class MinutesStatus(models.TextChoices):
        NONE = "none", _("Not written")
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved and locked")

    class PdfStatus(models.TextChoices):
        NONE = "none", _("Not made")
        QUEUED = "queued", _("Queued")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("council")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200)
    accessibility = models.TextField(
        _("accessibility of the place"),
        blank=True,
        help_text=_("Step-free entrance, hearing loop, accessible toilet, quiet room …"),
        max_length=TEXT_LENGTH,
    )
    notice_sent_at = models.DateTimeField(_("notice sent"), null=True, blank=True)
    notice_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("notice sent by"),
    )
    minutes = models.TextField(_("minutes"), blank=True, max_length=DOCUMENT_LENGTH)
    minutes_status = models.CharField(
        _("minutes"), max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.NONE
    )
    minutes_approved_at = models.DateTimeField(_("minutes approved"), null=True, blank=True)
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("minutes approved by"),
    )
    minutes_pdf = models.FileField(_("minutes (PDF)"), upload_to="councils/minutes/", blank=True)
    minutes_pdf_status = models.CharField(
        _("minutes PDF"), max_length=8, choices=PdfStatus.choices, default=PdfStatus.NONE
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["council", "-starts_at"])]

    def __str__(self) -> str:
        return f"{self.council} {timezone.localtime(self.starts_at):%Y-%m-%d}"

    def clean(self) -> None:
        validate_order(
            self.starts_at,
            self.ends_at,
            field="ends_at",
            message=gettext("The meeting must end after it starts."),
        )

    @property
    def notice_deadline(self):
        return self.starts_at - timedelta(days=NOTICE_DAYS)

    @property
    def notice_was_late(self) -> bool:
        return self.notice_sent_at is not None and self.notice_sent_at > self.notice_deadline

    @property
    def is_locked(self) -> bool:
        return self.minutes_status == self.MinutesStatus.APPROVED


class CaseQuerySet(models.QuerySet):
    def open(self) -> CaseQuerySet:
        return self.exclude(status__in=[Case.Status.CLOSED, Case.Status.REJECTED])


class Case(models.Model):
    """A matter (sak) raised from shared experience, followed meeting after meeting."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ON_AGENDA = "on_agenda", _("On the agenda")
        DISCUSSED = "discussed", _("Discussed")
        FOLLOW_UP = "follow_up", _("Being followed up")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="cases", verbose_name=_("council")
    )
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    why = models.TextField(_("why it is a problem"), max_length=TEXT_LENGTH)
    where = models.TextField(_("where it is a problem"), max_length=TEXT_LENGTH)
    when = models.TextField(_("when it is a problem"), max_length=TEXT_LENGTH)
    proposed_solution = models.TextField(_("proposed solution"), max_length=TEXT_LENGTH)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    rejection_reason = models.TextField(
        _("why it was rejected"), blank=True, max_length=NOTE_LENGTH
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["council", "-number"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(fields=["council", "number"], name="case_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def age_days(self) -> int:
        end = self.closed_at or timezone.now()
        return (end - self.submitted_at).days


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("meeting")
    )
    position = models.PositiveSmallIntegerField(_("item"))
    title = models.CharField(_("title"), max_length=200)
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("case"),
    )
    document = models.ForeignKey(
        "Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("document"),
    )
    # What the meeting said and decided on the item; for a case this moves it on.
    decision = models.TextField(_("decision"), blank=True, max_length=TEXT_LENGTH)
    follow_up = models.TextField(_("follow-up"), blank=True, max_length=TEXT_LENGTH)

    class Meta:
        ordering = ["meeting", "position"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Document(models.Model):
    """A document for a council's members (papers for a meeting, reports)."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="documents", verbose_name=_("council")
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="councils/documents/")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        DEPUTY = "deputy", _("Absent, deputy attending")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("meeting")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("member")
    )
    status = models.CharField(_("attendance"), max_length=8, choices=Status.choices)
    deputy = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stood_in",
        verbose_name=_("deputy attending"),
    )
    travel_cost = models.DecimalField(
        _("travel costs (SEK)"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    lost_earnings = models.DecimalField(
        _("lost earnings (SEK)"), max_digits=8, decimal_places=2, default=Decimal("0")
    )

    class Meta:
        ordering = ["meeting", "member__display_name"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_status_display()}"


# --- Participation self-assessment (Shier, docs/domain.md §4) -----------------


class Assessment(models.Model):
    """A group's self-assessment on Shier's pathways to participation."""

    council = models.ForeignKey(
        Council,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("council"),
    )
    unit_name = models.CharField(
        _("service unit"),
        max_length=200,
        blank=True,
        help_text=_("When a service unit, not a council, assesses itself."),
    )
    held_on = models.DateField(_("date"))
    rapporteur = models.CharField(_("rapporteur"), max_length=200)
    secretary = models.CharField(_("secretary"), max_length=200)
    helps_policy = models.TextField(
        _("what helps today: policy"), blank=True, max_length=TEXT_LENGTH
    )
    helps_routines = models.TextField(
        _("what helps today: routines"), blank=True, max_length=TEXT_LENGTH
    )
    helps_attitudes = models.TextField(
        _("what helps today: attitudes"), blank=True, max_length=TEXT_LENGTH
    )
    develop_policy = models.TextField(
        _("what must develop: policy"), blank=True, max_length=TEXT_LENGTH
    )
    develop_routines = models.TextField(
        _("what must develop: routines"), blank=True, max_length=TEXT_LENGTH
    )
    develop_attitudes = models.TextField(
        _("what must develop: attitudes"), blank=True, max_length=TEXT_LENGTH
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("participation self-assessment")
        verbose_name_plural = _("participation self-assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(council__isnull=False) | ~Q(unit_name=""),
                name="assessment_has_council_or_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.council or self.unit_name} {self.held_on}"


class AssessmentAnswer(models.Model):
    class Level(models.IntegerChoices):
        LISTENED_TO = 1, _("Users are listened to")
        SUPPORTED = 2, _("Users are supported in expressing their views")
        TAKEN_INTO_ACCOUNT = 3, _("Users' views are taken into account")
        INVOLVED = 4, _("Users are involved in decision-making")
        SHARE_POWER = 5, _("Users share power and responsibility for decisions")

    class Stage(models.TextChoices):
        OPENINGS = "openings", _("Openings")
        OPPORTUNITIES = "opportunities", _("Opportunities")
        OBLIGATIONS = "obligations", _("Obligations")

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="answers", verbose_name=_("assessment")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    answer = models.CharField(_("answer"), max_length=8, choices=Answer.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=NOTE_LENGTH)

    class Meta:
        ordering = ["assessment", "level", "stage"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "level", "stage"], name="assessment_answer_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.level}/{self.stage}: {self.answer}"


class AnnualReport(models.Model):
    """A council's annual report as a PDF, made by a worker."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="annual_reports", verbose_name=_("council")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=Meeting.PdfStatus.choices,
        default=Meeting.PdfStatus.QUEUED,
    )
    file = models.FileField(_("file"), upload_to="councils/annual/", blank=True)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)

    class Meta:
        ordering = ["council", "-year"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        constraints = [
            models.UniqueConstraint(fields=["council", "year"], name="annual_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.council} {self.year}"


# Prefetches a council page needs, whatever the number of rows.
def council_page_queryset() -> CouncilQuerySet:
    return Council.objects.select_related("owner").prefetch_related(
        Prefetch("mandates", queryset=MandateVersion.objects.order_by("-number")),
        Prefetch(
            "members",
            queryset=Member.objects.select_related("organisation", "seat").order_by(
                "role", "display_name"
            ),
        ),
    )
