"""The core's own contributions, registered like an app's (so brukarkraft.privacy need not
import the accounts section, which builds on it)."""

from __future__ import annotations

from . import privacy_accounts
from .registry import register_privacy_section

# Last of all: erasing an account renames it, and the apps' sections still read the real
# name to find it in their texts.
ACCOUNTS_LAST = 10_000

register_privacy_section(privacy_accounts, order=ACCOUNTS_LAST)
