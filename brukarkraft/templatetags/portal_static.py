"""`{% static_url "css/portal.css" %}`: `{% static %}` with the answer kept per process.

With the manifest storage of production, `{% static %}` looks the hashed name up and
builds the URL again on every use: a few of these on every page of the layout showed in
the answering pages' profile. A file's URL cannot change while a process runs (the
manifest is read once at start), so each is worked out once. Settings changed in tests
(another storage, another STATIC_URL) empty the memory.
"""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.templatetags.static import static

register = template.Library()

_urls: dict[str, str] = {}


@register.simple_tag
def static_url(path: str) -> str:
    url = _urls.get(path)
    if url is None:
        url = _urls[path] = static(path)
    return url


def _forget(*, setting: str, **kwargs) -> None:
    if setting in ("STATIC_URL", "STORAGES", "STATIC_ROOT"):
        _urls.clear()


setting_changed.connect(_forget)
