import logging

from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_save
from django.utils.translation import gettext_lazy as _


class BrukarkraftConfig(AppConfig):
    name = "brukarkraft"
    verbose_name = _("Portal and identity")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import m2m_changed

        from . import checks, registry  # noqa: F401  (checks registers system checks)
        from .celery import (
            ensure_filesystem_broker_folders,
            expose_redbeat_settings,
            merge_app_beat_jobs,
        )
        from .middleware import start_staff_session
        from .models import User
        from .roles import admin_access_follows_groups, sync_role_groups
        from .text import strip_bidi_controls_before_save
        from .vendor_names import apply as name_third_party_apps

        # Every app's portal_hooks: demo data, retention, privacy, trail, start pages, beat.
        registry.autodiscover()
        merge_app_beat_jobs()
        expose_redbeat_settings()
        # Permissions exist only after migrate has run, so the groups are synced then.
        post_migrate.connect(sync_role_groups, dispatch_uid="brukarkraft.sync_role_groups")
        user_logged_in.connect(start_staff_session, dispatch_uid="brukarkraft.staff_session")
        # Admin access (is_staff) follows the staff and admin roles, however they are given.
        m2m_changed.connect(
            admin_access_follows_groups,
            sender=User.groups.through,
            dispatch_uid="brukarkraft.admin_access",
        )
        # The admin names third-party apps and models in the interface's language.
        name_third_party_apps()
        # Every model of every app: names and titles never keep bidirectional controls.
        pre_save.connect(strip_bidi_controls_before_save, dispatch_uid="brukarkraft.bidi")
        # Both the web process (publishing) and the worker (consuming) fail on a missing
        # folder of kombu's filesystem transport; a no-op with Redis. /healthz reports a
        # folder that cannot be made, so a read-only disk does not stop manage.py here.
        try:
            ensure_filesystem_broker_folders()
        except OSError:
            logging.getLogger(__name__).warning("Cannot create the Celery broker folders")
