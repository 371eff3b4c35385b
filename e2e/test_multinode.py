"""Two web nodes and two workers, a node lost mid-journey (issue 20)."""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from brukarkraft.tests.test_celery_worker import database_url

from .multinode import Deployment, deployment

pytestmark = [
    pytest.mark.multinode,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
        or not settings.REDIS_URL,
        reason=(
            "the multinode run needs PostgreSQL and Redis (set DATABASE_URL and REDIS_URL, as"
            " CI does); the embedded default (SQLite, no Redis) has one machine only"
        ),
    ),
]


@pytest.fixture
def site(tmp_path, django_db_setup, django_db_blocker):
    """The deployment, with this process's ORM pointed at its database."""
    from django.db import connection

    with django_db_blocker.unblock():
        template = connection.settings_dict["NAME"]
        template_url = database_url()
        connection.close()
        with deployment(
            tmp_path,
            template_url=template_url,
            template=template,
            redis_url=settings.REDIS_URL,
            echo=bool(os.environ.get("MULTINODE_ECHO")),
        ) as running:
            connection.settings_dict["NAME"] = running.database
            try:
                yield running
            finally:
                connection.close()
                connection.settings_dict["NAME"] = template


def test_smoke(site: Deployment):
    lb = site.balancer
    first = lb.get("/")
    second = lb.get("/")
    assert first.status == 200, site.web[0].log_text()[-5000:]
    assert {first.node, second.node} == {"web1", "web2"}
