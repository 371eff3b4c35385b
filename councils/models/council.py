"""Councils, their terms of reference, seats and members (docs/domain.md §3): who sits on
a council and for how long, and the consent rule for naming members in public.
"""

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
from brukarkraft.text import DOCUMENT_LENGTH, TEXT_LENGTH
from brukarkraft.validators import validate_order

from ..access import CouncilAccessQuerySet

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


class CouncilQuerySet(CouncilAccessQuerySet):
    """Reads of councils; who may reach which (visible_to, enterable_by) is in councils.access."""

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

    def expected_at(self, meeting) -> MemberQuerySet:
        """Who is called to `meeting` (a Meeting): the council's members serving on its day,
        observers included; deputies attend only in a member's place, so they are not listed.
        The parameter is not annotated: models.meetings imports this module, not the reverse."""
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
