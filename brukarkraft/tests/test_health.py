"""/healthz: database, cache and broker, each reported as ok or error without leaking why."""

import logging
from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from brukarkraft.celery import app as celery_app

pytestmark = pytest.mark.django_db

SECRET_DETAIL = "password authentication failed for user brukarkraft on db-internal-7"


@pytest.fixture
def celery_conf():
    """Let a test point the Celery app somewhere else; the original settings come back after."""
    saved = {
        "broker_url": celery_app.conf.broker_url,
        "broker_transport_options": dict(celery_app.conf.broker_transport_options or {}),
    }
    yield celery_app.conf
    for key, value in saved.items():
        setattr(celery_app.conf, key, value)


@pytest.fixture
def filesystem_broker(celery_conf, tmp_path):
    folder = tmp_path / "celery"
    celery_conf.broker_url = "filesystem://"
    celery_conf.broker_transport_options = {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
    }
    return folder


def test_it_reports_every_part_ok_when_all_work(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "ok", "status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_outside_the_language_prefixes(client):
    assert reverse("healthz") == "/healthz"
    assert client.get("/en/healthz").status_code == 404


def test_it_refuses_a_post(client):
    assert client.post(reverse("healthz")).status_code == 405


def test_a_failing_database_gives_503_without_the_reason(client, caplog):
    broken = mock.Mock()
    broken.cursor.side_effect = OperationalError(SECRET_DETAIL)

    with mock.patch("brukarkraft.views.health.connection", broken):
        with caplog.at_level(logging.ERROR, logger="brukarkraft.views.health"):
            response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {
        "database": "error",
        "cache": "ok",
        "broker": "ok",
        "status": "error",
    }
    assert SECRET_DETAIL not in response.content.decode()
    # Operators still find the reason in the log.
    assert SECRET_DETAIL in caplog.text


def test_a_database_giving_a_wrong_answer_counts_as_an_error(client):
    cursor = mock.MagicMock()
    cursor.__enter__.return_value.fetchone.return_value = None
    broken = mock.Mock()
    broken.cursor.return_value = cursor

    with mock.patch("brukarkraft.views.health.connection", broken):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_an_unreachable_cache_degrades_but_keeps_the_machine_in_service(client, settings, caplog):
    # Nothing listens on port 1: a real connection failure, not a mock.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }

    with caplog.at_level(logging.ERROR, logger="brukarkraft.views.health"):
        response = client.get(reverse("healthz"))

    # Pages are still served without Redis, so the load balancer must keep this machine.
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "cache": "error",
        "broker": "ok",
        "status": "degraded",
    }
    assert "127.0.0.1:1" not in response.content.decode()
    assert "Health check cache failed" in caplog.text


def test_a_cache_that_loses_values_counts_as_an_error(client):
    forgetful = mock.Mock()
    forgetful.get.return_value = None

    with mock.patch("brukarkraft.views.health.cache", forgetful):
        response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["cache"] == "error"
    assert response.json()["status"] == "degraded"


def test_an_unreachable_redis_broker_degrades_but_keeps_the_machine_in_service(
    client, celery_conf, caplog
):
    celery_conf.broker_url = "redis://127.0.0.1:1/0"
    celery_conf.broker_transport_options = {}

    with caplog.at_level(logging.ERROR, logger="brukarkraft.views.health"):
        response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "cache": "ok",
        "broker": "error",
        "status": "degraded",
    }
    assert "127.0.0.1:1" not in response.content.decode()
    assert "Health check broker failed" in caplog.text


def test_the_filesystem_broker_is_ok_once_its_folders_exist(client, filesystem_broker):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["broker"] == "ok"
    # The check creates the folders the transport needs and leaves no probe behind.
    queue = filesystem_broker / "queue"
    assert queue.is_dir()
    assert (filesystem_broker / "processed").is_dir()
    assert list(queue.iterdir()) == []


def test_a_filesystem_broker_folder_that_cannot_be_created_is_reported(
    client, celery_conf, tmp_path
):
    # A plain file where the folder should be: mkdir fails however privileged the process.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    celery_conf.broker_url = "filesystem://"
    celery_conf.broker_transport_options = {
        "data_folder_in": str(blocker / "queue"),
        "data_folder_out": str(blocker / "queue"),
        "processed_folder": str(blocker / "processed"),
    }

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["broker"] == "error"
    assert response.json()["status"] == "degraded"
    assert str(tmp_path) not in response.content.decode()


def test_a_filesystem_broker_folder_that_takes_no_file_is_reported(client, filesystem_broker):
    with mock.patch(
        "brukarkraft.views.health.tempfile.NamedTemporaryFile",
        side_effect=PermissionError(13, "Permission denied"),
    ):
        response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["broker"] == "error"
    assert response.json()["status"] == "degraded"
