from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = _("User audits")

    def ready(self) -> None:
        from surveys import grants

        from .access import team_survey_ids

        # An audit's live team reads its linked survey; the lead builds and publishes it.
        grants.register(team_survey_ids)

        from . import receivers

        # A completed auditor course (resources) makes the participant trained in the pool.
        receivers.connect()

        # Celery's autodiscovery finds audits/tasks.py only: the subpackages' jobs register here.
        from .bank import tasks as bank_tasks  # noqa: F401
        from .fieldwork import tasks as fieldwork_tasks  # noqa: F401
