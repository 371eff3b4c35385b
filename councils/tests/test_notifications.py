"""Council e-mail: the notice to each current member in their language, once; the reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from brukarkraft.tests.factories import UserFactory
from councils import services
from councils.models import Member
from councils.notifications import send_admin_reminders, send_notice
from councils.tests.factories import (
    CaseFactory,
    CouncilFactory,
    MandateVersionFactory,
    MeetingFactory,
    MemberFactory,
)

# The notice's once-only keys live in the cache: each test starts with an empty cache of its
# own (conftest.empty_cache).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


def subject(language: str, council, starts_at) -> str:
    """The notice's subject as the member's language renders it, before and after translation."""
    with translation.override(language):
        return gettext("Notice of meeting: %(council)s, %(date)s") % {
            "council": council.name,
            "date": date_format(timezone.localtime(starts_at), "j F Y"),
        }


@pytest.fixture
def council():
    return CouncilFactory(name="Brukarrådet i Örebro", slug="brukarradet-orebro")


@pytest.fixture
def meeting(council, staff):
    meeting = MeetingFactory(
        council=council,
        starts_at=timezone.now() + timedelta(days=30),
        place="Stadshuset, sal 3",
        accessibility="Hörslinga och entré utan trappsteg.",
    )
    services.agenda_add(meeting=meeting, title="Val av justerare")
    services.agenda_add(
        meeting=meeting, title="", case=CaseFactory(council=council, title="Bussen")
    )
    return meeting


def notice(meeting, by) -> str:
    """Send the notice through the service; give the sent_at the worker receives."""
    services.notice_send(meeting=meeting, by=by)
    meeting.refresh_from_db()
    return meeting.notice_sent_at.isoformat()


def test_each_current_member_and_deputy_gets_the_notice_in_their_language(council, meeting, staff):
    swede = MemberFactory(council=council, user=UserFactory(preferred_language="sv"))
    norwegian = MemberFactory(
        council=council, user=UserFactory(preferred_language="nb", full_name="Nora Nordmann")
    )
    deputy = MemberFactory(council=council, role=Member.Role.DEPUTY)
    mail.outbox.clear()

    sent = send_notice(meeting_id=meeting.pk, sent_at=notice(meeting, staff))

    assert sent == 3
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {swede.user.email, norwegian.user.email, deputy.user.email}
    assert by_address[swede.user.email].subject == subject("sv", council, meeting.starts_at)
    assert by_address[norwegian.user.email].subject == subject("nb", council, meeting.starts_at)
    body = by_address[norwegian.user.email].body
    assert "Stadshuset, sal 3" in body
    assert "Hörslinga och entré utan trappsteg." in body
    assert "1. Val av justerare" in body
    assert "2. Bussen" in body
    # The link to the meeting page carries the member's language prefix.
    assert f"{settings.SITE_URL}/nb/councils/brukarradet-orebro/meetings/{meeting.pk}/" in body
    assert f"{settings.SITE_URL}/councils/brukarradet-orebro/meetings/{meeting.pk}/" in (
        by_address[swede.user.email].body
    )
    with translation.override("nb"):
        assert gettext("Agenda") in body
    # Absence is reported by replying to whoever sent the notice.
    assert by_address[swede.user.email].reply_to == [staff.email]


def test_the_notice_says_how_to_report_absence_so_a_deputy_can_be_called(council, meeting, staff):
    member = MemberFactory(council=council)
    MemberFactory(
        council=council, role=Member.Role.SECRETARY, user=UserFactory(full_name="Sigrid Sekr")
    )
    mail.outbox.clear()

    send_notice(meeting_id=meeting.pk, sent_at=notice(meeting, staff))

    body = next(m.body for m in mail.outbox if m.to == [member.user.email])
    with translation.override("sv"):
        expected = gettext(
            "If you cannot come, reply to this e-mail or tell the secretary, %(secretary)s, as"
            " soon as you can, so that a deputy can be called in your place."
        ) % {"secretary": "Sigrid Sekr"}
    assert expected in " ".join(body.split())


def test_former_future_and_erased_members_get_no_notice(council, meeting, staff):
    today = timezone.localdate()
    current = MemberFactory(council=council)
    MemberFactory(
        council=council, term_start=today - timedelta(days=800), term_end=today - timedelta(days=1)
    )
    MemberFactory(
        council=council,
        term_start=today + timedelta(days=60),
        term_end=today + timedelta(days=700),
    )
    erased = MemberFactory(council=council)
    services.member_erase(user=erased.user)
    MemberFactory()  # another council's member
    mail.outbox.clear()

    sent = send_notice(meeting_id=meeting.pk, sent_at=notice(meeting, staff))

    assert sent == 1
    assert [m.to for m in mail.outbox] == [[current.user.email]]


def test_a_redelivered_task_does_not_mail_twice(council, meeting, staff):
    MemberFactory(council=council)
    MemberFactory(council=council)
    sent_at = notice(meeting, staff)
    mail.outbox.clear()

    assert send_notice(meeting_id=meeting.pk, sent_at=sent_at) == 2
    assert send_notice(meeting_id=meeting.pk, sent_at=sent_at) == 0

    assert len(mail.outbox) == 2


def test_a_failed_message_is_sent_on_the_retry_and_the_others_are_not_repeated(
    council, meeting, staff, monkeypatch
):
    first = MemberFactory(council=council, display_name="A först")
    second = MemberFactory(council=council, display_name="B sedan")
    sent_at = notice(meeting, staff)
    mail.outbox.clear()
    from django.core.mail.backends.locmem import EmailBackend

    original = EmailBackend.send_messages

    def fail_for_second(self, messages):
        if messages[0].to == [second.user.email]:
            raise ConnectionError("SMTP went away")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", fail_for_second)
    with pytest.raises(ConnectionError):
        send_notice(meeting_id=meeting.pk, sent_at=sent_at)
    monkeypatch.setattr(EmailBackend, "send_messages", original)

    assert send_notice(meeting_id=meeting.pk, sent_at=sent_at) == 1
    assert [m.to for m in mail.outbox] == [[first.user.email], [second.user.email]]


def test_a_task_for_an_older_notice_sends_nothing(council, meeting, staff):
    MemberFactory(council=council)
    older = notice(meeting, staff)
    newer = notice(meeting, staff)
    assert older != newer
    mail.outbox.clear()

    assert send_notice(meeting_id=meeting.pk, sent_at=older) == 0
    assert send_notice(meeting_id=meeting.pk, sent_at=newer) == 1


def test_notice_send_queues_the_mail_on_commit(
    council, meeting, staff, django_capture_on_commit_callbacks
):
    member = MemberFactory(council=council)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.notice_send(meeting=meeting, by=staff)

    assert [m.to for m in mail.outbox] == [[member.user.email]]


def test_admin_reminders_list_terms_ending_and_mandates_due_in_swedish():
    today = timezone.localdate()
    council = CouncilFactory(name="Brukarrådet i Kumla")
    MemberFactory(council=council, display_name="Snart Slut", term_end=today + timedelta(days=40))
    MemberFactory(council=council, display_name="Långt Kvar", term_end=today + timedelta(days=400))
    due = CouncilFactory(name="Brukerutvalget i Hamar", language="nb")
    MandateVersionFactory(council=due, revision_due=today - timedelta(days=3))
    mail.outbox.clear()

    with translation.override("en"):
        assert send_admin_reminders() == 1

    (message,) = mail.outbox
    assert message.to == [settings.PORTAL_CONTACT_EMAIL]
    with translation.override("sv"):
        assert message.subject == gettext(
            "User councils: terms ending and terms of reference to revise"
        )
    assert "Snart Slut" in message.body
    assert "Brukarrådet i Kumla" in message.body
    assert "Långt Kvar" not in message.body
    assert "Brukerutvalget i Hamar" in message.body


def test_no_reminder_is_sent_when_there_is_nothing_to_say():
    council = CouncilFactory()
    MemberFactory(council=council)  # ends in 600 days
    MandateVersionFactory(council=council)  # due in 500 days
    mail.outbox.clear()

    assert send_admin_reminders() == 0
    assert mail.outbox == []
