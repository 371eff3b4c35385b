"""Pieces the apps' django-import-export resources share."""

from __future__ import annotations

from django.utils.translation import gettext
from import_export import widgets


class LookupWidget(widgets.ForeignKeyWidget):
    """A foreign key named by a readable value; an unknown value is a row's validation
    error (shown next to the row) rather than a crash of the import."""

    def __init__(self, model, field: str, lookup: str | None = None) -> None:
        super().__init__(model, field=field)
        self.lookup = lookup or field

    def get_lookup_kwargs(self, value, row, **kwargs):
        return {self.lookup: str(value).strip()}

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (self.model.DoesNotExist, self.model.MultipleObjectsReturned):
            raise ValueError(
                gettext("%(value)s does not name exactly one %(model)s.")
                % {"value": value, "model": self.model._meta.verbose_name}
            ) from None
