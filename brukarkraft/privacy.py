"""A person's data across the portal: find them, export it as JSON, erase it.

Each app describes what it holds about people in its own `privacy.py`, registered from its
portal_hooks (brukarkraft.registry.register_privacy_section):

    KEY, TITLE          the section's name in the export and its heading on the staff pages
    ITEMS               {export key: Item(label, what erasure does with it)}
    find(query)         -> list[Match]   e-mail exact (any case) or name contains
    export(person)      -> dict          everything the app holds, keyed as in ITEMS
    erase(person, replacement) -> int    rows changed or deleted; 0 when nothing is left

A person is a normalised e-mail address plus the account that has it, if any; someone known
only by a name in a free-text field (a rapporteur, a person responsible for a proposal) is
that name. Pages address a person by a signed pointer to the row that holds the address or
name (see `token_for`), so addresses never appear in URLs or access logs.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from types import ModuleType

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import PersonErasure, User
from .roles import Role

logger = logging.getLogger(__name__)


# A search shows at most this many rows of each kind of record.
MATCH_LIMIT = 50

PORTAL_NAME = "Brukarkraft"
TOKEN_SALT = "brukarkraft.privacy.person"  # noqa: S105 — a signing salt, not a secret
USER_REF_LABEL = "brukarkraft.user"

# What a name becomes where the record stays. Stored in the portal's language (councils
# use their own), so the same record reads the same for everyone.
REPLACEMENT_LABELS = {
    "user": _("Former user %(number)s"),
    "auditor": _("Former auditor %(number)s"),
    "member": _("Former member %(number)s"),
    "contact": _("Former contact person %(number)s"),
    "person": _("Name removed (%(number)s)"),
}

Ref = tuple[str, int, str]


def sections() -> list[ModuleType]:
    """Every app's part, in the order of the export. The accounts come last because erasing
    them renames the account, and the other apps still read the real name to find it in texts."""
    from .registry import privacy_sections

    # The core registers its accounts section in brukarkraft/portal_hooks.py, after the apps'.
    return privacy_sections()


def normalise_email(value: str) -> str:
    return value.strip().lower()


def is_email(query: str) -> bool:
    try:
        validate_email(query.strip())
    except Exception:  # noqa: BLE001 — ValidationError: then it is a name
        return False
    return True


def matching(query: str, *, email: str, name: str) -> Q:
    """The rows a search finds: `email` is the address (any case), or `name` contains the text."""
    if is_email(query):
        return Q(**{f"{email}__iexact": query})
    return Q(**{f"{name}__icontains": query})


@dataclass(frozen=True)
class Item:
    """One kind of record a section holds, and what erasure does with it."""

    label: str | Promise
    on_erasure: str | Promise


@dataclass(frozen=True)
class Match:
    """One record that names someone: what the person is there, and the row to point at."""

    kind: str | Promise
    name: str
    email: str
    ref: Ref
    detail: str = ""


def account_kind(user: User) -> str:
    """Which replacement an account's name gets: auditors are named as such in reports."""
    return "auditor" if user.has_role(Role.AUDITOR) else "user"


def user_ref(user: User) -> Ref:
    return (USER_REF_LABEL, user.pk, "email")


def account_matches(kind: str | Promise, query: str, *having: Q) -> list[Match]:
    """The accounts a search finds, as matches of `kind`; with `having`, only the accounts
    that hold at least one of those records."""
    users = User.objects.filter(matching(query, email="email", name="full_name"))
    if having:
        users = users.filter(reduce(or_, having)).distinct()
    return [
        Match(kind, user.full_name, user.email, user_ref(user))
        for user in users.order_by("full_name", "pk")[:MATCH_LIMIT]
    ]


