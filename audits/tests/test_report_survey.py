"""The report's survey section shows what the results rule allows and no hidden text."""

import pytest

from audits.models import Audit
from audits.pdf import report_context
from audits.tests.factories import audit_in_state
from surveys import services
from surveys.models import Answer, Kind
from surveys.tests.factories import answer_and_submit, answer_many, make_published_survey

pytestmark = pytest.mark.django_db

IDENTIFYING = "Jag heter Anna Andersson, personnummer 19800101-1234"


@pytest.fixture
def survey():
    survey = make_published_survey([Kind.YES_NO, Kind.TEXT, Kind.YES_NO])
    yes_no, text, few = survey.questions.counted().in_order()
    answer_and_submit(survey, {yes_no: yes_no.options.first(), text: IDENTIFYING})
    answer_many(survey, 4, {yes_no: yes_no.options.last(), text: "Bra", few: few.options.first()})
    answer_many(survey, 1, {yes_no: yes_no.options.last()}, support="helped")
    for stored in Answer.objects.filter(question=text):
        decision = Answer.Review.HIDDEN if stored.text == IDENTIFYING else Answer.Review.APPROVED
        services.free_text_review(answer=stored, decision=decision)
    return survey


def test_the_report_leaves_out_hidden_texts_and_small_groups(survey):
    audit = audit_in_state(Audit.Status.ANALYSING, findings=0)
    Audit.objects.filter(pk=audit.pk).update(survey=survey)

    section = report_context(audit, "sv")["survey"]

    yes_no, text, few = section.questions
    assert section.respondents == 6
    assert yes_no.suppressed is False
    assert text.suppressed is False
    assert text.texts == ["Bra"] * 4
    assert not [t for t in text.texts if "Anna" in t]
    # Four answered the third question: not shown.
    assert few.suppressed is True
    assert few.rows == []
