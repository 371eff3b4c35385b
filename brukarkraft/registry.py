"""The one place where feature apps plug into the core, so that the core imports none of them.

Each app has a module `portal_hooks.py` that calls the `register_*` functions below;
`autodiscover()` imports every installed app's `portal_hooks` from `BrukarkraftConfig.ready()`
(as django.contrib.admin finds `admin.py` and Wagtail `wagtail_hooks.py`). The core reads
the contributions through the readers at the bottom. Entries are kept in `order` (lower
first), then in the order they were registered, which is the order of INSTALLED_APPS.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils.module_loading import autodiscover_modules

MODULE = "portal_hooks"

# The hooks there are; registering under another name is a mistake and raises.
DEMO = "demo"
RETENTION_RULES = "retention_rules"
PRIVACY_SECTIONS = "privacy_sections"
TRAIL_SOURCES = "trail_sources"
START_PAGE = "start_page"
RECORDS = "records"
NOTICE_KINDS = "notice_kinds"
BEAT_JOBS = "beat_jobs"
ROLE_PERMISSIONS = "role_permissions"
NAMES = frozenset(
    {
        DEMO,
        RETENTION_RULES,
        PRIVACY_SECTIONS,
        TRAIL_SOURCES,
        START_PAGE,
        RECORDS,
        NOTICE_KINDS,
        BEAT_JOBS,
        ROLE_PERMISSIONS,
    }
)


class Hooks:
    """Named lists of contributions; `register(name, item, order=…)`, `get(name)`."""

    def __init__(self) -> None:
        self._entries: dict[str, list[tuple[int, int, Any]]] = {name: [] for name in NAMES}
        self._count = 0

    def register(self, name: str, item: Any, *, order: int = 100) -> Any:
        if name not in NAMES:
            raise ValueError(f"No portal hook is called {name!r}.")
        self._count += 1
        self._entries[name].append((order, self._count, item))
        return item

    def get(self, name: str) -> list[Any]:
        return [item for _order, _n, item in sorted(self._entries[name], key=lambda e: e[:2])]


hooks = Hooks()
_discovered = False


def autodiscover() -> None:
    """Import each installed app's `portal_hooks` once (a module imported again registers
    nothing twice: Python keeps it in sys.modules)."""
    global _discovered
    if not _discovered:
        autodiscover_modules(MODULE)
        _discovered = True


# --- What the apps register --------------------------------------------------------------


@dataclass
class DemoData:
    """What seed_demo hands each app's seeder: the core's demo people and organisations
    (by e-mail and by name) and what the seeders before it returned, by app label."""

    people: dict[str, Any]
    organisations: dict[str, Any]
    results: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoSeeder:
    app: str
    # Seeds the app's demo rows; returns (result for later seeders, summary like "2 surveys").
    seed: Callable[[DemoData], tuple[Any, str]]


@dataclass(frozen=True)
class TrailSource:
    """Models whose change history (simple-history) the staff trail shows.

    `models`: {key in the filter's address: "app_label.Model"}.
    `visible(key, history)`: the history rows staff may see (default: all).
    `links(records)`: given {key: [history records on the page]}, a function
    (key, record) -> URL of the object's page, or None when it is gone or hidden.
    """

    models: Mapping[str, str]
    links: Callable[[dict[str, list]], Callable[[str, Any], str | None]]
    visible: Callable[[str, Any], Any] | None = None


def register_demo(app: str, seed: Callable[[DemoData], tuple[Any, str]], *, order: int) -> None:
    """seed_demo runs each app's seeder in `order` after the core's accounts exist."""
    hooks.register(DEMO, DemoSeeder(app, seed), order=order)


def register_retention_rules(rules: Iterable[Any], *, order: int = 100) -> None:
    """brukarkraft.retention.Rule objects run nightly by apply-retention, before the core's."""
    for rule in rules:
        hooks.register(RETENTION_RULES, rule, order=order)


def register_privacy_section(section: Any, *, order: int) -> None:
    """A module (or object) with KEY, TITLE, ITEMS, find(), export(), erase(): see
    brukarkraft.privacy. The core's accounts section always comes after every app's."""
    hooks.register(PRIVACY_SECTIONS, section, order=order)


def register_trail(source: TrailSource, *, order: int = 100) -> None:
    hooks.register(TRAIL_SOURCES, source, order=order)


def register_start_page(role: str, context: Callable[[Any], dict], *, order: int = 100) -> None:
    """`context(user)` adds to the template context of `role`'s start page."""
    hooks.register(START_PAGE, (role, context), order=order)


def register_records(kept: Callable[[], list], *, order: int = 100) -> None:
    """`kept()` lists brukarkraft.records.Kept rows for the page "What we keep and for how
    long", shown between the core's own rows about accounts and about history."""
    hooks.register(RECORDS, kept, order=order)


def register_notice_kinds(app: str, kinds: Iterable[tuple[str, Any]]) -> None:
    """The kinds of notices (e-mail plus a start-page line) an app sends: (code, label)."""
    for code, label in kinds:
        hooks.register(NOTICE_KINDS, (app, code, label))


def register_beat(name: str, task: str, schedule: Any) -> None:
    """A periodic task; brukarkraft.celery merges these into the beat schedule."""
    hooks.register(BEAT_JOBS, (name, {"task": task, "schedule": schedule}))


def register_role_permissions(role: str, permissions: Iterable[str]) -> None:
    """Model permissions ("app_label.codename") the role's group holds (sync_role_groups)."""
    hooks.register(ROLE_PERMISSIONS, (role, tuple(permissions)))


# --- What the core reads -----------------------------------------------------------------


def demo_seeders() -> list[DemoSeeder]:
    return hooks.get(DEMO)


def retention_rules() -> list[Any]:
    return hooks.get(RETENTION_RULES)


def privacy_sections() -> list[Any]:
    return hooks.get(PRIVACY_SECTIONS)


def trail_sources() -> list[TrailSource]:
    return hooks.get(TRAIL_SOURCES)


def start_page_context(role: str, user: Any) -> dict:
    context: dict = {}
    for hook_role, make in hooks.get(START_PAGE):
        if hook_role == role:
            context.update(make(user))
    return context


def kept_items() -> list[Any]:
    return [item for kept in hooks.get(RECORDS) for item in kept()]


def notice_kinds() -> dict[str, dict[str, Any]]:
    """{app label: {code: label}}."""
    kinds: dict[str, dict[str, Any]] = {}
    for app, code, label in hooks.get(NOTICE_KINDS):
        kinds.setdefault(app, {})[code] = label
    return kinds


def beat_schedule() -> dict[str, dict]:
    return dict(hooks.get(BEAT_JOBS))


def role_permissions(role: str) -> list[str]:
    return [
        p for hook_role, perms in hooks.get(ROLE_PERMISSIONS) if hook_role == role for p in perms
    ]


def app_labels_with_hooks() -> list[str]:
    """The installed apps that have a portal_hooks module (for checks and tests)."""
    from django.utils.module_loading import module_has_submodule

    return [c.label for c in apps.get_app_configs() if module_has_submodule(c.module, MODULE)]
