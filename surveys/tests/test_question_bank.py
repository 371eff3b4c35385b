"""The standard questions that migration 0002 puts in the question bank."""

import importlib

import pytest
from django.apps import apps

from surveys import services
from surveys.checks import survey_problems
from surveys.models import BankQuestion, Kind

from .factories import SurveyFactory

pytestmark = pytest.mark.django_db

bank_migration = importlib.import_module("surveys.migrations.0002_question_bank")
help_migration = importlib.import_module("surveys.migrations.0007_bank_help_texts")


@pytest.fixture
def bank():
    # Browser tests flush the database, migration data included: load it again here.
    bank_migration.add_bank(apps, None)
    help_migration.add_help(apps, None)
    return list(BankQuestion.objects.filter(key__in=[row[0] for row in bank_migration.BANK]))


def test_the_bank_has_two_standard_questions_for_each_topic(bank):
    topics = [item.topic for item in bank]

    assert len(bank) == 10
    assert {topic: topics.count(topic) for topic in set(topics)} == {
        topic: 2 for topic in BankQuestion.Topic.values
    }


def test_loading_the_bank_again_changes_nothing(bank):
    bank_migration.add_bank(apps, None)

    assert BankQuestion.objects.count() == len(bank)


def test_a_survey_of_only_standard_questions_passes_the_accessibility_check(bank):
    survey = SurveyFactory()
    section = survey.sections.create(title_sv="Frågor", title_nb="Spørsmål", title_en="Questions")
    for item in bank:
        services.question_copy_from_bank(bank_question=item, section=section)

    assert survey.questions.count() == 10
    assert survey.questions.filter(kind=Kind.SCALE5).first().options.count() == 5
    assert survey_problems(survey) == []
