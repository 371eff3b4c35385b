"""Several machines for real: two web nodes and two workers, a node lost mid-journey (issue 20).

The deployment (e2e/multinode.py) is production-shaped: gunicorn with DEBUG off behind a
load-balancer stand-in that alternates between the nodes, Celery workers without beat, one
PostgreSQL database, one Redis, an S3-compatible object store and no shared local disk.
An audit goes from order to downloaded report and a survey from build to export, across
both nodes; then one web node is killed in the middle of an upload and one worker while it
makes the report PDF, and every step completes on the survivors, each file stored once.

    make multinode        # this test alone, every machine's log on standard output

Skipped on the embedded default (SQLite, no Redis): CI runs it on PostgreSQL and Redis.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits import services
from audits.models import Audit, AuditEvent, AuditMember, DataCollection, ReportVersion
from audits.tests.factories import QUOTE, order_filled_in, trained_auditor
from brukarkraft.roles import Role
from brukarkraft.tests.factories import (
    DEFAULT_PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from brukarkraft.tests.test_celery_worker import database_url
from surveys.models import ExportJob, Survey
from surveys.models import Response as SurveyResponse
from surveys.tests.factories import SectionFactory, add_question

from .multinode import Balancer, Deployment, deployment, wait_until

pytestmark = [
    pytest.mark.multinode,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
        or not settings.REDIS_URL,
        reason=(
            "the multinode run needs PostgreSQL and Redis (set DATABASE_URL and REDIS_URL, as"
            " CI does); the embedded default (SQLite, no Redis) is one machine only"
        ),
    ),
]

SURVEY = {
    "title_sv": "Vad tycker du om bemötandet?",
    "title_nb": "Hva synes du om hvordan du blir møtt?",
    "title_en": "What do you think of how you are treated?",
    "retention_days": 30,
    "open_link_enabled": "on",
}
PDF = b"%PDF-1.4\n" + b"signed agreement, scanned " * 2000 + b"\n%%EOF\n"


@pytest.fixture
def site(tmp_path, django_db_setup, django_db_blocker):
    """The deployment, with this process's ORM pointed at the deployment's database."""
    from django.db import connection

    with django_db_blocker.unblock():
        migrate_if_behind()
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


def migrate_if_behind() -> None:
    """Bring the suite's database, the deployment's template, up to the code's migrations:
    with --reuse-db it may lag behind (in CI it is new and nothing is done)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)


def with_real_password(user):
    # The suite hashes with MD5 for speed; the nodes check with the production hashers.
    user.password = make_password(DEFAULT_PASSWORD, hasher=PBKDF2PasswordHasher())
    user.save(update_fields=["password"])
    return user


def say(message: str) -> None:
    # For a person watching `make multinode` (pytest -s); quiet under plain pytest.
    print(f"\n=== {message}", flush=True)


def location(served) -> str:
    errors = re.findall(r"(?:invalid-feedback|alert)[^>]*>(.*?)</", served.text, re.S)
    assert served.status == 302, (served.status, served.response.url, errors)
    return served.location


def log_in(lb: Balancer, user, device: TOTPDevice | None = None) -> None:
    lb.get(reverse("login"))  # the CSRF cookie
    served = lb.post(reverse("login"), {"username": user.email, "password": DEFAULT_PASSWORD})
    after = location(served)
    if device is not None:
        # Staff give their second factor before any page (TWO_FACTOR_REQUIRED, on in
        # production); the verified session holds on every node.
        after = location(lb.get(after))
        assert after.startswith(reverse("two_factor_verify")), after
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        served = lb.post(after, {"code": f"{totp.token():0{device.digits}d}"})
        location(served)


def people():
    organisation = OrganisationFactory()
    commissioner = with_real_password(UserFactory(roles=[Role.COMMISSIONER]))
    MembershipFactory(user=commissioner, organisation=organisation, is_contact=True)
    staff = with_real_password(UserFactory(roles=[Role.STAFF]))
    device = TOTPDevice.objects.create(user=staff, name="Authenticator app", confirmed=True)
    return organisation, commissioner, staff, device


def draft_order(organisation, commissioner) -> Audit:
    """The commissioner's order, filled in and ready to send (the wizard's six steps)."""
    audit = services.order_start(organisation=organisation, by=commissioner, language="sv")
    return order_filled_in(audit, commissioner, organisation)


