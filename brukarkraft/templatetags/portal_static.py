"""`{% static_url %}` and `{% url_cached %}`: `{% static %}` and `{% url %}` kept per process.

With the manifest storage of production, `{% static %}` looks the hashed name up and
builds the URL again on every use, and `{% url %}` reverses again (0.1 ms for some of the
layout's links): on every page of the layout they showed in the answering pages'
profile. A file's URL cannot change while a process runs (the manifest is read once at
start), nor can an address for the same name, arguments, language, script prefix and
URLconf, so each is worked out once. Settings changed in tests (another storage, another
STATIC_URL, other URLs) empty the memory.
"""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()

_urls: dict[str, str] = {}


@register.simple_tag
def static_url(path: str) -> str:
    url = _urls.get(path)
    if url is None:
        url = _urls[path] = static(path)
    return url


# Addresses with arguments (a survey's link, a question) are many: keep a bounded number.
MAX_ADDRESSES = 4096
_addresses: dict[tuple, str] = {}


@register.simple_tag
def url_cached(name: str, *args) -> str:
    """`{% url name arg… %}` for positional arguments, reversed once per process."""
    key = (name, args, get_language(), get_script_prefix(), get_urlconf())
    url = _addresses.get(key)
    if url is None:
        url = reverse(name, args=args)
        if len(_addresses) >= MAX_ADDRESSES:
            _addresses.clear()
        _addresses[key] = url
    return url


def _forget(*, setting: str, **kwargs) -> None:
    if setting in ("STATIC_URL", "STORAGES", "STATIC_ROOT"):
        _urls.clear()
    if setting in ("ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE", "FORCE_SCRIPT_NAME"):
        _addresses.clear()


setting_changed.connect(_forget)
