"""The codes people type: one-time codes on slips, resume codes, and start keys.

Owns how a code is drawn (an alphabet without look-alikes), normalised from what was
typed, and hashed for storage.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

# Letters and digits that cannot be mistaken for each other when read aloud or copied.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_code(length: int = 8) -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    # People type O for 0 and I for 1; the alphabet has neither, so map them to what was meant.
    raw = raw.replace("0", "O").replace("1", "I")
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def new_start_key() -> str:
    return uuid.uuid4().hex
