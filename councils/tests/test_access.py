"""councils.access: which councils a user may see and enter, and who may submit cases and ask
for annual reports. The views' 404s and 403s are tested in test_views."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from brukarkraft.tests.factories import UserFactory
from councils import access
from councils.models import Council
from councils.tests.factories import CouncilFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def councils():
    return CouncilFactory(is_public=True), CouncilFactory(is_public=False)


def former_member(council):
    today = timezone.localdate()
    return MemberFactory(
        council=council,
        term_start=today - timedelta(days=800),
        term_end=today - timedelta(days=70),
    ).user


def test_a_council_that_is_not_public_is_visible_only_to_its_members_and_staff(
    councils, staff, outsider
):
    public, closed = councils
    former = former_member(closed)

    assert set(Council.objects.visible_to(AnonymousUser())) == {public}
    assert set(Council.objects.visible_to(outsider)) == {public}
    assert set(Council.objects.visible_to(former)) == {public, closed}
    assert set(Council.objects.visible_to(staff)) == {public, closed}


def test_only_members_of_any_term_and_staff_enter_the_member_area(councils, staff, outsider):
    public, closed = councils
    former = former_member(public)

    assert not access.can_enter(AnonymousUser(), public)
    assert not access.can_enter(outsider, public)
    assert access.can_enter(former, public)
    assert not access.can_enter(former, closed)
    assert access.can_enter(staff, closed)
    assert set(Council.objects.enterable_by(former)) == {public}
    assert set(Council.objects.enterable_by(staff)) == {public, closed}
    assert not Council.objects.enterable_by(AnonymousUser()).exists()


def test_cases_come_from_members_serving_now_and_staff(councils, staff, outsider):
    public, _closed = councils
    serving = MemberFactory(council=public).user

    assert access.can_submit_case(serving, public)
    assert access.can_submit_case(staff, public)
    assert not access.can_submit_case(former_member(public), public)
    assert not access.can_submit_case(outsider, public)
    assert not access.can_submit_case(AnonymousUser(), public)


def test_only_staff_ask_for_an_annual_report(councils, staff):
    public, _closed = councils
    serving = MemberFactory(council=public).user

    assert access.can_request_annual_report(staff, public)
    assert not access.can_request_annual_report(serving, public)
    assert not access.can_request_annual_report(UserFactory(), public)