def answer_on_the_web(browser: Balancer, survey: Survey, option) -> None:
    """One respondent answers the survey's one question and sends the answers, each page
    on the next node. Their place in the survey is a signed cookie: any node reads it."""
    start = reverse("surveys:answer_start", args=[survey.token])
    page = browser.get(start)
    assert page.status == 200, page.text[:2000]
    start_key = re.search(r'name="start_key" value="([^"]+)"', page.text).group(1)
    started = browser.post(start, {"start_key": start_key, "support": "alone"})
    # The start sent again (a retry on the other node): its start key gives the same response.
    again = browser.post(start, {"start_key": start_key, "support": "alone"})
    assert again.node != started.node
    question_page = browser.follow(started)
    assert question_page.status == 200, question_page.text[:2000]
    answered = browser.post(
        urlsplit(question_page.response.url).path,
        {"answer": option.pk, "action": "next"},
    )
    review = reverse("surveys:answer_review", args=[survey.token])
    assert location(answered).startswith(review), location(answered)
    done = browser.post(review)
    assert location(done) == reverse("surveys:answer_done", args=[survey.token])


def to_report_draft(audit: Audit, staff) -> None:
    """Planning, data collection and analysis, as the team would do them on their pages."""
    services.audit_start_planning(audit=audit, by=staff)
    for index, person in enumerate([trained_auditor(), trained_auditor()]):
        role = AuditMember.Role.LEAD if index == 0 else AuditMember.Role.AUDITOR
        services.team_add(audit=audit, by=staff, user=person, role=role)
    services.audit_start_collecting(audit=audit, by=staff)
    services.session_record(
        audit=audit,
        by=staff,
        data={
            "kind": DataCollection.Kind.FOCUS_GROUP,
            "held_on": audit.created_at.date(),
            "informants": 6,
        },
    )
    services.audit_start_analysis(audit=audit, by=staff)
    finding = services.finding_create(
        audit=audit,
        by=staff,
        data={
            "theme": "treatment",
            "polarity": "negative",
            "title": "Deltagarna vet inte vem de ska fråga",
            "description": "Flera deltagare beskriver samma sak.",
            "quotes": "Jag visste inte vem jag skulle fråga.",
        },
    )
    services.proposal_create(
        audit=audit, by=staff, text="Inför en fast kontaktperson.", findings=[finding]
    )
    services.audit_draft_report(audit=audit, by=staff)


