"""An admin change page posted back as a browser would, with some values changed: for
tests of what the admin refuses or saves."""

from django import forms


def field_values(form, name: str, value) -> dict:
    """The POST values a field renders with `value` (split date/time, checkboxes …)."""
    key = form.add_prefix(name)
    field = form.fields[name]
    if field.disabled:
        return {}
    if isinstance(field.widget, forms.MultiWidget):
        parts = field.widget.decompress(value)
        return {f"{key}_{i}": "" if part is None else str(part) for i, part in enumerate(parts)}
    if isinstance(field, forms.BooleanField):
        return {key: "on"} if value else {}
    if value is None:
        return {key: ""}
    if isinstance(value, list | tuple):
        return {key: [str(v) for v in value]}
    if hasattr(value, "pk"):
        return {key: str(value.pk)}
    if hasattr(value, "isoformat"):
        return {key: value.isoformat()}
    return {key: str(value)}


def form_data(form, **changes) -> dict:
    data = {}
    for name in form.fields:
        value = changes[name] if name in changes else form[name].value()
        data.update(field_values(form, name, value))
    return data


def page_data(response, inlines: dict | None = None, **changes) -> dict:
    """The change form as a browser would post it; `inlines` maps a formset prefix to
    {"new": [rows], "change": {index: {field: value}}}."""
    data = form_data(response.context["adminform"].form, **changes)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        wanted = (inlines or {}).get(formset.prefix, {})
        new_rows = wanted.get("new", [])
        initial = len(formset.initial_forms)
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(initial + len(new_rows))
        data[f"{formset.prefix}-INITIAL_FORMS"] = str(initial)
        for index, form in enumerate(formset.initial_forms):
            data.update(form_data(form, **wanted.get("change", {}).get(index, {})))
        for index, row in enumerate(new_rows):
            number = str(initial + index)
            for name, value in row.items():
                values = field_values(formset.empty_form, name, value)
                data.update({k.replace("__prefix__", number): v for k, v in values.items()})
    return data
