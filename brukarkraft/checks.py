from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_broker_in_production(app_configs, **kwargs):
    """Several machines cannot share kombu's filesystem transport: production needs Redis."""
    if not settings.DEBUG and str(settings.CELERY_BROKER_URL).startswith("filesystem"):
        return [
            Error(
                "CELERY_BROKER_URL uses the filesystem transport with DEBUG off.",
                hint="Set REDIS_URL (or CELERY_BROKER_URL) so workers on several machines share one broker.",
                id="brukarkraft.E001",
            )
        ]
    return []
