"""A survey's content: sections, questions of each kind with their texts in plain and
easy-to-read language and pictures, answer options, and the question bank to copy from.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from brukarkraft.text import NOTE_LENGTH

from .base import Translated
from .survey import Survey


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