def test_an_audit_and_a_survey_survive_a_lost_web_node_and_a_lost_worker(site: Deployment):
    started = time.monotonic()
    lb = site.balancer
    organisation, commissioner, staff, device = people()
    audit = draft_order(organisation, commissioner)
    buyer = lb  # the commissioner's browser
    centre = lb.browser("203.0.113.8")  # the resource centre's

    say("The commissioner sends the order; the centre accepts it and sends the quote")
    log_in(buyer, commissioner)
    log_in(centre, staff, device)
    review = reverse("audits:order_review", args=[audit.pk])
    sent = buyer.post(review)
    assert location(sent) == reverse("audits:order_receipt", args=[audit.pk])
    # The same POST again, on the other node (a retry): the order is sent once.
    again = buyer.post(review)
    assert again.node != sent.node
    assert location(again) == reverse("audits:order_receipt", args=[audit.pk])
    assert audit.events.filter(action=AuditEvent.Kind.SUBMITTED).count() == 1
    location(centre.post(reverse("audits:accept", args=[audit.pk])))
    services.quote_save(audit=audit, by=staff, data=dict(QUOTE))
    location(centre.post(reverse("audits:quote_send", args=[audit.pk])))
    accepted = buyer.post(reverse("audits:quote", args=[audit.pk]), {"accept": "on", "revision": 1})
    assert location(accepted) == reverse("audits:agreement_upload", args=[audit.pk])
    audit.refresh_from_db()
    assert audit.status == Audit.Status.AGREED

    say("A survey is built, published, answered and exported across both nodes")
    created = centre.post(reverse("surveys:create"), SURVEY)
    survey = Survey.objects.get(pk=int(re.search(r"/(\d+)/", location(created)).group(1)))
    # Sent again on the other node: the same content from the same person within minutes
    # is the same submission (brukarkraft.faults.repeat_of), so there is still one survey.
    created_again = centre.post(reverse("surveys:create"), SURVEY)
    assert created_again.node != created.node
    assert location(created_again) == location(created)
    assert Survey.objects.count() == 1
    question = add_question(SectionFactory(survey=survey, position=1))
    published = centre.post(reverse("surveys:publish", args=[survey.pk]))
    assert location(published) == reverse("surveys:distribution", args=[survey.pk]), [
        message
        for message in re.findall(
            r'class="alert[^"]*"[^>]*>(.*?)</', centre.get(location(published)).text, re.S
        )
    ]
    survey.refresh_from_db()
    first_option = question.options.order_by("position", "pk").first()
    for number in range(3):
        answer_on_the_web(lb.browser(f"198.51.100.{number + 1}"), survey, first_option)
    assert survey.responses.filter(status=SurveyResponse.Status.SUBMITTED).count() == 3
    assert survey.responses.count() == 3
    exports = reverse("surveys:exports", args=[survey.pk])
    asked = centre.post(exports, {"format": "csv"})
    # Asked again on the other node (a double click, a retry): the same export job.
    asked_again = centre.post(exports, {"format": "csv"})
    assert asked_again.node != asked.node
    assert location(asked_again) == location(asked)
    job = ExportJob.objects.get(survey=survey)
    wait_until(
        lambda: ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.READY,
        "the export",
        watch=site.workers,
    )
    job.refresh_from_db()
    download = centre.get(reverse("surveys:export_download", args=[survey.pk, job.pk]))
    assert download.status == 200
    assert download.node != asked_again.node or download.node != asked.node
    rows = list(csv.reader(io.StringIO(download.response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 3, rows

    say("The commissioner uploads the signed agreement; web node 1 dies mid-upload")
    page = buyer.get(reverse("audits:agreement_upload", args=[audit.pk]))
    key = re.search(r'name="submission_id" value="([^"]+)"', page.text).group(1)
    lost = site.web[0]
    upload = reverse("audits:agreement_upload", args=[audit.pk])
    while buyer.peek() is not lost:
        buyer.get(reverse("start"))
    form = {"submission_id": key}
    files = {"signed_agreement": ("avtal.pdf", PDF, "application/pdf")}
    stored = buyer.post(upload, form, files=files, on_first_piece=lost.kill)
    assert stored.tried == [lost.name, site.web[1].name]
    assert location(stored) == upload
    assert not lost.alive
    say("A new web node replaces the lost one: an empty disk, the same environment")
    replacement = site.add_web_node()
    # The load balancer's retry arrives once more (the first answer was lost on the way):
    # the double-submit key stores nothing more.
    location(buyer.post(upload, form, files=files))
    assert audit.events.filter(action=AuditEvent.Kind.AGREEMENT_UPLOADED).count() == 1
    agreements = site.objects(prefix=f"{site.media_prefix}/audits/agreements")
    assert list(agreements.values()) == [PDF], list(agreements)

    say("The team does its work; the report PDF is requested; the worker making it dies")
    to_report_draft(audit, staff)
    report_new = reverse("audits:report_request", args=[audit.pk])
    requested = centre.post(report_new)
    location(requested)
    location(centre.post(report_new))  # a retry: the version on its way already
    version = ReportVersion.objects.get(audit=audit)
    wait_until(
        lambda: ReportVersion.objects.get(pk=version.pk).status == ReportVersion.Status.RUNNING,
        "the report to be made",
        watch=site.workers,
    )
    holder = wait_until(
        lambda: site.worker_holding("audits.tasks.generate_report"), "the worker holding it"
    )
    survivor = next(worker for worker in site.workers if worker is not holder)
    holder.kill()
    say(f"{holder.name} killed while it made the report; {survivor.name} is left")
    # The beat's sweep (every ten minutes in production), once the version is stale.
    stale_after = int(site.env["REPORT_STALE_AFTER_SECONDS"])
    age = (timezone.now() - version.requested_at).total_seconds()
    time.sleep(max(0.0, stale_after + 0.5 - age))
    site.send_task("audits.tasks.requeue_stale_reports")
    wait_until(
        lambda: ReportVersion.objects.get(pk=version.pk).status == ReportVersion.Status.READY,
        "the survivor to make the report",
        watch=[survivor],
    )
    version.refresh_from_db()
    assert version.attempts == 2
    assert ReportVersion.objects.filter(audit=audit).count() == 1

    say("The report is downloaded from the other node, approved and read")
    report_file = reverse("audits:report_download", args=[audit.pk, version.pk])
    if centre.peek().name == requested.node:
        centre.get(reverse("start"))
    pdf = centre.get(report_file)
    assert pdf.status == 200
    assert pdf.node != requested.node
    assert {requested.node, pdf.node} == {site.web[1].name, replacement.name}
    body = pdf.response.content
    assert body.startswith(b"%PDF")
    assert hashlib.sha256(body).hexdigest() == version.sha256
    reports = site.objects(prefix=f"{site.media_prefix}/audits/reports")
    assert list(reports.values()) == [body], list(reports)
    # The file is only ever streamed through the view, which checks who asks.
    stranger = lb.browser("192.0.2.9")
    assert location(stranger.get(report_file)).startswith(reverse("login"))
    approve = reverse("audits:transition", args=[audit.pk, "approve_report"])
    location(centre.post(approve, {"version": version.number}))
    assert buyer.get(report_file).response.content == body

    say("Nothing was written to any node's own disk; every file is in the object store")
    assert site.local_files() == {}
    exports_stored = site.objects(prefix=f"{site.media_prefix}/surveys/exports")
    assert list(exports_stored) == [f"{site.media_prefix}/{job.file.name}"]
    assert list(exports_stored.values()) == [download.response.content]
    say(f"Done in {time.monotonic() - started:.1f} s")