@dataclass(frozen=True)
class Person:
    email: str  # normalised; empty when only a name is known
    name: str
    user: User | None = None
    ref: Ref | None = None

    @classmethod
    def for_user(cls, user: User) -> Person:
        return cls(
            email=normalise_email(user.email), name=user.full_name, user=user, ref=user_ref(user)
        )

    @property
    def token(self) -> str:
        return token_for(self.ref)

    def rows(self, *, email: str, name: str) -> Q:
        """The rows that give this person: their address in `email` (any case) or, for
        someone known only by name, that name in `name` with no address beside it."""
        if self.email:
            return Q(**{f"{email}__iexact": self.email})
        return Q(**{f"{name}__iexact": self.name, email: ""})

    def user_names(self) -> list[str]:
        """The account's name, which the services copied into texts (history comments)."""
        return [self.user.full_name] if self.user and self.user.full_name.strip() else []


@dataclass(frozen=True)
class Replacement:
    """What replaces a person's name where a record must stay: "Former member 12"."""

    number: int
    by: User | None = None

    def label(self, kind: str, *, number: int | None = None, language: str | None = None) -> str:
        with translation.override(language or settings.LANGUAGE_CODE):
            return str(REPLACEMENT_LABELS[kind] % {"number": number or self.number})


def is_replacement(name: str) -> bool:
    """Whether `name` is one that erasure wrote ("Former member 12"), in any language."""
    name = name.strip()
    for language, _label in settings.LANGUAGES:
        with translation.override(language):
            for label in REPLACEMENT_LABELS.values():
                pattern = re.escape(str(label)).replace(re.escape("%(number)s"), r"\d+")
                if re.fullmatch(pattern, name):
                    return True
    return False


# --- Finding a person ------------------------------------------------------------------


@dataclass
class Found:
    """One person in the search results, with every kind of record that names them."""

    name: str
    email: str
    ref: Ref
    has_account: bool = False
    kinds: list[str] = field(default_factory=list)

    @property
    def token(self) -> str:
        return token_for(self.ref)


def find_people(query: str) -> list[Found]:
    """Everyone an e-mail address (exact, any case) or a name (contains) finds."""
    query = query.strip()
    if not query:
        return []
    if is_email(query):
        query = normalise_email(query)
    people: dict[str, Found] = {}
    for section in sections():
        for match in section.find(query):
            email = normalise_email(match.email)
            key = email or f"name:{match.name.strip().casefold()}"
            found = people.get(key)
            if found is None:
                found = people[key] = Found(name=match.name, email=email, ref=match.ref)
            if match.ref[0] == USER_REF_LABEL and not found.has_account:
                # The account is the steadiest thing to point at, and its name comes first.
                found.ref, found.name, found.has_account = match.ref, match.name, True
            kind = f"{match.kind} ({match.detail})" if match.detail else str(match.kind)
            if kind not in found.kinds:
                found.kinds.append(kind)
    return sorted(people.values(), key=lambda f: (f.name.casefold(), f.email))


