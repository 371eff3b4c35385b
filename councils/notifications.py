"""E-mail from the councils: the meeting notice to members, and the centre's daily reminders.

Called by councils.tasks. Each notice is written in its recipient's language.

Sending a notice once per (meeting, sent_at), without a table of its own: before a message
goes out, `cache.add()` claims a key for that meeting, notice and person. In production the
cache is the shared Redis, where add() is an atomic SET NX, so of two workers handling a
redelivered task only one gets the key and mails; the other skips that person. A message
that fails to send gives its key back, so a retry mails only the people still missing.
A task for an older notice (the admin has sent a newer one since, so meeting.notice_sent_at
moved on) sends nothing: the newer task mails the current agenda. The keys live until the
meeting begins, after which a notice is never sent anyway.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from brukarkraft.notifications import send_once

from .models import Meeting, Member
from .selectors import mandates_due

# Kept a day past the meeting's start, so that a late redelivery still finds the key.
KEY_GRACE = timedelta(days=1)


def _language(code: str | None, fallback: str) -> str:
    available = {code for code, _name in settings.LANGUAGES}
    if code in available:
        return code
    return fallback if fallback in available else settings.LANGUAGE_CODE


def _same_moment(sent_at: str, recorded: datetime | None) -> bool:
    if recorded is None:
        return False
    try:
        return datetime.fromisoformat(sent_at) == recorded
    except ValueError:
        return False


def notice_recipients(meeting: Meeting) -> list[Member]:
    """Everyone holding a term on the meeting's day, deputies included, one row a person."""
    on = timezone.localtime(meeting.starts_at).date()
    members = (
        meeting.council.members.current(on)
        .filter(erased_at__isnull=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("display_name", "pk")
    )
    seen: set[int] = set()
    unique = []
    for member in members:
        if member.user_id not in seen:
            seen.add(member.user_id)
            unique.append(member)
    return unique


def render_notice(
    meeting: Meeting, member: Member, *, agenda: list, secretary: str
) -> EmailMessage:
    language = _language(member.user.preferred_language, meeting.council.language)
    with translation.override(language):
        # reverse() inside the override adds the language prefix ("" for Swedish).
        link = settings.SITE_URL.rstrip("/") + reverse(
            "councils:meeting", args=[meeting.council.slug, meeting.pk]
        )
        context = {
            "meeting": meeting,
            "council": meeting.council,
            "member": member,
            "starts_at": timezone.localtime(meeting.starts_at),
            "ends_at": timezone.localtime(meeting.ends_at) if meeting.ends_at else None,
            "agenda": agenda,
            "secretary": secretary,
            "link": link,
        }
        subject = render_to_string("councils/email/notice_subject.txt", context)
        body = render_to_string("councils/email/notice.txt", context)
    sender = meeting.notice_sent_by
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[member.user.email],
        # Absence is reported to whoever sent the notice, so a deputy can be called.
        reply_to=[sender.email] if sender is not None and sender.email else None,
    )


def send_notice(*, meeting_id: int, sent_at: str) -> int:
    """Mail the notice of `meeting_id` sent at `sent_at` to every current member and
    deputy, once each; return the number of messages sent now."""
    meeting = (
        Meeting.objects.select_related("council", "notice_sent_by").filter(pk=meeting_id).first()
    )
    if meeting is None or not _same_moment(sent_at, meeting.notice_sent_at):
        return 0  # Gone, or a newer notice has replaced this one.
    now = timezone.now()
    if meeting.starts_at <= now:
        return 0
    agenda = list(meeting.agenda.select_related("case").order_by("position"))
    secretary = (
        meeting.council.members.current(timezone.localtime(meeting.starts_at).date())
        .filter(role=Member.Role.SECRETARY, erased_at__isnull=True)
        .values_list("display_name", flat=True)
        .first()
    ) or ""
    timeout = int((meeting.starts_at - now + KEY_GRACE).total_seconds())
    sent = 0
    with get_connection() as connection:
        for member in notice_recipients(meeting):
            sent += send_once(
                connection,
                key=f"councils:notice:{meeting.pk}:{sent_at}:{member.user_id}",
                timeout=timeout,
                message=lambda member=member: render_notice(
                    meeting, member, agenda=agenda, secretary=secretary
                ),
            )
    return sent


def send_admin_reminders(*, once_key: str = "") -> int:
    """One e-mail to the centre (in Swedish) on terms ending within 90 days and terms of
    reference due for revision; nothing when there is nothing to say. Returns messages sent.

    With `once_key` (the task's id), a redelivered task does not mail the centre again."""
    ending = list(
        Member.objects.ending_soon()
        .filter(erased_at__isnull=True, council__is_active=True)
        .select_related("council")
        .order_by("term_end", "council__name", "display_name")
    )
    due = list(mandates_due().order_by("due", "name"))
    if not ending and not due:
        return 0
    with translation.override("sv"):
        context = {
            "ending": ending,
            "due": due,
            "link": settings.SITE_URL.rstrip("/") + reverse("admin:index"),
        }
        subject = render_to_string("councils/email/admin_reminders_subject.txt", context)
        body = render_to_string("councils/email/admin_reminders.txt", context)
    message = EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[settings.PORTAL_CONTACT_EMAIL],
    )
    if not once_key:
        return message.send() or 0
    with get_connection() as connection:
        return send_once(connection, key=once_key, timeout=60 * 60 * 24 * 2, message=message)
