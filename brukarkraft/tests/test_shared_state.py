"""Shared state: nothing a visitor's journey depends on is kept by one node only.

Sessions and login lock-outs are rows in the database; messages ride in the browser's
cookie; rate-limit counts and once-only mail keys are in the default cache, Redis when
REDIS_URL is set; files are in the object store. A system check refuses a production set-up
on several machines that would keep any of them on one.
"""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings as django_settings

from brukarkraft.checks import check_shared_state
from brukarkraft.tests.objectstore import environment, storage_settings
from brukarkraft.tests.test_settings import production, run_django

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://x/0"}}


def ids(errors) -> list[str]:
    return sorted(error.id for error in errors)


def test_the_state_a_journey_needs_is_kept_where_every_node_sees_it():
    assert django_settings.SESSION_ENGINE in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    )
    assert django_settings.MESSAGE_STORAGE.startswith("django.contrib.messages.storage.")
    assert django_settings.MESSAGE_STORAGE.rsplit(".", 2)[-2] in ("cookie", "fallback")
    assert django_settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    assert django_settings.RATELIMIT_USE_CACHE == "default"


def test_production_settings_put_cache_rate_limits_and_files_in_the_shared_services(tmp_path):
    script = (
        "import django, json; django.setup()\n"
        "from django.conf import settings as s\n"
        "from django.core.files.storage import storages\n"
        "print(json.dumps({'cache': s.CACHES['default']['BACKEND'],"
        " 'ratelimit': s.RATELIMIT_USE_CACHE, 'sessions': s.SESSION_ENGINE,"
        " 'storage': type(storages['default']).__name__, 'nodes': s.PORTAL_NODES}))"
    )
    bucket = environment("http://127.0.0.1:9", "brukarkraft-media")
    result = run_django(
        ["-c", script], tmp_path, **production(tmp_path, PORTAL_NODES="2", **bucket)
    )

    assert result.returncode == 0, result.stderr
    found = __import__("json").loads(result.stdout)
    assert found == {
        "cache": "django_redis.cache.RedisCache",
        "ratelimit": "default",
        "sessions": "django.contrib.sessions.backends.db",
        "storage": "ObjectStorage",
        "nodes": 2,
    }


@pytest.mark.skipif(
    not django_settings.REDIS_URL, reason="needs REDIS_URL (Redis shared by processes)"
)
def test_a_once_only_key_claimed_in_one_process_is_taken_in_another(tmp_path):
    from django.core.cache import cache

    key = f"test:once:{uuid.uuid4().hex}"
    assert cache.add(key, 1, 60) is True
    script = (
        "import django; django.setup()\n"
        "from django.core.cache import cache\n"
        f"print(cache.add({key!r}, 1, 60))"
    )
    # Another process, as a worker on another machine would be: the same Redis, no memory shared.
    other = run_django(["-c", script], tmp_path, REDIS_URL=django_settings.REDIS_URL)
    cache.delete(key)

    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == "False"


# --- The system check ------------------------------------------------------------------------


@pytest.fixture
def production_like(settings, tmp_path):
    settings.DEBUG = False
    settings.REDIS_URL = "redis://x/0"
    settings.CACHES = REDIS
    settings.PORTAL_NODES = 2
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_settings("http://127.0.0.1:9", "brukarkraft-media"),
    }
    return settings


def test_a_deployment_on_several_nodes_with_shared_services_passes(production_like):
    assert check_shared_state(None) == []


def test_several_nodes_with_files_on_the_local_disk_are_refused(production_like):
    production_like.STORAGES = {
        **production_like.STORAGES,
        "default": {"BACKEND": "brukarkraft.storage.LocalStorage"},
    }

    assert ids(check_shared_state(None)) == ["brukarkraft.E003"]


def test_several_nodes_without_redis_are_refused(production_like):
    production_like.REDIS_URL = ""
    production_like.CACHES = LOCMEM

    assert ids(check_shared_state(None)) == ["brukarkraft.E004"]


def test_sessions_in_a_file_or_a_local_cache_are_refused_on_several_nodes(production_like):
    production_like.SESSION_ENGINE = "django.contrib.sessions.backends.file"
    assert ids(check_shared_state(None)) == ["brukarkraft.E005"]

    production_like.REDIS_URL = ""
    production_like.CACHES = LOCMEM
    production_like.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    assert ids(check_shared_state(None)) == ["brukarkraft.E004", "brukarkraft.E005"]


def test_a_local_cache_beside_a_redis_url_is_refused_even_on_one_node(production_like):
    production_like.PORTAL_NODES = 1
    production_like.CACHES = LOCMEM

    assert ids(check_shared_state(None)) == ["brukarkraft.E002"]


def test_one_node_on_local_disk_and_development_are_fine(production_like):
    production_like.PORTAL_NODES = 1
    production_like.STORAGES = {
        **production_like.STORAGES,
        "default": {"BACKEND": "brukarkraft.storage.LocalStorage"},
    }
    assert check_shared_state(None) == []

    production_like.DEBUG = True
    production_like.PORTAL_NODES = 2
    assert check_shared_state(None) == []


def test_manage_py_check_refuses_two_nodes_without_an_object_store(tmp_path):
    refused = run_django(["manage.py", "check"], tmp_path, **production(tmp_path, PORTAL_NODES="2"))
    bucket = environment("http://127.0.0.1:9", "brukarkraft-media")
    accepted = run_django(
        ["manage.py", "check"], tmp_path, **production(tmp_path, PORTAL_NODES="2", **bucket)
    )

    assert refused.returncode != 0
    assert "brukarkraft.E003" in refused.stderr
    assert accepted.returncode == 0, accepted.stderr
