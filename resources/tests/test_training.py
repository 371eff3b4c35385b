"""The course pages: list, registration and the waiting list, cancelling, the participant's
own page, and the centre's registrations, attendance and completion."""

import html
import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from audits.models import AuditorProfile
from brukarkraft.roles import Role
from brukarkraft.tests.factories import MembershipFactory, UserFactory
from resources import services
from resources.models import Registration, SessionAttendance, TrainingRecord
from resources.tests.factories import CourseFactory, CourseSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(db):
    # Two places: the third to register goes on the waiting list.
    return CourseFactory(slug="grundutbildning", capacity=2, validity_months=36)


@pytest.fixture
def past_session(course):
    return CourseSessionFactory(course=course, starts_at=timezone.now() - timedelta(days=2))


@pytest.fixture
def member(organisation):
    # Maja belongs to a user organisation: she may register her organisation's participants.
    user = UserFactory(full_name="Maja Medlem")
    MembershipFactory(user=user, organisation=organisation)
    return user


def sv(text: str) -> str:
    """`text` as the Swedish pages show it."""
    with translation.override("sv"):
        return gettext(text)


def register_url(course):
    return reverse("resources:register", args=[course.slug])


def register(client, user, course, **data):
    client.force_login(user)
    return client.post(register_url(course), {"who": "self", **data}, follow=True)


def registered(course, user):
    return Registration.objects.get(course=course, participant=user)


# --- The course list and page ------------------------------------------------------


def test_the_course_list_shows_dates_places_and_validity(client, course):
    CourseSessionFactory(course=course, starts_at=timezone.now() + timedelta(days=10))
    CourseSessionFactory(course=course, starts_at=timezone.now() + timedelta(days=40))
    CourseFactory(title="Dold kurs", is_published=False)

    response = client.get(reverse("resources:courses"))

    page = response.content.decode()
    assert response.status_code == 200
    assert course.title in page
    with translation.override("sv"):
        assert (
            ngettext("%(places)s place left", "%(places)s places left", 2) % {"places": 2} in page
        )
    assert page.count("<time") == 2
    assert "Dold kurs" not in page


