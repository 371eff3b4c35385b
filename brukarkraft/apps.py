from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BrukarkraftConfig(AppConfig):
    name = "brukarkraft"
    verbose_name = _("Portal and identity")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers system checks)
        from .roles import sync_role_groups

        # Permissions exist only after migrate has run, so the groups are synced then.
        post_migrate.connect(sync_role_groups, dispatch_uid="brukarkraft.sync_role_groups")
