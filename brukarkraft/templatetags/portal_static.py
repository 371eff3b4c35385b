"""`{% static_url %}`, `{% url_cached %}` and `{% kept %}`: markup worked out once per process.

With the manifest storage of production, `{% static %}` looks the hashed name up and
builds the URL again on every use, and `{% url %}` reverses again (0.1 ms for some of the
layout's links): on every page of the layout they showed in the answering pages'
profile. A file's URL cannot change while a process runs (the manifest is read once at
start), nor can an address for the same name, arguments, language, script prefix and
URLconf, so each is worked out once. Settings changed in tests (another storage, another
STATIC_URL, other URLs) empty the memory.

`{% kept "name" value… %}…{% endkept %}` keeps a block's markup per name, values and
language: for the parts of a layout that hold nothing of the request (the head's links, the
site name, the list of languages, the footer of the answering pages). What a block may hold
is checked by hand, so a block with a CSRF token, the path or a message must not be kept.
Not Django's `{% cache %}`: that needs a cache alias in CACHES (tests replace CACHES) and
pickles every value, and a shared cache would make each page wait for Redis.
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


# Blocks kept: a few per language (names and values are the templates' own, never input).
MAX_BLOCKS = 512
_blocks: dict[tuple, str] = {}


class KeptNode(template.Node):
    def __init__(self, nodelist, name, values) -> None:
        self.nodelist = nodelist
        self.name = name
        self.values = values

    def render(self, context) -> str:
        key = (
            self.name,
            tuple(value.resolve(context) for value in self.values),
            get_language(),
            get_script_prefix(),
        )
        markup = _blocks.get(key)
        if markup is None:
            markup = self.nodelist.render(context)
            if len(_blocks) >= MAX_BLOCKS:
                _blocks.clear()
            _blocks[key] = markup
        return markup


@register.tag
def kept(parser, token):
    """`{% kept "name" value… %}…{% endkept %}`: the block drawn once per process for the
    name, the values and the language, then kept."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("'kept' needs a name")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, bits[1], [parser.compile_filter(bit) for bit in bits[2:]])


def _forget(*, setting: str, **kwargs) -> None:
    if setting in ("STATIC_URL", "STORAGES", "STATIC_ROOT"):
        _urls.clear()
        _blocks.clear()
    if setting in ("ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE", "FORCE_SCRIPT_NAME"):
        _addresses.clear()
        _blocks.clear()


setting_changed.connect(_forget)
