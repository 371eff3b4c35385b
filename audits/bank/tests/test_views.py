"""The publication pages behind login: who sees which step, the terms form, and the denials
(an auditor cannot publish, another organisation's commissioner cannot consent)."""

from __future__ import annotations

import pytest

from audits.bank import services
from audits.bank.models import Publication, PublicationTerms
from audits.models import Audit
from audits.tests.factories import audit_in_state

from .helpers import EVERYTHING, en, with_pdf

pytestmark = pytest.mark.django_db
S = Audit.Status


@pytest.fixture
def approved(commissioner, staff):
    audit = with_pdf(audit_in_state(S.FEEDBACK_HELD, commissioner=commissioner, staff=staff))
    services.terms_save(audit=audit, by=staff, data=EVERYTHING)
    return audit


def test_commissioner_consents_and_staff_publish_on_the_page(client, approved, commissioner, staff):
    client.force_login(commissioner)
    page = client.get(en("bank:publication", approved.pk))
    assert page.context["may_consent"] and not page.context["may_publish"]

    client.post(en("bank:consent", approved.pk))
    client.force_login(staff)
    page = client.get(en("bank:publication", approved.pk))
    assert page.context["may_publish"] and page.context["may_withdraw"]
    response = client.post(en("bank:publish", approved.pk), follow=True)

    assert "The report is published in the report bank." in response.content.decode()
    assert Publication.objects.get(audit=approved).status == Publication.Status.PUBLISHED


def test_an_auditor_on_the_team_cannot_publish_or_set_terms(client, approved, commissioner):
    services.consent(audit=approved, by=commissioner)
    lead = approved.members.get(role="lead").user
    client.force_login(lead)

    page = client.get(en("bank:publication", approved.pk))
    assert page.status_code == 200
    assert not any(page.context[k] for k in ("may_publish", "may_consent", "may_withdraw"))
    assert client.post(en("bank:publish", approved.pk)).status_code == 403
    assert client.post(en("bank:withdraw", approved.pk), {"reason": "x"}).status_code == 403
    assert client.get(en("bank:terms", approved.pk)).status_code == 403
    assert Publication.objects.get(audit=approved).status == Publication.Status.CONSENTED


def test_another_organisations_commissioner_cannot_consent(client, approved, other_commissioner):
    client.force_login(other_commissioner)

    assert client.get(en("bank:publication", approved.pk)).status_code == 404
    assert client.post(en("bank:consent", approved.pk)).status_code == 404
    assert not Publication.objects.exists()


def test_staff_cannot_consent_for_the_commissioner(client, approved, staff):
    client.force_login(staff)
    assert client.post(en("bank:consent", approved.pk)).status_code == 403


def test_the_commissioner_sets_the_terms(client, commissioner, staff):
    audit = audit_in_state(S.QUOTED, commissioner=commissioner, staff=staff)
    client.force_login(commissioner)

    response = client.post(
        en("bank:terms", audit.pk),
        {"may_publish_report": "on", "may_publish_findings": "on", "publish_from": "2027-01-01"},
    )

    assert response.status_code == 302
    terms = PublicationTerms.objects.get(quote__audit=audit)
    assert (terms.may_publish_report, terms.may_publish_findings, terms.may_publish_quotes) == (
        True,
        True,
        False,
    )
    assert str(terms.publish_from) == "2027-01-01"
    assert audit.events.filter(action="publication_terms_saved", by=commissioner).exists()


def test_the_terms_form_refuses_quotes_without_findings(client, commissioner, staff):
    audit = audit_in_state(S.QUOTED, commissioner=commissioner, staff=staff)
    client.force_login(staff)

    response = client.post(
        en("bank:terms", audit.pk), {"may_publish_report": "on", "may_publish_quotes": "on"}
    )

    assert response.status_code == 200
    assert "may_publish_quotes" in response.context["form"].errors
    assert not PublicationTerms.objects.exists()


def test_withdrawing_needs_a_reason_shown_by_the_field(client, approved, commissioner, staff):
    services.consent(audit=approved, by=commissioner)
    services.publish(audit=approved, by=staff)
    client.force_login(commissioner)

    response = client.post(en("bank:withdraw", approved.pk), {"reason": ""})

    assert response.status_code == 200
    assert 'href="#id_reason"' in response.content.decode()
    assert Publication.objects.get(audit=approved).status == Publication.Status.PUBLISHED

    client.post(en("bank:withdraw", approved.pk), {"reason": "Beställaren ångrar sig."})
    assert Publication.objects.get(audit=approved).status == Publication.Status.WITHDRAWN


def test_the_audit_page_links_to_publication(client, approved, commissioner):
    client.force_login(commissioner)
    html = client.get(en("audits:detail", approved.pk)).content.decode()
    assert en("bank:publication", approved.pk) in html


def test_get_of_a_step_goes_back_to_the_page(client, approved, commissioner):
    client.force_login(commissioner)
    response = client.get(en("bank:consent", approved.pk))
    assert response.status_code == 302
    assert response["Location"].endswith(en("bank:publication", approved.pk))


def test_the_demo_publishes_the_closed_audits_and_a_reaudit_pair(client, seeded_demo):
    from audits.bank.demo import EARLIER_TITLE, PUBLISHED_TITLE, REAUDIT_TITLE

    published = set(Publication.objects.public().values_list("audit__title", flat=True))
    assert published == {PUBLISHED_TITLE, EARLIER_TITLE, REAUDIT_TITLE}
    assert PUBLISHED_TITLE in client.get(en("bank:list")).content.decode()
    assert REAUDIT_TITLE in client.get(en("home")).content.decode()
    reaudit = Audit.objects.get(title=REAUDIT_TITLE)
    assert reaudit.reaudit_of.title == EARLIER_TITLE
    compare = client.get(en("bank:compare", reaudit.pk))
    assert compare.status_code == 200
    assert compare.context["comparison"].improved
    national = client.get(en("bank:national"))
    tables = {d.slug: d for d in national.context["datasets"]}
    # Two service areas with findings: labour market (Vivalla) and LSS (Kumla).
    assert len([row for row in tables["findings-area"].rows if sum(row.values)]) == 2
    assert sum(sum(row.values) for row in tables["proposals-county"].rows) > 0
