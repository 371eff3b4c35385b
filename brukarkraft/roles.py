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


# Model permissions each role's group holds in the core, as "app_label.codename". Apps add
# theirs from their portal_hooks (register_role_permissions); sync_role_groups() applies
# both after migrations.
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
    ],
    Role.ADMIN: [],
}


def permissions_of(role: str) -> list[str]:
    """Every permission the role's group holds: the core's and the apps' (portal_hooks)."""
    from .registry import role_permissions

    return [*ROLE_PERMISSIONS.get(role, []), *role_permissions(role)]


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
    """Create one group per role and give it exactly the permissions of permissions_of().

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
        wanted = permissions_of(role)
        group.permissions.set(
            [permission_ids[dotted] for dotted in wanted if dotted in permission_ids]
        )
    # Accounts given the staff role before is_staff followed the role get admin access now.
    sync_admin_access(using=using, revoke=False)
