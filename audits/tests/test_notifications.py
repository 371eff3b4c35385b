"""E-mail about audits: the right people, each in their own language, once per key."""

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from audits.models import Audit, Notification
from audits.notifications import send_notification
from audits.tests.factories import audit_in_state
from brukarkraft.roles import Role
from brukarkraft.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def to(message) -> str:
    return message.to[0]


def subject(language: str, text: str, **values) -> str:
    """The subject as the recipient's language renders it, before and after translation."""
    with translation.override(language):
        return gettext(text) % values


@pytest.fixture
def audit(commissioner, staff):
    return audit_in_state(Audit.Status.REQUESTED, commissioner=commissioner, staff=staff)


def test_an_order_receipt_goes_to_the_orderer_and_to_the_centre(audit, commissioner):
    mail.outbox.clear()

    sent = send_notification(audit_id=audit.pk, kind="order_received", key="order_received")

    assert sent == 2
    assert sorted(to(m) for m in mail.outbox) == sorted(
        [commissioner.email, settings.PORTAL_CONTACT_EMAIL]
    )
    receipt = next(m for m in mail.outbox if to(m) == commissioner.email)
    assert receipt.subject == subject(
        "sv", "We have received your order %(reference)s", reference=audit.reference
    )
    centre = next(m for m in mail.outbox if to(m) == settings.PORTAL_CONTACT_EMAIL)
    assert centre.subject == subject(
        "sv",
        "New order %(reference)s from %(organisation)s",
        reference=audit.reference,
        organisation=audit.organisation.name,
    )
    assert Notification.objects.get(audit=audit, kind="order_received").recipients == 2


def test_a_second_call_with_the_same_key_sends_nothing(audit):
    send_notification(audit_id=audit.pk, kind="quote_sent", key="quote-1")
    mail.outbox.clear()

    assert send_notification(audit_id=audit.pk, kind="quote_sent", key="quote-1") == 0
    assert mail.outbox == []
    assert Notification.objects.filter(audit=audit, kind="quote_sent").count() == 1


def test_a_new_key_sends_again(audit):
    send_notification(audit_id=audit.pk, kind="quote_sent", key="quote-1")
    mail.outbox.clear()

    assert send_notification(audit_id=audit.pk, kind="quote_sent", key="quote-2") > 0
    assert mail.outbox


def test_a_norwegian_commissioner_gets_norwegian_with_the_nb_link(
    commissioner, organisation, staff
):
    colleague = UserFactory(
        full_name="Nora Nordmann", preferred_language="nb", roles=[Role.COMMISSIONER]
    )
    MembershipFactory(user=colleague, organisation=organisation)
    audit = audit_in_state(Audit.Status.REQUESTED, commissioner=commissioner, staff=staff)
    mail.outbox.clear()

    send_notification(audit_id=audit.pk, kind="quote_sent", key="quote-1")

    message = next(m for m in mail.outbox if to(m) == colleague.email)
    assert message.subject == subject(
        "nb", "Your quote for user audit %(reference)s", reference=audit.reference
    )
    assert f"{settings.SITE_URL}/nb/audits/{audit.pk}/" in message.body
    swedish = next(m for m in mail.outbox if to(m) == commissioner.email)
    assert f"{settings.SITE_URL}/audits/{audit.pk}/" in swedish.body
    assert "/nb/" not in swedish.body and "/en/" not in swedish.body


def test_an_english_recipient_gets_the_en_prefix(commissioner, staff):
    commissioner.preferred_language = "en"
    commissioner.save()
    audit = audit_in_state(Audit.Status.REQUESTED, commissioner=commissioner, staff=staff)
    mail.outbox.clear()

    send_notification(audit_id=audit.pk, kind="quote_sent", key="x")

    message = next(m for m in mail.outbox if to(m) == commissioner.email)
    assert f"{settings.SITE_URL}/en/audits/{audit.pk}/" in message.body
    assert message.subject == f"Your quote for user audit {audit.reference}"


def test_an_unknown_language_falls_back_to_swedish(commissioner, staff):
    # A language no longer offered (e.g. from an old import) must not break the mail.
    type(commissioner).objects.filter(pk=commissioner.pk).update(preferred_language="de")
    audit = audit_in_state(Audit.Status.REQUESTED, commissioner=commissioner, staff=staff)
    mail.outbox.clear()

    send_notification(audit_id=audit.pk, kind="quote_sent", key="x")

    message = next(m for m in mail.outbox if to(m) == commissioner.email)
    assert f"{settings.SITE_URL}/audits/{audit.pk}/" in message.body
    assert message.subject == subject(
        "sv", "Your quote for user audit %(reference)s", reference=audit.reference
    )


