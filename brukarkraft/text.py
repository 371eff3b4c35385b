"""Plain text from people: bidirectional control characters taken out.

A right-to-left override (U+202E) or isolate kept in a name turns it, and what follows it on
a staff member's screen, around: "Anna", U+202E, "redro" shows as "Annaordre". No name, title or
other one-line text of the portal needs them, so every one-line text field of every model
loses them before it is saved (strip_bidi_controls_before_save, connected for all models in
BrukarkraftConfig.ready), whatever wrote it: a portal form, the admin, an import or a service.
"""

from __future__ import annotations

from functools import cache

from django.db import models

# Embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069), the left-to-right and
# right-to-left marks (U+200E, U+200F) and the Arabic letter mark (U+061C).
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_WITHOUT_BIDI = str.maketrans("", "", BIDI_CONTROLS)


def strip_bidi_controls(value):
    """`value` without bidirectional control characters; anything not a string unchanged."""
    return value.translate(_WITHOUT_BIDI) if isinstance(value, str) else value


@cache
def _one_line_fields(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(
        field.attname
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField) and not field.choices
    )


def strip_bidi_controls_before_save(sender, instance, **kwargs) -> None:
    """pre_save receiver: the one-line text fields of `instance` without bidi controls."""
    for name in _one_line_fields(sender):
        value = getattr(instance, name)
        if isinstance(value, str) and not value.isascii():
            setattr(instance, name, strip_bidi_controls(value))


# The limits of free text, shown to the person writing (a hint and a counter; see
# brukarkraft/forms_rendering.py) and enforced by every form.
NOTE_LENGTH = 2_000  # a comment, a reason, a note, an address
TEXT_LENGTH = 10_000  # a description, a summary, an answer to a question
DOCUMENT_LENGTH = 100_000  # minutes, terms of reference, a library text
