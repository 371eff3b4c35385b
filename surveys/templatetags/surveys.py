from django import template
from django.utils.translation import get_language

from ..forms import option_rows

register = template.Library()

_kept_fields: dict[tuple[str, str, str], str] = {}


@register.filter
def crispy_field_kept(field) -> str:
    """`field|as_crispy_field`, kept per process while nothing in it is the visitor's own.

    The start page's fields of an unsent form (no value, no error) look the same to every
    respondent in a language; crispy-forms took most of that page's time to draw them.
    """
    from crispy_forms.templatetags.crispy_forms_filters import (  # type: ignore[import-untyped]
        as_crispy_field,
    )

    form = field.form
    if form.is_bound or field.name in form.initial:
        return as_crispy_field(field)
    key = (type(form).__name__, field.name, get_language())
    markup = _kept_fields.get(key)
    if markup is None:
        markup = _kept_fields[key] = as_crispy_field(field)
    return markup


@register.simple_tag(takes_context=True)
def question_markup(context, heading: str = "h1") -> str:
    """`{% include "surveys/_question.html" with heading=… %}`, kept for the common case.

    A question shown for the first time (no answer given yet, no error, not explained,
    not a preview) looks the same to every respondent in a language and reading mode,
    and a published question cannot change: its markup is drawn once and kept on the
    question object itself. The objects live in the process's question cache
    (question_cache.py), so the markup goes with them when the survey changes or they
    expire. Any other case is drawn as the include would.
    """
    form, question = context["form"], context["question"]
    template_ = context.template.engine.get_template("surveys/_question.html")
    plain = not (
        form.is_bound
        or form.initial
        or context.get("explain")
        or context.get("preview")
        or context.get("number")
    )
    if not plain:
        with context.push(heading=heading):
            return template_.render(context)
    kept = question.__dict__.setdefault("_markup", {})
    key = (get_language(), bool(context.get("easy")), heading)
    markup = kept.get(key)
    if markup is None:
        with context.push(heading=heading):
            markup = kept[key] = template_.render(context)
    return markup


@register.filter
def choice_rows(form):
    return option_rows(form)


@register.filter
def chars_left(field) -> int:
    """How many more characters a free-text answer may have (the page shows it from the start)."""
    value = field.value() or ""
    return max(0, field.field.max_length - len(str(value)))


@register.filter
def bar_width(percent, scale: int = 100) -> float:
    """Length of a result bar in the chart's units (percent of the drawing width)."""
    try:
        return round(float(percent) * scale / 100, 1)
    except (TypeError, ValueError):
        return 0


ROW_HEIGHT = 28


@register.filter
def row_y(index, offset: int = 0) -> int:
    """The y coordinate of a chart row (its bar at offset 0, its text baseline at 14)."""
    return int(index) * ROW_HEIGHT + int(offset)


@register.filter
def multiply_rows(count) -> int:
    return int(count) * ROW_HEIGHT


@register.filter
def add_float(value, other) -> float:
    return round(float(value) + float(other), 1)
