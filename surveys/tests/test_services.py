"""Services: starting and resuming, answering, submitting, building and access."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from surveys import services
from surveys.checks import survey_problems
from surveys.models import (
    Answer,
    Kind,
    OneTimeCode,
    Question,
    Response,
    Survey,
    SurveyMember,
)
from surveys.services import GivenAnswer

from .factories import (
    DONT_KNOW,
    BankQuestionFactory,
    SectionFactory,
    add_question,
    answer,
    answer_and_submit,
    enter_paper,
    make_published_survey,
    make_survey,
)

pytestmark = pytest.mark.django_db


def error_code(raised) -> str:
    return raised.value.code


def start(survey: Survey, **kw) -> services.Started:
    return services.response_start(survey=survey, start_key=services.new_start_key(), **kw)


@pytest.fixture
def survey():
    return make_published_survey([Kind.SINGLE, Kind.MULTIPLE, Kind.NUMBER, Kind.TEXT])


def questions(survey: Survey) -> list[Question]:
    return list(survey.questions.in_order())


@pytest.fixture
def conditional_survey():
    """Q1 yes/no; Q2 (single choice) only if Q1 was yes; Q3 (free text) only if Q2 was its first."""
    survey = make_survey([Kind.YES_NO, Kind.SINGLE, Kind.TEXT])
    q1, q2, q3 = questions(survey)
    q2.show_if_option = q1.options.get(value="yes")
    q2.save()
    q3.show_if_option = q2.options.first()
    q3.save()
    return services.survey_publish(survey=survey, by=None)


# --- Starting and resuming -----------------------------------------------------------


def test_starting_twice_with_the_same_key_gives_the_same_response(survey):
    key = services.new_start_key()

    first = services.response_start(survey=survey, start_key=key)
    second = services.response_start(survey=survey, start_key=key)

    assert second.response == first.response
    assert first.resume_code
    assert second.resume_code is None
    assert Response.objects.filter(survey=survey).count() == 1


def test_starting_refuses_an_unknown_one_time_code(survey):
    services.code_batch_create(survey=survey, size=3)

    with pytest.raises(ValidationError) as raised:
        start(survey, one_time_code="ZZZZ-ZZZZ")

    assert error_code(raised) == "bad_code"
    assert not Response.objects.exists()


def test_starting_refuses_a_code_of_another_survey(survey):
    other = make_published_survey()
    code = services.code_batch_create(survey=other, size=1).codes.get().code

    with pytest.raises(ValidationError) as raised:
        start(survey, one_time_code=code)

    assert error_code(raised) == "bad_code"


def test_starting_refuses_a_one_time_code_whose_answers_were_sent(survey):
    code = services.code_batch_create(survey=survey, size=1).codes.get()
    response = start(survey, one_time_code=code.code).response
    services.response_submit(response=response)

    with pytest.raises(ValidationError) as raised:
        start(survey, one_time_code=code.code)

    assert error_code(raised) == "used_code"
    code.refresh_from_db()
    assert code.used_at is not None
    assert Response.objects.count() == 1


def test_an_in_progress_one_time_code_resumes_the_same_response(survey):
    code = services.code_batch_create(survey=survey, size=1).codes.get()
    first = start(survey, one_time_code=code.code)

    # Typed in lower case with a space instead of the dash.
    again = start(survey, one_time_code=code.code.lower().replace("-", " "))

    assert again.response == first.response
    assert again.resume_code is None
    assert OneTimeCode.objects.get(pk=code.pk).response == first.response


def test_a_one_time_code_puts_the_response_in_the_batchs_unit(survey):
    unit = services.unit_add(survey=survey, name="Verkstaden")
    code = services.code_batch_create(survey=survey, size=1, unit=unit).codes.get()

    response = start(survey, one_time_code=code.code).response

    assert response.unit == unit


def test_a_code_is_required_when_the_open_link_is_off(survey):
    services.survey_update(survey=survey, open_link_enabled=False)

    with pytest.raises(ValidationError) as raised:
        start(survey)

    assert error_code(raised) == "code_required"
    assert not Response.objects.exists()


def test_the_resume_code_continues_the_same_response(survey):
    started = start(survey)

    assert services.response_for_resume_code(code=started.resume_code) == started.response
    # Written carelessly it still works.
    sloppy = started.resume_code.lower().replace("-", "")
    assert services.response_for_resume_code(code=sloppy) == started.response


def test_the_resume_code_is_refused_after_the_answers_were_sent(survey):
    started = start(survey)
    services.response_submit(response=started.response)

    with pytest.raises(ValidationError) as raised:
        services.response_for_resume_code(code=started.resume_code)

    assert error_code(raised) == "already_sent"


def test_an_unknown_resume_code_is_refused(survey):
    start(survey)

    with pytest.raises(ValidationError) as raised:
        services.response_for_resume_code(code="ABCD-EFGH")

    assert error_code(raised) == "bad_code"


def test_the_resume_code_is_not_stored_in_clear(survey):
    started = start(survey)

    assert started.response.resume_hash != started.resume_code
    assert started.resume_code not in started.response.resume_hash


# --- Answering ---------------------------------------------------------------------------


def assert_refused_and_nothing_stored(response, question, given, code):
    before = list(Answer.objects.values_list("pk", "question_id", "option_id", "number", "text"))
    with pytest.raises(ValidationError) as raised:
        services.answer_save(response=response, question=question, given=given)
    assert error_code(raised) == code
    after = list(Answer.objects.values_list("pk", "question_id", "option_id", "number", "text"))
    assert after == before


def test_answer_save_refuses_an_option_of_another_question(survey):
    single, multiple, _number, _text = questions(survey)
    response = start(survey).response
    answer(response, {single: single.options.first()})

    assert_refused_and_nothing_stored(
        response, single, GivenAnswer([multiple.options.first().pk]), "bad_option"
    )
    assert Answer.objects.count() == 1


def test_answer_save_refuses_two_options_on_a_single_choice_question(survey):
    single = questions(survey)[0]
    response = start(survey).response

    assert_refused_and_nothing_stored(
        response, single, GivenAnswer([o.pk for o in single.options.all()]), "one_only"
    )
    assert Answer.objects.count() == 0


def test_answer_save_refuses_a_number_outside_the_range(survey):
    number = questions(survey)[2]
    Question.objects.filter(pk=number.pk).update(min_value=0, max_value=10)
    number.refresh_from_db()
    response = start(survey).response
    answer(response, {number: 4})

    assert_refused_and_nothing_stored(response, number, GivenAnswer([], number=11), "out_of_range")
    assert_refused_and_nothing_stored(response, number, GivenAnswer([], number=-1), "out_of_range")
    assert Answer.objects.get().number == 4


def test_answer_save_accepts_the_ends_of_the_range(survey):
    number = questions(survey)[2]
    Question.objects.filter(pk=number.pk).update(min_value=0, max_value=10)
    number.refresh_from_db()
    response = start(survey).response

    answer(response, {number: 10})
    answer(response, {number: 0})

    assert Answer.objects.get().number == 0


def test_answer_save_refuses_an_answer_to_a_hidden_question(conditional_survey):
    q1, q2, _q3 = questions(conditional_survey)
    response = start(conditional_survey).response
    answer(response, {q1: q1.options.get(value="no")})

    assert_refused_and_nothing_stored(
        response, q2, GivenAnswer([q2.options.first().pk]), "hidden_question"
    )
    assert Answer.objects.count() == 1


def test_answer_save_accepts_an_answer_to_a_question_whose_condition_holds(conditional_survey):
    q1, q2, _q3 = questions(conditional_survey)
    response = start(conditional_survey).response

    answer(response, {q1: q1.options.get(value="yes"), q2: q2.options.first()})

    assert set(response.answers.values_list("question_id", flat=True)) == {q1.pk, q2.pk}


def test_answer_save_replaces_an_earlier_answer(survey):
    single, multiple, _number, text = questions(survey)
    first, second = single.options.all()
    response = start(survey).response
    answer(response, {single: first, multiple: list(multiple.options.all()), text: "Bra"})

    answer(response, {single: second, multiple: [multiple.options.last()], text: "Mycket bra"})

    assert list(response.answers.filter(question=single).values_list("option", flat=True)) == [
        second.pk
    ]
    assert list(response.answers.filter(question=multiple).values_list("option", flat=True)) == [
        multiple.options.last().pk
    ]
    assert response.answers.get(question=text).text == "Mycket bra"


def test_an_empty_answer_removes_an_earlier_one(survey):
    single = questions(survey)[0]
    response = start(survey).response
    answer(response, {single: single.options.first()})

    answer(response, {single: GivenAnswer([])})

    assert not response.answers.exists()


def test_answer_save_refuses_dont_know_together_with_an_option(survey):
    single = questions(survey)[0]
    response = start(survey).response

    assert_refused_and_nothing_stored(
        response,
        single,
        GivenAnswer([single.options.first().pk], dont_know=True),
        "dont_know_and",
    )


def test_answer_save_refuses_a_question_of_another_survey(survey):
    other = make_published_survey()
    foreign = questions(other)[0]
    response = start(survey).response

    assert_refused_and_nothing_stored(
        response, foreign, GivenAnswer([foreign.options.first().pk]), "other_survey"
    )


def test_answer_save_refuses_changes_after_submitting(survey):
    single = questions(survey)[0]
    response = answer_and_submit(survey, {single: single.options.first()})

    assert_refused_and_nothing_stored(
        response, single, GivenAnswer([single.options.last().pk]), "already_sent"
    )


def test_submitting_twice_keeps_one_submitted_response_and_its_time(survey):
    single = questions(survey)[0]
    response = answer_and_submit(survey, {single: DONT_KNOW})
    sent_at = response.submitted_at

    again = services.response_submit(response=response)

    assert again.submitted_at == sent_at
    assert Response.objects.filter(status=Response.Status.SUBMITTED).count() == 1
    assert Response.objects.get().submitted_at == sent_at


def test_submitting_deletes_answers_that_a_changed_answer_made_hidden(conditional_survey):
    q1, q2, q3 = questions(conditional_survey)
    response = start(conditional_survey).response
    answer(response, {q1: q1.options.get(value="yes"), q2: q2.options.last()})
    answer(response, {q1: q1.options.get(value="no")})

    services.response_submit(response=response)

    assert list(response.answers.values_list("question_id", flat=True)) == [q1.pk]


def test_submitting_deletes_answers_behind_a_chain_of_hidden_questions(conditional_survey):
    # Q3 depends on Q2, which depends on Q1: changing Q1 hides both.
    q1, q2, q3 = questions(conditional_survey)
    response = start(conditional_survey).response
    answer(response, {q1: q1.options.get(value="yes"), q2: q2.options.first(), q3: "Jag trivs"})
    answer(response, {q1: q1.options.get(value="no")})

    services.response_submit(response=response)

    assert list(response.answers.values_list("question_id", flat=True)) == [q1.pk]


def test_submitting_keeps_answers_to_questions_still_shown(conditional_survey):
    q1, q2, q3 = questions(conditional_survey)

    response = answer_and_submit(
        conditional_survey,
        {q1: q1.options.get(value="yes"), q2: q2.options.first(), q3: "Jag trivs"},
    )

    assert response.answers.count() == 3


def test_a_closed_survey_refuses_answers(survey):
    single = questions(survey)[0]
    response = start(survey).response
    survey = services.survey_close(survey=survey, by=None)

    assert_refused_and_nothing_stored(
        response, single, GivenAnswer([single.options.first().pk]), "closed"
    )
    with pytest.raises(ValidationError) as raised:
        start(survey)
    assert error_code(raised) == "closed"
    with pytest.raises(ValidationError) as raised:
        services.response_submit(response=response)
    assert error_code(raised) == "closed"


def test_a_survey_past_its_closing_time_refuses_answers(survey):
    single = questions(survey)[0]
    response = start(survey).response
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))

    assert_refused_and_nothing_stored(
        response, single, GivenAnswer([single.options.first().pk]), "closed"
    )


def test_a_draft_or_not_yet_open_survey_refuses_to_start():
    draft = make_survey()
    later = make_published_survey(opens_at=timezone.now() + timedelta(days=1))

    for survey in (draft, later):
        with pytest.raises(ValidationError) as raised:
            start(survey)
        assert error_code(raised) == "closed"


# --- Building --------------------------------------------------------------------------


def test_questions_cannot_be_changed_once_someone_has_started_answering(survey):
    single = questions(survey)[0]
    start(survey)
    section = single.section

    refusals = [
        lambda: services.question_add(section=section, kind=Kind.YES_NO, text_sv="Ny fråga"),
        lambda: services.question_update(question=single, text_sv="Ändrad"),
        lambda: services.question_delete(question=single),
        lambda: services.question_move(question=single, direction="down"),
        lambda: services.option_save(question=single, label_sv="Nytt svar"),
        lambda: services.section_add(survey=survey, title_sv="Mer"),
    ]
    for refused in refusals:
        with pytest.raises(ValidationError) as raised:
            refused()
        assert error_code(raised) == "has_responses"

    single.refresh_from_db()
    assert single.text_sv != "Ändrad"
    assert survey.questions.count() == 4


def test_a_new_version_copies_the_survey_and_can_be_edited(conditional_survey):
    old = conditional_survey
    services.unit_add(survey=old, name="Verkstaden")
    answer_and_submit(old, {})

    copy = services.survey_new_version(survey=old, by=None)

    assert copy.pk != old.pk
    assert copy.status == Survey.Status.DRAFT
    assert copy.version == 2
    assert copy.previous_version == old
    assert copy.token != old.token
    assert copy.sections.count() == old.sections.count()
    old_questions, new_questions = questions(old), questions(copy)
    assert [q.text_en for q in new_questions] == [q.text_en for q in old_questions]
    assert {q.pk for q in new_questions}.isdisjoint(q.pk for q in old_questions)
    for old_q, new_q in zip(old_questions, new_questions, strict=True):
        assert new_q.survey == copy
        assert new_q.section.survey == copy
        assert list(new_q.options.values_list("value", "label_nb")) == list(
            old_q.options.values_list("value", "label_nb")
        )
    # Each condition points at the copy's own option, not at the old survey's.
    q1, q2, q3 = new_questions
    assert q2.show_if_option == q1.options.get(value="yes")
    assert q3.show_if_option == q2.options.first()
    assert list(copy.units.values_list("name", flat=True)) == ["Verkstaden"]
    assert not copy.responses.exists()

    services.question_add(section=q1.section, kind=Kind.YES_NO, text_sv="Ny fråga")
    assert copy.questions.count() == 4
    assert old.questions.count() == 3


def test_a_new_version_is_newer_than_the_old_one(survey):
    Survey.objects.filter(pk=survey.pk).update(created_at=timezone.now() - timedelta(days=30))

    copy = services.survey_new_version(survey=survey, by=None)

    assert copy.created_at > timezone.now() - timedelta(minutes=1)
    assert list(Survey.objects.all()[:1]) == [copy]


@pytest.fixture
def two_sections():
    """Section 1 holds A and B; section 2 holds C."""
    survey = make_survey([])
    first = survey.sections.get()
    second = SectionFactory(survey=survey, position=2)
    a = add_question(first, Kind.YES_NO, text_sv="A")
    b = add_question(first, Kind.YES_NO, text_sv="B")
    c = add_question(second, Kind.YES_NO, text_sv="C")
    return survey, first, second, a, b, c


def layout(survey: Survey) -> list[tuple[int, list[str]]]:
    return [
        (section.position, [q.text_sv for q in section.questions.order_by("position", "pk")])
        for section in survey.sections.order_by("position", "pk")
        if section.questions.exists()
    ]


def test_a_question_moves_up_and_down_within_its_section(two_sections):
    survey, _first, _second, a, b, _c = two_sections

    services.question_move(question=b, direction="up")
    assert layout(survey) == [(1, ["B", "A"]), (2, ["C"])]

    a.refresh_from_db()
    services.question_move(question=a, direction="up")
    assert layout(survey) == [(1, ["A", "B"]), (2, ["C"])]

    a.refresh_from_db()
    services.question_move(question=a, direction="down")
    assert layout(survey) == [(1, ["B", "A"]), (2, ["C"])]


def test_a_question_moves_across_sections(two_sections):
    survey, first, second, _a, b, c = two_sections

    moved = services.question_move(question=b, direction="down")
    assert moved.section == second
    assert layout(survey) == [(1, ["A"]), (2, ["B", "C"])]

    services.question_move(question=moved, direction="up")
    assert layout(survey) == [(1, ["A", "B"]), (2, ["C"])]

    c.refresh_from_db()
    moved = services.question_move(question=c, direction="up")
    assert moved.section == first
    assert layout(survey) == [(1, ["A", "B", "C"])]


def test_the_first_question_cannot_move_up_nor_the_last_down(two_sections):
    survey, _first, _second, a, _b, c = two_sections

    with pytest.raises(ValidationError) as raised:
        services.question_move(question=a, direction="up")
    assert error_code(raised) == "at_edge"
    with pytest.raises(ValidationError) as raised:
        services.question_move(question=c, direction="down")
    assert error_code(raised) == "at_edge"
    assert layout(survey) == [(1, ["A", "B"]), (2, ["C"])]


def test_a_bank_question_is_copied_with_its_texts_in_every_language():
    survey = make_survey([])
    section = survey.sections.get()
    bank = BankQuestionFactory(
        options=[
            {"value": "always", "label_sv": "Alltid", "label_nb": "Alltid", "label_en": "Always"},
            {"value": "never", "label_sv": "Aldrig", "label_nb": "Aldri", "label_en": "Never"},
        ]
    )

    question = services.question_copy_from_bank(bank_question=bank, section=section)

    for language in ("sv", "nb", "en"):
        for field in ("text", "easy", "help"):
            name = f"{field}_{language}"
            assert getattr(question, name) == getattr(bank, name)
    assert question.bank_key == bank.key
    assert question.kind == Kind.SINGLE
    assert list(question.options.values_list("value", "label_sv", "label_nb", "label_en")) == [
        ("always", "Alltid", "Alltid", "Always"),
        ("never", "Aldrig", "Aldri", "Never"),
    ]
    assert survey_problems(survey) == []


def test_a_bank_scale_question_gets_the_fixed_options():
    survey = make_survey([])
    bank = BankQuestionFactory(kind=Kind.SCALE3)

    question = services.question_copy_from_bank(bank_question=bank, section=survey.sections.get())

    assert list(question.options.values_list("value", flat=True)) == ["1", "2", "3"]
    assert all(option.label_nb and option.smiley for option in question.options.all())


def test_not_understood_presses_are_counted():
    survey = make_published_survey()
    question = questions(survey)[0]

    services.question_mark_not_understood(question=question)
    services.question_mark_not_understood(question=question)

    question.refresh_from_db()
    assert question.not_understood_count == 2


# --- Paper and review -------------------------------------------------------------------


def test_a_paper_questionnaire_is_entered_once_and_marked_as_paper(survey):
    single = questions(survey)[0]
    key = services.new_start_key()

    first = enter_paper(survey, {single: single.options.first()}, entry_key=key)
    second = enter_paper(survey, {single: single.options.last()}, entry_key=key)

    assert second.pk == first.pk
    assert first.channel == Response.Channel.PAPER
    assert first.is_submitted
    assert Response.objects.count() == 1
    assert list(first.answers.values_list("option", flat=True)) == [single.options.first().pk]


def test_paper_answers_can_be_entered_after_closing_but_not_in_a_draft(survey):
    single = questions(survey)[0]
    services.survey_close(survey=survey, by=None)

    response = enter_paper(
        survey, {single: single.options.first()}, support="helped", support_role="family"
    )

    assert response.is_submitted
    assert response.support_role == "family"
    with pytest.raises(ValidationError) as raised:
        enter_paper(make_survey(), {})
    assert error_code(raised) == "draft"


def test_free_text_review_records_the_decision(survey):
    text = questions(survey)[3]
    response = answer_and_submit(survey, {text: "Personalen är snälla"})
    stored = response.answers.get()
    assert stored.review == Answer.Review.PENDING

    services.free_text_review(answer=stored, decision=Answer.Review.APPROVED)

    stored.refresh_from_db()
    assert stored.review == Answer.Review.APPROVED
    assert stored.reviewed_at is not None
    with pytest.raises(ValidationError) as raised:
        services.free_text_review(answer=stored, decision=Answer.Review.PENDING)
    assert error_code(raised) == "bad"


# --- Access ---------------------------------------------------------------------------------


def test_granting_access_shows_the_survey_to_an_auditor(survey, auditor):
    assert not Survey.objects.visible_to(auditor).exists()

    services.survey_grant_access(survey=survey, user=auditor, role=SurveyMember.Role.ANALYST)

    assert list(Survey.objects.visible_to(auditor)) == [survey]
    assert not Survey.objects.editable_by(auditor).exists()


def test_only_a_builder_may_edit(survey, auditor):
    services.survey_grant_access(survey=survey, user=auditor, role=SurveyMember.Role.BUILDER)

    assert list(Survey.objects.editable_by(auditor)) == [survey]

    services.survey_grant_access(survey=survey, user=auditor, role=SurveyMember.Role.ANALYST)
    assert not Survey.objects.editable_by(auditor).exists()
    assert SurveyMember.objects.filter(survey=survey, user=auditor).count() == 1

    services.survey_revoke_access(survey=survey, user=auditor)
    assert not Survey.objects.visible_to(auditor).exists()


def test_staff_and_admins_see_and_edit_every_survey(survey, staff, admin_user):
    for person in (staff, admin_user):
        assert list(Survey.objects.visible_to(person)) == [survey]
        assert list(Survey.objects.editable_by(person)) == [survey]


def test_outsiders_commissioners_and_anonymous_visitors_see_no_survey(
    survey, outsider, commissioner
):
    # Even a membership row must not open a survey to someone without the auditor role.
    services.survey_grant_access(survey=survey, user=commissioner, role=SurveyMember.Role.BUILDER)

    for person in (outsider, commissioner, AnonymousUser()):
        assert not Survey.objects.visible_to(person).exists()
        assert not Survey.objects.editable_by(person).exists()


def test_a_builder_who_creates_a_survey_becomes_its_member(auditor, staff):
    own = services.survey_create(by=auditor, title_sv="Min enkät")
    services.survey_create(by=staff, title_sv="Personalens enkät")

    assert list(Survey.objects.editable_by(auditor)) == [own]
    assert own.sections.count() == 1


def test_two_new_versions_of_the_same_survey_get_different_numbers(survey):
    first = services.survey_new_version(survey=survey, by=None)
    second = services.survey_new_version(survey=survey, by=None)

    assert (first.version, second.version) == (survey.version + 1, survey.version + 2)


def test_a_clash_of_resume_codes_draws_a_new_code(survey, monkeypatch):
    first = services.response_start(survey=survey, start_key="first")
    codes = iter([first.resume_code, "ABCD-EFGH"])
    monkeypatch.setattr("surveys.services.answer.new_code", lambda: next(codes))

    second = services.response_start(survey=survey, start_key="second")

    assert second.response.pk != first.response.pk
    assert second.resume_code == "ABCD-EFGH"
    assert services.response_for_resume_code(code="ABCD-EFGH") == second.response
