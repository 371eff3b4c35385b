"""A 200-character word never makes a page scroll sideways, at phone or desktop width."""

import pytest

from audits.models import Audit
from audits.tests.factories import AuditFactory, UnitFactory
from brukarkraft.tests.factories import MembershipFactory
from e2e.helpers import has_horizontal_scroll, overflowing_elements

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_WORD = "Arbetsmarknadsenhetens" * 9 + "xx"  # 200 characters, no space to break at


@pytest.fixture
def long_audits(organisation, commissioner):
    organisation.name = LONG_WORD
    organisation.save(update_fields=["name"])
    # A second organisation makes the start page name the organisation in each row.
    MembershipFactory(user=commissioner)
    unit = UnitFactory(organisation=organisation, name=LONG_WORD)
    for status in (Audit.Status.REQUESTED, Audit.Status.AGREED, Audit.Status.REPORT_DRAFT):
        audit = AuditFactory(
            organisation=organisation,
            status=status,
            title=LONG_WORD,
            contact_name=LONG_WORD,
            contact_email=f"{LONG_WORD[:60]}@example.se",
            ordered_by=commissioner,
        )
        audit.units.add(unit)


@pytest.mark.parametrize("width", [320, 1280])
def test_long_words_wrap_on_the_work_queue_and_the_commissioner_start_page(
    page, url, login_in_browser, long_audits, staff, commissioner, width
):
    assert len(LONG_WORD) == 200
    page.set_viewport_size({"width": width, "height": 800})
    for user, names in (
        (staff, ("audits:queue", "start_staff")),
        (commissioner, ("start_commissioner",)),
    ):
        page.context.clear_cookies()
        login_in_browser(page, user)
        for name in names:
            page.goto(url(name))
            if name != "start_staff":  # it counts audits, names none
                assert LONG_WORD in page.content()
            assert not has_horizontal_scroll(page), (
                f"{name} scrolls sideways at {width} px: {overflowing_elements(page)}"
            )
