"""The restore drill: back up the database and the object store, restore both into an empty
database and an empty bucket, and show the restored portal serving the same audits, reports
and library files, byte for byte.

The restored portal is another process (as a replacement machine would be) with its own
working directory, pointed only through the environment at the new database and bucket; it
answers requests through Django's test client. On PostgreSQL the empty database is a
throwaway one made (and dropped) on the test's server; on SQLite, a new file.
"""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from brukarkraft.backup import MANIFEST, read_manifest
from brukarkraft.tests.objectstore import Bucket, environment
from brukarkraft.tests.test_production import PDF
from brukarkraft.tests.test_settings import run_django

# Committed data: pg_dump and the SQLite backup read the database from outside the test's
# transaction.
pytestmark = pytest.mark.django_db(transaction=True)

# Run in the restored portal's process: each (label, e-mail or "", URL) is fetched as that
# user (anonymous for ""), and its status, sha256 and length are printed as JSON.
SERVE = """
import hashlib, json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from audits.models import Audit
from resources.models import Attachment
found = {"audits": sorted(Audit.objects.values_list("reference", flat=True)),
         "attachments": sorted(Attachment.objects.values_list("sha256", flat=True))}
for label, email, url in json.loads(sys.argv[1]):
    client = Client()
    if email:
        client.force_login(get_user_model().objects.get(email=email))
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    found[label] = [response.status_code, hashlib.sha256(body).hexdigest(), len(body)]
print(json.dumps(found))
"""


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@pytest.fixture
def empty_database_url(tmp_path):
    """The address of an empty database: a throwaway one on the test's PostgreSQL server
    (dropped afterwards), or a new SQLite file."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg2

    params = connection.settings_dict
    name = f"restore_drill_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(
        dbname="postgres",
        user=params["USER"],
        password=params["PASSWORD"],
        host=params["HOST"],
        port=params["PORT"] or None,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield database_url(name)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def database_url(name: str) -> str:
    params = connection.settings_dict
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    port = f":{params['PORT']}" if params["PORT"] else ""
    return f"postgres://{params['USER']}{password}@{params['HOST']}{port}/{name}"


@pytest.fixture
def fresh_bucket(moto_s3_endpoint):
    bucket = Bucket(moto_s3_endpoint).create()
    yield bucket
    bucket.remove()


def seed(commissioner, staff, admin_user, django_capture_on_commit_callbacks):
    """An audit with its approved report PDF, published; a library text with a file and its
    printable version."""
    from audits.bank.tests.helpers import published_audit
    from resources import services
    from resources.models import ResourceVersion
    from resources.tests.factories import ResourceFactory

    audit = published_audit(commissioner=commissioner, staff=staff)
    # The bank serves its own public PDF (no personal data), made by a worker on publish.
    from audits.bank.services import public_report_render

    public_report_render(publication_id=audit.publication.pk)
    resource = ResourceFactory(author=staff)
    attachment = services.attachment_add(
        resource=resource,
        by=staff,
        upload=ContentFile(PDF + b"% checklista\n", name="checklista.pdf"),
        title="Checklista",
    )
    services.resource_submit(resource=resource, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_review(resource=resource, by=admin_user, decision="approved")
    version = ResourceVersion.objects.get(resource=resource)
    services.version_print(version_id=version.pk)
    version.refresh_from_db()
    return audit, resource, attachment, version


def test_backup_and_restore_into_an_empty_database_and_bucket_serve_the_same_files(
    s3_bucket,
    fresh_bucket,
    empty_database_url,
    tmp_path,
    commissioner,
    staff,
    admin_user,
    django_capture_on_commit_callbacks,
):
    audit, resource, attachment, version = seed(
        commissioner, staff, admin_user, django_capture_on_commit_callbacks
    )
    report = audit.reports.get(approved=True)
    lead = audit.members.get(role="lead").user
    originals = {
        key.removeprefix("media/"): sha256(body) for key, body in s3_bucket.objects().items()
    }
    folder = tmp_path / "backup"

    call_command("backup", str(folder))

    manifest = read_manifest(folder)
    assert {item["name"]: item["sha256"] for item in manifest["files"]} == originals
    assert {report.file.name, attachment.file.name, version.pdf.name} <= set(originals)

    # The restore, as on a replacement machine: its own process and working directory, told
    # only through the environment where the empty database and the empty bucket are.
    replacement = {
        "DATABASE_URL": empty_database_url,
        **environment(fresh_bucket.endpoint, fresh_bucket.name),
    }
    restored_run = run_django(["manage.py", "restore", str(folder)], tmp_path, **replacement)
    assert restored_run.returncode == 0, restored_run.stderr
    assert f"{len(originals)} files" in restored_run.stdout

    restored = {
        key.removeprefix("media/"): sha256(body) for key, body in fresh_bucket.objects().items()
    }
    assert restored == originals

    # The restored portal, a process of its own, serves what the old one served.
    requests = [
        ["report", lead.email, reverse("audits:report_download", args=[audit.pk, report.pk])],
        ["public report", "", reverse("bank:report", args=[audit.pk])],
        ["attachment", "", reverse("resources:attachment", args=[resource.slug, attachment.pk])],
        ["printable", "", reverse("resources:print_pdf", args=[resource.slug, version.number])],
    ]
    served = run_django(
        ["-c", SERVE, json.dumps(requests)],
        tmp_path,
        ALLOWED_HOSTS="testserver",
        **replacement,
    )
    assert served.returncode == 0, served.stderr
    found = json.loads(served.stdout.strip().splitlines()[-1])

    assert found["audits"] == [audit.reference]
    assert found["attachments"] == [attachment.sha256]
    assert found["report"][:2] == [200, originals[report.file.name]]
    audit.publication.refresh_from_db()
    public_name = audit.publication.public_report.name
    assert found["public report"][:2] == [200, originals[public_name]]
    assert found["attachment"][:2] == [200, originals[attachment.file.name]]
    assert found["printable"][:2] == [200, originals[version.pdf.name]]
    assert not (tmp_path / "media").exists()


def test_restore_refuses_a_database_that_is_not_empty_or_a_changed_backup(
    s3_bucket, tmp_path, staff
):
    s3_bucket_file = ContentFile(PDF, name="a.pdf")
    from django.core.files.storage import default_storage

    default_storage.save("resources/attachments/a.pdf", s3_bucket_file)
    folder = tmp_path / "backup"
    call_command("backup", str(folder))

    # Into the test's own database, which has tables: refused, nothing touched.
    with pytest.raises(CommandError, match="has tables"):
        call_command("restore", str(folder))
    # A file changed after the backup: refused before anything is restored.
    (folder / "files" / "resources" / "attachments" / "a.pdf").write_bytes(b"changed")
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(folder))
    # A backup never goes over another one.
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(folder))
    assert json.loads((folder / MANIFEST).read_text())["format"] == 1
