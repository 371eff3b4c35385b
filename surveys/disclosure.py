"""When a group's survey figures may be shown: the one rule for every page, export and report.

A group is any combination of the results filters (unit × channel × support × period).
Hiding each group under MIN_GROUP is not enough: "all respondents" (6) against "answered
alone" (5) gives away the one who answered with a helper. So a group is shown only when

- it has at least MIN_GROUP respondents;
- every wider group a user can reach (any filters dropped, the period made longer — the
  complement, all respondents, is one of them) holds either the same people or at least
  MIN_GROUP more;
- it is not one of the groups hidden alongside a small one when a filter splits its parent
  group (otherwise the parent minus the shown siblings gives the small one away).

When a wider group differs by one to four people, the narrower one is hidden: the wider one
is still compared against its own wider groups when it is shown itself.

The rule works on counts per cell — respondents (or answers to one question) per unit,
channel, support and day — which one grouped query gives, whatever the number of answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from itertools import combinations
from typing import Protocol

MIN_GROUP = 5

# The filters that pick one value of a cell's part; the period is handled apart.
CATEGORIES = ("unit", "channel", "support")


@dataclass(frozen=True)
class Cell:
    unit: int | None
    channel: str
    support: str
    day: date | None


Cells = Mapping[Cell, int]


class View(Protocol):
    """What the results filters give: a value per category (empty: all), and a period."""

    channel: str
    support: str
    date_from: date | None
    date_to: date | None


@dataclass(frozen=True)
class _Selection:
    unit: int | None
    channel: str
    support: str
    date_from: date | None
    date_to: date | None

    def holds(self, cell: Cell) -> bool:
        for name in CATEGORIES:
            wanted = getattr(self, name)
            if wanted and getattr(cell, name) != wanted:
                return False
        if self.date_from and (cell.day is None or cell.day < self.date_from):
            return False
        return not (self.date_to and (cell.day is None or cell.day > self.date_to))


def _selection(view: View) -> _Selection:
    unit = getattr(view, "unit", None)
    return _Selection(
        unit=getattr(unit, "pk", unit) or None,
        channel=view.channel or "",
        support=view.support or "",
        date_from=view.date_from,
        date_to=view.date_to,
    )


def _without(selection: _Selection, names: Iterable[str]) -> _Selection:
    return replace(selection, **{name: None if name == "unit" else "" for name in names})


def _count(cells: Cells, selection: _Selection) -> int:
    return sum(n for cell, n in cells.items() if selection.holds(cell))


def _small(difference: int) -> bool:
    return 0 < difference < MIN_GROUP


def holds(view: View, cell: Cell) -> bool:
    return _selection(view).holds(cell)


def count(cells: Cells, view: View) -> int:
    return _count(cells, _selection(view))


def may_show(cells: Cells, view: View) -> bool:
    """True when the figures of `view` may be shown; `cells` covers every submitted answer."""
    selection = _selection(view)
    size = _count(cells, selection)
    if size < MIN_GROUP:
        return False
    return not (
        _close_to_a_wider_group(cells, selection, size) or _hidden_sibling(cells, selection)
    )


def _close_to_a_wider_group(cells: Cells, selection: _Selection, size: int) -> bool:
    chosen = [name for name in CATEGORIES if getattr(selection, name)]
    for dropped in range(len(chosen) + 1):
        for names in combinations(chosen, dropped):
            wider = _without(selection, names)
            difference = _count(cells, wider) - size
            if _small(difference):
                return True
            if difference == 0 and _small(_nearest_day_outside(cells, wider)):
                return True
    return False


def _nearest_day_outside(cells: Cells, selection: _Selection) -> int:
    """The smallest number of people a longer period adds: the first day with answers before
    the start, or after the end, whichever of the two adds fewer (0: nothing to add)."""
    categories = replace(selection, date_from=None, date_to=None)
    per_day: Counter[date] = Counter()
    for cell, n in cells.items():
        if cell.day is not None and categories.holds(cell):
            per_day[cell.day] += n
    added = []
    if selection.date_from:
        before = [day for day in per_day if day < selection.date_from]
        if before:
            added.append(per_day[max(before)])
    if selection.date_to:
        after = [day for day in per_day if day > selection.date_to]
        if after:
            added.append(per_day[min(after)])
    return min(added, default=0)


def _hidden_sibling(cells: Cells, selection: _Selection) -> bool:
    """True when a filter splits the parent group into parts and this part must be hidden
    with a small one, so that the parent minus the shown parts says nothing about anyone."""
    for name in CATEGORIES:
        value = getattr(selection, name)
        if not value:
            continue
        parent = _without(selection, [name])
        parts: Counter = Counter()
        for cell, n in cells.items():
            if parent.holds(cell):
                parts[getattr(cell, name)] += n
        if value in hidden_parts(parts):
            return True
    return False


def hidden_parts(parts: Mapping) -> set:
    """The parts of a split to hide: each part of one to four people, and then, while the
    hidden ones together are still one to four, the next smallest, so that subtracting the
    shown parts from the whole reveals nothing about a small group."""
    hidden = {key for key, n in parts.items() if _small(n)}
    rest = sorted(
        ((n, str(key), key) for key, n in parts.items() if n and key not in hidden),
        key=lambda item: item[:2],
    )
    while _small(sum(parts[key] for key in hidden)) and rest:
        hidden.add(rest.pop(0)[2])
    return hidden
