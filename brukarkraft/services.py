"""State changes of the shared app: one function per action, each in a transaction."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from .languages import portal_language
from .models import (
    AccessibilityFeedback,
    JoinRequest,
    Membership,
    Municipality,
    Notice,
    Organisation,
    SignUp,
    User,
)
from .queue import enqueue_by_name
from .roles import Role

logger = logging.getLogger(__name__)


@transaction.atomic
def feedback_submit(
    *,
    kind: str,
    message: str,
    language: str,
    page_url: str = "",
    requested_format: str = "",
    name: str = "",
    email: str = "",
) -> AccessibilityFeedback:
    """Store accessibility feedback and tell the resource centre once it is committed."""
    feedback = AccessibilityFeedback.objects.create(
        kind=kind,
        message=message.strip(),
        language=language,
        page_url=page_url[:500],
        requested_format=requested_format if kind == AccessibilityFeedback.Kind.FORMAT else "",
        name=name.strip(),
        email=email.strip().lower(),
    )
    # enqueue keeps the job if the broker is down; robust: nothing else after the commit
    # may turn the visitor's successful submission into an error page either (staff still
    # see it in the inbox).
    enqueue_by_name("brukarkraft.tasks.notify_staff_of_feedback", feedback.pk, robust=True)
    return feedback


@transaction.atomic
def feedback_update(
    *, feedback: AccessibilityFeedback, by: User, status: str, staff_note: str
) -> AccessibilityFeedback:
    """Record how staff handled a piece of feedback."""
    feedback = AccessibilityFeedback.objects.select_for_update().get(pk=feedback.pk)
    if status not in AccessibilityFeedback.Status.values:
        raise ValidationError(gettext("Choose a valid status."), code="invalid_status")
    feedback.status = status
    feedback.staff_note = staff_note.strip()
    feedback.handled_by = by
    feedback.handled_at = timezone.now()
    feedback.save(update_fields=["status", "staff_note", "handled_by", "handled_at"])
    return feedback


@transaction.atomic
def user_update_profile(*, user: User, full_name: str, preferred_language: str) -> User:
    """Save the name and language a person chose on their profile page."""
    if preferred_language not in dict(settings.LANGUAGES):
        raise ValidationError(gettext("Choose one of the portal's languages."), code="language")
    user.full_name = full_name.strip()
    user.preferred_language = preferred_language
    user.save(update_fields=["full_name", "preferred_language"])
    return user


def user_set_preferred_language(*, user: User, language: str) -> User:
    """Remember the language a logged-in person switched to, for pages and e-mail."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(gettext("Choose one of the portal's languages."), code="language")
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user


def email_send_later(
    *, subject: str, body: str, to: list[str], from_email: str | None = None
) -> None:
    """Queue a rendered e-mail for the worker; send it at once if the broker will not take it."""
    from .queue import BROKER_ERRORS, task_named

    try:
        task_named("brukarkraft.tasks.send_email").delay(
            subject=subject, body=body, to=to, from_email=from_email
        )
    except BROKER_ERRORS:
        # The message matters more than the page's speed (a password reset link, say):
        # with the broker down, send it from the web process instead of losing it. Not
        # kept as a PendingTask: its arguments are an address and a rendered message.
        # Never the subject: it can carry a name or a council's or person's matter.
        logger.warning("Broker unavailable; sending an e-mail in the request")
        EmailMessage(subject=subject, body=body, from_email=from_email, to=to).send()


# --- Signing up, and joining an organisation that already has an account --------------------

SIGNUP_SALT = "brukarkraft.signup"


def _mail(*, to: str, language: str, template: str, context: dict) -> None:
    """Render `template`(_subject).txt in `language` and queue it for `to`."""
    from django.template.loader import render_to_string

    with translation.override(language):
        context = {"site_url": settings.SITE_URL.rstrip("/"), **context}
        subject = render_to_string(f"brukarkraft/email/{template}_subject.txt", context)
        body = render_to_string(f"brukarkraft/email/{template}.txt", context)
    email_send_later(subject=" ".join(subject.split()), body=body, to=[to])


def _portal_language(code: str) -> str:
    return portal_language(code) or settings.LANGUAGE_CODE


def _link(name: str, language: str, **kwargs) -> str:
    with translation.override(language):
        return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs or None)


def signup_token(signup: SignUp) -> str:
    # The end of the password hash: registering again (a new hash) voids the older link.
    return signing.dumps({"id": signup.pk, "p": signup.password[-16:]}, salt=SIGNUP_SALT)


def signup_start(
    *,
    email: str,
    full_name: str,
    password: str,
    organisation_name: str,
    organisation_kind: str,
    org_number: str = "",
    municipality: Municipality | None = None,
    language: str = "sv",
) -> None:
    """Register a commissioner: mail a link that confirms the address. Nothing else is
    made until it is followed. An address that already has an account gets a note to its
    owner instead, and the page says the same either way, so it tells nobody whether an
    address has an account."""
    email = email.strip().lower()
    language = _portal_language(language)
    owner = User.objects.filter(email__iexact=email).first()
    if owner is not None:
        if owner.is_active:
            owner_language = _portal_language(owner.preferred_language)
            _mail(
                to=owner.email,
                language=owner_language,
                template="signup_account_exists",
                context={
                    "name": owner.full_name,
                    "login_link": _link("login", owner_language),
                    "reset_link": _link("password_reset", owner_language),
                },
            )
        return
    try:
        _signup_save_and_mail(
            email=email,
            language=language,
            defaults={
                "full_name": full_name.strip(),
                "password": make_password(password),
                "language": language,
                "organisation_name": organisation_name.strip(),
                "organisation_kind": organisation_kind,
                "org_number": org_number,
                "municipality": municipality,
                "created_at": timezone.now(),
            },
        )
    except IntegrityError:
        # The same form sent twice at once: the first one's registration and mail stand.
        logger.info("A registration for the same address was saved at the same moment")


