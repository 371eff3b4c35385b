"""Running in production: the gunicorn settings, uploads on a storage several machines share,
static files from WhiteNoise, and the S3 settings.

Every flow that writes or serves a file runs here with the default storage swapped for
Django's InMemoryStorage, made to refuse `.path()` as S3Storage does: a flow that assumed a
local file (`.path`, `os.path` on an upload, a `file://` URL for WeasyPrint) would fail here
as it would on S3.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import subprocess
from datetime import timedelta
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils._os import safe_join
from PIL import Image
from pypdf import PdfReader

from brukarkraft.tests.test_settings import production, run_django

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def load_gunicorn_conf(monkeypatch, **variables: str) -> ModuleType:
    """Execute brukarkraft/gunicorn.conf.py as gunicorn does, with these variables set."""
    for name in (
        "WEB_CONCURRENCY",
        "GUNICORN_BIND",
        "GUNICORN_TIMEOUT",
        "GUNICORN_MAX_REQUESTS",
        "GUNICORN_MAX_REQUESTS_JITTER",
        "GUNICORN_ACCESS_LOG",
        "FORWARDED_ALLOW_IPS",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", BASE_DIR / "brukarkraft" / "gunicorn.conf.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class NoPathStorage(InMemoryStorage):
    """Files in memory and, like S3Storage, no absolute path on this machine."""

    def path(self, name):
        raise NotImplementedError("This backend doesn't support absolute paths.")

    def _relative_path(self, name):
        # InMemoryStorage finds its own nodes through path(); keep that working inside.
        return os.path.relpath(safe_join(self.location, name), self.location)


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 24), "#1f5f8b").save(buffer, "PNG")
    return buffer.getvalue()


# --- gunicorn ---------------------------------------------------------------------------


def test_gunicorn_takes_its_workers_bind_and_proxies_from_the_environment(monkeypatch):
    conf = load_gunicorn_conf(
        monkeypatch,
        WEB_CONCURRENCY="3",
        GUNICORN_BIND="0.0.0.0:8000",
        FORWARDED_ALLOW_IPS="10.0.0.5",
        GUNICORN_MAX_REQUESTS="500",
    )

    assert conf.workers == 3
    assert conf.bind == ["0.0.0.0:8000"]
    assert conf.forwarded_allow_ips == "10.0.0.5"
    assert conf.max_requests == 500
    assert 0 < conf.max_requests_jitter < conf.max_requests
    assert conf.wsgi_app == "brukarkraft.wsgi:application"


def test_gunicorn_defaults_to_two_per_core_plus_one_capped_on_loopback(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch)

    assert conf.default_workers(1) == 3
    assert conf.default_workers(2) == 5
    assert conf.default_workers(64) == 8
    assert conf.bind == ["127.0.0.1:8000"]
    assert conf.forwarded_allow_ips == "127.0.0.1,::1"
    assert conf.worker_tmp_dir in ("/dev/shm", None)  # noqa: S108 - a memory folder
    assert conf.preload_app is False
    assert conf.timeout == 30


def test_gunicorn_accepts_every_setting_in_the_file(monkeypatch):
    from gunicorn.config import Config

    conf = load_gunicorn_conf(monkeypatch, WEB_CONCURRENCY="2")
    config = Config()
    for name in config.settings:
        if hasattr(conf, name):
            config.set(name, getattr(conf, name))  # raises on a value gunicorn refuses

    assert config.workers == 2
    assert config.logger_class is conf.PortalLogger


def test_the_access_log_has_no_query_string_client_address_or_referrer(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch)
    logger = conf.PortalLogger(SimpleNamespace(**_logger_cfg()))
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/resources/?q=anna.andersson%40example.se",
        "PATH_INFO": "/resources/",
        "QUERY_STRING": "q=anna.andersson%40example.se",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.77",
        "HTTP_REFERER": "https://portal.example.se/surveys/resume/?code=ABCD-EFGH",
        "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux)",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    request = SimpleNamespace(headers=[])

    line = conf.access_log_format % logger.atoms(
        response, request, environ, timedelta(milliseconds=42)
    )

    assert '"GET /resources/ HTTP/1.1" 200 512 42ms' in line
    for secret in ("example.se", "192.0.2.77", "ABCD", "Mozilla", "q="):
        assert secret not in line
    assert "%(r)s" not in conf.access_log_format
    assert "%(q)s" not in conf.access_log_format


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/accounts/password/reset/MTI/c3k1-abcdef0123/", "/accounts/password/reset/…/…/"),
        ("/en/accounts/password/reset/MTI/set-password/", "/en/accounts/password/reset/…/…/"),
        ("/accounts/password/reset/sent/", "/accounts/password/reset/sent/"),
        ("/accounts/password/reset/", "/accounts/password/reset/"),
        ("/staff/people/b3R0bw:1t2u3v/export/", "/staff/people/…/export/"),
        ("/staff/people/", "/staff/people/"),
        ("/surveys/a/demo-daglig-verksamhet/q/12/", "/surveys/a/demo-daglig-verksamhet/q/12/"),
    ],
)
def test_secret_parts_of_a_path_are_masked_in_the_access_log(monkeypatch, path, logged):
    conf = load_gunicorn_conf(monkeypatch)

    assert conf.redact_path(path) == logged


def _logger_cfg() -> dict:
    return {
        "loglevel": "info",
        "errorlog": "-",
        "accesslog": None,
        "capture_output": False,
        "syslog": False,
        "logconfig": None,
        "logconfig_dict": {},
        "logconfig_json": None,
        "access_log_format": "",
        "user": 0,
        "group": 0,
        "disable_redirect_access_to_syslog": False,
        "dogstatsd_tags": "",
        "statsd_host": None,
    }


def make_dry_run(*targets: str, **variables: str) -> str:
    result = subprocess.run(
        [
            "make",
            "--dry-run",
            "--always-make",
            *targets,
            *(f"{k}={v}" for k, v in variables.items()),
        ],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_runs_the_production_processes_as_the_readme_says():
    commands = make_dry_run("serve", "worker", "beat", "release", WORKER_CONCURRENCY="3")

    assert ".venv/bin/gunicorn --config brukarkraft/gunicorn.conf.py" in commands
    assert re.search(r"celery -A brukarkraft worker .*\s+--concurrency=3", commands, re.S)
    assert re.search(r"celery -A brukarkraft beat .*--schedule=", commands, re.S)
    assert "manage.py migrate --noinput" in commands
    assert "manage.py collectstatic --noinput" in commands


def test_make_help_names_the_one_beat():
    help_text = subprocess.run(
        ["make", "help"], cwd=BASE_DIR, capture_output=True, text=True, timeout=60
    ).stdout

    for target in ("serve", "worker", "beat", "release", "prod-check"):
        assert f"make {target}" in help_text
    # Several beats may run (celery-redbeat): the help says a Redis lock lets only one send.
    assert "a Redis lock lets only one send" in help_text


# --- Uploads and generated files on a storage without local paths -------------------------


@pytest.fixture
def memory_storage(settings, tmp_path):
    """The default storage keeps files in memory; MEDIA_ROOT points at a folder that must
    stay empty."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.NoPathStorage"},
    }
    default_storage._setup()
    assert isinstance(default_storage._wrapped, NoPathStorage)
    yield default_storage
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*"))


