"""Every step someone else waits on tells them: e-mail and a line on their start page,
in their language, once, with a link to where they act."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from audits import services
from audits.models import Audit, Notification, Proposal
from audits.notifications import send_notification
from audits.tests.factories import ProposalFactory, audit_in_state, trained_auditor
from brukarkraft.models import Notice

pytestmark = pytest.mark.django_db
S = Audit.Status


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a service queues after commit (the e-mail task), as a real commit would."""
    return django_capture_on_commit_callbacks


def to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def path(name: str, language: str, *args) -> str:
    with translation.override(language):
        return reverse(name, args=args)


def test_a_declined_order_tells_the_commissioner_why_in_their_language(
    committed, commissioner, staff
):
    commissioner.preferred_language = "nb"
    commissioner.save()
    audit = audit_in_state(S.REQUESTED, commissioner=commissioner, staff=staff)
    mail.outbox.clear()

    with committed(execute=True):
        services.audit_decline(audit=audit, by=staff, reason="Utanför vårt område.")

    [message] = to(commissioner.email)
    assert audit.reference in message.subject
    assert "avslått" in message.subject or "avvist" in message.subject
    assert "Utanför vårt område." in message.body
    link = path("audits:detail", "nb", audit.pk)
    assert f"{settings.SITE_URL}{link}" in message.body
    notice = Notice.objects.get(user=commissioner)
    assert (notice.text, notice.url) == (message.subject, link)


def test_an_auditor_is_told_when_added_to_and_removed_from_a_team(committed, commissioner, staff):
    audit = audit_in_state(S.PLANNING, commissioner=commissioner, staff=staff)
    person = trained_auditor()
    mail.outbox.clear()

    with committed(execute=True):
        member = services.team_add(audit=audit, by=staff, user=person)
    with committed(execute=True):
        services.team_remove(audit=audit, by=staff, member=member)
    with committed(execute=True):
        services.team_add(audit=audit, by=staff, user=person)

    subjects = [message.subject for message in to(person.email)]
    assert len(subjects) == 3, "added, removed and added again: three events"
    urls = list(Notice.objects.filter(user=person).order_by("pk").values_list("url", flat=True))
    assert urls == [
        path("audits:detail", "sv", audit.pk),
        path("start", "sv"),
        path("audits:detail", "sv", audit.pk),
    ]
    assert to(commissioner.email) == [], "the commissioner is not told about the team"


def test_a_sent_response_tells_the_centre_where_to_start_the_follow_up(
    committed, commissioner, staff
):
    audit = audit_in_state(S.FEEDBACK_HELD, commissioner=commissioner, staff=staff)
    for proposal in audit.proposals.all():
        services.proposal_respond(
            proposal=proposal,
            by=commissioner,
            response=Proposal.Response.ACCEPTED,
            action="Kontaktperson.",
            owner="Chefen",
            deadline=timezone.localdate() + timedelta(days=30),
        )
    mail.outbox.clear()

    with committed(execute=True):
        services.response_submit(audit=audit, by=commissioner)
    with committed(execute=True):
        services.response_submit(audit=audit, by=commissioner)  # sent twice

    [message] = to(settings.PORTAL_CONTACT_EMAIL)
    assert audit.reference in message.subject
    assert path("audits:follow_up_start", "sv", audit.pk) in message.body


def test_the_follow_up_start_asks_the_commissioner_for_progress(committed, commissioner, staff):
    audit = audit_in_state(S.RESPONSE_RECEIVED, commissioner=commissioner, staff=staff)
    mail.outbox.clear()

    with committed(execute=True):
        services.follow_up_start(
            audit=audit, by=staff, follow_up_due=timezone.localdate() + timedelta(days=90)
        )

    [message] = to(commissioner.email)
    assert path("audits:follow_up", "sv", audit.pk) in message.body
    assert Notice.objects.get(user=commissioner).url == path("audits:follow_up", "sv", audit.pk)


def test_the_last_progress_report_tells_the_centre_once(committed, commissioner, staff):
    audit = audit_in_state(S.FOLLOW_UP, commissioner=commissioner, staff=staff)
    [proposal] = audit.proposals.all()
    mail.outbox.clear()

    for note in ("Klart.", "Klart, och mer."):
        with committed(execute=True):
            services.proposal_report_progress(
                proposal=proposal,
                by=commissioner,
                progress=Proposal.Progress.IMPLEMENTED,
                note=note,
            )

    [message] = to(settings.PORTAL_CONTACT_EMAIL)
    assert audit.reference in message.subject
    assert Notification.objects.filter(audit=audit, kind="follow_up_reported").count() == 1


