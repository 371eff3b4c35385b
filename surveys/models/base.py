"""What every survey model stands on: the three languages, texts stored once per
language (`Translated`), and the unguessable tokens of public links.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import get_language

LANGUAGES = ("sv", "nb", "en")


def current_language(language: str | None = None) -> str:
    code = (language or get_language() or "sv")[:2]
    return code if code in LANGUAGES else "sv"


def new_token() -> str:
    # 12 URL-safe characters: about 72 bits, unguessable for a public link.
    return secrets.token_urlsafe(9)


class Translated(models.Model):
    """Texts stored once per language (field_sv, field_nb, field_en)."""

    class Meta:
        abstract = True

    def tr(self, field: str, language: str | None = None) -> str:
        """The text in the given (or current) language, Swedish when that one is empty."""
        return getattr(self, f"{field}_{current_language(language)}") or getattr(
            self, f"{field}_sv"
        )
