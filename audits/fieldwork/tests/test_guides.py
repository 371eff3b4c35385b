"""The guides: the lead builds them from the bank and own questions, orders and removes
questions, shares them; the commissioner reads and comments; who may do what."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audits.fieldwork import services
from audits.fieldwork.models import BankQuestion, Guide, GuideKind, GuideQuestion
from audits.fieldwork.tests.factories import BankQuestionFactory
from audits.models import Audit
from audits.tests.factories import audit_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit(commissioner, staff):
    return audit_in_state(Audit.Status.COLLECTING, commissioner=commissioner, staff=staff)


@pytest.fixture
def lead(audit):
    return audit.members.get(role="lead").user


@pytest.fixture
def partner(audit):
    return audit.members.exclude(role="lead").first().user


@pytest.fixture
def guide(audit, lead):
    return services.guide_start(audit=audit, kind=GuideKind.INTERVIEW, by=lead)


def url(name: str, guide_or_audit, **kwargs) -> str:
    if isinstance(guide_or_audit, Guide):
        kwargs = {"pk": guide_or_audit.audit_id, "kind": guide_or_audit.kind, **kwargs}
    else:
        kwargs = {"pk": guide_or_audit.pk, **kwargs}
    return reverse(f"audits:fieldwork:{name}", kwargs=kwargs)


def texts(guide: Guide) -> list[str]:
    return list(
        GuideQuestion.objects.current()
        .filter(section__guide=guide)
        .order_by("section__position", "section__pk", "position", "pk")
        .values_list("text", flat=True)
    )


# --- Building -----------------------------------------------------------------------------


def test_a_new_guide_has_the_introduction_in_the_audits_language(commissioner, staff):
    audit = audit_in_state(
        Audit.Status.PLANNING, commissioner=commissioner, staff=staff, language="nb"
    )
    lead = audit.members.get(role="lead").user

    guide = services.guide_start(audit=audit, kind=GuideKind.FOCUS_GROUP, by=lead)

    assert "Det som sies her, er anonymt." in guide.introduction
    assert "dere kan gå når som helst" in guide.introduction
    assert guide.introduction == services.default_introduction(GuideKind.FOCUS_GROUP, "nb")
    assert guide.sections.count() == 1


def test_starting_twice_gives_the_same_guide(audit, lead):
    first = services.guide_start(audit=audit, kind=GuideKind.INTERVIEW, by=lead)
    second = services.guide_start(audit=audit, kind=GuideKind.INTERVIEW, by=lead)

    assert first.pk == second.pk
    assert audit.guides.count() == 1


def test_the_lead_picks_bank_questions_in_the_audits_language(guide, lead, client):
    chosen = BankQuestionFactory(text_sv="Känner du dig trygg här?")
    BankQuestionFactory(use=BankQuestion.Use.FOCUS_GROUP, text_sv="Bara för fokusgrupper")
    BankQuestionFactory(active=False, text_sv="Inte i bruk")
    section = guide.sections.get()
    client.force_login(lead)

    page = client.get(url("bank", guide))
    assert "Känner du dig trygg här?" in page.content.decode()
    assert "Bara för fokusgrupper" not in page.content.decode()
    assert "Inte i bruk" not in page.content.decode()

    response = client.post(url("bank", guide), {"section": section.pk, "questions": [chosen.pk]})

    assert response.status_code == 302
    question = GuideQuestion.objects.get(section__guide=guide)
    assert question.text == "Känner du dig trygg här?"
    assert question.follow_ups == chosen.follow_ups_sv
    assert question.easy_read == chosen.easy_read_sv
    assert question.bank_question == chosen


def test_a_norwegian_audit_gets_the_norwegian_wording(commissioner, staff):
    audit = audit_in_state(
        Audit.Status.COLLECTING, commissioner=commissioner, staff=staff, language="nb"
    )
    lead = audit.members.get(role="lead").user
    guide = services.guide_start(audit=audit, kind=GuideKind.INTERVIEW, by=lead)
    bank = BankQuestionFactory(text_nb="Føler du deg trygg her?")

    added, _ = services.questions_add_from_bank(
        guide=guide, by=lead, section=guide.sections.get(), bank_questions=[bank]
    )

    assert added[0].text == "Føler du deg trygg her?"
    assert added[0].follow_ups == bank.follow_ups_nb


def test_adding_the_same_bank_question_twice_adds_it_once(guide, lead, client):
    bank = BankQuestionFactory()
    section = guide.sections.get()
    client.force_login(lead)

    client.post(url("bank", guide), {"section": section.pk, "questions": [bank.pk]})
    again = client.post(url("bank", guide), {"section": section.pk, "questions": [bank.pk]})

    assert again.status_code == 200  # no longer offered: the form says so
    assert GuideQuestion.objects.filter(section__guide=guide).count() == 1
    added, skipped = services.questions_add_from_bank(
        guide=guide, by=lead, section=section, bank_questions=[bank]
    )
    assert (added, skipped) == ([], [bank])


def test_the_bank_picker_needs_a_ticked_question(guide, lead, client):
    BankQuestionFactory()
    client.force_login(lead)

    response = client.post(url("bank", guide), {"section": guide.sections.get().pk})

    assert response.status_code == 200
    assert "Kryssa i minst en fråga." in response.content.decode()
    assert 'href="#id_questions_0"' in response.content.decode()


def test_the_lead_writes_own_questions_and_orders_them(guide, lead, client):
    section = guide.sections.get()
    client.force_login(lead)
    for text in ["Första", "Andra", "Tredje"]:
        response = client.post(
            url("question_add", guide),
            {"section": section.pk, "text": text, "follow_ups": " a \n\n b ", "easy_read": ""},
        )
        assert response.status_code == 302
    third = GuideQuestion.objects.get(text="Tredje")
    assert third.follow_ups == "a\nb"

    client.post(url("question_move", guide, question=third.pk, direction="up"))
    assert texts(guide) == ["Första", "Tredje", "Andra"]
    client.post(url("question_move", guide, question=third.pk, direction="up"))
    client.post(url("question_move", guide, question=third.pk, direction="up"))  # at the top
    assert texts(guide) == ["Tredje", "Första", "Andra"]


def test_a_question_moves_across_sections_and_sections_move(guide, lead):
    first = guide.sections.get()
    second = services.section_add(guide=guide, by=lead, title="Avslutning")
    a = services.question_add(guide=guide, by=lead, section=first, data={"text": "A"})
    services.question_add(guide=guide, by=lead, section=second, data={"text": "B"})

    assert services.question_move(question=a, by=lead, direction="down")
    a.refresh_from_db()
    assert a.section == second
    assert texts(guide) == ["A", "B"]

    services.section_move(section=second, by=lead, direction="up")
    assert [s.title for s in guide.sections.all()] == ["Avslutning", "Inledande frågor"]
    assert texts(guide) == ["A", "B"]  # both in the section now first
    services.question_move(question=a, by=lead, direction="up")  # out of the first: no-op
    assert texts(guide) == ["A", "B"]


def test_an_empty_section_is_deleted_a_full_one_is_not(guide, lead):
    section = guide.sections.get()
    services.question_add(guide=guide, by=lead, section=section, data={"text": "A"})

    with pytest.raises(ValidationError) as error:
        services.section_delete(section=section, by=lead)
    assert error.value.code == "not_empty"
    empty = services.section_add(guide=guide, by=lead, title="Tom")
    services.section_delete(section=empty, by=lead)
    assert guide.sections.count() == 1


def test_removing_a_question_of_a_draft_deletes_it(guide, lead, client):
    question = services.question_add(
        guide=guide, by=lead, section=guide.sections.get(), data={"text": "Bort"}
    )
    client.force_login(lead)

    assert client.get(url("question_remove", guide, question=question.pk)).status_code == 200
    client.post(url("question_remove", guide, question=question.pk))

    assert not GuideQuestion.objects.filter(pk=question.pk).exists()


def test_removing_a_question_of_a_shared_guide_keeps_it(guide, lead, client):
    question = services.question_add(
        guide=guide, by=lead, section=guide.sections.get(), data={"text": "Kvar"}
    )
    services.guide_share(guide=guide, by=lead)
    client.force_login(lead)

    client.post(url("question_remove", guide, question=question.pk))
    client.post(url("question_remove", guide, question=question.pk))  # double press

    question.refresh_from_db()
    assert question.removed_at is not None
    assert texts(guide) == []
    page = client.get(url("guide", guide)).content.decode()
    assert "Borttagna frågor" in page
    services.question_restore(question=question, by=lead)
    assert texts(guide) == ["Kvar"]


def test_a_question_with_notes_is_removed_softly_even_in_a_draft(guide, lead, monkeypatch):
    question = services.question_add(
        guide=guide, by=lead, section=guide.sections.get(), data={"text": "Med anteckningar"}
    )
    # The field notes are another part of the fieldwork: stand in for notes under it.
    monkeypatch.setattr(services, "has_notes", lambda q: q.pk == question.pk)

    assert services.question_remove(question=question, by=lead) is True

    question.refresh_from_db()
    assert question.removed_at is not None


def test_a_removed_question_cannot_be_changed(guide, lead):
    question = services.question_add(
        guide=guide, by=lead, section=guide.sections.get(), data={"text": "A"}
    )
    services.guide_share(guide=guide, by=lead)
    services.question_remove(question=question, by=lead)

    with pytest.raises(ValidationError):
        services.question_update(question=question, by=lead, data={"text": "B"})


def test_a_section_or_question_of_another_guide_is_refused(guide, lead, audit):
    other = services.guide_start(audit=audit, kind=GuideKind.FOCUS_GROUP, by=lead)
    theirs = services.question_add(
        guide=other, by=lead, section=other.sections.get(), data={"text": "X"}
    )

    with pytest.raises(ValidationError):
        services.question_add(guide=guide, by=lead, section=other.sections.get(), data={})
    # The lead of another audit cannot touch this audit's questions.
    elsewhere = audit_in_state(Audit.Status.COLLECTING)
    with pytest.raises(PermissionDenied):
        services.question_remove(question=theirs, by=elsewhere.members.get(role="lead").user)
    assert GuideQuestion.objects.filter(pk=theirs.pk, removed_at__isnull=True).exists()


def test_a_question_of_another_guide_is_404_on_the_page(guide, lead, audit, client):
    other = services.guide_start(audit=audit, kind=GuideKind.FOCUS_GROUP, by=lead)
    theirs = services.question_add(
        guide=other, by=lead, section=other.sections.get(), data={"text": "X"}
    )
    client.force_login(lead)

    assert client.get(url("question_edit", guide, question=theirs.pk)).status_code == 404
    assert client.post(url("question_remove", guide, question=theirs.pk)).status_code == 404
    assert GuideQuestion.objects.filter(pk=theirs.pk).exists()


def test_sharing_needs_a_question_and_happens_once(guide, lead, client):
    with pytest.raises(ValidationError):
        services.guide_share(guide=guide, by=lead)
    services.question_add(guide=guide, by=lead, section=guide.sections.get(), data={"text": "A"})
    client.force_login(lead)

    client.post(url("share", guide))
    guide.refresh_from_db()
    shared_at = guide.shared_at
    client.post(url("share", guide))
    guide.refresh_from_db()

    assert guide.is_shared
    assert guide.shared_at == shared_at


def test_a_guide_is_built_only_while_the_audit_is_planned_collected_or_analysed(
    commissioner, staff
):
    audit = audit_in_state(Audit.Status.REPORT_DRAFT, commissioner=commissioner, staff=staff)
    lead = audit.members.get(role="lead").user

    with pytest.raises(ValidationError):
        services.guide_start(audit=audit, kind=GuideKind.INTERVIEW, by=lead)


# --- Reading and commenting -------------------------------------------------------------


def test_the_commissioner_sees_a_guide_only_once_shared_and_comments(
    guide, lead, commissioner, client
):
    services.question_add(guide=guide, by=lead, section=guide.sections.get(), data={"text": "A"})
    client.force_login(commissioner)

    assert client.get(url("guide", guide)).status_code == 404
    overview = client.get(url("guides", guide.audit)).content.decode()
    assert "Inte delad med dig ännu." in overview

    services.guide_share(guide=guide, by=lead)
    page = client.get(url("guide", guide))
    assert page.status_code == 200
    assert "A" in page.content.decode()
    assert "Gör PDF" not in page.content.decode()

    response = client.post(url("guide", guide), {"text": "Fråga också om öppettiderna."})
    assert response.status_code == 302
    client.post(url("guide", guide), {"text": "Fråga också om öppettiderna."})  # double press
    assert list(guide.comments.values_list("text", flat=True)) == ["Fråga också om öppettiderna."]
    assert guide.comments.get().author == commissioner


def test_an_empty_comment_is_refused_with_a_linked_error(guide, lead, commissioner, client):
    services.question_add(guide=guide, by=lead, section=guide.sections.get(), data={"text": "A"})
    services.guide_share(guide=guide, by=lead)
    client.force_login(commissioner)

    response = client.post(url("guide", guide), {"text": ""})

    assert response.status_code == 200
    assert 'href="#id_text"' in response.content.decode()
    assert not guide.comments.exists()


def test_the_commissioner_may_not_build(guide, lead, commissioner, client):
    services.question_add(guide=guide, by=lead, section=guide.sections.get(), data={"text": "A"})
    services.guide_share(guide=guide, by=lead)
    client.force_login(commissioner)

    for name in ["bank", "question_add", "section_add", "introduction"]:
        assert client.get(url(name, guide)).status_code == 403, name
    assert client.post(url("share", guide)).status_code == 403
    assert client.post(url("pdf_request", guide)).status_code == 403
    with pytest.raises(PermissionDenied):
        services.section_add(guide=guide, by=commissioner, title="X")


def test_a_team_member_who_is_not_the_lead_reads_but_does_not_build(guide, partner, client):
    client.force_login(partner)

    page = client.get(url("guide", guide))
    assert page.status_code == 200
    assert "Lägg till frågor från banken" not in page.content.decode()
    assert client.get(url("bank", guide)).status_code == 403
    assert client.post(url("guide_start", guide.audit, kind="focus_group")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.guide_start(audit=guide.audit, kind=GuideKind.FOCUS_GROUP, by=partner)


@pytest.mark.parametrize("who", ["other_commissioner", "auditor", "outsider"])
def test_people_outside_the_audit_get_404(guide, lead, who, request, client):
    services.question_add(guide=guide, by=lead, section=guide.sections.get(), data={"text": "A"})
    services.guide_share(guide=guide, by=lead)
    client.force_login(request.getfixturevalue(who))

    assert client.get(url("guides", guide.audit)).status_code == 404
    assert client.get(url("guide", guide)).status_code == 404
    assert client.post(url("guide", guide), {"text": "Hej"}).status_code == 404
    assert client.get(url("bank", guide)).status_code == 404
    assert not guide.comments.exists()


def test_an_unknown_kind_or_direction_is_404(guide, lead, client):
    question = services.question_add(
        guide=guide, by=lead, section=guide.sections.get(), data={"text": "A"}
    )
    client.force_login(lead)

    assert client.get(url("guides", guide.audit) + "survey/").status_code == 404
    assert (
        client.post(url("question_move", guide, question=question.pk, direction="left"))
    ).status_code == 404


def test_the_guide_page_queries_do_not_grow_with_questions(
    guide, lead, client, django_assert_max_num_queries
):
    client.force_login(lead)

    def fill(count: int):
        section = services.section_add(guide=guide, by=lead, title=f"Del {count}")
        for n in range(count):
            services.question_add(guide=guide, by=lead, section=section, data={"text": f"Q{n}"})

    fill(2)
    client.get(url("guide", guide))
    with django_assert_max_num_queries(14):
        client.get(url("guide", guide))
    fill(30)
    with django_assert_max_num_queries(14):
        response = client.get(url("guide", guide))
    assert response.status_code == 200


def test_the_audit_page_links_to_the_guides(audit, staff, client):
    client.force_login(staff)

    page = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()

    assert url("guides", audit) in page


def test_removed_questions_stay_out_of_the_current_list(guide, lead):
    question = services.question_add(
        guide=guide, by=lead, section=guide.sections.get(), data={"text": "A"}
    )
    GuideQuestion.objects.filter(pk=question.pk).update(removed_at=timezone.now())

    assert not GuideQuestion.objects.current().filter(pk=question.pk).exists()


def test_a_double_press_adds_a_section_or_question_once(guide, lead, client):
    client.force_login(lead)
    section = guide.sections.get()

    for _ in range(2):
        client.post(url("section_add", guide), {"title": "Avslutning"})
        client.post(
            url("question_add", guide),
            {"section": section.pk, "text": "Något mer?", "follow_ups": "", "easy_read": ""},
        )

    assert list(guide.sections.values_list("title", flat=True)) == [
        "Inledande frågor",
        "Avslutning",
    ]
    assert texts(guide) == ["Något mer?"]


def test_an_over_long_question_is_refused_with_a_message(guide, lead, client):
    client.force_login(lead)

    response = client.post(
        url("question_add", guide),
        {"section": guide.sections.get().pk, "text": "x" * 2001, "follow_ups": "", "easy_read": ""},
    )

    assert response.status_code == 200
    assert 'href="#id_text"' in response.content.decode()
    assert texts(guide) == []
