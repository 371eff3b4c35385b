"""A real Celery worker process makes the report PDF (see brukarkraft/tests/test_celery_worker.py
for how the worker, the broker and the test database are set up)."""

from __future__ import annotations

import hashlib
import io
import os
import uuid

import pytest
from pypdf import PdfReader

from audits import services, tasks
from audits.models import Audit, ReportVersion
from audits.tests.factories import audit_in_state
from brukarkraft.tests.test_celery_worker import (  # noqa: F401 - broker is a fixture
    broker,
    database_url,
    running_worker,
    send,
    wait_for,
)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_the_report_and_the_version_becomes_ready(
    tmp_path,
    broker,  # noqa: F811 - the fixture imported above
    settings,
    monkeypatch,
):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    audit = audit_in_state(Audit.Status.REPORT_DRAFT, findings=3)
    staff = audit.events.filter(action="report_drafted").get().by
    # The service queues the task on commit; here it goes to this test's own queue instead.
    queued = []
    monkeypatch.setattr(tasks.generate_report, "delay", queued.append)
    version = services.report_request(audit=audit, by=staff)
    assert queued == [version.pk]
    queue = f"brukarkraft-test-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CELERY_TASK_ALWAYS_EAGER", "SQLITE_TEST_NAME"}
    }
    env.update(
        broker,
        DJANGO_SETTINGS_MODULE="brukarkraft.settings",
        DATABASE_URL=database_url(),
        MEDIA_ROOT=str(media),
        PYTHONUNBUFFERED="1",
    )

    def done() -> bool:
        version.refresh_from_db()
        return version.status in {ReportVersion.Status.READY, ReportVersion.Status.FAILED}

    with running_worker(queue=queue, env=env, log=log) as worker:
        send(tasks.generate_report, version.pk, queue=queue)
        wait_for(done, process=worker, log=log, what="the report to be made")

    assert version.status == ReportVersion.Status.READY, log.read_text()[-3000:]
    assert version.attempts == 1
    assert version.finished_at is not None
    data = version.file.open("rb").read()
    assert version.file.path.startswith(str(media))
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == version.sha256
    assert len(data) == version.size
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == version.pages >= 2
    assert reader.trailer["/Root"]["/Lang"] == audit.language
    text = " ".join(page.extract_text() for page in reader.pages)
    assert audit.reference in text
    assert "Iakttagelse 3" in text
