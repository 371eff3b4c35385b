"""The report page: making versions in the background, failures and retries, approval,
downloads, and who may see what."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from audits import pdf, services
from audits.models import Audit, ReportVersion
from audits.tests.factories import audit_in_state

pytestmark = pytest.mark.django_db

FAILED_MESSAGE = (
    "The report could not be made. Nothing you wrote is lost. Try again; if it fails again,"
    " contact the centre."
)
# Session, user, roles, the audit with its units and team, access checks and the versions
# (7 today), however many versions there are.
MAX_PAGE_QUERIES = 8


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def audit(commissioner, staff):
    return audit_in_state(Audit.Status.REPORT_DRAFT, commissioner=commissioner, staff=staff)


@pytest.fixture
def lead(audit):
    return audit.members.get(role="lead").user


def page_url(audit: Audit) -> str:
    return reverse("audits:report", args=[audit.pk])


def new_url(audit: Audit) -> str:
    return reverse("audits:report_request", args=[audit.pk])


def version_url(name: str, version: ReportVersion) -> str:
    return reverse(f"audits:{name}", args=[version.audit_id, version.pk])


def ready_version(audit: Audit, number: int, *, by, approved: bool = False) -> ReportVersion:
    """A version recorded as made, without rendering, for pages that only list versions."""
    return ReportVersion.objects.create(
        audit=audit,
        number=number,
        language=audit.language,
        status=ReportVersion.Status.READY,
        sha256=hashlib.sha256(str(number).encode()).hexdigest(),
        size=1000 + number,
        pages=3,
        approved=approved,
        requested_by=by,
    )


def approve(audit: Audit, staff, capture) -> ReportVersion:
    """Make a version for real and approve it, as the centre does."""
    with capture(execute=True):
        version = services.report_request(audit=audit, by=staff)
    services.report_approve(audit=audit, by=staff)
    version.refresh_from_db()
    return version


def sv(text: str) -> str:
    """`text` as the pages show it: in Swedish, the default language, once translated."""
    with translation.override("sv"):
        return gettext(text)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_making_a_report_queues_a_version_that_the_worker_makes(
    client, audit, lead, django_capture_on_commit_callbacks
):
    client.force_login(lead)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(new_url(audit), follow=True)

    version = audit.reports.get()
    assert version.status == ReportVersion.Status.QUEUED
    assert version.number == 1
    assert version.requested_by == lead
    assert len(callbacks) == 1
    page = response.content.decode()
    assert 'role="status"' in page
    assert version_url("report_status", version) in page
    assert sv("Reload to see the status") in page

    callbacks[0]()  # the worker takes the task (eager in tests)

    version.refresh_from_db()
    assert version.status == ReportVersion.Status.READY
    assert version.attempts == 1
    assert version.pages >= 2
    response = client.get(page_url(audit))
    page = response.content.decode()
    with translation.override("sv"):
        assert str(ReportVersion.Status.READY.label) in page
    assert version.sha256 in page
    assert version_url("report_download", version) in page
    assert sv("Reload to see the status") not in page


def test_a_ready_version_downloads_as_a_pdf_named_after_the_reference(
    client, audit, lead, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(new_url(audit))
    version = audit.reports.get()

    response = client.get(version_url("report_download", version))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (f'attachment; filename="{audit.reference}-v1.pdf"')
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == version.sha256


def test_pressing_twice_makes_one_version(client, audit, lead, django_capture_on_commit_callbacks):
    client.force_login(lead)

    with django_capture_on_commit_callbacks(execute=False):
        client.post(new_url(audit))
        client.post(new_url(audit))

    assert audit.reports.count() == 1


def test_the_status_is_given_as_json_for_the_page_to_poll(client, audit, lead, staff):
    version = ReportVersion.objects.create(
        audit=audit, number=1, language="sv", status=ReportVersion.Status.RUNNING
    )
    client.force_login(lead)

    response = client.get(version_url("report_status", version))

    assert response.status_code == 200
    with translation.override("sv"):
        label = str(ReportVersion.Status.RUNNING.label)
    assert response.json() == {"status": "running", "label": label, "number": 1}


def test_a_failed_report_can_be_made_on_a_second_try(
    client, audit, lead, monkeypatch, django_capture_on_commit_callbacks
):
    real = pdf.audit_report_pdf
    calls = []

    def fail_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise MemoryError("the layout ran out of memory")
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "audit_report_pdf", fail_once)
    client.force_login(lead)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(new_url(audit))

    version = audit.reports.get()
    assert version.status == ReportVersion.Status.FAILED
    assert version.error == "MemoryError"
    page = client.get(page_url(audit)).content.decode()
    assert sv(FAILED_MESSAGE) in page
    assert version_url("report_retry", version) in page
    assert sv("Try again") in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(version_url("report_retry", version), follow=True)

    assert response.status_code == 200
    version.refresh_from_db()
    assert audit.reports.count() == 1
    assert version.number == 1
    assert version.status == ReportVersion.Status.READY
    assert version.attempts == 2
    assert version.error == ""
    assert sv(FAILED_MESSAGE) not in response.content.decode()


def test_only_a_failed_version_can_be_retried(client, audit, lead, staff):
    version = ready_version(audit, 1, by=staff)
    client.force_login(lead)

    response = client.post(version_url("report_retry", version), follow=True)

    assert messages_of(response) == [sv("Only a failed report can be tried again.")]
    version.refresh_from_db()
    assert version.status == ReportVersion.Status.READY
    assert version.attempts == 0


def test_after_approval_no_new_version_can_be_made(
    client, audit, staff, django_capture_on_commit_callbacks
):
    approved = approve(audit, staff, django_capture_on_commit_callbacks)
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(new_url(audit), follow=True)

    assert list(audit.reports.values_list("number", flat=True)) == [approved.number]
    (message,) = messages_of(response)
    assert sv("A new report version can be made only before the report is approved.") in message
    page = response.content.decode()
    assert new_url(audit) not in page  # no "Make a new version" button any more
    assert sv("Approved, frozen") in page


def test_the_commissioner_sees_the_report_only_once_it_is_approved(
    client, audit, commissioner, staff, django_capture_on_commit_callbacks
):
    client.force_login(commissioner)
    assert client.get(page_url(audit)).status_code == 403

    draft = ready_version(audit, 1, by=staff)
    assert client.get(version_url("report_download", draft)).status_code == 403
    approved = approve(audit, staff, django_capture_on_commit_callbacks)

    response = client.get(page_url(audit))

    assert response.status_code == 200
    assert list(response.context["versions"]) == [approved]
    page = response.content.decode()
    assert approved.sha256 in page
    assert draft.sha256 not in page
    assert new_url(audit) not in page
    download = client.get(version_url("report_download", approved))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # The earlier draft is never handed to the commissioner, even by its address.
    assert client.get(version_url("report_download", draft)).status_code == 404
    assert client.get(version_url("report_status", draft)).status_code == 404


def test_the_commissioner_cannot_make_or_retry_versions(client, audit, commissioner):
    failed = ReportVersion.objects.create(
        audit=audit, number=1, language="sv", status=ReportVersion.Status.FAILED
    )
    client.force_login(commissioner)

    assert client.post(new_url(audit)).status_code == 403
    assert client.post(version_url("report_retry", failed)).status_code == 403
    failed.refresh_from_db()
    assert failed.status == ReportVersion.Status.FAILED
    assert audit.reports.count() == 1


@pytest.mark.parametrize("persona", ["other_commissioner", "outsider", "auditor"])
def test_people_who_cannot_see_the_audit_get_not_found(client, audit, staff, persona, request):
    # Olof is another organisation's, Otto has no role, Astrid is not on this audit's team.
    version = ready_version(audit, 1, by=staff)
    client.force_login(request.getfixturevalue(persona))

    assert client.get(page_url(audit)).status_code == 404
    assert client.post(new_url(audit)).status_code == 404
    assert client.post(version_url("report_retry", version)).status_code == 404
    assert client.get(version_url("report_download", version)).status_code == 404
    assert client.get(version_url("report_status", version)).status_code == 404
    assert audit.reports.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client, audit):
    response = client.get(page_url(audit))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_making_and_retrying_take_post_only(client, audit, lead):
    client.force_login(lead)
    failed = ReportVersion.objects.create(
        audit=audit, number=1, language="sv", status=ReportVersion.Status.FAILED
    )

    # A GET (the address reopened) goes back to the report page and makes nothing.
    assert client.get(new_url(audit)).status_code == 302
    assert client.get(version_url("report_retry", failed)).status_code == 302
    assert audit.reports.count() == 1


def test_another_audits_version_is_not_found(client, audit, lead, staff):
    other = audit_in_state(Audit.Status.REPORT_DRAFT, staff=staff)
    theirs = ready_version(other, 1, by=staff)
    client.force_login(lead)

    for name in ("report_download", "report_status"):
        url = reverse(f"audits:{name}", args=[audit.pk, theirs.pk])
        assert client.get(url).status_code == 404
    retry = reverse("audits:report_retry", args=[audit.pk, theirs.pk])
    assert client.post(retry).status_code == 404


def test_a_version_not_yet_ready_cannot_be_downloaded(client, audit, lead):
    queued = ReportVersion.objects.create(audit=audit, number=1, language="sv")
    client.force_login(lead)

    assert client.get(version_url("report_download", queued)).status_code == 404


def test_the_page_lists_every_version_for_the_team(client, audit, lead, staff):
    for number in range(1, 4):
        ready_version(audit, number, by=staff)
    client.force_login(lead)

    response = client.get(page_url(audit))

    assert [version.number for version in response.context["versions"]] == [3, 2, 1]
    assert response.content.decode().count("/download/") == 4  # the newest twice
    assert new_url(audit) in response.content.decode()


@pytest.mark.parametrize("count", [1, 25])
def test_the_page_needs_the_same_number_of_queries_for_many_versions(
    client, audit, staff, count, django_assert_max_num_queries
):
    for number in range(1, count + 1):
        ready_version(audit, number, by=staff)
    client.force_login(staff)

    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        response = client.get(page_url(audit))

    assert len(response.context["versions"]) == count


def test_the_query_count_does_not_grow_with_the_versions(client, audit, staff):
    ready_version(audit, 1, by=staff)
    client.force_login(staff)
    client.get(page_url(audit))  # warm caches shared by every page (content types, sites)
    with CaptureQueriesContext(connection) as one:
        client.get(page_url(audit))
    for number in range(2, 31):
        ready_version(audit, number, by=staff)
    with CaptureQueriesContext(connection) as many:
        client.get(page_url(audit))

    assert len(many) == len(one)
