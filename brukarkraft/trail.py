"""The change history (django-simple-history) of the models the apps register (audits,
findings, proposals, councils, council members and resources): read by staff on the portal
and in admin. Each app registers its models, which history rows staff see and the links to
their pages from its portal_hooks (brukarkraft.registry.register_trail).

The portal's list merges the history tables in one UNION query and then fetches, per
table, the rows on the page and the records before them, so a page costs the same number
of queries however many changes there are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import formats, timezone
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .registry import TrailSource, trail_sources
from .validators import DateRangeMixin

TEXT_LENGTH = 60
NAME_LENGTH = 80


def tracked() -> dict[str, str]:
    """Key on the page → model, in the apps' order. The key is what the filter's address
    carries."""
    return {key: label for source in trail_sources() for key, label in source.models.items()}


def _source_of(key: str) -> TrailSource:
    return next(source for source in trail_sources() if key in source.models)


def tracked_model(key: str) -> type[models.Model]:
    return apps.get_model(tracked()[key])


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """simple-history's pages in admin, to read: a revert would skip the services' rules
    (an audit's status, say, changes only through the audits' services)."""

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


# --- The filter --------------------------------------------------------------------------


class ChangeFilterForm(DateRangeMixin, forms.Form):
    # A filter's fields are all optional: marking each so is noise (bootstrap5/field.html).
    optional_marks = False

    model = forms.ChoiceField(label=_("What was changed"), required=False)
    person = forms.CharField(
        label=_("Changed by"),
        required=False,
        max_length=200,
        help_text=_("Part of the person's name or e-mail address."),
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", gettext("Everything"))] + [
            (key, capfirst(tracked_model(key)._meta.verbose_name_plural)) for key in tracked()
        ]


# --- The query ---------------------------------------------------------------------------


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def changes(
    *,
    model: str = "",
    person: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet:
    """Every recorded change matching the filter, newest first, as {history_id, history_date,
    key} rows: one UNION over the history tables, so counting and slicing are one query each."""
    conditions = Q()
    if person:
        people = get_user_model().objects.filter(
            Q(full_name__icontains=person) | Q(email__icontains=person)
        )
        conditions &= Q(history_user__in=people.values("pk"))
    if date_from:
        conditions &= Q(history_date__gte=_start_of(date_from))
    if date_to:
        conditions &= Q(history_date__lt=_start_of(date_to + dt.timedelta(days=1)))
    parts = []
    for key in [model] if model else tracked():
        rows = tracked_model(key).history.filter(conditions)
        visible = _source_of(key).visible
        if visible is not None:
            # What the app hides from staff (a draft order is the commissioner's own).
            rows = visible(key, rows)
        parts.append(
            rows.order_by()
            .annotate(key=Value(key, output_field=CharField()))
            .values("history_id", "history_date", "key")
        )
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return union.order_by("-history_date", "-history_id")


# --- One page ----------------------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    old: str = ""
    new: str = ""
    # Links to other rows change as ids, which say nothing on the page: only the field is named.
    values_shown: bool = True


@dataclass
class Change:
    when: dt.datetime
    who: str
    kind: str  # "+", "~" or "-", simple-history's history_type
    model_name: str
    object_name: str
    url: str | None
    fields: list[FieldChange] = field(default_factory=list)
    # False when the record before this one is missing (history began after the row existed).
    compared: bool = True

    @property
    def kind_label(self) -> str:
        return {
            "+": pgettext("change kind", "Created"),
            "~": pgettext("change kind", "Changed"),
            "-": pgettext("change kind", "Deleted"),
        }[self.kind]


def _shown(model_field: models.Field, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, list | tuple):
        value = ", ".join(str(item) for item in value)
    return Truncator(str(value)).chars(TEXT_LENGTH)


def _field_changes(model: type[models.Model], record, previous) -> list[FieldChange]:
    delta = record.diff_against(previous)
    result = []
    for change in delta.changes:
        model_field = model._meta.get_field(change.field)
        label = capfirst(str(model_field.verbose_name))
        if model_field.is_relation:
            result.append(FieldChange(label, values_shown=False))
        else:
            result.append(
                FieldChange(label, _shown(model_field, change.old), _shown(model_field, change.new))
            )
    return result


def _who(record) -> str:
    user = record.history_user
    if user is None:
        # Changes made by the worker or beat (no request), or by an account since deleted.
        return gettext("system")
    return user.full_name or user.email


def _links(records: dict[str, list]) -> dict[str, Any]:
    """Each app's link resolver for the records on the page: {key: url(key, record)}. An app
    checks which of its objects still exist in one query per kind of page."""
    resolvers: dict[str, Any] = {}
    for source in trail_sources():
        mine = {key: rows for key, rows in records.items() if key in source.models}
        if mine:
            url = source.links(mine)
            resolvers.update(dict.fromkeys(mine, url))
    return resolvers


def _url(key: str, record, found: dict[str, Any]) -> str | None:
    return found[key](key, record) if key in found else None


def page_of_changes(rows: list[dict]) -> list[Change]:
    """Turn one page of `changes()` rows into what the page shows: per history table, one
    query for the records (with who made them) and one for the records before them."""
    wanted: dict[str, list[int]] = {}
    for row in rows:
        wanted.setdefault(row["key"], []).append(row["history_id"])
    records: dict[str, list] = {}
    by_id: dict[tuple[str, int], Any] = {}
    previous: dict[tuple[str, int], Any] = {}
    for key, ids in wanted.items():
        history = tracked_model(key).history
        before = history.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id")).order_by(
            "-history_id"
        )
        found = list(
            history.filter(history_id__in=ids)
            .select_related("history_user")
            .annotate(previous_id=Subquery(before.values("history_id")[:1]))
        )
        records[key] = found
        by_id.update(((key, r.history_id), r) for r in found)
        earlier_ids = [r.previous_id for r in found if r.history_type == "~" and r.previous_id]
        if earlier_ids:
            previous.update(
                ((key, r.history_id), r) for r in history.filter(history_id__in=earlier_ids)
            )
    found_links = _links(records)
    result = []
    for row in rows:
        key = row["key"]
        record = by_id.get((key, row["history_id"]))
        if record is None:
            continue  # Deleted between the two queries (retention of a draft, say).
        model = tracked_model(key)
        change = Change(
            when=record.history_date,
            who=_who(record),
            kind=record.history_type,
            model_name=capfirst(str(model._meta.verbose_name)),
            object_name=Truncator(str(record.instance)).chars(NAME_LENGTH),
            url=_url(key, record, found_links),
        )
        if record.history_type == "~":
            earlier = previous.get((key, record.previous_id))
            if earlier is None:
                change.compared = False
            else:
                change.fields = _field_changes(model, record, earlier)
        result.append(change)
    return result
