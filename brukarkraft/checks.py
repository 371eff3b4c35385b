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


def _local_storage() -> bool:
    from .storage import is_local

    return is_local()


@register(Tags.compatibility)
def check_shared_state(app_configs, **kwargs):
    """With DEBUG off, refuse a set-up where a node keeps what the others must see.

    A deployment on several machines (PORTAL_NODES > 1) needs its files in an object store
    and its cache (rate limits, once-only mail keys) in Redis; sessions in the database or a
    shared cache. A local-memory cache beside a REDIS_URL is a mistake on any deployment.
    """
    if settings.DEBUG:
        return []
    errors = []
    nodes = getattr(settings, "PORTAL_NODES", 1)
    cache_backend = settings.CACHES["default"]["BACKEND"]
    local_cache = cache_backend.endswith("LocMemCache") or cache_backend.endswith("FileBasedCache")
    if getattr(settings, "REDIS_URL", "") and local_cache:
        errors.append(
            Error(
                "The default cache is local to each process although REDIS_URL is set.",
                hint="Use Redis for CACHES['default']: rate limits and once-only keys must be shared.",
                id="brukarkraft.E002",
            )
        )
    if nodes > 1:
        if _local_storage():
            errors.append(
                Error(
                    f"PORTAL_NODES is {nodes} but files are kept on each machine's own disk.",
                    hint="Set MEDIA_S3_BUCKET (and MEDIA_S3_ENDPOINT_URL etc.) so every node "
                    "reads the files the others wrote.",
                    id="brukarkraft.E003",
                )
            )
        if local_cache:
            errors.append(
                Error(
                    f"PORTAL_NODES is {nodes} but the cache is local to each process.",
                    hint="Set REDIS_URL: rate limits and once-only mail keys must be shared.",
                    id="brukarkraft.E004",
                )
            )
        engine = settings.SESSION_ENGINE
        if engine.endswith(".file") or (engine.endswith(".cache") and local_cache):
            errors.append(
                Error(
                    f"PORTAL_NODES is {nodes} but sessions ({engine}) are kept by each node.",
                    hint="Use the db or cached_db session engine (or cache with Redis).",
                    id="brukarkraft.E005",
                )
            )
        if not settings.AXES_HANDLER.endswith("AxesDatabaseHandler") and local_cache:
            errors.append(
                Error(
                    f"PORTAL_NODES is {nodes} but login lock-outs are counted per process.",
                    hint="Use axes.handlers.database.AxesDatabaseHandler.",
                    id="brukarkraft.E006",
                )
            )
    return errors
