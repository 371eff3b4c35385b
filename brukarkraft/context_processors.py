from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .languages import language_offer
from .roles import Role


def _roles(request) -> set:
    user = getattr(request, "user", None)
    return user.roles if user is not None and user.is_authenticated else set()


def portal(request) -> dict:
    """What every page's layout needs: the languages to offer and the user's roles.

    Lazy where it costs: a page that never shows the menu (a survey being answered)
    never looks the user or their roles up.
    """
    return {
        "portal_languages": settings.LANGUAGES,
        "user_roles": SimpleLazyObject(lambda: _roles(request)),
        "Role": Role,
        "portal_contact_email": settings.PORTAL_CONTACT_EMAIL,
        # Evaluated only where the layout shows it: most responses never need it.
        "language_offer": lambda: language_offer(request),
    }
