"""Access to surveys that another app derives from its own records.

`surveys` must not import the apps that use it. An app that links surveys to its own work
(the audits app: an audit's team) registers a source in its AppConfig.ready, and access is
read from that source on every request, so it follows the source as it changes: a person
taken off the team, a survey swapped for another or the work closed loses access at once,
with nothing copied to revoke.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet

# source(user, build=...) -> a queryset of the survey ids `user` may read (build=False) or
# build and publish (build=True).
Source = Callable[..., QuerySet]
_sources: list[Source] = []


def register(source: Source) -> Source:
    if source not in _sources:
        _sources.append(source)
    return source


def derived(user, *, build: bool) -> Q:
    """A filter on surveys: those a registered source gives `user`."""
    rule = Q(pk__in=[])
    for source in _sources:
        rule |= Q(pk__in=source(user, build=build))
    return rule