def _signup_save_and_mail(*, email: str, language: str, defaults: dict) -> None:
    with transaction.atomic():
        signup, _created = SignUp.objects.select_for_update().update_or_create(
            email=email, defaults=defaults
        )
        token = signup_token(signup)
        link = _link("signup_confirm", language, token=token)
        transaction.on_commit(
            lambda: _mail(
                to=email,
                language=language,
                template="signup_confirm",
                context={"name": signup.full_name, "link": link, "valid_hours": _valid_hours()},
            ),
            robust=True,
        )


def _valid_hours() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)


@transaction.atomic
def signup_confirm(*, token: str) -> tuple[User, JoinRequest | None] | None:
    """Follow the link: the account, and the organisation or a request to join the one that
    has the number already. None for a link that is wrong, old, replaced or used."""
    try:
        data = signing.loads(token, salt=SIGNUP_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
    except signing.BadSignature:
        return None
    signup = SignUp.objects.select_for_update().filter(pk=data.get("id")).first()
    if signup is None or signup.password[-16:] != data.get("p"):
        return None
    if User.objects.filter(email__iexact=signup.email).exists():
        signup.delete()
        return None
    user = User(email=signup.email, full_name=signup.full_name, preferred_language=signup.language)
    user.password = signup.password
    user.save()
    user.groups.add(Group.objects.get_or_create(name=Role.COMMISSIONER)[0])
    existing = None
    if signup.org_number:
        existing = (
            Organisation.objects.filter(org_number=signup.org_number, is_active=True)
            .order_by("pk")
            .first()
        )
    join_request = None
    if existing is not None:
        # Never a look-alike of an organisation that has an account: staff decide.
        join_request = JoinRequest.objects.create(
            user=user, organisation=existing, organisation_name_given=signup.organisation_name
        )
        enqueue_by_name(
            "brukarkraft.tasks.tell_commissioners_of_join_request", join_request.pk, robust=True
        )
    else:
        organisation = Organisation(
            name=signup.organisation_name,
            kind=signup.organisation_kind,
            org_number=signup.org_number,
            municipality=signup.municipality,
            email=signup.email,
        )
        organisation.full_clean()
        organisation.save()
        Membership.objects.create(user=user, organisation=organisation, is_contact=True)
    signup.delete()
    return user, join_request


def join_request_tell_commissioners(join_request_id: int) -> int:
    """Mail the organisation's commissioners that someone asks to join it, each in their
    language; once, however often the task is delivered. Returns the number of messages."""
    with transaction.atomic():
        join_request = (
            JoinRequest.objects.select_for_update()
            .select_related("user", "organisation")
            .filter(pk=join_request_id, commissioners_told_at__isnull=True)
            .first()
        )
        if join_request is None:
            return 0
        commissioners = User.objects.filter(
            is_active=True,
            groups__name=Role.COMMISSIONER,
            memberships__organisation=join_request.organisation,
        ).exclude(pk=join_request.user_id)
        sent = 0
        for person in commissioners.distinct().order_by("pk"):
            language = _portal_language(person.preferred_language)
            _mail(
                to=person.email,
                language=language,
                template="join_request_commissioners",
                context={
                    "name": person.full_name,
                    "requester": join_request.user,
                    "organisation": join_request.organisation,
                    "contact_email": settings.PORTAL_CONTACT_EMAIL,
                },
            )
            sent += 1
        join_request.commissioners_told_at = timezone.now()
        join_request.save(update_fields=["commissioners_told_at"])
    return sent


@transaction.atomic
def join_request_decide(*, join_request: JoinRequest, by: User, approve: bool) -> JoinRequest:
    """Staff let the person join the organisation, or not; the person is told either way."""
    if not by.has_role(Role.STAFF, Role.ADMIN):
        raise PermissionDenied
    join_request = (
        JoinRequest.objects.select_for_update()
        .select_related("user", "organisation")
        .get(pk=join_request.pk)
    )
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError(
            gettext("This request has already been decided."), code="already_decided"
        )
    join_request.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
    join_request.decided_by = by
    join_request.decided_at = timezone.now()
    join_request.save(update_fields=["status", "decided_by", "decided_at"])
    if approve:
        Membership.objects.get_or_create(
            user=join_request.user, organisation=join_request.organisation
        )
    person = join_request.user
    language = _portal_language(person.preferred_language)
    transaction.on_commit(
        lambda: _mail(
            to=person.email,
            language=language,
            template="join_request_decided",
            context={
                "name": person.full_name,
                "organisation": join_request.organisation,
                "approved": approve,
                "link": _link("start", language),
                "contact_email": settings.PORTAL_CONTACT_EMAIL,
            },
        ),
        robust=True,
    )
    return join_request


def notice_add(*, user: User, key: str, text: str, url: str) -> Notice:
    """Put a line in the user's start-page list; a second call with the same key adds
    nothing. Runs inside the caller's transaction, with the e-mail about the same event."""
    notice, _created = Notice.objects.get_or_create(
        user=user, key=key[:120], defaults={"text": text[:300], "url": url[:300]}
    )
    return notice


@transaction.atomic
def notice_mark_read(*, user: User, pk: int) -> int:
    """Take one of the user's own notices off their list; another person's is left alone."""
    return Notice.objects.filter(user=user, pk=pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
