"""The role groups are kept after every migrate and flush, without making a flush slow."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test.utils import CaptureQueriesContext

from brukarkraft.roles import Role, permissions_of, sync_role_groups

pytestmark = pytest.mark.django_db


def held(role: Role) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=role).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_each_role_group_holds_exactly_its_permissions():
    Group.objects.all().delete()

    sync_role_groups()

    assert set(Group.objects.values_list("name", flat=True)) == set(Role.values)
    for role in Role:
        assert held(role) == set(permissions_of(role))
    # Every name in the table is a real permission: a misspelt one would be left out.
    assert len(held(Role.STAFF)) == len(set(permissions_of(Role.STAFF))) > 100


def test_a_permission_given_by_hand_is_taken_back():
    sync_role_groups()
    staff = Group.objects.get(name=Role.STAFF)
    staff.permissions.add(Permission.objects.get(codename="delete_user"))

    sync_role_groups()

    assert "brukarkraft.delete_user" not in held(Role.STAFF)


def test_post_migrate_syncs_the_groups_once_with_a_fixed_number_of_queries():
    # Every browser test ends with a flush, which sends post_migrate for each app again.
    Group.objects.all().delete()

    with CaptureQueriesContext(connection) as queries:
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert held(Role.STAFF) == set(permissions_of(Role.STAFF))
    group_queries = [q for q in queries if '"auth_group' in q["sql"]]
    # Get-or-create and set() for four groups, not a query per permission per app.
    assert len(group_queries) <= 6 * len(Role)
    assert len(queries) < 400


# --- Admin access follows the role ----------------------------------------------------------


def test_the_staff_role_gives_admin_access_and_taking_it_away_removes_it():
    from brukarkraft.tests.factories import UserFactory

    person = UserFactory()
    staff = Group.objects.get_or_create(name=Role.STAFF)[0]

    person.groups.add(staff)
    assert person.is_staff
    person.refresh_from_db()
    assert person.is_staff

    person.groups.remove(staff)
    person.refresh_from_db()
    assert not person.is_staff


def test_admin_access_follows_the_role_given_from_the_groups_side_too():
    from brukarkraft.tests.factories import UserFactory

    people = [UserFactory(), UserFactory()]
    Group.objects.get_or_create(name=Role.STAFF)[0].user_set.add(*people)

    assert all(p.is_staff for p in type(people[0]).objects.filter(pk__in=[p.pk for p in people]))


def test_other_roles_and_superusers_keep_what_they_should():
    from brukarkraft.tests.factories import UserFactory

    auditor = UserFactory(roles=[Role.AUDITOR])
    superuser = UserFactory(is_superuser=True, is_staff=True, roles=[Role.AUDITOR])
    superuser.groups.clear()

    auditor.refresh_from_db()
    superuser.refresh_from_db()
    assert not auditor.is_staff
    assert superuser.is_staff


def test_the_sync_after_migrate_gives_admin_access_to_staff_accounts_made_before():
    from brukarkraft.models import User
    from brukarkraft.tests.factories import UserFactory

    person = UserFactory(roles=[Role.STAFF])
    User.objects.filter(pk=person.pk).update(is_staff=False)  # as accounts were made before

    sync_role_groups()

    person.refresh_from_db()
    assert person.is_staff


def test_staff_run_councils_and_create_courses_in_admin(client):
    from brukarkraft.tests.factories import UserFactory
    from resources.models import Course

    sync_role_groups()
    sara = UserFactory(roles=[Role.STAFF])
    client.force_login(sara)

    assert client.get("/admin/councils/council/").status_code == 200
    assert client.get("/admin/councils/council/add/").status_code == 200
    assert client.get("/admin/resources/course/add/").status_code == 200
    response = client.post(
        "/admin/resources/course/add/",
        {
            "slug": "ny-kurs",
            "title": "Ny kurs",
            "kind": "other",
            "language": "sv",
            "description": "En kurs.",
            "capacity": "10",
            "attendance_rule": "all",
            "registration_open": "on",
            "is_published": "on",
            "sessions-TOTAL_FORMS": "0",
            "sessions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Course.objects.filter(slug="ny-kurs").exists()
    # Staff do not manage accounts or delete what admin keeps.
    assert client.get("/admin/brukarkraft/user/add/").status_code == 403
