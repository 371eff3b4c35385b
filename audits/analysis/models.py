"""The analysis's models, named for the analysis package.

They are defined in `audits/models/analysis.py`, with the app's other models, so that the
models package imports nothing above it (no import cycle); this module only names them."""

from audits.models.analysis import (  # noqa: F401
    FIELD_NOTE_LENGTH,
    Code,
    FieldNote,
    FindingEvidence,
    Passage,
)
