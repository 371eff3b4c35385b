"""An audit's wanted period in the wrong order is refused with a plain message on the
report date, in admin as in the order form (test_views_order covers the order form)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audits.tests.factories import AuditFactory
from brukarkraft.tests.admin_forms import page_data

pytestmark = pytest.mark.django_db


def test_a_report_date_before_the_start_is_refused_by_the_model():
    today = timezone.localdate()
    audit = AuditFactory.build(period_start=today, period_end=today - timedelta(days=1))

    with pytest.raises(ValidationError) as refused:
        audit.clean()

    assert [error.code for error in refused.value.error_dict["period_end"]] == ["ends_before_start"]


def test_a_report_date_before_the_start_is_refused_in_admin(client, admin_user):
    today = timezone.localdate()
    audit = AuditFactory(period_start=today + timedelta(days=30), period_end=None)
    client.force_login(admin_user)
    change = reverse("admin:audits_audit_change", args=[audit.pk])
    data = page_data(client.get(change), period_end=today + timedelta(days=10))

    response = client.post(change, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()["period_end"]
    assert [error.code for error in errors] == ["ends_before_start"]
    audit.refresh_from_db()
    assert audit.period_end is None
