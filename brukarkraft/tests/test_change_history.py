"""The change history: staff read who changed audits, councils and the library, and when."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from audits.models import Audit
from audits.tests.factories import AuditFactory, FindingFactory, ProposalFactory
from brukarkraft.trail import TEXT_LENGTH
from councils.models import Council
from councils.tests.factories import CouncilFactory, MemberFactory
from resources.tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def url(language: str = "en") -> str:
    # English pages, so assertions read the source wording.
    with translation.override(language):
        return reverse("change_history")


def save_as(obj, user, **changes):
    """Change `obj` as `user` would through a request (simple-history's way to name the user)."""
    for name, value in changes.items():
        setattr(obj, name, value)
    obj._history_user = user
    obj.save()
    del obj._history_user
    return obj


# --- Who may see it ----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(url())

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", ["outsider", "commissioner", "auditor"])
def test_people_without_a_staff_role_are_refused(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(url()).status_code == 403


@pytest.mark.parametrize("persona", ["staff", "admin_user"])
def test_staff_and_administrators_read_it(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(url()).status_code == 200


# --- What it shows -----------------------------------------------------------------------


def test_it_shows_who_changed_which_fields_from_what_to_what(client, staff):
    council = CouncilFactory(name="Brukarrådet i Örebro")
    save_as(council, staff, name="Brukarrådet i Örebro län", meetings_per_year=6)
    client.force_login(staff)

    response = client.get(url())

    changes = response.context["changes"]
    assert [c.kind_label for c in changes] == ["Changed", "Created"]
    newest = changes[0]
    assert newest.who == "Sara Personal"
    assert newest.model_name == "User council"
    assert newest.object_name == "Brukarrådet i Örebro län"
    assert newest.url == council.get_absolute_url()
    assert {(f.label, f.old, f.new) for f in newest.fields} == {
        ("Name", "Brukarrådet i Örebro", "Brukarrådet i Örebro län"),
        ("Meetings per year", "4", "6"),
    }
    assert "Sara Personal" in response.text
    assert "Name: from “Brukarrådet i Örebro” to “Brukarrådet i Örebro län”" in response.text


def test_changes_without_a_request_are_marked_as_made_by_the_system(client, staff):
    # Beat and worker jobs save without a request, so simple-history records no user.
    CouncilFactory()
    client.force_login(staff)

    change = client.get(url()).context["changes"][0]

    assert change.who == "system"


def test_long_texts_are_shortened(client, staff):
    finding = FindingFactory(description="Kort.")
    save_as(finding, staff, description="Deltagarna berättar " * 40)
    client.force_login(staff)

    change = client.get(url()).context["changes"][0]

    (description,) = [f for f in change.fields if f.label == "Description"]
    assert len(description.new) == TEXT_LENGTH
    assert description.new.endswith("…")


def test_links_are_named_but_their_ids_not_shown(client, staff, organisation):
    council = CouncilFactory()
    save_as(council, staff, owner=organisation)
    client.force_login(staff)

    change = client.get(url()).context["changes"][0]

    (owner,) = change.fields
    assert owner.label == "Owner" and not owner.values_shown


def test_deleted_rows_are_listed_without_a_link(client, staff):
    council = CouncilFactory(name="Rådet som lades ner")
    council.delete()
    client.force_login(staff)

    change = client.get(url()).context["changes"][0]

    assert change.kind_label == "Deleted"
    assert change.object_name == "Rådet som lades ner"
    assert change.url is None


def test_each_kind_links_to_its_page_in_the_portal(client, staff):
    audit = AuditFactory()
    finding = FindingFactory(audit=audit)
    proposal = ProposalFactory(audit=audit)
    member = MemberFactory()
    resource = ResourceFactory()
    client.force_login(staff)

    urls = {c.model_name: c.url for c in client.get(url()).context["changes"]}

    assert urls == {
        "User audit": reverse("audits:detail", args=[audit.pk]),
        "Finding": reverse("audits:findings", args=[finding.audit_id]),
        "Improvement proposal": reverse("audits:proposals", args=[proposal.audit_id]),
        "User council": member.council.get_absolute_url(),
        "Council member": member.council.get_absolute_url(),
        "Resource": reverse("resources:edit", args=[resource.pk]),
    }


def test_draft_orders_stay_the_commissioners_own(client, staff):
    AuditFactory(status=Audit.Status.DRAFT, reference="", title="Utkast")
    client.force_login(staff)

    assert client.get(url()).context["changes"] == []


# --- Filters -----------------------------------------------------------------------------


def test_it_filters_by_kind(client, staff):
    CouncilFactory()
    ResourceFactory()
    client.force_login(staff)

    changes = client.get(url(), {"model": "resource"}).context["changes"]

    assert [c.model_name for c in changes] == ["Resource"]


def test_it_filters_by_the_person_who_made_the_change(client, staff, admin_user):
    council = CouncilFactory()
    save_as(council, staff, name="Ändrat av Sara")
    save_as(council, admin_user, name="Ändrat av Adam")
    client.force_login(staff)

    by_name = client.get(url(), {"person": "sara"}).context["changes"]
    by_email = client.get(url(), {"person": admin_user.email.upper()}).context["changes"]

    assert [c.who for c in by_name] == ["Sara Personal"]
    assert [c.who for c in by_email] == ["Adam Admin"]


def test_it_filters_by_date(client, staff):
    old = CouncilFactory(name="Gammalt råd")
    Council.history.filter(id=old.pk).update(history_date=timezone.now() - timedelta(days=10))
    CouncilFactory(name="Nytt råd")
    client.force_login(staff)
    today = timezone.localdate()

    recent = client.get(url(), {"date_from": today.isoformat()}).context["changes"]
    earlier = client.get(url(), {"date_to": (today - timedelta(days=1)).isoformat()}).context[
        "changes"
    ]

    assert [c.object_name for c in recent] == ["Nytt råd"]
    assert [c.object_name for c in earlier] == ["Gammalt råd"]


def test_a_wrong_filter_is_explained_in_the_error_summary(client, staff):
    CouncilFactory()
    client.force_login(staff)

    response = client.get(url(), {"date_from": "2026-05-10", "date_to": "2026-05-01"})

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert 'href="#id_date_to"' in response.text
    assert response.context["page_obj"] is None


def test_an_unknown_kind_is_an_error_not_a_crash(client, staff):
    client.force_login(staff)

    response = client.get(url(), {"model": "user"})

    assert response.status_code == 200
    assert "model" in response.context["form"].errors


# --- Paging and cost ---------------------------------------------------------------------


def test_it_shows_fifty_changes_a_page(client, staff):
    council = CouncilFactory()
    for number in range(55):
        save_as(council, staff, meetings_per_year=number % 12 + 1)
    client.force_login(staff)

    first = client.get(url())
    second = client.get(url(), {"page": 2, "model": "council"})

    assert len(first.context["changes"]) == 50
    assert first.context["page_obj"].paginator.count == 56
    assert len(second.context["changes"]) == 6
    assert 'href="?page=1&amp;model=council"' in second.text


def _make_changes(count: int, user) -> None:
    """`count` changes spread over all six kinds, each with a change to diff."""
    makers = [
        lambda: save_as(AuditFactory(), user, title="Ändrad"),
        lambda: save_as(FindingFactory(), user, title="Ändrad"),
        lambda: save_as(ProposalFactory(), user, text="Ändrad"),
        lambda: save_as(CouncilFactory(), user, name="Ändrad"),
        lambda: save_as(MemberFactory(), user, display_name="Ändrad"),
        lambda: save_as(ResourceFactory(), user, title="Ändrad"),
    ]
    for number in range(count):
        makers[number % len(makers)]()


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url()).status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_changes(
    client, staff, django_assert_max_num_queries
):
    client.force_login(staff)
    _make_changes(6, staff)  # One changed row of each kind: every table on the page.
    few = _queries(client)

    _make_changes(40, staff)

    with django_assert_max_num_queries(few):
        response = client.get(url())
    assert len(response.context["changes"]) == 50


def test_a_single_change_costs_no_more_than_a_full_page(
    client, staff, django_assert_max_num_queries
):
    client.force_login(staff)
    save_as(CouncilFactory(), staff, name="Ändrad")
    one = _queries(client)
    _make_changes(40, staff)

    with django_assert_max_num_queries(one + 2 * 5 + 2):
        # Five more history tables (records and the ones before them), audits and resources
        # looked up for the links: a fixed number, whatever the page holds.
        client.get(url())


# --- Admin -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "factory, admin_name",
    [
        (AuditFactory, "audits_audit"),
        (FindingFactory, "audits_finding"),
        (ProposalFactory, "audits_proposal"),
        (CouncilFactory, "councils_council"),
        (MemberFactory, "councils_member"),
        (ResourceFactory, "resources_resource"),
    ],
)
def test_admin_shows_the_history_of_each_kind(client, admin_user, factory, admin_name):
    obj = factory()
    record = obj.history.first()
    client.force_login(admin_user)

    listing = client.get(reverse(f"admin:{admin_name}_history", args=[obj.pk]))
    version = client.get(
        reverse(f"admin:{admin_name}_simple_history", args=[obj.pk, record.history_id])
    )
    changelist = client.get(reverse(f"admin:{admin_name}_changelist"))

    assert listing.status_code == 200
    assert str(record.history_id) in listing.text
    assert version.status_code == 200
    assert changelist.status_code == 200


def test_admin_history_cannot_be_used_to_revert(client, admin_user):
    council = CouncilFactory(name="Före")
    record = council.history.first()
    save_as(council, admin_user, name="Efter")
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:councils_council_simple_history", args=[council.pk, record.history_id]),
        {"name": "Före"},
    )

    assert response.status_code == 403
    council.refresh_from_db()
    assert council.name == "Efter"


def test_admin_import_and_export_still_work_beside_the_history(client, admin_user):
    client.force_login(admin_user)

    for name in ("audits_audit", "audits_proposal", "councils_member", "resources_resource"):
        assert client.get(reverse(f"admin:{name}_import")).status_code == 200
        assert client.get(reverse(f"admin:{name}_export")).status_code == 200