def test_every_file_field_uses_the_configured_default_storage():
    fields = [
        field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]

    assert len(fields) >= 10
    for field in fields:
        # No field pinned to a local disk: MEDIA_S3_BUCKET moves every upload at once.
        assert field.storage is default_storage, f"{field.model.__name__}.{field.name}"


def test_a_report_pdf_is_made_stored_and_downloaded_without_a_local_path(
    client, memory_storage, commissioner, staff, django_capture_on_commit_callbacks
):
    from audits.models import Audit
    from audits.tests.factories import audit_in_state

    audit = audit_in_state(Audit.Status.REPORT_DRAFT, commissioner=commissioner, staff=staff)
    lead = audit.members.get(role="lead").user
    client.force_login(lead)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("audits:report_request", args=[audit.pk]))
    version = audit.reports.get()

    assert version.status == version.Status.READY
    assert memory_storage.exists(version.file.name)
    response = client.get(reverse("audits:report_download", args=[audit.pk, version.pk]))
    assert response.status_code == 200
    assert streamed(response).startswith(b"%PDF")


def test_a_signed_agreement_is_uploaded_and_downloaded_without_a_local_path(
    client, memory_storage, commissioner, other_commissioner, staff
):
    from audits.models import Audit, Quote
    from audits.tests.factories import audit_in_state

    audit = audit_in_state(Audit.Status.PLANNING, commissioner=commissioner, staff=staff)
    client.force_login(commissioner)

    client.post(
        reverse("audits:agreement_upload", args=[audit.pk]),
        {"signed_agreement": SimpleUploadedFile("avtal.pdf", PDF, "application/pdf")},
    )

    stored = Quote.objects.get(audit=audit).signed_agreement
    assert memory_storage.exists(stored.name)
    client.force_login(staff)
    response = client.get(reverse("audits:agreement_download", args=[audit.pk]))
    assert response.status_code == 200
    assert streamed(response) == PDF
    client.force_login(other_commissioner)
    assert client.get(reverse("audits:agreement_download", args=[audit.pk])).status_code == 404


