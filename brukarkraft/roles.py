"""Portal roles. A role is a Django group of the same name; admins are superusers."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMMISSIONER = "commissioner", _("Commissioner")
    AUDITOR = "auditor", _("User auditor")
    STAFF = "staff", _("Resource-centre staff")
    ADMIN = "admin", _("Administrator")

    @classmethod
    def by_precedence(cls) -> list["Role"]:
        """Roles from widest to narrowest: a person with several lands on the widest."""
        return [cls.ADMIN, cls.STAFF, cls.AUDITOR, cls.COMMISSIONER]


# Staff look after the audit pool and the fees in admin; every model is visible to them.
# History (events), frozen reports, notifications and the workflow's own records are
# read-only there: they change only through audits.services.
_AUDITS_VIEW = [
    "audit",
    "auditevent",
    "auditmember",
    "auditorprofile",
    "confidentialityundertaking",
    "conflict",
    "coordinator",
    "datacollection",
    "feeentry",
    "finding",
    "notification",
    "proposal",
    "quote",
    "reportversion",
    "unit",
]
_AUDITS_ADD = ["auditorprofile", "conflict", "coordinator", "feeentry", "unit"]
_AUDITS_CHANGE = ["audit", "auditorprofile", "conflict", "coordinator", "feeentry", "unit"]
_AUDITS_DELETE = ["conflict", "coordinator"]
AUDITS_STAFF_PERMISSIONS = [
    *(f"audits.view_{name}" for name in _AUDITS_VIEW),
    *(f"audits.add_{name}" for name in _AUDITS_ADD),
    *(f"audits.change_{name}" for name in _AUDITS_CHANGE),
    *(f"audits.delete_{name}" for name in _AUDITS_DELETE),
    # The question bank of the guides (issue 18): staff keep it; guides are only shown.
    "audits.view_bankquestion",
    "audits.add_bankquestion",
    "audits.change_bankquestion",
    *(
        f"audits.view_{name}"
        for name in ("guide", "guidesection", "guidequestion", "guidecomment", "guidepdf")
    ),
]

# Council secretaries at the centre run the councils in admin: they see and add and change
# every councils model; state changes still go through councils.services (admin's buttons).
_COUNCILS_MODELS = [
    "agendaitem",
    "annualreport",
    "appointmentrequest",
    "assessment",
    "assessmentanswer",
    "attendance",
    "case",
    "council",
    "document",
    "mandateversion",
    "meeting",
    "member",
    "nomination",
    "seat",
]
COUNCILS_STAFF_PERMISSIONS = [
    f"councils.{verb}_{name}" for name in _COUNCILS_MODELS for verb in ("view", "add", "change")
]

# The resource centre runs its library, courses and guidance in the portal and in admin:
# staff see, add and change every resources model. Admin itself keeps the workflow's
# records (versions, reviews, attendance, training records) read-only and sends status
# changes through resources.services.
_RESOURCES_MODELS = [
    "attachment",
    "course",
    "coursesession",
    "guidancerequest",
    "registration",
    "resource",
    "resourceversion",
    "review",
    "sessionattendance",
    "trainingrecord",
]
RESOURCES_STAFF_PERMISSIONS = [
    f"resources.{verb}_{name}" for name in _RESOURCES_MODELS for verb in ("view", "add", "change")
]

# Model permissions each role's group holds, as "app_label.codename". Apps add
# theirs as they land; sync_role_groups() applies the table after migrations.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COMMISSIONER: [],
    Role.AUDITOR: [],
    Role.STAFF: [
        "brukarkraft.view_accessibilityfeedback",
        "brukarkraft.change_accessibilityfeedback",
        "brukarkraft.view_organisation",
        # Requests to join an organisation: decided on /staff/join-requests/ or in admin.
        "brukarkraft.view_joinrequest",
        "brukarkraft.change_joinrequest",
        # To find the person when adding council members or team members in admin.
        "brukarkraft.view_user",
        *AUDITS_STAFF_PERMISSIONS,
        *COUNCILS_STAFF_PERMISSIONS,
        *RESOURCES_STAFF_PERMISSIONS,
    ],
    Role.ADMIN: [],
}


# Roles that work in Django's admin. Admin needs is_staff besides the group's permissions, so
# is_staff follows these roles (sync_admin_access) instead of being set by hand per account.
ADMIN_ACCESS_ROLES = (Role.STAFF, Role.ADMIN)


def sync_admin_access(*, user_ids=None, using: str = "default", revoke: bool = True) -> None:
    """Give admin access (is_staff) to superusers and the holders of ADMIN_ACCESS_ROLES;
    with `revoke`, take it from the others among `user_ids` (all users when None)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    users = get_user_model().objects.using(using)
    if user_ids is not None:
        users = users.filter(pk__in=list(user_ids))
    entitled = users.filter(
        Q(is_superuser=True) | Q(groups__name__in=[role.value for role in ADMIN_ACCESS_ROLES])
    ).values("pk")
    users.filter(pk__in=entitled, is_staff=False).update(is_staff=True)
    if revoke:
        users.filter(is_staff=True).exclude(pk__in=entitled).update(is_staff=False)


def admin_access_follows_groups(sender, instance, action, reverse, pk_set, using, **kwargs):
    """m2m_changed of User.groups: a person given the staff role gets admin access, one who
    loses it loses admin access (unless a superuser), whichever way the groups were changed
    (the admin's user form, group.user_set, seed_demo)."""
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # group.user_set.…: the users are pk_set (all of the group's on clear)
        user_ids = pk_set if pk_set is not None else None
        if user_ids is None:
            return  # a cleared group: its members are no longer known here
    else:
        user_ids = {instance.pk}
    sync_admin_access(user_ids=user_ids, using=using)
    if not reverse:
        instance.refresh_from_db(fields=["is_staff"])


def sync_role_groups(sender=None, using: str = "default", **kwargs) -> None:
    """Create one group per role and give it exactly the permissions in ROLE_PERMISSIONS.

    Connected to post_migrate, which comes once for every app: only the last app's signal
    does the work, when every app's permissions exist. Every test that uses the live server
    ends with a flush, which sends post_migrate again; syncing fifteen times, a query per
    permission, made each such test's teardown seconds longer.
    """
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    if sender is not None:
        with_models = [config for config in apps.get_app_configs() if config.models_module]
        if sender is not with_models[-1]:
            return
    permission_ids = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role in Role:
        group, _created = Group.objects.using(using).get_or_create(name=role.value)
        wanted = ROLE_PERMISSIONS.get(role, [])
        group.permissions.set(
            [permission_ids[dotted] for dotted in wanted if dotted in permission_ids]
        )
    # Accounts given the staff role before is_staff followed the role get admin access now.
    sync_admin_access(using=using, revoke=False)
