"""The guides' models, named for the fieldwork package.

They are defined in `audits/models/fieldwork.py`, with the app's other models, so that the
models package imports nothing above it (no import cycle); this module only names them."""

from audits.models.fieldwork import (  # noqa: F401
    BankQuestion,
    Guide,
    GuideComment,
    GuideKind,
    GuidePdf,
    GuideQuestion,
    GuideSection,
)