def test_a_resource_attachment_and_printable_pdf_work_without_a_local_path(
    client, memory_storage, staff, admin_user, django_capture_on_commit_callbacks
):
    from resources import services
    from resources.models import ResourceVersion
    from resources.tests.factories import ResourceFactory

    resource = ResourceFactory(author=staff)
    upload = SimpleUploadedFile("checklista.pdf", PDF, content_type="application/pdf")
    attachment = services.attachment_add(resource=resource, by=staff, upload=upload, title="Lista")
    services.resource_submit(resource=resource, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_review(resource=resource, by=admin_user, decision="approved")
    services.version_print(version_id=ResourceVersion.objects.get(resource=resource).pk)

    download = client.get(reverse("resources:attachment", args=[resource.slug, attachment.pk]))
    printable = client.get(reverse("resources:print_pdf", args=[resource.slug, 1]))

    assert download.status_code == 200
    assert streamed(download) == PDF
    assert printable.status_code == 200
    assert streamed(printable).startswith(b"%PDF")
    assert memory_storage.exists(ResourceVersion.objects.get(resource=resource).pdf.name)


def test_council_documents_and_minutes_pdfs_work_without_a_local_path(
    client, memory_storage, staff, django_capture_on_commit_callbacks
):
    from brukarkraft.tests.factories import UserFactory
    from councils import services
    from councils.models import Document, Meeting
    from councils.tests.factories import CouncilFactory, MeetingFactory, MemberFactory

    council = CouncilFactory(name="Brukarrådet i Örebro", slug="orebro")
    member = MemberFactory(council=council, user=UserFactory(full_name="Maja Ordförande"))
    document = Document.objects.create(
        council=council, title="Handlingar", file=ContentFile(PDF, name="handlingar.pdf")
    )
    meeting = MeetingFactory(
        council=council,
        starts_at=timezone.now() - timedelta(days=3),
        minutes="Protokoll fört vid mötet.",
        minutes_status=Meeting.MinutesStatus.DRAFT,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.minutes_approve(meeting=meeting, by=staff)
    meeting.refresh_from_db()
    client.force_login(member.user)

    paper = client.get(reverse("councils:document", args=["orebro", document.pk]))
    minutes = client.get(reverse("councils:minutes_pdf", args=["orebro", meeting.pk]))

    assert meeting.minutes_pdf_status == Meeting.PdfStatus.READY
    assert memory_storage.exists(meeting.minutes_pdf.name)
    assert paper.status_code == 200
    assert streamed(paper) == PDF
    assert minutes.status_code == 200
    assert streamed(minutes).startswith(b"%PDF")


def test_survey_slips_exports_and_pictures_work_without_a_local_path(
    client, memory_storage, staff, django_capture_on_commit_callbacks
):
    from surveys.models import ExportJob, Kind
    from surveys.tests.factories import answer_many, make_published_survey, make_survey
    from surveys.tests.test_views import question_data

    client.force_login(staff)
    # A picture uploaded in the builder, then drawn into the paper questionnaire.
    draft = make_survey()
    section = draft.sections.get()
    data = question_data(
        draft.questions.get(), kind=Kind.TEXT, section=section.pk, text_sv="Med bild"
    )
    upload = SimpleUploadedFile("bild.png", png_bytes(), content_type="image/png")
    response = client.post(
        reverse("surveys:question_create", args=[draft.pk]), {**data, "image": upload}
    )
    assert response.status_code == 302
    question = draft.questions.get(text_sv="Med bild")
    assert memory_storage.exists(question.image.name)
    picture = client.get(reverse("surveys:picture", args=["question", question.pk]))
    assert picture.status_code == 200
    assert streamed(picture) == png_bytes()
    with translation.override("sv"):
        paper = client.get(reverse("surveys:paper_pdf", args=[draft.pk]))
    assert paper.status_code == 200
    images = [image for page in PdfReader(io.BytesIO(paper.content)).pages for image in page.images]
    assert images, "the uploaded picture was not drawn into the paper questionnaire"

    # Code slips and an export, both written by a worker and downloaded through the portal.
    survey = make_published_survey()
    choice = survey.questions.get()
    answer_many(survey, 2, {choice: choice.options.first()})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("surveys:distribution", args=[survey.pk]), {"batch-size": 3, "batch-unit": ""}
        )
        client.post(reverse("surveys:exports", args=[survey.pk]), {"format": "csv"})
    batch = survey.code_batches.get()
    job = ExportJob.objects.get(survey=survey)
    slips = client.get(reverse("surveys:code_slips", args=[survey.pk, batch.pk]))
    export = client.get(reverse("surveys:export_download", args=[survey.pk, job.pk]))

    assert memory_storage.exists(batch.slips.name)
    assert memory_storage.exists(job.file.name)
    assert streamed(slips).startswith(b"%PDF")
    assert len(streamed(export).decode("utf-8-sig").strip().splitlines()) == 1 + 2


def test_no_view_or_template_hands_out_a_storage_url():
    # Files are streamed by views that check permissions; a storage URL (S3's pre-signed
    # links included) would bypass them. Tests and migrations aside, no source uses one.
    file_attributes = r"(file|pdf|image|slips|signed_agreement|minutes_pdf)"
    pattern = re.compile(rf"\.{file_attributes}\.(url|path)\b")
    offenders = []
    for app in ("brukarkraft", "audits", "surveys", "councils", "resources", "templates"):
        for path in (BASE_DIR / app).rglob("*"):
            if path.suffix not in (".py", ".html", ".txt") or "tests" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(BASE_DIR)}:{number}: {line.strip()}")

    assert offenders == []


