"""A person's data in the councils: export and erasure (see councils.privacy)."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from brukarkraft.models import User
from brukarkraft.privacy import Person

from .. import privacy

# --- Personal data ----------------------------------------------------------------


def member_export(*, user: User) -> str:
    """Everything the councils app holds about a person, as JSON."""
    data = {"person": {"name": user.full_name, "email": user.email}}
    data.update(privacy.export(Person.for_user(user)))
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


@transaction.atomic
def member_erase(*, user: User) -> int:
    """Erase a person from the councils: their rows keep the minutes whole, with the name
    replaced ("Former member 12") in the rows, the minutes' text and the change history.
    Returns the number of terms erased. brukarkraft.privacy erases the rest of the portal."""
    return privacy.erase_user(user).terms