def person_for_email(email: str) -> Person:
    email = normalise_email(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return Person.for_user(user)
    matches = [match for section in sections() for match in section.find(email)]
    name = next((m.name for m in matches if m.name), "")
    ref = matches[0].ref if matches else None
    return Person(email=email, name=name, ref=ref)


def token_for(ref: Ref | None) -> str:
    if ref is None:
        raise ValueError("This person has no record to point at.")
    return signing.dumps(list(ref), salt=TOKEN_SALT)


def person_from_token(token: str) -> Person | None:
    """The person a page's token points at, or None if it is forged or the row is gone."""
    try:
        label, pk, field_name = signing.loads(token, salt=TOKEN_SALT)
        model = apps.get_model(label)
        model_field = model._meta.get_field(field_name)
    except (signing.BadSignature, TypeError, ValueError, LookupError, FieldDoesNotExist):
        return None
    value = model._default_manager.filter(pk=pk).values_list(field_name, flat=True).first()
    if not value or not str(value).strip():
        return None
    if isinstance(model_field, models.EmailField):
        return person_for_email(value)
    if is_replacement(str(value)):
        return None  # the name was erased; what replaced it is nobody's
    return Person(email="", name=str(value).strip(), ref=(label, pk, field_name))


# --- Export ------------------------------------------------------------------------------


def export_person(person: Person, *, for_self: bool = False) -> dict:
    """Everything the portal holds about `person`, ready for json.dumps."""
    modules = sections()
    data = {
        "header": {
            "portal": PORTAL_NAME,
            "generated_at": timezone.now(),
            # The role, not the staff member's name: the file holds one person's data only.
            "generated_by": gettext("You, from your account page")
            if for_self
            else gettext("The resource centre's staff, on request"),
            "person": {
                "email": person.email,
                "name": person.name,
                "has_account": person.user is not None,
            },
            "sections": [{"key": m.KEY, "title": str(m.TITLE)} for m in modules],
        }
    }
    for module in modules:
        data[module.KEY] = module.export(person)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def export_json(person: Person, *, for_self: bool = False) -> str:
    return json.dumps(export_person(person, for_self=for_self), ensure_ascii=False, indent=2)


def _count(value) -> int:
    """How many records one export entry holds: a list's length, else one if it is filled."""
    return len(value) if isinstance(value, list | tuple) else int(bool(value))


def _held(module: ModuleType, person: Person) -> dict[str, int]:
    data = module.export(person)
    return {key: _count(data.get(key)) for key in module.ITEMS}


@dataclass(frozen=True)
class HeldItem:
    key: str
    label: str
    count: int
    on_erasure: str


@dataclass(frozen=True)
class Holding:
    """What one section holds about a person, for the staff pages."""

    key: str
    title: str
    items: list[HeldItem]

    @property
    def total(self) -> int:
        return sum(item.count for item in self.items)


def _holding(module: ModuleType, counts: dict[str, int], *, held_only: bool) -> Holding:
    items = [
        HeldItem(key, str(item.label), counts.get(key, 0), str(item.on_erasure))
        for key, item in module.ITEMS.items()
        if counts.get(key) or not held_only
    ]
    return Holding(module.KEY, str(module.TITLE), items)


def holdings(person: Person) -> list[Holding]:
    """Per section, how many records of each kind the portal holds about `person`."""
    return [_holding(m, _held(m, person), held_only=False) for m in sections()]


def describe_counts(held: dict) -> list[Holding]:
    """The counts stored on an erasure record, labelled as on the detail page."""
    return [_holding(m, held.get(m.KEY, {}), held_only=True) for m in sections()]


# --- Erasure -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureSummary:
    record: PersonErasure | None
    changed: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.changed.values())

    @property
    def nothing_left(self) -> bool:
        return self.total == 0


@transaction.atomic
def erase_person(person: Person, *, by: User, reason: str = "") -> ErasureSummary:
    """Erase `person` in every app at once: all of it or, if any part fails, none of it.

    Erasing again changes nothing and says so (the summary's `nothing_left`).
    """
    if person.user is not None:
        # Two erasures of one account (a double submit) wait here for each other.
        User.objects.select_for_update().filter(pk=person.user.pk).first()
    modules = sections()
    held = {module.KEY: _held(module, person) for module in modules}
    record = PersonErasure.objects.create(performed_by=by, user=person.user, reason=reason.strip())
    replacement = Replacement(number=record.pk, by=by)
    changed = {module.KEY: module.erase(person, replacement) for module in modules}
    if not any(changed.values()):
        # Nothing was left: no second record, and the earlier one (if any) answers for it.
        record.delete()
        earlier = (
            PersonErasure.objects.filter(user=person.user).first()
            if person.user is not None
            else None
        )
        return ErasureSummary(record=earlier, changed=changed)
    record.held = {key: {k: n for k, n in counts.items() if n} for key, counts in held.items()}
    record.changed = changed
    record.save(update_fields=["held", "changed"])
    logger.info(
        "Personal data erased: erasure %s by user %s, %s rows",
        record.pk,
        by.pk if by else None,
        sum(changed.values()),
    )
    return ErasureSummary(record=record, changed=changed)


def replace_names(text: str, names: list[str], replacement: str) -> str:
    """`text` with every one of `names` (longest first, so no half-name is left) replaced."""
    for name in sorted({n for n in names if n.strip()}, key=len, reverse=True):
        text = text.replace(name, replacement)
    return text