# --- S3-compatible storage ----------------------------------------------------------------

S3 = {
    "MEDIA_S3_BUCKET": "brukarkraft-media",
    "MEDIA_S3_ENDPOINT_URL": "https://s3.example.se",
    "MEDIA_S3_REGION": "eu-north-1",
    "MEDIA_S3_ACCESS_KEY_ID": "AKIAEXAMPLE",
    "MEDIA_S3_SECRET_ACCESS_KEY": "example-secret-key",
}


def test_with_a_bucket_set_every_upload_goes_to_a_private_s3_store(tmp_path):
    script = (
        "import django, json; django.setup()\n"
        "from django.core.files.storage import default_storage as s\n"
        "from audits.models import ReportVersion\n"
        "s._setup()\n"
        "print(json.dumps({'class': type(s._wrapped).__module__ + '.' + type(s._wrapped).__name__,"
        " 'acl': s.default_acl, 'signed': s.querystring_auth, 'bucket': s.bucket_name,"
        " 'location': s.location, 'overwrite': s.file_overwrite, 'endpoint': s.endpoint_url,"
        " 'field': ReportVersion._meta.get_field('file').storage is s,"
        " 'url': s.url('audits/reports/x.pdf')}))"
    )
    result = run_django(["-c", script], tmp_path, **production(tmp_path, **S3))

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["class"] == "brukarkraft.storage.ObjectStorage"
    assert found["acl"] == "private"
    assert found["signed"] is True
    assert found["overwrite"] is False
    assert found["bucket"] == "brukarkraft-media"
    assert found["location"] == "media"
    assert found["endpoint"] == "https://s3.example.se"
    assert found["field"] is True
    # Even a URL made by mistake is a short-lived signed one, never a public address.
    assert "X-Amz-Signature=" in found["url"] or "Signature=" in found["url"]


def test_without_a_bucket_uploads_stay_on_the_local_disk(tmp_path):
    script = (
        "import django; django.setup()\n"
        "from django.core.files.storage import default_storage as s\n"
        "s._setup(); print(type(s._wrapped).__name__, s.location)"
    )
    result = run_django(["-c", script], tmp_path, **production(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["LocalStorage", str(tmp_path / "media")]


def test_check_deploy_is_clean_with_s3_media(tmp_path):
    result = run_django(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        **production(tmp_path, **S3),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# --- Static files --------------------------------------------------------------------------


def test_production_serves_static_files_through_whitenoise_with_a_manifest(tmp_path):
    script = (
        "from django.conf import settings as s; import json\n"
        "m = s.MIDDLEWARE\n"
        "print(json.dumps({'storage': s.STORAGES['staticfiles']['BACKEND'],"
        " 'whitenoise': m.index('whitenoise.middleware.WhiteNoiseMiddleware'),"
        " 'security': m.index('django.middleware.security.SecurityMiddleware'),"
        " 'session': m.index('django.contrib.sessions.middleware.SessionMiddleware')}))"
    )
    result = run_django(["-c", script], tmp_path, **production(tmp_path))

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    # Right after the security middleware (HTTPS redirect, headers), before sessions and
    # everything that touches the database: a static file costs no query.
    assert found["security"] < found["whitenoise"] < found["session"]


def test_collected_static_files_are_served_compressed_with_a_long_cache_header(
    settings, tmp_path, rf
):
    from django.core.management import call_command
    from whitenoise.middleware import WhiteNoiseMiddleware

    source = tmp_path / "source" / "css"
    source.mkdir(parents=True)
    (source / "portal.css").write_text("body { color: #222; }\n" * 200)
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STATICFILES_DIRS = [tmp_path / "source"]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((settings.STATIC_ROOT / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/portal.css"]
    middleware = WhiteNoiseMiddleware(lambda request: pytest.fail("not served as a static file"))

    response = middleware(
        rf.get(f"/{settings.STATIC_URL.strip('/')}/{hashed}", HTTP_ACCEPT_ENCODING="gzip, br")
    )

    assert hashed != "css/portal.css"
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] in ("br", "gzip")
    assert (settings.STATIC_ROOT / (hashed + ".gz")).exists()