@pytest.mark.parametrize(
    "kind", ["quote_sent", "response_due", "response_reminder", "follow_up_reminder"]
)
def test_commissioner_kinds_go_to_the_organisations_commissioners_contact_first(
    kind, commissioner, organisation, staff
):
    colleague = UserFactory(full_name="Aaron Kollega", roles=[Role.COMMISSIONER])
    MembershipFactory(user=colleague, organisation=organisation)
    # A member without the commissioner role (e.g. an auditor employed there) is not told.
    MembershipFactory(user=UserFactory(roles=[Role.AUDITOR]), organisation=organisation)
    MembershipFactory(
        user=UserFactory(roles=[Role.COMMISSIONER], is_active=False), organisation=organisation
    )
    audit = audit_in_state(Audit.Status.FOLLOW_UP, commissioner=commissioner, staff=staff)
    Audit.objects.filter(pk=audit.pk).update(contact_email="kontakt@example.se")
    mail.outbox.clear()

    sent = send_notification(audit_id=audit.pk, kind=kind, key="k")

    assert [to(m) for m in mail.outbox] == [
        commissioner.email,
        colleague.email,
        "kontakt@example.se",
    ]
    assert sent == 3


def test_the_contact_email_is_not_mailed_twice_when_it_is_a_members(audit, commissioner):
    # order_start copies the orderer's e-mail as the contact: one message, not two.
    assert audit.contact_email == commissioner.email
    mail.outbox.clear()

    send_notification(audit_id=audit.pk, kind="response_due", key="k")

    assert [to(m) for m in mail.outbox] == [commissioner.email]


def test_report_ready_goes_to_the_commissioner_and_the_team(commissioner, staff):
    audit = audit_in_state(Audit.Status.REPORT_APPROVED, commissioner=commissioner, staff=staff)
    team = [member.user.email for member in audit.members.all()]
    assert len(team) == 2
    mail.outbox.clear()

    send_notification(audit_id=audit.pk, kind="report_ready", key="again")

    assert sorted(to(m) for m in mail.outbox) == sorted([commissioner.email, *team])


def test_a_reminder_names_the_due_date_in_the_recipients_language(commissioner, staff):
    commissioner.preferred_language = "nb"
    commissioner.save()
    audit = audit_in_state(Audit.Status.FEEDBACK_HELD, commissioner=commissioner, staff=staff)
    mail.outbox.clear()

    send_notification(audit_id=audit.pk, kind="response_reminder", key="due")

    with translation.override("nb"):
        due = date_format(audit.response_due, "j F Y")
    assert mail.outbox[0].subject == subject(
        "nb",
        "Reminder: answer the proposals of user audit %(reference)s by %(due)s",
        reference=audit.reference,
        due=due,
    )


def test_mail_carries_no_findings_or_quotes(commissioner, staff):
    audit = audit_in_state(Audit.Status.REPORT_APPROVED, commissioner=commissioner, staff=staff)
    finding = audit.findings.first()
    mail.outbox.clear()

    send_notification(audit_id=audit.pk, kind="report_ready", key="x")

    for message in mail.outbox:
        assert finding.description not in message.body
        assert finding.quotes.splitlines()[0] not in message.body


def test_an_ampersand_in_a_name_is_not_html_escaped(commissioner, organisation, staff):
    organisation.name = "Vård & Omsorg"
    organisation.save()
    audit = audit_in_state(Audit.Status.REQUESTED, commissioner=commissioner, staff=staff)
    mail.outbox.clear()

    send_notification(audit_id=audit.pk, kind="order_received", key="again")

    centre = next(m for m in mail.outbox if to(m) == settings.PORTAL_CONTACT_EMAIL)
    assert "Vård & Omsorg" in centre.subject
    assert "&amp;" not in centre.body


def test_a_missing_audit_sends_nothing():
    assert send_notification(audit_id=999999, kind="quote_sent", key="k") == 0
    assert mail.outbox == []


def test_submitting_an_order_sends_the_receipt_through_the_task(
    commissioner, staff, django_capture_on_commit_callbacks
):
    # Celery runs eagerly in tests: the on-commit hook reaches send_notification.
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        audit = audit_in_state(Audit.Status.REQUESTED, commissioner=commissioner, staff=staff)

    assert Notification.objects.filter(audit=audit, kind="order_received").exists()
    assert commissioner.email in [to(m) for m in mail.outbox]