def test_a_full_course_says_waiting_list_in_words(client, course):
    for _ in range(3):
        user = UserFactory()
        services.registration_create(course=course, participant=user, by=user)

    page = client.get(reverse("resources:courses"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert sv("Full — waiting list") in page


@pytest.mark.parametrize("rows", [1, 20])
def test_the_course_list_answers_in_fixed_queries(client, rows, django_assert_max_num_queries):
    for _ in range(rows):
        course = CourseFactory()
        CourseSessionFactory.create_batch(3, course=course)

    with django_assert_max_num_queries(3):
        response = client.get(reverse("resources:courses"))

    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == rows + 1


def test_an_unpublished_course_is_not_found_for_anyone_but_staff(client, staff, outsider):
    hidden = CourseFactory(is_published=False)
    url = reverse("resources:course", args=[hidden.slug])

    assert client.get(url).status_code == 404
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(staff)
    assert client.get(url).status_code == 200


def test_an_anonymous_visitor_sees_the_course_and_a_login_link(client, course):
    CourseSessionFactory(course=course, place="Folkets hus, Örebro", topic="Etik")

    response = client.get(reverse("resources:course", args=[course.slug]))

    page = response.content.decode()
    assert "Folkets hus, Örebro" in page
    assert "Etik" in page
    assert reverse("login") in page
    assert register_url(course) not in page


def test_an_anonymous_visitor_cannot_register(client, course):
    response = client.post(register_url(course), {"who": "self"})

    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert not Registration.objects.exists()


# --- Registering and the waiting list ------------------------------------------------


def test_registration_fills_the_places_and_then_the_waiting_list(client, course):
    first, second, third, fourth = UserFactory.create_batch(4)

    register(client, first, course)
    register(client, second, course)
    response = register(client, third, course)
    page = response.content.decode()
    register(client, fourth, course)

    assert registered(course, first).status == Registration.Status.REGISTERED
    assert registered(course, second).status == Registration.Status.REGISTERED
    assert registered(course, third).status == Registration.Status.WAITING
    assert registered(course, fourth).status == Registration.Status.WAITING
    assert sv(
        "The course is full: %(name)s is on the waiting list, number %(position)s in"
        " the queue. We tell you if a place becomes free."
    ) % {"name": third.full_name, "position": 1} in html.unescape(page)
    client.force_login(fourth)
    mine = client.get(reverse("resources:my_courses"), HTTP_ACCEPT_LANGUAGE="en")
    assert "number 2 in the queue" in mine.content.decode() or "nummer 2" in mine.content.decode()


def test_the_waiting_message_names_the_place_in_the_queue(client, course):
    course.capacity = 1
    course.save()
    register(client, UserFactory(), course)
    register(client, UserFactory(), course)

    client.force_login(UserFactory())
    response = client.post(
        f"/en{register_url(course)}", {"who": "self", "needs": "Tolk"}, follow=True
    )

    assert "waiting list, number 2 in the queue" in response.content.decode()


def test_registering_twice_is_refused_and_stores_nothing_more(client, course, auditor):
    register(client, auditor, course)

    response = register(client, auditor, course)

    assert response.status_code == 200
    assert auditor.full_name in response.content.decode()
    assert Registration.objects.filter(participant=auditor).count() == 1
    assert "error-summary" in response.content.decode()


def test_a_member_registers_a_participant_of_their_organisation_by_email(
    client, course, member, organisation, auditor
):
    MembershipFactory(user=auditor, organisation=organisation)
    client.force_login(member)

    response = client.post(
        register_url(course),
        {
            "who": "other",
            "email": auditor.email.upper(),
            "organisation": organisation.pk,
            "needs": "Lättläst material",
        },
    )

    assert response.status_code == 302
    registration = registered(course, auditor)
    assert registration.registered_by == member
    assert registration.organisation == organisation
    assert registration.needs == "Lättläst material"


def test_registering_someone_without_an_account_is_a_form_error(
    client, course, member, organisation
):
    client.force_login(member)

    response = client.post(
        register_url(course),
        {"who": "other", "email": "ingen@example.se", "organisation": organisation.pk},
    )

    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert not Registration.objects.exists()


def test_an_unknown_address_and_a_stranger_get_the_same_answer(
    client, course, member, organisation, auditor
):
    # Astrid has an account but does not belong to Maja's organisation.
    client.force_login(member)

    def answer(email):
        response = client.post(
            register_url(course),
            {"who": "other", "email": email, "organisation": organisation.pk},
        )
        assert response.status_code == 200
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
        return page.replace(html.escape(email), "EMAIL").replace(email, "EMAIL")

    known, unknown = answer(auditor.email), answer("ingen@example.se")

    assert known == unknown
    assert auditor.full_name not in known
    assert not Registration.objects.exists()


def test_a_forged_registration_of_a_stranger_takes_no_place(course, member, organisation, auditor):
    with pytest.raises(PermissionDenied):
        services.registration_create(
            course=course, participant=auditor, by=member, organisation=organisation
        )
    with pytest.raises(PermissionDenied):
        services.registration_create(course=course, participant=auditor, by=member)

    assert not Registration.objects.exists()


def test_staff_registering_someone_records_the_participants_organisation(
    client, course, staff, auditor, organisation, other_organisation
):
    # Sara's own organisation must not be what is recorded for Astrid.
    MembershipFactory(user=staff, organisation=other_organisation)
    MembershipFactory(user=auditor, organisation=organisation)
    client.force_login(staff)

    form_page = client.get(reverse("resources:course", args=[course.slug])).content.decode()
    response = client.post(register_url(course), {"who": "other", "email": auditor.email})

    assert f'value="{other_organisation.pk}" selected' not in form_page
    assert response.status_code == 302
    assert registered(course, auditor).organisation == organisation


def test_registering_someone_else_without_an_organisation_is_forbidden(
    client, course, outsider, auditor
):
    client.force_login(outsider)

    response = client.post(register_url(course), {"who": "other", "email": auditor.email})

    assert response.status_code == 403
    assert not Registration.objects.exists()


def test_naming_an_organisation_one_does_not_belong_to_is_refused(
    client, course, member, other_organisation, auditor
):
    client.force_login(member)

    response = client.post(
        register_url(course),
        {"who": "other", "email": auditor.email, "organisation": other_organisation.pk},
    )

    # Not among the member's organisations: the form does not offer it.
    assert response.status_code == 200
    assert not Registration.objects.exists()


def test_staff_may_register_anyone(client, course, staff, auditor):
    client.force_login(staff)

    response = client.post(register_url(course), {"who": "other", "email": auditor.email})

    assert response.status_code == 302
    assert registered(course, auditor).registered_by == staff


def test_registration_on_a_closed_course_is_refused(client, course, auditor):
    course.registration_open = False
    course.save()

    response = register(client, auditor, course)

    assert response.status_code == 200
    assert not Registration.objects.exists()


# --- Cancelling -------------------------------------------------------------------


def test_cancelling_a_place_moves_the_first_on_the_waiting_list_up(client, course, staff):
    first, second, third, fourth = UserFactory.create_batch(4)
    for user in (first, second, third, fourth):
        services.registration_create(course=course, participant=user, by=user)
    place = registered(course, first)
    client.force_login(staff)

    response = client.post(
        f"/en{reverse('resources:registration_cancel', args=[course.slug, place.pk])}",
        follow=True,
    )

    assert registered(course, third).status == Registration.Status.REGISTERED
    assert registered(course, fourth).status == Registration.Status.WAITING
    place.refresh_from_db()
    assert place.status == Registration.Status.CANCELLED
    assert f"{third.full_name} moved up from the waiting list" in response.content.decode()


def test_a_participant_cancels_their_own_place_after_confirming(client, course, auditor):
    registration = services.registration_create(course=course, participant=auditor, by=auditor)
    url = reverse("resources:registration_cancel", args=[course.slug, registration.pk])
    client.force_login(auditor)

    confirm = client.get(url)
    assert confirm.status_code == 200
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED

    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("resources:my_courses")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_someone_elses_registration_is_not_found(client, course, auditor, outsider):
    registration = services.registration_create(course=course, participant=auditor, by=auditor)
    url = reverse("resources:registration_cancel", args=[course.slug, registration.pk])
    client.force_login(outsider)

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED


# --- My courses -------------------------------------------------------------------------


def test_my_courses_shows_registrations_and_records_with_expiry(client, auditor):
    current = CourseFactory(title="Fördjupning")
    old = CourseFactory(title="Gammal grundkurs")
    registration = services.registration_create(course=current, participant=auditor, by=auditor)
    TrainingRecord.objects.create(
        user=auditor, course=old, completed_on=date(2020, 1, 10), valid_until=date(2023, 1, 10)
    )
    client.force_login(auditor)

    response = client.get("/en" + reverse("resources:my_courses"))

    page = response.content.decode()
    assert "Fördjupning" in page
    assert "Gammal grundkurs" in page
    assert "expired" in page
    assert reverse("resources:registration_cancel", args=[current.slug, registration.pk]) in page


def test_my_courses_needs_login(client):
    response = client.get(reverse("resources:my_courses"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- The centre: registrations, attendance and completion ----------------------------


def manage_url(course):
    return reverse("resources:course_manage", args=[course.slug])


@pytest.mark.parametrize("user", ["outsider", "auditor", "commissioner"])
def test_the_registrations_page_is_for_staff_only(client, course, user, request):
    client.force_login(request.getfixturevalue(user))

    assert client.get(manage_url(course)).status_code == 403


def test_the_registrations_page_lists_places_waiting_list_and_needs(client, course, staff):
    users = UserFactory.create_batch(3)
    for user in users:
        services.registration_create(course=course, participant=user, by=user, needs="Rullstol")
    CourseSessionFactory(course=course)
    client.force_login(staff)

    response = client.get(manage_url(course))

    page = response.content.decode()
    assert response.status_code == 200
    for user in users:
        assert user.full_name in page
    assert "Rullstol" in page
    assert (
        reverse("resources:session_attendance", args=[course.slug, course.sessions.get().pk])
        in page
    )


@pytest.mark.parametrize("rows", [1, 20])
def test_the_registrations_page_answers_in_fixed_queries(
    client, staff, rows, django_assert_max_num_queries
):
    course = CourseFactory(capacity=rows // 2 + 1)
    CourseSessionFactory.create_batch(3, course=course)
    for _ in range(rows):
        user = UserFactory()
        MembershipFactory(user=user)
        services.registration_create(
            course=course, participant=user, by=user, organisation=user.organisations.get()
        )
    client.force_login(staff)

    with django_assert_max_num_queries(8):
        response = client.get(manage_url(course))

    assert response.status_code == 200


def test_attendance_is_recorded_for_registered_participants(client, course, staff, auditor):
    session = CourseSessionFactory(course=course)
    other = UserFactory()
    mine = services.registration_create(course=course, participant=auditor, by=auditor)
    services.registration_create(course=course, participant=other, by=other)
    client.force_login(staff)
    url = reverse("resources:session_attendance", args=[course.slug, session.pk])

    assert client.get(url).status_code == 200
    response = client.post(url, {"present": [mine.pk]})

    assert response.status_code == 302
    assert SessionAttendance.objects.get(registration=mine).present is True
    assert SessionAttendance.objects.get(registration__participant=other).present is False


def test_attendance_refuses_someone_on_the_waiting_list(client, course, staff):
    session = CourseSessionFactory(course=course)
    users = UserFactory.create_batch(3)
    for user in users:
        services.registration_create(course=course, participant=user, by=user)
    waiting = registered(course, users[2])
    client.force_login(staff)

    response = client.post(
        reverse("resources:session_attendance", args=[course.slug, session.pk]),
        {"present": [waiting.pk]},
    )

    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert not SessionAttendance.objects.exists()


def test_attendance_is_for_staff_only(client, course, auditor):
    session = CourseSessionFactory(course=course)
    registration = services.registration_create(course=course, participant=auditor, by=auditor)
    client.force_login(auditor)
    url = reverse("resources:session_attendance", args=[course.slug, session.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {"present": [registration.pk]}).status_code == 403
    assert not SessionAttendance.objects.exists()


def test_completion_gives_a_training_record_for_36_months_and_a_trained_auditor(
    client, course, past_session, staff, auditor
):
    registration = services.registration_create(course=course, participant=auditor, by=auditor)
    services.attendance_set(session=past_session, by=staff, present_ids={registration.pk})
    client.force_login(staff)

    response = client.post(
        reverse("resources:registration_complete", args=[course.slug, registration.pk]),
        follow=True,
    )

    assert response.status_code == 200
    record = TrainingRecord.objects.get(user=auditor, course=course)
    today = timezone.localdate()
    assert record.completed_on == today
    assert today + timedelta(days=1090) < record.valid_until < today + timedelta(days=1100)
    profile = AuditorProfile.objects.get(user=auditor)
    assert profile.training == AuditorProfile.Training.TRAINED
    assert profile.trained_until == record.valid_until
    registration.refresh_from_db()
    assert registration.status == Registration.Status.COMPLETED


def test_completion_of_a_course_that_does_not_qualify_leaves_the_auditor_pool_alone(
    client, staff, auditor
):
    course = CourseFactory(qualifies_auditors=False, validity_months=None)
    registration = services.registration_create(course=course, participant=auditor, by=auditor)
    session = CourseSessionFactory(course=course, starts_at=timezone.now() - timedelta(days=1))
    services.attendance_set(session=session, by=staff, present_ids={registration.pk})
    client.force_login(staff)

    client.post(reverse("resources:registration_complete", args=[course.slug, registration.pk]))

    assert TrainingRecord.objects.get(user=auditor).valid_until is None
    assert not AuditorProfile.objects.filter(user=auditor).exists()


def test_completion_is_refused_after_a_missed_session(client, course, past_session, staff, auditor):
    registration = services.registration_create(course=course, participant=auditor, by=auditor)
    # Someone else came; the auditor did not.
    other = UserFactory()
    present = services.registration_create(course=course, participant=other, by=other)
    services.attendance_set(session=past_session, by=staff, present_ids={present.pk})
    client.force_login(staff)

    response = client.post(
        "/en" + reverse("resources:registration_complete", args=[course.slug, registration.pk]),
        follow=True,
    )

    assert "Attended 0 of 1 session; the course requires every session." in (
        response.content.decode()
    )
    assert not TrainingRecord.objects.exists()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED


def test_staff_see_why_a_participant_may_or_may_not_complete_and_audit(
    client, course, past_session, staff, auditor
):
    waiting_for = services.registration_create(course=course, participant=auditor, by=auditor)
    other = UserFactory(full_name="Klara Kursdeltagare")
    came = services.registration_create(course=course, participant=other, by=other)
    services.attendance_set(session=past_session, by=staff, present_ids={came.pk})
    client.force_login(staff)
    url = "/en" + manage_url(course)

    page = client.get(url).content.decode()

    assert "Not yet: Attended 0 of 1 session; the course requires every session." in page
    assert "Yes: Attended 1 of 1 session; the course requires every session." in page
    complete = f"/registrations/{waiting_for.pk}/complete/"
    assert complete not in page  # no button for who may not complete
    assert f"/registrations/{came.pk}/complete/" in page
    assert "makes the participant a trained user auditor" in page

    services.registration_complete(registration=came, by=staff)
    page = client.get(url).content.decode()
    assert "Eligible to audit: a trained user auditor." in page


def test_completion_is_for_staff_only(client, course, auditor):
    registration = services.registration_create(course=course, participant=auditor, by=auditor)
    client.force_login(auditor)

    response = client.post(
        reverse("resources:registration_complete", args=[course.slug, registration.pk])
    )

    assert response.status_code == 403
    assert not TrainingRecord.objects.exists()


def test_a_staff_member_with_a_role_only_may_manage(client, course):
    # The portal role is enough; Django's is_staff (admin access) is not needed.
    person = UserFactory(roles=[Role.STAFF])
    client.force_login(person)

    assert client.get(manage_url(course)).status_code == 200
