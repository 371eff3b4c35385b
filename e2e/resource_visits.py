"""The resources app's pages for the axe crawl: the library, the staff editor, courses and
method guidance, for every role.

resource_crawl_data builds, through resources.services, an audit manual published twice
(version 1 stays readable) with a PDF attachment and a Norwegian translation, a text in
review with changes against its published version, the `staff` persona's own draft and
own text in review (whose approval she is refused), courses with places, full and with a
waiting list, and guidance requests. The `auditor` persona registers on the crawl (once
with a place, once onto the waiting list) and holds one registration made beforehand.

No PDF is made (WeasyPrint is slow): the print task is patched out while the data is built,
so the print page shows its "not ready yet" state; the PDF itself is a file, never scanned.
"""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from brukarkraft.roles import Role
from brukarkraft.tests.factories import UserFactory
from resources import services
from resources.models import Audience, Course, Kind, Topic
from resources.tests.factories import (
    CourseFactory,
    CourseSessionFactory,
    GuidanceRequestFactory,
    ResourceFactory,
)

from .audit_visits import OWN_FORM, _send_emptied
from .crawl import Visit, submit_main_form

SV_BODY = (
    "# Innan revisionen\n\nBeställaren och revisorerna kommer överens om revisionsfrågorna."
    "\n\n## Tystnadsplikt\n\nAlla revisorer skriver under en förbindelse.\n\n"
    "# Datainsamling\n\n- Intervjuer\n- Fokusgrupper\n\nHålls alltid av två revisorer."
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _publish(resource, author, reviewer):
    services.resource_submit(resource=resource, by=author)
    services.resource_review(resource=resource, by=reviewer, decision="approved")
    resource.refresh_from_db()
    return resource


def resource_crawl_data(staff, auditor) -> dict:
    colleague = UserFactory(full_name="Karl Kollega", roles=[Role.STAFF])
    with mock.patch("resources.tasks.print_version.apply_async"):
        manual = ResourceFactory(
            slug="revisionsmanual",
            title="Revisionsmanual för brukarrevision",
            body=SV_BODY,
            author=colleague,
            topics=[Topic.USER_AUDIT, Topic.ETHICS_LAW],
            audiences=[Audience.AUDITORS, Audience.COMMISSIONERS],
        )
        services.attachment_add(
            resource=manual,
            by=colleague,
            upload=SimpleUploadedFile("intervjuguide.pdf", PDF, "application/pdf"),
            title="Intervjuguide (PDF)",
        )
        _publish(manual, colleague, staff)
        # Translated from version 1: version 2 makes it a stale translation.
        norwegian = services.resource_translate(
            source=manual, by=colleague, language="nb", slug="revisjonshandbok"
        )
        services.resource_update(
            resource=norwegian,
            by=colleague,
            data={"title": "Revisjonshåndbok for brukerrevisjon", "summary": "Slik gjør dere det."},
        )
        _publish(norwegian, colleague, staff)
        services.resource_update(
            resource=manual,
            by=colleague,
            data={"body": SV_BODY + "\n\n# Återkoppling\n\nResultatet lämnas muntligt först."},
        )
        _publish(manual, colleague, staff)
        easy = ResourceFactory(
            slug="brukarrevision-latt-att-lasa",
            title="Vad är en brukarrevision?",
            kind=Kind.FACT_SHEET,
            easy_to_read=True,
            author=colleague,
            audiences=[Audience.EVERYONE],
        )
        _publish(easy, colleague, staff)
        # Published once; the colleague's changes wait for review (the review shows a diff).
        changed = ResourceFactory(
            slug="intervjuteknik",
            title="Intervjuteknik för brukarrevisorer",
            kind=Kind.METHOD_GUIDE,
            author=colleague,
        )
        _publish(changed, colleague, staff)
        services.resource_update(
            resource=changed,
            by=colleague,
            data={"title": "Intervjuteknik", "body": changed.body + "\n\nStäll öppna frågor."},
        )
        services.resource_submit(resource=changed, by=colleague)
    # Patched at apply_async, which both .delay() and brukarkraft.queue.enqueue() go through:
    # a PDF made here would be served in place of the "not ready" page the crawl scans.
    manual.refresh_from_db()
    assert not manual.current_version.pdf, "the print task ran: patch where it is queued"
    # The staff persona's own work: a draft and a text in review she may not approve.
    draft = ResourceFactory(slug="utkast-fokusgrupper", title="Fokusgrupper", author=staff)
    own = ResourceFactory(slug="egen-text", title="Etik i brukarrevision", author=staff)
    services.resource_submit(resource=own, by=staff)

    now = timezone.now()
    # Four places: three registered, one completed, one cancelled (the first waiting moved
    # up) and one still waiting.
    # Completing needs one session of two (the minimum rule), so Cilla completes already.
    basic = CourseFactory(
        slug="grundutbildning",
        title="Grundutbildning för brukarrevisorer",
        capacity=4,
        attendance_rule=Course.AttendanceRule.MINIMUM,
        minimum_sessions=1,
    )
    held = CourseSessionFactory(course=basic, starts_at=now - timedelta(days=2), topic="Etik")
    CourseSessionFactory(course=basic, starts_at=now + timedelta(days=12), topic="Intervjuer")
    people = {}
    for name in (
        "Bo Bokad",
        "Cilla Klar",
        "Dan Deltar",
        "Eva Avbokad",
        "Fia Flyttad",
        "Gun Väntar",
    ):
        people[name] = services.registration_create(
            course=basic, participant=UserFactory(full_name=name), by=staff
        )
    services.attendance_set(session=held, by=staff, present_ids={people["Cilla Klar"].pk})
    services.registration_cancel(registration=people["Eva Avbokad"], by=staff)
    services.registration_complete(registration=people["Cilla Klar"], by=staff)
    open_course = CourseFactory(
        slug="intervjuteknik-kurs",
        title="Intervjuteknik, en dag",
        capacity=12,
        validity_months=None,
        qualifies_auditors=False,
    )
    CourseSessionFactory(course=open_course)
    full = CourseFactory(slug="fordjupning", title="Fördjupning för brukarrevisorer", capacity=1)
    CourseSessionFactory(course=full)
    taken = UserFactory(full_name="Petra Plats")
    services.registration_create(course=full, participant=taken, by=taken)
    gathering = CourseFactory(
        slug="samling-nye", title="Samling for nye deltakere", language="nb", capacity=2
    )
    CourseSessionFactory(course=gathering, place="Oslo")
    mine = services.registration_create(course=gathering, participant=auditor, by=auditor)

    with mock.patch("resources.tasks.notify_guidance.apply_async"):
        new_request = GuidanceRequestFactory()
        answered = GuidanceRequestFactory(organisation_name="Region Örebro län")
        services.guidance_answer(request=answered, by=staff, answer="Vi ses på tisdag.")
    return {
        "manual": manual,
        "norwegian": norwegian,
        "easy": easy,
        "changed": changed,
        "draft": draft,
        "own": own,
        "basic": basic,
        "held": held,
        "full": full,
        "gathering": gathering,
        "mine": mine,
        "new_request": new_request,
        "answered": answered,
        "open": open_course,
    }


# --- Helpers for the visits ---------------------------------------------------------------


def _r(data, name: str):
    return data["resources"][name]


def _slug(data, name: str) -> dict:
    return {"slug": _r(data, name).slug}


def _pk(data, name: str) -> dict:
    return {"pk": _r(data, name).pk}


def _register(page):
    form = page.locator("main form[action$='/register/']")
    with page.expect_navigation() as navigation:
        form.locator("[type=submit]").click()
    return navigation.value


def _refused_upload(page):
    form = page.locator("main form[action$='/attachments/']")
    form.locator("input[name=attachment-title]").fill("Avtal")
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "avtal.pdf", "mimeType": "application/pdf", "buffer": b"MZ not a PDF"}]
    )
    with page.expect_navigation() as navigation:
        form.locator("[type=submit]").click()
    return navigation.value


