"""Forms for the councils portal. They validate and normalise; councils.services changes."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brukarkraft.text import NOTE_LENGTH, TEXT_LENGTH

from .models import AssessmentAnswer

Level = AssessmentAnswer.Level
Stage = AssessmentAnswer.Stage


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _text(label, help_text="", rows: int = 4, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=TEXT_LENGTH,
        error_messages={"required": _("Fill this in.")},
    )


class CaseForm(forms.Form):
    """A case as a member writes it: a shared problem and a proposed solution."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("A few words that name the problem."),
        error_messages={"required": _("Give the case a title.")},
    )
    why = _text(
        _("Why is it a problem?"),
        _("Describe what happens and who it affects. Write about the issue, not about one person."),
    )
    where = _text(
        _("Where is it a problem?"),
        _("The service, the place or the part of the municipality."),
        rows=3,
    )
    when = _text(
        _("When is it a problem?"),
        _("For example: every morning, since the spring, at every visit."),
        rows=3,
    )
    proposed_solution = _text(
        _("What do you propose?"),
        _("What the council could advise the owner to do."),
    )


# The 15 questions of Shier's pathways to participation (docs/domain.md §4), in plain words.
QUESTIONS: dict[tuple[int, str], str] = {
    (Level.LISTENED_TO, Stage.OPENINGS): _("Are you ready to listen to users?"),
    (Level.LISTENED_TO, Stage.OPPORTUNITIES): _(
        "Do you work in a way that lets you listen to users?"
    ),
    (Level.LISTENED_TO, Stage.OBLIGATIONS): _(
        "Is it a policy requirement that users must be listened to?"
    ),
    (Level.SUPPORTED, Stage.OPENINGS): _(
        "Are you ready to support users in expressing their views?"
    ),
    (Level.SUPPORTED, Stage.OPPORTUNITIES): _(
        "Do you have activities and methods that help users express their views?"
    ),
    (Level.SUPPORTED, Stage.OBLIGATIONS): _(
        "Is it a policy requirement that users must be supported in expressing their views?"
    ),
    (Level.TAKEN_INTO_ACCOUNT, Stage.OPENINGS): _(
        "Are you ready to take users' views into account?"
    ),
    (Level.TAKEN_INTO_ACCOUNT, Stage.OPPORTUNITIES): _(
        "Does the way decisions are made let users' views be taken into account?"
    ),
    (Level.TAKEN_INTO_ACCOUNT, Stage.OBLIGATIONS): _(
        "Is it a policy requirement that users' views must be weighed when decisions are made?"
    ),
    (Level.INVOLVED, Stage.OPENINGS): _(
        "Are you ready to let users take part in how you make decisions?"
    ),
    (Level.INVOLVED, Stage.OPPORTUNITIES): _(
        "Are there routines that let users take part in how decisions are made?"
    ),
    (Level.INVOLVED, Stage.OBLIGATIONS): _(
        "Is it a policy requirement that users must be involved in how decisions are made?"
    ),
    (Level.SHARE_POWER, Stage.OPENINGS): _(
        "Are you ready to share power and responsibility for decisions with users?"
    ),
    (Level.SHARE_POWER, Stage.OPPORTUNITIES): _(
        "Is there a way for users and staff to share power and responsibility for decisions?"
    ),
    (Level.SHARE_POWER, Stage.OBLIGATIONS): _(
        "Is it a policy requirement that users and staff share power and responsibility"
        " for decisions?"
    ),
}

REFLECTIONS = (
    "helps_policy",
    "helps_routines",
    "helps_attitudes",
    "develop_policy",
    "develop_routines",
    "develop_attitudes",
)


def answer_field(level: int, stage: str) -> str:
    return f"level{level}_{stage}"


def comment_field(level: int, stage: str) -> str:
    return f"level{level}_{stage}_comment"


class AssessmentForm(forms.Form):
    """The group's answers to the 15 questions, the reflections, rapporteur and secretary."""

    held_on = forms.DateField(
        label=_("Date of the discussion"),
        widget=DateInput(),
        error_messages={
            "required": _("Give the date of the discussion."),
            "invalid": _("Give the date as year-month-day, for example 2025-03-14."),
        },
    )
    rapporteur = forms.CharField(
        label=_("Rapporteur"),
        max_length=200,
        help_text=_("The person who reports the group's answers."),
        error_messages={"required": _("Name the rapporteur.")},
    )
    secretary = forms.CharField(
        label=_("Secretary"),
        max_length=200,
        help_text=_("The person who writes down what the group says."),
        error_messages={"required": _("Name the secretary.")},
    )
    helps_policy = _text(_("Policy and guidelines"), rows=3, required=False)
    helps_routines = _text(_("Routines"), rows=3, required=False)
    helps_attitudes = _text(_("Attitudes"), rows=3, required=False)
    develop_policy = _text(_("Policy and guidelines"), rows=3, required=False)
    develop_routines = _text(_("Routines"), rows=3, required=False)
    develop_attitudes = _text(_("Attitudes"), rows=3, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()
        for (level, stage), question in QUESTIONS.items():
            self.fields[answer_field(level, stage)] = forms.ChoiceField(
                label=question,
                choices=AssessmentAnswer.Answer.choices,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": _("Answer yes, partly or no.")},
            )
            self.fields[comment_field(level, stage)] = forms.CharField(
                label=_("Comment on the answer (optional)"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=NOTE_LENGTH,
            )
        # The page's order, so the error summary lists problems as the page shows them.
        self.order_fields(
            [
                "held_on",
                *(
                    name
                    for level, stage in QUESTIONS
                    for name in (answer_field(level, stage), comment_field(level, stage))
                ),
                *REFLECTIONS,
                "rapporteur",
                "secretary",
            ]
        )

    def levels(self) -> list[dict]:
        """The questions grouped by level, lowest first, for the template's fieldsets."""
        return [
            {
                "level": level,
                "label": label,
                "questions": [
                    {
                        "stage_label": stage_label,
                        "answer": self[answer_field(level, stage)],
                        "comment": self[comment_field(level, stage)],
                    }
                    for stage, stage_label in Stage.choices
                ],
            }
            for level, label in Level.choices
        ]

    def helps_fields(self):
        return [self[name] for name in REFLECTIONS[:3]]

    def develop_fields(self):
        return [self[name] for name in REFLECTIONS[3:]]

    def answers(self) -> dict[tuple[int, str], tuple[str, str]]:
        """The answers in the shape services.assessment_record takes."""
        data = self.cleaned_data
        return {
            (level, stage): (
                data.get(answer_field(level, stage)) or "",
                data.get(comment_field(level, stage)) or "",
            )
            for level, stage in QUESTIONS
        }

    def reflections(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in REFLECTIONS}


class AnnualReportForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2100,
        help_text=_("Asking again for a year makes the report anew."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year - 1
