"""Retention: delete what has been kept past its period, every night (beat: apply-retention).

Each app lists its rules (audits.retention, surveys.retention: registered from their
portal_hooks) and the core has the ones below. A rule
counts what is due, for the staff page "What we keep and for how long", and deletes it, in
its own transaction so that one failing rule keeps nothing else from being deleted. The
log gets counts only, never what was deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    """One kind of thing that is deleted once it is due."""

    name: str
    count_due: Callable[[datetime], int]
    delete_due: Callable[[datetime], int]


def days(key: str) -> int:
    """The configured period for one retention rule, in days (settings.RETENTION_DAYS)."""
    return settings.RETENTION_DAYS[key]


def cutoff(key: str, now: datetime) -> datetime:
    return now - timedelta(days=days(key))


def delete_counting(queryset: QuerySet) -> int:
    """Delete `queryset` and return how many of its own rows went (not the cascade)."""
    _total, per_model = queryset.delete()
    return per_model.get(queryset.model._meta.label, 0)


def delete_files(model: type[Model], field_name: str, names: Iterable[str]) -> None:
    """Delete the stored files `names` of `model.field_name`. Only after the commit: a
    rolled-back delete must still find its files."""
    storage = model._meta.get_field(field_name).storage
    for name in names:
        if name:
            storage.delete(name)


def delete_files_on_commit(model: type[Model], field_name: str, names: Iterable[str]) -> None:
    """delete_files() once the current transaction commits."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: delete_files(model, field_name, names))


def queryset_rule(
    name: str,
    due: Callable[[datetime], QuerySet],
    delete: Callable[[datetime], int] | None = None,
) -> Rule:
    """A rule whose due items are one queryset, deleted as they are unless `delete` does more."""
    return Rule(
        name=name,
        count_due=lambda now: due(now).count(),
        delete_due=delete or (lambda now: delete_counting(due(now))),
    )


# --- The portal's own rules ------------------------------------------------------------


def login_log_due(now: datetime) -> QuerySet:
    """Logins older than the period the privacy notice promises."""
    from axes.models import AccessLog

    return AccessLog.objects.filter(
        attempt_time__lt=now - timedelta(days=settings.LOGIN_LOG_RETENTION_DAYS)
    )


def failed_logins_due(now: datetime) -> QuerySet:
    """Failed login attempts whose lock has ended (axes clears them only when someone
    tries again)."""
    from axes.models import AccessAttempt

    return AccessAttempt.objects.filter(attempt_time__lt=now - settings.AXES_COOLOFF_TIME)


def handled_feedback_due(now: datetime) -> QuerySet:
    """Accessibility feedback resolved longer ago than its period; open feedback stays."""
    from .models import AccessibilityFeedback

    return AccessibilityFeedback.objects.filter(
        Q(handled_at__lt=cutoff("handled_feedback", now))
        | Q(handled_at__isnull=True, created_at__lt=cutoff("handled_feedback", now)),
        status=AccessibilityFeedback.Status.RESOLVED,
    )


def sent_pending_tasks_due(now: datetime) -> QuerySet:
    """Jobs kept while the queue was down, once they have been sent for a while."""
    from .models import PendingTask

    return PendingTask.objects.filter(sent_at__lt=cutoff("sent_pending_tasks", now))


def unconfirmed_signups_due(now: datetime) -> QuerySet:
    """Registrations whose confirmation link has expired: nobody can confirm them now."""
    from .models import SignUp

    return SignUp.objects.filter(
        created_at__lt=now - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    )


def purge_login_log(now: datetime | None = None) -> int:
    """Delete login records older than LOGIN_LOG_RETENTION_DAYS (also its own beat task)."""
    return delete_counting(login_log_due(now or timezone.now()))


RULES = [
    queryset_rule("login_log", login_log_due),
    queryset_rule("failed_logins", failed_logins_due),
    queryset_rule("handled_feedback", handled_feedback_due),
    queryset_rule("sent_pending_tasks", sent_pending_tasks_due),
    queryset_rule("unconfirmed_signups", unconfirmed_signups_due),
]


def all_rules() -> list[Rule]:
    """Every rule of every app, in the order they run."""
    from .registry import retention_rules

    return [*retention_rules(), *RULES]


def due_counts(*, now: datetime | None = None) -> dict[str, int]:
    """How many items each rule would delete if it ran now (one count query a rule)."""
    now = now or timezone.now()
    return {rule.name: rule.count_due(now) for rule in all_rules()}


def apply_all(*, now: datetime | None = None) -> dict[str, int]:
    """Run every rule, each in its own transaction; return {rule name: items deleted}.

    A rule that fails is logged and the others still run; the failure is raised at the end
    so the task shows as failed and is looked at.
    """
    now = now or timezone.now()
    deleted: dict[str, int] = {}
    failed: list[str] = []
    for rule in all_rules():
        try:
            with transaction.atomic():
                deleted[rule.name] = rule.delete_due(now)
        except Exception:  # noqa: BLE001 — one broken rule must not keep the others from running
            logger.exception("Retention rule %s failed", rule.name)
            failed.append(rule.name)
            continue
        logger.info("Retention rule %s deleted %s items", rule.name, deleted[rule.name])
    if failed:
        raise RetentionError(failed)
    return deleted


class RetentionError(RuntimeError):
    def __init__(self, failed: list[str]) -> None:
        super().__init__(f"Retention rules failed: {', '.join(failed)}")
        self.failed = failed
