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


# Model permissions each role's group holds, as "app_label.codename". Apps add
# theirs as they land; sync_role_groups() applies the table after migrations.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COMMISSIONER: [],
    Role.AUDITOR: [],
    Role.STAFF: [
        "brukarkraft.view_accessibilityfeedback",
        "brukarkraft.change_accessibilityfeedback",
        "brukarkraft.view_organisation",
    ],
    Role.ADMIN: [],
}


def sync_role_groups(**kwargs) -> None:
    """Create one group per role and give it exactly the permissions in ROLE_PERMISSIONS."""
    from django.contrib.auth.models import Group, Permission

    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = ROLE_PERMISSIONS.get(role, [])
        perms = []
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)
