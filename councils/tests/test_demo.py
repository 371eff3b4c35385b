"""The councils' demo data: rich enough to show every part, and the same after a second run."""

from __future__ import annotations

import pytest
from django.urls import reverse

from brukarkraft.management.commands.seed_demo import DEMO_PASSWORD
from councils import selectors
from councils.models import (
    AppointmentRequest,
    Assessment,
    AssessmentAnswer,
    Attendance,
    Case,
    Council,
    Meeting,
    Member,
    Nomination,
)

# The demo data is seeded once for the module (conftest.seeded_demo).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_demo")]

MODELS = [
    Council,
    Member,
    Meeting,
    Attendance,
    Case,
    AppointmentRequest,
    Nomination,
    Assessment,
    AssessmentAnswer,
]


def snapshot() -> dict:
    return {model.__name__: sorted(model.objects.values_list(*_fields(model))) for model in MODELS}


def _fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def test_seeding_twice_gives_exactly_the_same_rows(seeded_demo, seed_demo_again):
    output = seeded_demo
    first = snapshot()

    seed_demo_again()

    assert snapshot() == first
    assert len(first["Council"]) == 2
    assert "2 user councils" in output


def test_the_councils_show_every_part_of_the_work():
    swedish = Council.objects.get(slug="brukarradet-psykisk-halsa-orebro")
    norwegian = Council.objects.get(slug="brukerutvalget-helse-sor-ost-psykisk-helse")
    assert swedish.owner.name == "Örebro kommun, arbetsmarknadsenheten" and swedish.is_public
    assert (norwegian.language, norwegian.level, norwegian.owner.name) == (
        "nb",
        Council.Level.REGIONAL,
        "Helse Sør-Øst RHF",
    )
    for council in (swedish, norwegian):
        current = council.members.current()
        assert 6 <= current.count() <= 9
        assert set(current.values_list("role", flat=True)) >= {"chair", "secretary", "deputy"}
        assert selectors.gender_balance(council).ok
        assert council.mandates.exists() and council.seats.exists()
        held = council.meetings.published()
        assert held.exists()
        assert all(m.minutes_pdf_status == Meeting.PdfStatus.READY for m in held)
        assert all(m.minutes_pdf.name for m in held)
        coming = council.meetings.upcoming().get()
        assert coming.notice_sent_at and coming.agenda.exists()
    statuses = list(swedish.cases.values_list("status", flat=True))
    assert statuses.count(Case.Status.CLOSED) == 1
    assert statuses.count(Case.Status.REJECTED) == 1
    assert swedish.cases.open().count() == 2
    closed = swedish.cases.get(status=Case.Status.CLOSED)
    assert closed.agenda_items.values("meeting").distinct().count() == 2
    assert set(
        Nomination.objects.filter(request__council=swedish).values_list("status", flat=True)
    ) == set(Nomination.Status.values)
    first, second = swedish.assessments.order_by("held_on")
    assert (second.held_on - first.held_on).days >= 365
    assert [a.answer for a in first.answers.all()] != [a.answer for a in second.answers.all()]
    # The centre has something to be reminded of.
    assert Member.objects.ending_soon().exists()
    assert selectors.mandates_due().filter(pk=norwegian.pk).exists()


def test_the_demo_auditor_logs_in_and_is_a_member_of_the_swedish_council(client):
    response = client.post(
        reverse("login"),
        {"username": "revisor@demo.brukarkraft.se", "password": DEMO_PASSWORD},
        follow=True,
    )

    user = response.wsgi_request.user
    assert user.is_authenticated
    assert Council.objects.enterable_by(user).get().slug == "brukarradet-psykisk-halsa-orebro"
    # The other council members exist as data only.
    others = Member.objects.exclude(user=user).select_related("user")
    assert all(not m.user.has_usable_password() for m in others)
