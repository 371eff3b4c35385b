"""The filter on the fees-for-payout page."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brukarkraft.models import User
from brukarkraft.roles import Role
from brukarkraft.validators import DateRangeMixin


def previous_month(today: date | None = None) -> tuple[date, date]:
    """The first and last day of the calendar month before `today`."""
    today = today or timezone.localdate()
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


class PayoutFilterForm(DateRangeMixin, forms.Form):
    # A filter's fields are all optional: marking each so is noise (bootstrap5/field.html).
    optional_marks = False

    date_from = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    auditor = forms.ModelChoiceField(
        label=_("Auditor"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("All auditors"),
    )

    def __init__(self, data=None, **kwargs):
        # The page opens on the previous calendar month: fill in whatever the query leaves out.
        start, end = previous_month()
        data = data.copy() if data is not None else {}
        data.setdefault("date_from", start.isoformat())
        data.setdefault("date_to", end.isoformat())
        super().__init__(data, **kwargs)
        # Anyone who has logged fees can be paid, even if no longer in the auditor pool.
        self.fields["auditor"].queryset = (
            User.objects.filter(Q(groups__name=Role.AUDITOR) | Q(audit_fees__isnull=False))
            .distinct()
            .order_by("full_name", "email")
        )
