from django import template

from ..forms import option_rows

register = template.Library()


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