def test_progress_on_some_proposals_tells_no_one_yet(committed, commissioner, staff):
    audit = audit_in_state(S.FOLLOW_UP, commissioner=commissioner, staff=staff)
    ProposalFactory(audit=audit, number=2, response=Proposal.Response.ACCEPTED)
    [first, _second] = audit.proposals.order_by("number")
    mail.outbox.clear()

    with committed(execute=True):
        services.proposal_report_progress(
            proposal=first, by=commissioner, progress=Proposal.Progress.IN_PROGRESS, note="Pågår."
        )

    assert to(settings.PORTAL_CONTACT_EMAIL) == []


def test_closing_tells_the_commissioner_and_the_team(committed, commissioner, staff):
    with committed(execute=True):
        audit = audit_in_state(S.CLOSED, commissioner=commissioner, staff=staff)
    team = [member.user for member in audit.members.all()]

    for person in [commissioner, *team]:
        messages = [m for m in to(person.email) if audit.reference in m.subject]
        closed = Notice.objects.filter(user=person, key__contains="audit_closed")
        assert closed.count() == 1, person
        assert any(m.subject == closed.get().text for m in messages)


def test_a_repeated_task_adds_no_second_notice(commissioner, staff):
    audit = audit_in_state(S.REQUESTED, commissioner=commissioner, staff=staff)

    for _ in range(2):
        send_notification(audit_id=audit.pk, kind="order_declined", key="same")

    assert Notice.objects.filter(user=commissioner).count() == 1


# --- The start page list ----------------------------------------------------------


def test_the_notice_is_on_the_start_page_until_marked_as_read(
    committed, client, commissioner, staff
):
    audit = audit_in_state(S.REQUESTED, commissioner=commissioner, staff=staff)
    with committed(execute=True):
        services.audit_decline(audit=audit, by=staff, reason="Utanför vårt område.")
    notice = Notice.objects.get(user=commissioner)
    client.force_login(commissioner)

    html = client.get(reverse("start_commissioner")).content.decode()
    assert f'<a href="{notice.url}">{notice.text}</a>' in html

    response = client.post(reverse("notice_read", args=[notice.pk]))

    assert response.status_code == 302
    assert notice.text not in client.get(reverse("start_commissioner")).content.decode()


def test_no_one_marks_another_persons_notice(
    committed, client, commissioner, other_commissioner, staff
):
    audit = audit_in_state(S.REQUESTED, commissioner=commissioner, staff=staff)
    with committed(execute=True):
        services.audit_decline(audit=audit, by=staff, reason="Nej.")
    notice = Notice.objects.get(user=commissioner)
    client.force_login(other_commissioner)

    client.post(reverse("notice_read", args=[notice.pk]))

    notice.refresh_from_db()
    assert notice.read_at is None


# --- The follow-up leaves rejected proposals out ---------------------------------------


@pytest.fixture
def follow_up_with_a_rejected_proposal(commissioner, staff):
    audit = audit_in_state(S.FOLLOW_UP, commissioner=commissioner, staff=staff)
    ProposalFactory(
        audit=audit, number=2, response=Proposal.Response.REJECTED, action="Inte möjligt."
    )
    return audit


def test_the_follow_up_counts_only_proposals_that_need_a_report(
    client, commissioner, follow_up_with_a_rejected_proposal
):
    audit = follow_up_with_a_rejected_proposal
    client.force_login(commissioner)

    response = client.get(path("audits:follow_up", "en", audit.pk))

    html = response.content.decode()
    assert "Progress reported on 0 of 1 proposal." in html
    assert "You rejected this proposal, so no progress report is needed." in html
    rejected = audit.proposals.get(number=2)
    assert path("audits:proposal_progress", "en", audit.pk, rejected.pk) not in html


def test_progress_cannot_be_reported_on_a_rejected_proposal(
    commissioner, follow_up_with_a_rejected_proposal
):
    rejected = follow_up_with_a_rejected_proposal.proposals.get(number=2)

    with pytest.raises(ValidationError) as raised:
        services.proposal_report_progress(
            proposal=rejected, by=commissioner, progress=Proposal.Progress.NOT_STARTED, note="x"
        )

    assert raised.value.code == "rejected"


# --- Agreed only with the signed agreement ----------------------------------------------


def test_planning_waits_for_the_signed_agreement(commissioner, staff):
    audit = audit_in_state(S.QUOTED, commissioner=commissioner, staff=staff)
    services.quote_accept(audit=audit, by=commissioner, revision=1)

    with pytest.raises(ValidationError) as raised:
        services.audit_start_planning(audit=audit, by=staff)

    assert raised.value.code == "agreement_missing"
    audit.refresh_from_db()
    assert audit.get_status_display() != "Agreed"
    with translation.override("sv"):
        assert str(Audit.Status.AGREED.label) == "Offerten godkänd"
