"""The shared app's part of a person's data: the account, organisation memberships, two-factor
devices, login records and accessibility feedback (see brukarkraft.privacy)."""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_otp import device_classes

from .models import AccessibilityFeedback, Membership, User
from .privacy import (
    MATCH_LIMIT,
    Item,
    Match,
    Person,
    Replacement,
    account_kind,
    account_matches,
    matching,
)

KEY = "accounts"
TITLE = _("Account and contact with the resource centre")

DELETED = _("Deleted.")
ITEMS = {
    "account": Item(
        _("User account"),
        _(
            "Kept, because records point at it, but closed and anonymised: the name is replaced,"
            " the e-mail address and the password are removed and no one can log in with it."
        ),
    ),
    "organisations": Item(_("Memberships of organisations"), DELETED),
    "two_factor_devices": Item(_("Two-factor devices and backup codes"), DELETED),
    "logins": Item(_("Login records"), DELETED),
    "failed_logins": Item(_("Failed login attempts"), DELETED),
    "accessibility_feedback": Item(
        _("Accessibility feedback"),
        _("The name and e-mail address are removed; the message is kept without them."),
    ),
}


def erased_email(user: User) -> str:
    return f"erased-{user.pk}@invalid.example"


def find(query: str) -> list[Match]:
    matches = account_matches(_("User account"), query)
    feedback = AccessibilityFeedback.objects.filter(matching(query, email="email", name="name"))
    for row in feedback.order_by("-created_at")[:MATCH_LIMIT]:
        ref_field = "email" if row.email else "name"
        matches.append(
            Match(
                _("Sent accessibility feedback"),
                row.name,
                row.email,
                ("brukarkraft.accessibilityfeedback", row.pk, ref_field),
                detail=f"{row.created_at:%Y-%m-%d}",
            )
        )
    return matches


def _feedback(person: Person):
    return AccessibilityFeedback.objects.filter(person.rows(email="email", name="name"))


def _login_rows(model, person: Person):
    return (
        model.objects.filter(username__iexact=person.email)
        if person.email
        else model.objects.none()
    )


def export(person: Person) -> dict:
    user = person.user
    data: dict = {key: [] for key in ITEMS}
    data["account"] = None
    if user is not None:
        data["account"] = {
            "email": user.email,
            "name": user.full_name,
            "preferred_language": user.preferred_language,
            "roles": sorted(user.roles),
            "active": user.is_active,
            "joined": user.date_joined,
            "last_login": user.last_login,
        }
        data["organisations"] = [
            {
                "organisation": m.organisation.name,
                "title": m.title,
                "contact_person": m.is_contact,
                "since": m.created_at,
            }
            for m in Membership.objects.filter(user=user).select_related("organisation")
        ]
        data["two_factor_devices"] = [
            {
                "kind": str(device._meta.verbose_name),
                "name": device.name,
                "confirmed": device.confirmed,
                "created": getattr(device, "created_at", None),
            }
            for model in device_classes()
            for device in model.objects.filter(user=user)
        ]
    data["logins"] = [
        {"at": row.attempt_time, "logout": row.logout_time, "ip_address": row.ip_address}
        for row in _login_rows(AccessLog, person).order_by("-attempt_time")
    ]
    data["failed_logins"] = [
        {"at": row.attempt_time, "ip_address": row.ip_address}
        for model in (AccessAttempt, AccessFailureLog)
        for row in _login_rows(model, person).order_by("-attempt_time")
    ]
    data["accessibility_feedback"] = [
        {
            "received": row.created_at,
            "kind": row.kind,
            "page": row.page_url,
            "message": row.message,
            "format_wanted": row.requested_format,
            "name": row.name,
            "email": row.email,
            "status": row.status,
        }
        for row in _feedback(person).order_by("created_at")
    ]
    return data


def erase(person: Person, replacement: Replacement) -> int:
    changed = _feedback(person).exclude(name="", email="").update(name="", email="")
    for model in (AccessLog, AccessAttempt, AccessFailureLog):
        changed += _login_rows(model, person).delete()[0]
    user = person.user
    if user is None:
        return changed
    changed += Membership.objects.filter(user=user).delete()[0]
    for model in device_classes():
        changed += model.objects.filter(user=user).delete()[0]
    user = User.objects.get(pk=user.pk)
    if user.email == erased_email(user) and not user.is_active:
        return changed  # anonymised before
    name = replacement.label(account_kind(user))
    user.email = erased_email(user)
    user.full_name = name
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    # A new password hash also ends every session the person still has: Django checks
    # the hash on each request.
    user.set_unusable_password()
    user.save()
    changed += 1
    changed += (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
        )
        .filter(~Q(object_repr=name))
        .update(object_repr=name)
    )
    return changed