def _upload_with_the_store_down(page):
    """A good file sent while the file store cannot be reached: the 503 page for it."""
    from unittest import mock

    from brukarkraft.storage import LocalStorage, StorageUnavailable

    def unreachable(*args, **kwargs):
        raise StorageUnavailable("EndpointConnectionError: the store is down")

    form = page.locator("main form[action$='/attachments/']")
    form.locator("input[name=attachment-title]").fill("Avtal")
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "avtal.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    # The live server answers from a thread of this process, so the patch reaches it.
    with mock.patch.object(LocalStorage, "_save", unreachable), page.expect_navigation() as nav:
        form.locator("[type=submit]").click()
    return nav.value


def _approve_own_work(page):
    page.check("main input[name=decision][value=approved]")
    with page.expect_navigation() as navigation:
        page.locator(f"{OWN_FORM} [type=submit]").first.click()
    return navigation.value


# --- The visits, per persona ------------------------------------------------------------


def anonymous_resource_visits(data) -> list[Visit]:
    manual = _slug(data, "manual")
    return [
        Visit("library", "resources:library"),
        Visit("library search", "resources:library", query="?q=revisionsfrågorna"),
        Visit(
            "library with filters",
            "resources:library",
            query="?kind=audit_manual&language=sv&topic=user_audit&audience=auditors",
        ),
        Visit("library, easy-to-read only", "resources:library", query="?easy_to_read=on"),
        Visit("library search without results", "resources:library", query="?q=xyzzyqwerty"),
        Visit(
            "library search with a typo: did you mean",
            "resources:library",
            query="?q=revisionsfr%C3%A5gorma",
        ),
        Visit("a resource with files and a translation", "resources:detail", manual),
        Visit("its Norwegian translation", "resources:detail", _slug(data, "norwegian")),
        Visit("an easy-to-read resource", "resources:detail", _slug(data, "easy")),
        Visit("an earlier version", "resources:version", {**manual, "number": 1}),
        Visit("print page, PDF not ready", "resources:print_pdf", {**manual, "number": 2}),
        Visit(
            "a version not out (404)",
            "resources:version",
            {**manual, "number": 9},
            status=404,
        ),
        Visit("a draft by its address (404)", "resources:detail", _slug(data, "draft"), status=404),
        Visit("courses", "resources:courses"),
        Visit("a course, anonymous", "resources:course", _slug(data, "basic")),
        Visit("my courses, anonymous, goes to login", "resources:my_courses"),
        Visit("editor, anonymous, goes to login", "resources:editor"),
        Visit("method guidance", "resources:guidance"),
        Visit(
            "method guidance with errors",
            "resources:guidance",
            action=_send_emptied("main form[method=post]"),
        ),
        Visit("method guidance thanks", "resources:guidance_thanks"),
    ]


