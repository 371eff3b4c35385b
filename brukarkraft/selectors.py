"""Read-only queries behind the role start pages and the profile.

Each function runs a fixed number of queries however many rows there are: counts
are aggregated in the database and related rows come through select/prefetch.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext

from .models import AccessibilityFeedback, County, Membership, Notice, Organisation, User
from .roles import Role


@dataclass(frozen=True)
class Tally:
    """One row of a count table: a value, its human label and how many there are."""

    value: str
    label: str | Promise  # a choice's label is a lazy translation
    count: int


def memberships_of(user: User) -> QuerySet[Membership]:
    """The user's own memberships with organisation and place, for the profile page."""
    return Membership.objects.filter(user=user).select_related(
        "organisation__municipality", "organisation__county"
    )


def organisations_of(user: User) -> QuerySet[Organisation]:
    """The organisations the user belongs to, with their place."""
    return (
        Organisation.objects.filter(memberships__user=user)
        .select_related("municipality", "county")
        .order_by("name")
        .distinct()
    )


def organisations_with_colleagues(user: User) -> QuerySet[Organisation]:
    """The user's organisations, each with `colleagues`: the other members' memberships."""
    colleagues = (
        Membership.objects.exclude(user=user)
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    return organisations_of(user).prefetch_related(
        Prefetch("memberships", queryset=colleagues, to_attr="colleagues")
    )


def open_feedback_by_status() -> list[Tally]:
    """How much accessibility feedback waits in each open status (zero rows included)."""
    counts = dict(
        AccessibilityFeedback.objects.open()
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [
        Tally(status.value, status.label, counts.get(status.value, 0))
        for status in AccessibilityFeedback.Status
        if status != AccessibilityFeedback.Status.RESOLVED
    ]


def organisations_by_kind() -> list[Tally]:
    """Active organisations per kind, every kind listed even when it has none."""
    counts = dict(
        Organisation.objects.filter(is_active=True)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    return [Tally(kind.value, kind.label, counts.get(kind.value, 0)) for kind in Organisation.Kind]


def organisations_per_county() -> QuerySet[County]:
    """All counties with `organisation_count`: active organisations in each."""
    return County.objects.annotate(
        organisation_count=Count("organisations", filter=Q(organisations__is_active=True))
    ).order_by("code")


def users_per_role() -> list[Tally]:
    """Active users per portal role, plus those without any role (one query)."""
    # Superusers count as admins, as in User.roles.
    role_filters = {role: Q(groups__name=role) for role in Role.by_precedence()}
    role_filters[Role.ADMIN] |= Q(is_superuser=True)
    any_role = Q(groups__name__in=Role.values) | Q(is_superuser=True)
    totals = User.objects.filter(is_active=True).aggregate(
        total=Count("pk", distinct=True),
        with_role=Count("pk", filter=any_role, distinct=True),
        **{role.value: Count("pk", filter=q, distinct=True) for role, q in role_filters.items()},
    )
    rows = [Tally(role.value, role.label, totals[role.value]) for role in Role.by_precedence()]
    rows.append(Tally("", gettext("No role yet"), totals["total"] - totals["with_role"]))
    return rows


def organisation_count() -> int:
    return Organisation.objects.filter(is_active=True).count()


def open_feedback_count() -> int:
    return AccessibilityFeedback.objects.open().count()


# The start page shows this many unread notices; older ones wait until these are read.
NOTICES_SHOWN = 20


def open_notices(user: User) -> QuerySet[Notice]:
    """The user's unread notices for the start page, newest first."""
    return Notice.objects.open_for(user)[:NOTICES_SHOWN]
