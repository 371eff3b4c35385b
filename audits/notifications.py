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

from brukarkraft.roles import Role

from .models import Audit, Notification

# Kinds that go to the commissioner's people; report_ready adds the team.
COMMISSIONER_KINDS = {
    Notification.Kind.QUOTE_SENT,
    Notification.Kind.RESPONSE_DUE,
    Notification.Kind.RESPONSE_REMINDER,
    Notification.Kind.FOLLOW_UP_REMINDER,
    Notification.Kind.REPORT_READY,
}


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    name: str = ""
    # The centre gets its own wording of the order receipt.
    is_centre: bool = False


def _language(code: str | None) -> str:
    available = {code for code, _name in settings.LANGUAGES}
    return code if code in available else settings.LANGUAGE_CODE


def _add(recipients: list[Recipient], recipient: Recipient) -> None:
    if recipient.email and all(r.email.lower() != recipient.email.lower() for r in recipients):
        recipients.append(recipient)


def recipients_for(audit: Audit, kind: str) -> list[Recipient]:
    """Who is told about `kind`, each with the language to write in."""
    recipients: list[Recipient] = []
    if kind == Notification.Kind.ORDER_RECEIVED:
        person = audit.ordered_by
        if person is not None and person.is_active:
            _add(
                recipients,
                Recipient(person.email, _language(person.preferred_language), person.full_name),
            )
        _add(
            recipients,
            Recipient(settings.PORTAL_CONTACT_EMAIL, settings.LANGUAGE_CODE, is_centre=True),
        )
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
        user = membership.user
        _add(recipients, Recipient(user.email, _language(user.preferred_language), user.full_name))
    # The contact named in the order may have no account: write in the audit's language.
    _add(recipients, Recipient(audit.contact_email, _language(audit.language), audit.contact_name))
    if kind == Notification.Kind.REPORT_READY:
        for member in audit.members.filter(user__is_active=True).select_related("user"):
            user = member.user
            _add(
                recipients,
                Recipient(user.email, _language(user.preferred_language), user.full_name),
            )
    return recipients


def render_message(audit: Audit, kind: str, recipient: Recipient) -> EmailMessage:
    with translation.override(recipient.language):
        # reverse() inside the override adds the language prefix ("" for Swedish).
        context = {
            "audit": audit,
            "recipient": recipient,
            "link": settings.SITE_URL.rstrip("/") + reverse("audits:detail", args=[audit.pk]),
        }
        subject = render_to_string(f"audits/email/{kind}_subject.txt", context)
        body = render_to_string(f"audits/email/{kind}.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )


def send_notification(*, audit_id: int, kind: str, key: str) -> int:
    """Mail everyone concerned about one event of an audit; return the number of messages."""
    with transaction.atomic():
        audit = (
            Audit.objects.select_related("organisation", "ordered_by").filter(pk=audit_id).first()
        )
        if audit is None:
            return 0
        notification, created = Notification.objects.get_or_create(audit=audit, kind=kind, key=key)
        if not created:
            return 0  # Already sent: a redelivered or repeated task.
        messages = [
            render_message(audit, kind, recipient) for recipient in recipients_for(audit, kind)
        ]
        sent = (get_connection().send_messages(messages) or 0) if messages else 0
        notification.recipients = sent
        notification.save(update_fields=["recipients"])
    return sent