def auditor_resource_visits(data) -> list[Visit]:
    """The auditor registers for two courses: one with a place, one onto the waiting list."""
    return [
        Visit("a course, logged in", "resources:course", _slug(data, "open")),
        Visit("a course, registered", "resources:course", _slug(data, "open"), action=_register),
        Visit("a full course", "resources:course", _slug(data, "full")),
        Visit(
            "a full course, on the waiting list",
            "resources:course",
            _slug(data, "full"),
            action=_register,
        ),
        Visit("my courses", "resources:my_courses"),
        Visit(
            "cancel a registration, confirm",
            "resources:registration_cancel",
            {**_slug(data, "gathering"), "pk": _r(data, "mine").pk},
        ),
        Visit(
            "a registration cancelled",
            "resources:registration_cancel",
            {**_slug(data, "gathering"), "pk": _r(data, "mine").pk},
            action=submit_main_form,
        ),
        Visit("no access (403): editor (auditor)", "resources:editor", status=403),
    ]


def staff_resource_visits(data) -> list[Visit]:
    draft = _pk(data, "draft")
    manual = _pk(data, "manual")
    return [
        Visit("editor dashboard", "resources:editor"),
        Visit("new resource", "resources:create"),
        Visit("new resource with errors", "resources:create", action=_send_emptied()),
        Visit("edit a draft", "resources:edit", draft),
        Visit(
            "edit a draft with errors",
            "resources:edit",
            draft,
            action=_send_emptied(f"main form[action$='/manage/{draft['pk']}/']"),
        ),
        Visit("edit, a refused upload", "resources:edit", draft, action=_refused_upload),
        Visit(
            "edit, an upload while the file store is down (503)",
            "resources:edit",
            draft,
            status=503,
            action=_upload_with_the_store_down,
        ),
        Visit("edit a published resource", "resources:edit", manual),
        Visit("edit a translation older than its source", "resources:edit", _pk(data, "norwegian")),
        Visit("preview a draft", "resources:preview", draft),
        Visit("review with changes", "resources:review", _pk(data, "changed")),
        Visit("review of own work", "resources:review", _pk(data, "own")),
        Visit(
            "review of own work, refused",
            "resources:review",
            _pk(data, "own"),
            action=_approve_own_work,
        ),
        Visit(
            "review with errors", "resources:review", _pk(data, "changed"), action=_send_emptied()
        ),
        Visit("archive, confirm", "resources:archive", draft),
        Visit("translate", "resources:translate", manual),
        Visit("translate with errors", "resources:translate", manual, action=_send_emptied()),
        Visit("courses (staff)", "resources:courses"),
        Visit("a course (staff)", "resources:course", _slug(data, "basic")),
        Visit("course registrations", "resources:course_manage", _slug(data, "basic")),
        Visit(
            "session attendance",
            "resources:session_attendance",
            {**_slug(data, "basic"), "session": _r(data, "held").pk},
        ),
        Visit(
            "cancel a registration (staff), confirm",
            "resources:registration_cancel",
            {**_slug(data, "gathering"), "pk": _r(data, "mine").pk},
        ),
        Visit("guidance requests", "resources:guidance_queue"),
        Visit("a guidance request", "resources:guidance_handle", _pk(data, "new_request")),
        Visit(
            "a guidance request with errors",
            "resources:guidance_handle",
            _pk(data, "new_request"),
            action=_send_emptied(),
        ),
        Visit("an answered guidance request", "resources:guidance_handle", _pk(data, "answered")),
    ]


