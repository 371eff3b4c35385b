"""Forms for building surveys and for answering them. Forms validate; services change things."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from brukarkraft.faults import SubmissionKeyMixin
from brukarkraft.validators import DateRangeMixin

from .models import (
    LANGUAGES,
    ExportJob,
    Kind,
    Option,
    Question,
    Response,
    Section,
    Survey,
    Unit,
    current_language,
)
from .services import MAX_CODES_PER_BATCH, MAX_TEXT_ANSWER, GivenAnswer

DONT_KNOW = "dk"
MAX_PICTURE_BYTES = 2 * 1024 * 1024
PICTURE_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}


# Texts a draft may lack but the accessibility check requires before publishing: their
# labels say so instead of "(optional)".
NEEDED_TO_PUBLISH = _("needed to publish")
NEEDED_WITH_PICTURE = _("needed to publish with a picture")


def mark_needed(form: forms.BaseForm, names, why) -> None:
    for name in names:
        if name in form.fields:
            form.fields[name].needed_for = why


def validate_picture(upload) -> None:
    """Pictures are checked by content (Pillow), not by name, and kept small for phones."""
    if not upload or not hasattr(upload, "size"):
        return
    if upload.size > MAX_PICTURE_BYTES:
        raise ValidationError(
            gettext("The picture is too large. Use a picture of at most 2 MB."), code="too_big"
        )
    image = getattr(upload, "image", None)
    if image is not None and image.format not in PICTURE_FORMATS:
        raise ValidationError(
            gettext("Use a PNG, JPEG, GIF or WebP picture."), code="picture_format"
        )


class SurveySettingsForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = [
            "title_sv",
            "title_nb",
            "title_en",
            "intro_sv",
            "intro_nb",
            "intro_en",
            "one_question_per_page",
            "open_link_enabled",
            "opens_at",
            "closes_at",
            "retention_days",
        ]
        widgets = {
            "intro_sv": forms.Textarea(attrs={"rows": 3}),
            "intro_nb": forms.Textarea(attrs={"rows": 3}),
            "intro_en": forms.Textarea(attrs={"rows": 3}),
            "opens_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "closes_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mark_needed(self, ["title_nb", "title_en"], NEEDED_TO_PUBLISH)


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["title_sv", "title_nb", "title_en"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mark_needed(self, ["title_nb", "title_en"], NEEDED_TO_PUBLISH)


class QuestionForm(SubmissionKeyMixin, forms.ModelForm):
    class Meta:
        model = Question
        fields = [
            "section",
            "kind",
            "text_sv",
            "text_nb",
            "text_en",
            "easy_sv",
            "easy_nb",
            "easy_en",
            "help_sv",
            "help_nb",
            "help_en",
            "image",
            "image_alt_sv",
            "image_alt_nb",
            "image_alt_en",
            "is_practice",
            "min_value",
            "max_value",
            "show_if_option",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in (
                "text_sv",
                "text_nb",
                "text_en",
                "easy_sv",
                "easy_nb",
                "easy_en",
                "help_sv",
                "help_nb",
                "help_en",
            )
        }

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = survey.sections.all()
        self.fields["section"].empty_label = None
        # A question may depend only on an earlier question's answer option.
        earlier = survey.questions.in_order()
        if self.instance.pk:
            ordered = list(earlier.values_list("pk", flat=True))
            earlier = earlier.filter(pk__in=ordered[: ordered.index(self.instance.pk)])
        options = Option.objects.filter(
            question__in=earlier,
            question__kind__in=[Kind.SINGLE, Kind.MULTIPLE, Kind.SCALE3, Kind.SCALE5, Kind.YES_NO],
        ).select_related("question")
        self.fields["show_if_option"].queryset = options
        self.fields["show_if_option"].label_from_instance = lambda option: (
            f"{option.question.text[:60]} → {option.label}"
        )
        self.fields["show_if_option"].empty_label = gettext("Always show the question")
        self.fields["image"].validators.append(validate_picture)
        self.fields["image"].widget = forms.ClearableFileInput(attrs={"accept": "image/*"})
        mark_needed(
            self, ["text_nb", "text_en", "easy_sv", "easy_nb", "easy_en"], NEEDED_TO_PUBLISH
        )
        mark_needed(self, ["image_alt_sv", "image_alt_nb", "image_alt_en"], NEEDED_WITH_PICTURE)
        for language in LANGUAGES:
            self.fields[f"help_{language}"].help_text = gettext(
                "Shown when someone presses “I don't understand the question”."
                " Needed wherever there is easy-to-read text."
            )

    def clean(self):
        data = super().clean()
        # Easy-to-read text asks for a help text in the same language: it is what
        # "I don't understand the question" shows someone who already reads the easy text.
        for language in LANGUAGES:
            if (data.get(f"easy_{language}") or "").strip() and not (
                data.get(f"help_{language}") or ""
            ).strip():
                self.add_error(
                    f"help_{language}",
                    gettext(
                        "Write a help text too: with easy-to-read text, “I don't understand"
                        " the question” shows it. Explain the question in other words."
                    ),
                )
        low, high = data.get("min_value"), data.get("max_value")
        if low is not None and high is not None and high < low:
            self.add_error(
                "max_value", gettext("The largest number must not be below the smallest.")
            )
        return data


class OptionForm(forms.ModelForm):
    class Meta:
        model = Option
        fields = [
            "label_sv",
            "label_nb",
            "label_en",
            "value",
            "image",
            "image_alt_sv",
            "image_alt_nb",
            "image_alt_en",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].required = False
        self.fields["value"].help_text = gettext("Leave empty to number the options 1, 2, 3 …")
        self.fields["image"].validators.append(validate_picture)
        self.fields["image"].widget = forms.ClearableFileInput(attrs={"accept": "image/*"})
        mark_needed(self, ["label_sv", "label_nb", "label_en"], NEEDED_TO_PUBLISH)
        mark_needed(self, ["image_alt_sv", "image_alt_nb", "image_alt_en"], NEEDED_WITH_PICTURE)

    def clean(self):
        data = super().clean()
        if not any(data.get(f"label_{code}") for code in ("sv", "nb", "en")) and not data.get(
            "image"
        ):
            raise ValidationError(gettext("Give the answer option a text."), code="empty")
        return data


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Name of the unit"), max_length=200)


class CodeBatchForm(SubmissionKeyMixin, forms.Form):
    size = forms.IntegerField(
        label=_("Number of codes"),
        min_value=1,
        max_value=MAX_CODES_PER_BATCH,
        help_text=_("One code for each person who may answer. At most 2,000 in one batch."),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("No particular unit"),
    )

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = survey.units.all()


class MemberForm(forms.Form):
    email = forms.EmailField(label=_("The person's e-mail address"))
    role = forms.ChoiceField(label=_("May"), choices=[])

    def __init__(self, *args, **kwargs):
        from .models import SurveyMember

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = SurveyMember.Role.choices


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("File format"),
        choices=[("csv", "CSV"), ("xlsx", "XLSX (Excel)")],
        widget=forms.RadioSelect,
        initial="csv",
    )
    language = forms.ChoiceField(
        label=_("Language of the file"),
        choices=settings.LANGUAGES,
        required=False,
        help_text=_("The headings, the questions and the answers are written in this language."),
    )
    values = forms.ChoiceField(
        label=_("Write the answers as"),
        choices=ExportJob.Values.choices,
        widget=forms.RadioSelect,
        initial=ExportJob.Values.LABELS,
        required=False,
    )

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        # The survey's own language: the one being read, if the survey is written in it.
        language = current_language()
        if not getattr(survey, f"title_{language}"):
            language = "sv"
        self.fields["language"].initial = language
        self.default_language = language

    def clean(self):
        data = super().clean()
        # A form sent without these (an older page still open) gets what the page offers first.
        data["language"] = data.get("language") or self.default_language
        data["values"] = data.get("values") or ExportJob.Values.LABELS
        return data


class ResultsFilterForm(DateRangeMixin, forms.Form):
    # A filter's fields are all optional: marking each so is noise (bootstrap5/field.html).
    optional_marks = False

    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All units")
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    support = forms.ChoiceField(label=_("Answered"), required=False)
    date_from = forms.DateField(
        label=_("Sent from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Sent until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = survey.units.all()
        self.fields["channel"].choices = [("", gettext("Web and paper")), *Response.Channel.choices]
        self.fields["support"].choices = [
            ("", gettext("Everyone")),
            (Response.Support.ALONE, Response.Support.ALONE.label),
            (Response.Support.HELPED, Response.Support.HELPED.label),
        ]


# --- Answering --------------------------------------------------------------------------


class StartForm(forms.Form):
    """The first page: how the person answers. Nothing here identifies them."""

    start_key = forms.CharField(widget=forms.HiddenInput)
    code = forms.CharField(
        label=_("Your code"),
        required=False,
        max_length=20,
        help_text=_("The code is on the slip you were given, for example ABCD-EFGH."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    easy_read = forms.BooleanField(label=_("Easy-to-read text"), required=False)
    support = forms.ChoiceField(
        label=_("Who answers the questions?"),
        choices=[
            (Response.Support.ALONE, _("I answer myself, alone")),
            (Response.Support.HELPED, _("I answer myself, and a support person helps me")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    # Asked only of those who answer with help (the start page shows it once that is
    # chosen), and never required: the answers count just the same without it.
    support_role = forms.ChoiceField(
        label=_("Who is your support person? (optional)"),
        choices=[("", _("Choose")), *Response.SupportRole.choices],
        required=False,
        help_text=_(
            "The support person may read and explain, but the answers must be yours."
            " Staff and guardians must not answer for you."
        ),
    )

    def __init__(self, *args, needs_code: bool, offers_code: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_code = needs_code
        if needs_code:
            self.fields["code"].required = True
            self.fields["code"].error_messages["required"] = gettext(
                "Write the code from your slip."
            )
        elif offers_code:
            # The open link is on and slips are out too: a slip's code may be written here.
            self.fields["code"].help_text = gettext(
                "Only if you were given a slip with a code, for example ABCD-EFGH."
            )
        else:
            del self.fields["code"]


class ResumeForm(forms.Form):
    code = forms.CharField(
        label=_("Your code to continue"),
        max_length=20,
        help_text=_("You got the code when you stopped, for example ABCD-EFGH."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        error_messages={"required": _("Write your code.")},
    )


class TextAnswerField(forms.CharField):
    def to_python(self, value):
        # Browsers count a line break as one character against maxlength but send two
        # (CR LF): count it as the person saw it.
        return super().to_python(value).replace("\r\n", "\n")


class AnswerForm(forms.Form):
    """One question's answer. Field names carry the question id so many fit on one page."""

    def __init__(self, *args, question: Question, **kwargs):
        kwargs.setdefault("prefix", f"q{question.pk}")
        super().__init__(*args, **kwargs)
        self.question = question
        dont_know = (DONT_KNOW, gettext("Don't know"))
        invalid = gettext("That answer is not one of the choices. Choose again.")
        options = [(str(o.pk), o.label) for o in question.options.all()]
        if question.kind == Kind.MULTIPLE:
            self.fields["answer"] = forms.MultipleChoiceField(
                label=question.text,
                choices=[*options, dont_know],
                required=False,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": invalid},
            )
        elif question.has_options:
            self.fields["answer"] = forms.ChoiceField(
                label=question.text,
                choices=[*options, dont_know],
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": invalid},
            )
        elif question.kind == Kind.NUMBER:
            self.fields["answer"] = forms.IntegerField(
                label=question.text,
                required=False,
                min_value=question.min_value,
                max_value=question.max_value,
                error_messages={"invalid": gettext("Write a whole number, for example 3.")},
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            self.fields["dont_know"] = forms.BooleanField(label=dont_know[1], required=False)
        else:
            self.fields["answer"] = TextAnswerField(
                label=question.text,
                required=False,
                max_length=MAX_TEXT_ANSWER,
                widget=forms.Textarea(attrs={"rows": 5}),
                # Plain words instead of Django's "Ensure this value has at most …".
                error_messages={
                    "max_length": gettext(
                        "Your answer is too long. Write at most %(limit_value)s characters."
                        " Now there are %(show_value)s."
                    )
                },
            )
            self.fields["dont_know"] = forms.BooleanField(label=dont_know[1], required=False)

    @classmethod
    def initial_for(cls, question: Question, answers: list) -> dict:
        if not answers:
            return {}
        if any(a.dont_know for a in answers):
            if question.has_options:
                return {"answer": [DONT_KNOW] if question.is_multiple else DONT_KNOW}
            return {"dont_know": True}
        if question.is_multiple:
            return {"answer": [str(a.option_id) for a in answers]}
        if question.has_options:
            return {"answer": str(answers[0].option_id)}
        if question.kind == Kind.NUMBER:
            return {"answer": answers[0].number}
        return {"answer": answers[0].text}

    def clean(self):
        data = super().clean()
        value = data.get("answer")
        if self.question.kind == Kind.MULTIPLE and value and DONT_KNOW in value and len(value) > 1:
            self.add_error("answer", gettext("Choose either an answer or “Don't know”, not both."))
        if data.get("dont_know") and value not in (None, ""):
            self.add_error("answer", gettext("Choose either an answer or “Don't know”, not both."))
        return data

    def given(self) -> GivenAnswer:
        value = self.cleaned_data.get("answer")
        if self.question.has_options:
            values = value if isinstance(value, list) else ([value] if value else [])
            return GivenAnswer(
                option_ids=[int(v) for v in values if v != DONT_KNOW],
                dont_know=DONT_KNOW in values,
            )
        if self.cleaned_data.get("dont_know"):
            return GivenAnswer([], dont_know=True)
        if self.question.kind == Kind.NUMBER:
            return GivenAnswer([], number=value)
        return GivenAnswer([], text=value or "")


class PaperEntryForm(forms.Form):
    entry_key = forms.CharField(widget=forms.HiddenInput)
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("No particular unit"),
    )
    support = forms.ChoiceField(
        label=_("Answered"),
        choices=[("", _("Not stated")), *Response.Support.choices[:2]],
        required=False,
    )
    support_role = forms.ChoiceField(
        label=_("Support person"),
        choices=[("", _("Not stated")), *Response.SupportRole.choices],
        required=False,
    )

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = survey.units.all()


def option_rows(form: AnswerForm) -> list[dict]:
    """The choices of a choice question with their option (for pictures) and checked state."""
    field = form["answer"]
    value = field.value()
    chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
    options = {str(o.pk): o for o in form.question.options.all()}
    return [
        {
            "value": key,
            "label": label,
            "option": options.get(str(key)),
            "checked": str(key) in chosen,
            "id": f"{field.auto_id}_{index}",
            "dont_know": key == DONT_KNOW,
        }
        for index, (key, label) in enumerate(field.field.choices)
    ]
