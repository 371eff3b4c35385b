"""Surveys: questionnaires in three languages with easy-to-read text, picture support,
anonymous responses, one-time codes, paper entry, results and exports.

Split by what the models hold: `base` (languages, translated texts), `survey` (the survey,
its access and units), `questions` (sections, questions, options, the question bank),
`responses` (responses and answers), `distribution` (one-time codes on slips), `results`
(export jobs and the totals kept after deletion). Every name is re-exported here: Django,
the migrations and the rest of the app know them as `surveys.models.<name>`.
"""

from .base import LANGUAGES, Translated, current_language, new_token
from .distribution import CodeBatch, OneTimeCode
from .questions import (
    CHOICE_KINDS,
    FIXED_OPTION_KINDS,
    BankQuestion,
    Kind,
    Option,
    Question,
    QuestionQuerySet,
    QuestionTexts,
    Section,
    WithPicture,
)
from .responses import Answer, Response
from .results import ExportJob, FrozenCount
from .survey import Survey, SurveyMember, SurveyQuerySet, Unit

__all__ = [
    "LANGUAGES",
    "current_language",
    "new_token",
    "Translated",
    "SurveyQuerySet",
    "Survey",
    "SurveyMember",
    "Unit",
    "Section",
    "Kind",
    "CHOICE_KINDS",
    "FIXED_OPTION_KINDS",
    "QuestionQuerySet",
    "WithPicture",
    "QuestionTexts",
    "Question",
    "Option",
    "BankQuestion",
    "Response",
    "Answer",
    "CodeBatch",
    "OneTimeCode",
    "ExportJob",
    "FrozenCount",
]
