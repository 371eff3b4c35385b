"""Surveys: questionnaires in three languages with easy-to-read text, picture support,
anonymous responses, one-time codes, paper entry, results and exports.

Surveys does not know about audits: an audit links to a survey from its own side, and its
live team's access is read through the source the audits app registers in `grants`.
`SurveyMember` holds access given by hand (and a survey's creator).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from brukarkraft.roles import Role
from brukarkraft.text import NOTE_LENGTH, TEXT_LENGTH
from brukarkraft.validators import validate_order

from . import grants

LANGUAGES = ("sv", "nb", "en")


def current_language(language: str | None = None) -> str:
    code = (language or get_language() or "sv")[:2]
    return code if code in LANGUAGES else "sv"


def new_token() -> str:
    # 12 URL-safe characters: about 72 bits, unguessable for a public link.
    return secrets.token_urlsafe(9)


class Translated(models.Model):
    """Texts stored once per language (field_sv, field_nb, field_en)."""

    class Meta:
        abstract = True

    def tr(self, field: str, language: str | None = None) -> str:
        """The text in the given (or current) language, Swedish when that one is empty."""
        return getattr(self, f"{field}_{current_language(language)}") or getattr(
            self, f"{field}_sv"
        )


class SurveyQuerySet(models.QuerySet):
    def visible_to(self, user) -> SurveyQuerySet:
        """The surveys a person may see in the builder and results: staff all, others those
        they were given (SurveyMember) or have through another app's live record (grants)."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.STAFF, Role.ADMIN):
            return self
        if user.has_role(Role.AUDITOR):
            given = SurveyMember.objects.filter(user=user).values("survey_id")
            return self.filter(Q(pk__in=given) | grants.derived(user, build=False))
        return self.none()

    def editable_by(self, user) -> SurveyQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.STAFF, Role.ADMIN):
            return self
        if user.has_role(Role.AUDITOR):
            given = SurveyMember.objects.filter(user=user, role=SurveyMember.Role.BUILDER)
            return self.filter(
                Q(pk__in=given.values("survey_id")) | grants.derived(user, build=True)
            )
        return self.none()

    def publishable_by(self, user) -> SurveyQuerySet:
        """Publishing puts a survey on the portal's own domain: staff, or the lead of the
        work the survey belongs to (an audit's lead auditor); building a draft is not enough."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.STAFF, Role.ADMIN):
            return self
        if user.has_role(Role.AUDITOR):
            return self.filter(grants.derived(user, build=True))
        return self.none()

    def with_counts(self) -> SurveyQuerySet:
        return self.annotate(
            submitted_count=models.Count(
                "responses",
                filter=Q(responses__status="submitted"),
                distinct=True,
            ),
        )


class Survey(Translated):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Published")
        CLOSED = "closed", _("Closed")

    title_sv = models.CharField(_("title (Swedish)"), max_length=200)
    title_nb = models.CharField(_("title (Norwegian)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro_sv = models.TextField(_("introduction (Swedish)"), blank=True, max_length=TEXT_LENGTH)
    intro_nb = models.TextField(_("introduction (Norwegian)"), blank=True, max_length=TEXT_LENGTH)
    intro_en = models.TextField(_("introduction (English)"), blank=True, max_length=TEXT_LENGTH)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    previous_version = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_versions",
        verbose_name=_("previous version"),
    )
    organisation = models.ForeignKey(
        "brukarkraft.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("organisation"),
        help_text=_("The organisation the survey is made for, if any."),
    )
    token = models.CharField(_("link code"), max_length=32, unique=True, default=new_token)
    open_link_enabled = models.BooleanField(
        _("open link"),
        default=True,
        help_text=_("Anyone with the link may answer. Turn off to allow one-time codes only."),
    )
    one_question_per_page = models.BooleanField(
        _("one question per page"),
        default=True,
        help_text=_("Recommended. Turn off to show all questions on one page."),
    )
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    retention_days = models.PositiveIntegerField(
        _("keep raw answers for (days after closing)"),
        default=365,
        help_text=_("After this, single answers are deleted and only totals are kept."),
    )
    raw_deleted_at = models.DateTimeField(_("raw answers deleted"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return f"{self.title_sv} (v{self.version})"

    def clean(self) -> None:
        validate_order(
            self.opens_at,
            self.closes_at,
            field="closes_at",
            message=gettext("The survey must close after it opens."),
        )

    @property
    def title(self) -> str:
        return self.tr("title")

    @property
    def intro(self) -> str:
        return self.tr("intro")

    def is_accepting_answers(self, now=None) -> bool:
        now = now or timezone.now()
        if self.status != self.Status.OPEN:
            return False
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)

    def not_yet_open(self, now=None) -> bool:
        now = now or timezone.now()
        return bool(self.status == self.Status.OPEN and self.opens_at and now < self.opens_at)

    @property
    def raw_delete_due(self):
        closed = self.closed_at or self.closes_at
        if closed is None:
            return None
        return closed + timezone.timedelta(days=self.retention_days)


class SurveyMember(models.Model):
    """A person who may build the survey (a lead auditor) or read its results (an auditor)."""

    class Role(models.TextChoices):
        BUILDER = "builder", _("Builds the survey and reads results")
        ANALYST = "analyst", _("Reads results and enters paper answers")

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="members", verbose_name=_("survey")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="survey_memberships",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = _("survey member")
        verbose_name_plural = _("survey members")
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="survey_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


class Unit(models.Model):
    """A unit (e.g. one daily activity centre) the survey is answered at; results per unit."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="units", verbose_name=_("survey")
    )
    name = models.CharField(_("unit"), max_length=200)
    token = models.CharField(_("link code"), max_length=32, unique=True, default=new_token)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["survey", "name"], name="survey_unit_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Section(Translated):
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="sections", verbose_name=_("survey")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    title_sv = models.CharField(_("heading (Swedish)"), max_length=200)
    title_nb = models.CharField(_("heading (Norwegian)"), max_length=200, blank=True)
    title_en = models.CharField(_("heading (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["survey", "position", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.title_sv

    @property
    def title(self) -> str:
        return self.tr("title")


class Kind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE3 = "scale3", _("Picture scale, 3 points")
    SCALE5 = "scale5", _("Picture scale, 5 points")
    YES_NO = "yes_no", _("Yes / no / don't know")
    TEXT = "text", _("Free text")
    NUMBER = "number", _("Number")


CHOICE_KINDS = {Kind.SINGLE, Kind.MULTIPLE, Kind.SCALE3, Kind.SCALE5, Kind.YES_NO}
# Kinds whose options the portal makes itself (fixed labels and pictures).
FIXED_OPTION_KINDS = {Kind.SCALE3, Kind.SCALE5, Kind.YES_NO}


class QuestionQuerySet(models.QuerySet):
    def in_order(self) -> QuestionQuerySet:
        # The practice question always comes first, whatever its section.
        return self.order_by("-is_practice", "section__position", "section_id", "position", "pk")

    def counted(self) -> QuestionQuerySet:
        return self.filter(is_practice=False)


class WithPicture(Translated):
    """An optional picture with its description (alternative text) in three languages."""

    image = models.ImageField(_("picture"), upload_to="surveys/pictures/", blank=True)
    image_alt_sv = models.CharField(_("picture description (Swedish)"), max_length=300, blank=True)
    image_alt_nb = models.CharField(
        _("picture description (Norwegian)"), max_length=300, blank=True
    )
    image_alt_en = models.CharField(_("picture description (English)"), max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def image_alt(self) -> str:
        return self.tr("image_alt")


class QuestionTexts(Translated):
    """A question's texts in three languages: ordinary, easy-to-read and help."""

    text_sv = models.TextField(_("question (Swedish)"), max_length=NOTE_LENGTH)
    text_nb = models.TextField(_("question (Norwegian)"), blank=True, max_length=NOTE_LENGTH)
    text_en = models.TextField(_("question (English)"), blank=True, max_length=NOTE_LENGTH)
    easy_sv = models.TextField(
        _("easy-to-read question (Swedish)"), blank=True, max_length=NOTE_LENGTH
    )
    easy_nb = models.TextField(
        _("easy-to-read question (Norwegian)"), blank=True, max_length=NOTE_LENGTH
    )
    easy_en = models.TextField(
        _("easy-to-read question (English)"), blank=True, max_length=NOTE_LENGTH
    )
    help_sv = models.TextField(_("help text (Swedish)"), blank=True, max_length=NOTE_LENGTH)
    help_nb = models.TextField(_("help text (Norwegian)"), blank=True, max_length=NOTE_LENGTH)
    help_en = models.TextField(_("help text (English)"), blank=True, max_length=NOTE_LENGTH)

    class Meta:
        abstract = True

    @property
    def text(self) -> str:
        return self.tr("text")

    @property
    def easy(self) -> str:
        return self.tr("easy")

    @property
    def help(self) -> str:
        return self.tr("help")


class Question(QuestionTexts, WithPicture):
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey")
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="questions", verbose_name=_("section")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind of question"), max_length=10, choices=Kind.choices)
    is_practice = models.BooleanField(
        _("practice question"),
        default=False,
        help_text=_("Shown first so the respondent can try; never counted in the results."),
    )
    min_value = models.IntegerField(_("smallest number"), null=True, blank=True)
    max_value = models.IntegerField(_("largest number"), null=True, blank=True)
    show_if_option = models.ForeignKey(
        "Option",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("show only if the answer was"),
    )
    not_understood_count = models.PositiveIntegerField(_("“I don't understand” pressed"), default=0)
    bank_key = models.CharField(_("from the question bank"), max_length=50, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["section__position", "position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text_sv[:80]

    @property
    def has_options(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def is_multiple(self) -> bool:
        return self.kind == Kind.MULTIPLE

    @property
    def is_scale(self) -> bool:
        return self.kind in (Kind.SCALE3, Kind.SCALE5)


class Option(WithPicture):
    class Smiley(models.TextChoices):
        VERY_SAD = "very_sad", _("Very sad face")
        SAD = "sad", _("Sad face")
        NEUTRAL = "neutral", _("Neutral face")
        HAPPY = "happy", _("Happy face")
        VERY_HAPPY = "very_happy", _("Very happy face")

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options", verbose_name=_("question")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    value = models.CharField(_("value in exports"), max_length=30)
    label_sv = models.CharField(_("answer (Swedish)"), max_length=200, blank=True)
    label_nb = models.CharField(_("answer (Norwegian)"), max_length=200, blank=True)
    label_en = models.CharField(_("answer (English)"), max_length=200, blank=True)
    smiley = models.CharField(_("smiley"), max_length=12, choices=Smiley.choices, blank=True)

    class Meta:
        ordering = ["question", "position", "pk"]
        verbose_name = _("answer option")
        verbose_name_plural = _("answer options")

    def __str__(self) -> str:
        return self.label_sv or self.value

    @property
    def label(self) -> str:
        return self.tr("label")


class Response(models.Model):
    """One person's answers. Nothing here points at a person, an address or a device."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("Being answered")
        SUBMITTED = "submitted", _("Sent")

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        PAPER = "paper", _("Paper")

    class Support(models.TextChoices):
        ALONE = "alone", _("Answered alone")
        HELPED = "helped", _("Answered with a support person")
        UNKNOWN = "", _("Not stated")

    class SupportRole(models.TextChoices):
        QUESTION_ASSISTANT = "assistant", _("An independent question assistant")
        FAMILY = "family", _("A relative or friend")
        PERSONAL_ASSISTANT = "personal_assistant", _("My personal assistant")
        INTERPRETER = "interpreter", _("An interpreter")
        OTHER = "other", _("Someone else")

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("survey")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("unit"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS
    )
    channel = models.CharField(
        _("channel"), max_length=6, choices=Channel.choices, default=Channel.WEB
    )
    support = models.CharField(
        _("answered"), max_length=8, choices=Support.choices, blank=True, default=""
    )
    support_role = models.CharField(
        _("support person"), max_length=20, choices=SupportRole.choices, blank=True
    )
    easy_read = models.BooleanField(_("easy-to-read mode"), default=False)
    # Issued by the server with the start form: starting twice gives the same response.
    start_key = models.CharField(max_length=64, unique=True, verbose_name=_("start key"))
    # A hash of the code the respondent writes down to continue later; never the code itself.
    resume_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, verbose_name=_("resume hash")
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    submitted_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [models.Index(fields=["survey", "status"], name="response_survey_status")]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Answer(models.Model):
    """One answer to one question; a multiple-choice answer is one row per ticked option."""

    class Review(models.TextChoices):
        PENDING = "pending", _("Not yet reviewed")
        APPROVED = "approved", _("May be shown")
        HIDDEN = "hidden", _("Hidden (could identify someone)")

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    option = models.ForeignKey(
        Option,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("option"),
    )
    dont_know = models.BooleanField(_("don't know"), default=False)
    text = models.TextField(_("text"), blank=True)
    number = models.IntegerField(_("number"), null=True, blank=True)
    review = models.CharField(
        _("review"), max_length=10, choices=Review.choices, blank=True, default=""
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [
            models.Index(fields=["question", "option"], name="answer_question_option"),
            # The free texts waiting for review are few among millions of answers.
            models.Index(
                fields=["question"],
                condition=Q(review="pending"),
                name="answer_pending_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.option_id or self.number or self.text[:20]}"


class CodeBatch(models.Model):
    """A printed batch of one-time codes: controlled anonymity, one slip per respondent."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="code_batches", verbose_name=_("survey")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("unit")
    )

    class SlipsStatus(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    size = models.PositiveIntegerField(_("number of codes"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The slips PDF is made by a worker: 2,000 slips take about 45 s.
    slips = models.FileField(_("slips to print"), upload_to="surveys/slips/", blank=True)
    slips_status = models.CharField(
        _("slips"), max_length=8, choices=SlipsStatus.choices, default=SlipsStatus.QUEUED
    )
    slips_language = models.CharField(_("language of the slips"), max_length=8, default="sv")
    answer_url = models.CharField(_("address printed on the slips"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("batch of one-time codes")
        verbose_name_plural = _("batches of one-time codes")

    def __str__(self) -> str:
        return f"{self.survey} – {self.size}"


class OneTimeCode(models.Model):
    # Not tied to any person: the slip is handed out at random, as on paper.
    batch = models.ForeignKey(
        CodeBatch, on_delete=models.CASCADE, related_name="codes", verbose_name=_("batch")
    )
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="codes", verbose_name=_("survey")
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    response = models.OneToOneField(
        Response,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="one_time_code",
        verbose_name=_("response"),
    )
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")

    def __str__(self) -> str:
        return self.code


class ExportJob(models.Model):
    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX (Excel)"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being written")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Values(models.TextChoices):
        LABELS = "labels", _("The answers as the respondents saw them, in the chosen language")
        CODES = "codes", _("Codes for statistics programs (dont_know, helped, option values)")

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="exports", verbose_name=_("survey")
    )
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    language = models.CharField(_("language"), max_length=8, blank=True)
    values = models.CharField(
        _("answers as"), max_length=6, choices=Values.choices, default=Values.LABELS
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("responses written"), default=0)
    rows_total = models.PositiveIntegerField(_("responses in all"), default=0)
    file = models.FileField(_("file"), upload_to="surveys/exports/", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.survey} {self.format} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(100 * self.rows_done / self.rows_total))


class FrozenCount(models.Model):
    """Totals kept after the raw answers have been deleted at the end of retention.

    A row with no question counts respondents; a row with a question counts answers
    (one option, "don't know", or number answers with their sum).
    """

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="frozen_counts", verbose_name=_("survey")
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("question")
    )
    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("option")
    )
    dont_know = models.BooleanField(default=False, verbose_name=_("don't know"))
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("unit")
    )
    channel = models.CharField(
        max_length=6, choices=Response.Channel.choices, verbose_name=_("channel")
    )
    support = models.CharField(max_length=8, blank=True, verbose_name=_("support"))
    count = models.PositiveIntegerField(verbose_name=_("count"))
    number_sum = models.BigIntegerField(null=True, blank=True, verbose_name=_("number sum"))

    class Meta:
        verbose_name = _("kept total")
        verbose_name_plural = _("kept totals")

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.question_id}/{self.option_id}: {self.count}"


class BankQuestion(QuestionTexts):
    """A standard question, copied into surveys (the copy can then be changed)."""

    class Topic(models.TextChoices):
        TREATMENT = "treatment", _("Treatment (bemötande)")
        PARTICIPATION = "participation", _("Participation (delaktighet)")
        INFLUENCE = "influence", _("Influence (inflytande)")
        SAFETY = "safety", _("Safety (trygghet)")
        INFORMATION = "information", _("Information")

    key = models.SlugField(_("key"), max_length=50, unique=True)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    kind = models.CharField(_("kind of question"), max_length=10, choices=Kind.choices)
    # For single and multiple choice: [{"value": …, "label_sv": …, "label_nb": …, "label_en": …}]
    options = models.JSONField(_("answer options"), default=list, blank=True)

    class Meta:
        ordering = ["topic", "key"]
        verbose_name = _("standard question")
        verbose_name_plural = _("question bank")

    def __str__(self) -> str:
        return self.text_sv[:80]
