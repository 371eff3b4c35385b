"""Shared identity: users, roles, organisations, Swedish geography, accessibility feedback."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .roles import Role
from .text import NOTE_LENGTH
from .validators import normalise_org_number, validate_org_number


class County(models.Model):
    """One of Sweden's 21 counties (län), with SCB's two-digit code."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)
    letter = models.CharField(_("county letter"), max_length=2)

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """One of Sweden's 290 municipalities (kommuner), with SCB's four-digit code."""

    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("county")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name


class UserQuerySet(models.QuerySet):
    def with_role(self, role: str) -> UserQuerySet:
        return self.filter(groups__name=role, is_active=True)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, username: str) -> User:
        # People type their address with any capitalisation; one address is one account.
        return self.get(email__iexact=username)

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with e-mail and password."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("name"), max_length=200)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The portal and e-mail from it are in this language."),
    )
    is_staff = models.BooleanField(
        _("can use the administration"),
        default=False,
        help_text=_("Whether the user can log in to the administration site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def roles(self) -> set[str]:
        """The portal roles this user holds, from group membership (cached per instance)."""
        if not hasattr(self, "_roles_cache"):
            names = {group.name for group in self.groups.all()}
            roles = {role for role in Role.values if role in names}
            if self.is_superuser:
                roles.add(Role.ADMIN)
            self._roles_cache = roles
        return self._roles_cache

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def primary_role(self) -> str | None:
        """The role whose start page the user lands on, the widest first."""
        for role in Role.by_precedence():
            if role in self.roles:
                return role
        return None


class Organisation(models.Model):
    """A legal body or unit that orders audits, performs them, or takes part in councils."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        REGION = "region", _("Region")
        STATE_AGENCY = "state_agency", _("State agency")
        FINSAM = "finsam", _("Coordination association (Finsam)")
        PRIVATE_PROVIDER = "private_provider", _("Private provider")
        USER_ORGANISATION = "user_organisation", _("User organisation")
        UMBRELLA_BODY = "umbrella_body", _("Umbrella organisation")
        STUDY_ASSOCIATION = "study_association", _("Study association")
        RESOURCE_CENTRE = "resource_centre", _("Resource centre")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    org_number = models.CharField(
        _("organisation number"),
        max_length=11,
        blank=True,
        validators=[validate_org_number],
        help_text=_("Ten digits, for example 212000-1967."),
    )
    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("county"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("municipality"),
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="organisations",
        verbose_name=_("members"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["kind"]), models.Index(fields=["org_number"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.org_number:
            self.org_number = normalise_org_number(self.org_number)
        if self.municipality_id:
            county_id = self.municipality.county_id
            if self.county_id and self.county_id != county_id:
                raise ValidationError(
                    {"municipality": gettext("The municipality is not in the chosen county.")},
                    code="county_mismatch",
                )
            self.county_id = county_id


class Membership(models.Model):
    """A user's place in an organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    is_contact = models.BooleanField(
        _("contact person"),
        default=False,
        help_text=_("The person the resource centre contacts about the organisation's matters."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "user__full_name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation}"


class SignUp(models.Model):
    """A registration waiting for its e-mail address to be confirmed.

    Nothing else exists until the link in the e-mail is followed: no account, no
    organisation. Registering again with the same address replaces it (and its link).
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("name"), max_length=200)
    password = models.CharField(_("password"), max_length=128)  # hashed, as User's
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    organisation_name = models.CharField(_("name of the organisation"), max_length=200)
    organisation_kind = models.CharField(
        _("kind of organisation"), max_length=32, choices=Organisation.Kind.choices
    )
    org_number = models.CharField(_("organisation number"), max_length=11, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        verbose_name = _("registration awaiting confirmation")
        verbose_name_plural = _("registrations awaiting confirmation")

    def __str__(self) -> str:
        return self.email


class JoinRequestQuerySet(models.QuerySet):
    def pending(self) -> JoinRequestQuerySet:
        return self.filter(status=JoinRequest.Status.PENDING)


class JoinRequest(models.Model):
    """Someone who registered with the number of an organisation that already has an
    account asks to join it; the resource centre's staff decide."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="join_requests",
        verbose_name=_("person"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="join_requests",
        verbose_name=_("organisation"),
    )
    organisation_name_given = models.CharField(
        _("organisation name given"), max_length=200, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # Set when the organisation's commissioners have been told: they are told once.
    commissioners_told_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("commissioners told at")
    )

    objects = JoinRequestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("request to join an organisation")
        verbose_name_plural = _("requests to join an organisation")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=models.Q(status="pending"),
                name="join_request_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation}"


class AccessibilityFeedbackQuerySet(models.QuerySet):
    def open(self) -> AccessibilityFeedbackQuerySet:
        return self.exclude(status=AccessibilityFeedback.Status.RESOLVED)

    def for_inbox(self) -> AccessibilityFeedbackQuerySet:
        return self.select_related("handled_by").order_by("status", "-created_at")


class AccessibilityFeedback(models.Model):
    """A report of an accessibility problem or a request for content in an accessible format.

    Anonymous by design: no IP address or user agent is stored, and name and
    e-mail are optional.
    """

    class Kind(models.TextChoices):
        PROBLEM = "problem", _("Report an accessibility problem")
        FORMAT = "format", _("Ask for content in an accessible format")
        OTHER = "other", _("Other feedback on accessibility")

    class Format(models.TextChoices):
        EASY_READ = "easy_read", _("Easy-to-read text")
        AUDIO = "audio", _("Audio")
        BRAILLE = "braille", _("Braille")
        LARGE_PRINT = "large_print", _("Large print")
        SIGN_LANGUAGE = "sign_language", _("Sign language")
        OTHER = "other", _("Other format")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")

    kind = models.CharField(_("what it is about"), max_length=16, choices=Kind.choices)
    page_url = models.CharField(_("page"), max_length=500, blank=True)
    message = models.TextField(_("message"), max_length=5000)
    requested_format = models.CharField(
        _("format wanted"), max_length=16, choices=Format.choices, blank=True
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    staff_note = models.TextField(_("note from staff"), blank=True, max_length=NOTE_LENGTH)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    staff_notified_at = models.DateTimeField(_("staff notified"), null=True, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)

    objects = AccessibilityFeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("accessibility feedback")
        verbose_name_plural = _("accessibility feedback")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d})" if self.created_at else ""

    @property
    def is_anonymous(self) -> bool:
        return not (self.name or self.email)


class PendingTaskQuerySet(models.QuerySet):
    def unsent(self) -> PendingTaskQuerySet:
        return self.filter(sent_at__isnull=True)


class PendingTask(models.Model):
    """A background job the queue could not take (Redis down): kept here, sent when it is back.

    Only task names and ids are stored, never personal data; send_pending_tasks (beat, every
    minute) sends what is due, oldest first.
    """

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = PendingTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("pending background job")
        verbose_name_plural = _("pending background jobs")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"


class PersonErasure(models.Model):
    """The record that a person's data was erased: who did it, when, why, and how much.

    It holds no personal data: the erased account (kept, anonymised) is a pointer, and the
    counts say what was held and how many rows each part of the portal changed.
    """

    performed_at = models.DateTimeField(_("erased"), auto_now_add=True, db_index=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("erased by"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("anonymised account"),
    )
    reason = models.CharField(_("reason"), max_length=500)
    # {section: {item: rows held before the erasure}}
    held = models.JSONField(_("held before"), default=dict)
    # {section: rows changed or deleted}
    changed = models.JSONField(_("rows changed"), default=dict)

    class Meta:
        ordering = ["-performed_at", "-pk"]
        verbose_name = _("erasure of personal data")
        verbose_name_plural = _("erasures of personal data")

    def __str__(self) -> str:
        return f"#{self.pk} {self.performed_at:%Y-%m-%d}" if self.performed_at else f"#{self.pk}"

    @property
    def total_changed(self) -> int:
        return sum(self.changed.values())


class NoticeQuerySet(models.QuerySet):
    def open_for(self, user) -> NoticeQuerySet:
        """The user's notices not yet marked as read, newest first."""
        return self.filter(user=user, read_at__isnull=True).order_by("-created_at", "-pk")


class Notice(models.Model):
    """One line in a person's "what is new for you" list on their start page.

    Written by an app together with the e-mail about the same event, in the person's
    language, with a link to the page where they act. The key makes a repeated event
    (a redelivered task) add nothing twice.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("user"),
    )
    key = models.CharField(_("key"), max_length=120)
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("link"), max_length=300)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notice_once")]

    def __str__(self) -> str:
        return self.text
