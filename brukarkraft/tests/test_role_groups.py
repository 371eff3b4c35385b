"""The role groups are kept after every migrate and flush, without making a flush slow."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test.utils import CaptureQueriesContext

from brukarkraft.roles import ROLE_PERMISSIONS, Role, sync_role_groups

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
        assert held(role) == set(ROLE_PERMISSIONS[role])
    # Every name in the table is a real permission: a misspelt one would be left out.
    assert len(held(Role.STAFF)) == len(set(ROLE_PERMISSIONS[Role.STAFF])) > 100


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

    assert held(Role.STAFF) == set(ROLE_PERMISSIONS[Role.STAFF])
    group_queries = [q for q in queries if '"auth_group' in q["sql"]]
    # Get-or-create and set() for four groups, not a query per permission per app.
    assert len(group_queries) <= 6 * len(Role)
    assert len(queries) < 400