def admin_resource_visits(data) -> list[Visit]:
    return [
        Visit("editor dashboard as admin", "resources:editor"),
        Visit("review as admin", "resources:review", _pk(data, "own")),
        Visit("guidance requests as admin", "resources:guidance_queue"),
    ]


def commissioner_resource_visits(data) -> list[Visit]:
    return [
        Visit("method guidance, logged in", "resources:guidance"),
        Visit("a course, as a commissioner", "resources:course", _slug(data, "full")),
        Visit("no access (403): editor (commissioner)", "resources:editor", status=403),
        Visit(
            "no access (403): guidance requests (commissioner)",
            "resources:guidance_queue",
            status=403,
        ),
    ]


def outsider_resource_visits(data) -> list[Visit]:
    return [
        Visit("my courses, none", "resources:my_courses"),
        Visit("no access (403): new resource (outsider)", "resources:create", status=403),
        Visit(
            "no access (403): course registrations (outsider)",
            "resources:course_manage",
            _slug(data, "basic"),
            status=403,
        ),
        Visit(
            "no access (403): a guidance request (outsider)",
            "resources:guidance_handle",
            _pk(data, "new_request"),
            status=403,
        ),
        Visit(
            "someone else's registration (outsider, 404)",
            "resources:registration_cancel",
            {**_slug(data, "gathering"), "pk": _r(data, "mine").pk},
            status=404,
        ),
        Visit(
            "a draft by its address (outsider, 404)",
            "resources:detail",
            _slug(data, "draft"),
            status=404,
        ),
    ]


# Named URLs that are files, or POST-only actions reached through the pages' buttons.
RESOURCE_NOT_PAGES = {
    "resources:attachment",
    "resources:attachment_add",
    "resources:attachment_remove",
    "resources:submit",
    "resources:mark_current",
    "resources:register",
    "resources:registration_complete",
}
