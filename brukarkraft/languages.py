"""Which language a visitor gets at the front door, and which one to offer them.

Swedish is the default and its pages have no prefix, so Django's LocaleMiddleware serves
`/` in Swedish whatever the browser asks for or the language cookie says. Two rules on
top of that:

- A saved choice (the signed-in person's language, else the language cookie that the
  language switch sets) takes the visitor who opens `/` to the start page in that
  language (`saved_language`, used by the home view).
- A browser that asks only for Norwegian or English (Accept-Language, with nb, no and nn
  all meaning bokmål) is offered the same page in that language, in that language, on
  every Swedish page: a link, never an automatic redirect, so addresses stay stable
  (`language_offer`, used by the layout).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation.trans_real import parse_accept_lang_header

# Accept-Language tags to the portal's languages: every Norwegian is offered bokmål.
_BROWSER_LANGUAGES = {"sv": "sv", "nb": "nb", "no": "nb", "nn": "nb", "en": "en"}


def portal_language(code: str | None) -> str | None:
    """`code` when it is one of the portal's languages, else None."""
    return code if code in dict(settings.LANGUAGES) else None


def saved_language(request: HttpRequest) -> str | None:
    """The language the visitor chose before: their account's, else the cookie's."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        chosen = portal_language(getattr(user, "preferred_language", ""))
        if chosen:
            return chosen
    return portal_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))


def browser_language(request: HttpRequest) -> str | None:
    """The portal language the browser asks for first; None when it asks for none of them
    or for Swedish anywhere (someone who reads Swedish is not offered another language)."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    asked = [
        _BROWSER_LANGUAGES.get(tag.split("-")[0].lower())
        for tag, _quality in parse_accept_lang_header(header)
    ]
    asked = [language for language in asked if language]
    if not asked or settings.LANGUAGE_CODE in asked:
        return None
    return asked[0]


def language_offer(request: HttpRequest) -> dict | None:
    """The same page in the browser's language, offered in it; None when there is nothing
    to offer (a page not in Swedish, a saved choice, a browser that asks for Swedish)."""
    if translation.get_language() != settings.LANGUAGE_CODE or saved_language(request):
        return None
    asked = browser_language(request)
    if asked is None or asked == settings.LANGUAGE_CODE:
        return None
    url = translate_url(request.get_full_path(), asked)
    if url == request.get_full_path():
        return None  # no such page in that language
    with translation.override(asked):
        return {
            "language": asked,
            "url": url,
            # Translators: name this catalogue's own language ("på norsk" in bokmål).
            "text": gettext("This page is also available in English."),
            # Translators: name this catalogue's own language ("Les den på norsk").
            "link": gettext("Read it in English"),
        }
