"""E-mail about an audit, each message in its recipient's language.

Called by audits.tasks.send_audit_notification after a transition commits. The
Notification row (audit, kind, key) is written before anything is sent, so a redelivered
task sends nothing twice. Mail names the audit, never informants or what they said.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from brukarkraft.models import User
from brukarkraft.roles import Role
from brukarkraft.services import notice_add

from .models import Audit, Notification

Kind = Notification.Kind

# Kinds that go to the commissioner's people; report_ready and audit_closed add the team.
COMMISSIONER_KINDS = {
    Kind.QUOTE_SENT,
    Kind.RESPONSE_DUE,
    Kind.RESPONSE_REMINDER,
    Kind.FOLLOW_UP_REMINDER,
    Kind.REPORT_READY,
    Kind.ORDER_DECLINED,
    Kind.FOLLOW_UP_STARTED,
    Kind.AUDIT_CLOSED,
}
TEAM_TOO = {Kind.REPORT_READY, Kind.AUDIT_CLOSED}
# Kinds that go to the resource centre: the next step is the centre's.
CENTRE_KINDS = {Kind.RESPONSE_SENT, Kind.FOLLOW_UP_REPORTED}
# Kinds about one person (added to or removed from the team): `person` is told.
PERSON_KINDS = {Kind.TEAM_ADDED, Kind.TEAM_REMOVED}

# The page where the recipient acts on each kind; the audit's page when not named.
ACT_HERE = {
    Kind.QUOTE_SENT: "audits:quote",
    Kind.RESPONSE_DUE: "audits:response",
    Kind.RESPONSE_REMINDER: "audits:response",
    Kind.FOLLOW_UP_REMINDER: "audits:follow_up",
    Kind.FOLLOW_UP_STARTED: "audits:follow_up",
    Kind.RESPONSE_SENT: "audits:follow_up_start",
}


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    name: str = ""
    # The centre gets its own wording of the order receipt.
    is_centre: bool = False
    # The account, when there is one: it also gets a line on its start page.
    user_id: int | None = None


def _person(user) -> Recipient:
    return Recipient(
        user.email, _language(user.preferred_language), user.full_name, user_id=user.pk
    )


def _language(code: str | None) -> str:
    available = {code for code, _name in settings.LANGUAGES}
    return code if code in available else settings.LANGUAGE_CODE


def _add(recipients: list[Recipient], recipient: Recipient) -> None:
    if recipient.email and all(r.email.lower() != recipient.email.lower() for r in recipients):
        recipients.append(recipient)


def recipients_for(audit: Audit, kind: str, person=None) -> list[Recipient]:
    """Who is told about `kind`, each with the language to write in."""
    recipients: list[Recipient] = []
    centre = Recipient(settings.PORTAL_CONTACT_EMAIL, settings.LANGUAGE_CODE, is_centre=True)
    if kind == Kind.ORDER_RECEIVED:
        orderer = audit.ordered_by
        if orderer is not None and orderer.is_active:
            _add(recipients, _person(orderer))
        _add(recipients, centre)
        return recipients
    if kind in CENTRE_KINDS:
        _add(recipients, centre)
        return recipients
    if kind in PERSON_KINDS:
        if person is not None and person.is_active:
            _add(recipients, _person(person))
        return recipients
    if kind not in COMMISSIONER_KINDS:
        raise ValueError(f"Unknown notification kind: {kind}")
    memberships = (
        audit.organisation.memberships.filter(
            user__is_active=True, user__groups__name=Role.COMMISSIONER
        )
        .select_related("user")
        .order_by("-is_contact", "user__full_name", "pk")
    )
    for membership in memberships:
        _add(recipients, _person(membership.user))
    # The contact named in the order may have no account: write in the audit's language.
    _add(recipients, Recipient(audit.contact_email, _language(audit.language), audit.contact_name))
    if kind in TEAM_TOO:
        for member in audit.members.filter(user__is_active=True).select_related("user"):
            _add(recipients, _person(member.user))
    return recipients


def act_here(audit: Audit, kind: str, language: str) -> str:
    """The path of the page where the recipient acts, in their language."""
    with translation.override(language):
        # reverse() inside the override adds the language prefix ("" for Swedish).
        if kind == Kind.TEAM_REMOVED:
            # The audit is out of the person's reach now: their start page.
            return reverse("start")
        return reverse(ACT_HERE.get(kind, "audits:detail"), args=[audit.pk])


def _reason(audit: Audit, kind: str) -> str:
    """The reason staff gave, for the kinds that have one."""
    if kind != Kind.ORDER_DECLINED:
        return ""
    event = audit.events.filter(action="declined").order_by("-pk").first()
    return event.comment if event else ""


def render_message(audit: Audit, kind: str, recipient: Recipient, reason: str = "") -> EmailMessage:
    link = settings.SITE_URL.rstrip("/") + act_here(audit, kind, recipient.language)
    with translation.override(recipient.language):
        context = {"audit": audit, "recipient": recipient, "link": link, "reason": reason}
        subject = render_to_string(f"audits/email/{kind}_subject.txt", context)
        body = render_to_string(f"audits/email/{kind}.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )


def send_notification(*, audit_id: int, kind: str, key: str, user_id: int | None = None) -> int:
    """Mail everyone concerned about one event of an audit, and put it on the start page of
    each who has an account; return the number of messages. `user_id` is the person a
    team change is about."""
    with transaction.atomic():
        audit = (
            Audit.objects.select_related("organisation", "ordered_by").filter(pk=audit_id).first()
        )
        if audit is None:
            return 0
        notification, created = Notification.objects.get_or_create(audit=audit, kind=kind, key=key)
        if not created:
            return 0  # Already sent: a redelivered or repeated task.
        person = User.objects.filter(pk=user_id).first() if user_id else None
        recipients = recipients_for(audit, kind, person)
        reason = _reason(audit, kind)
        messages = [render_message(audit, kind, recipient, reason) for recipient in recipients]
        for recipient, message in zip(recipients, messages, strict=True):
            if recipient.user_id is not None:
                notice_add(
                    user=User(pk=recipient.user_id),
                    key=f"audit-{audit.pk}-{kind}-{key}",
                    text=message.subject,
                    url=act_here(audit, kind, recipient.language),
                )
        sent = (get_connection().send_messages(messages) or 0) if messages else 0
        notification.recipients = sent
        notification.save(update_fields=["recipients"])
    return sent
