from django.conf import settings

from .languages import language_offer
from .roles import Role


def portal(request) -> dict:
    """What every page's layout needs: the languages to offer and the user's roles."""
    user = getattr(request, "user", None)
    roles = user.roles if user is not None and user.is_authenticated else set()
    return {
        "portal_languages": settings.LANGUAGES,
        "user_roles": roles,
        "Role": Role,
        "portal_contact_email": settings.PORTAL_CONTACT_EMAIL,
        # Evaluated only where the layout shows it: most responses never need it.
        "language_offer": lambda: language_offer(request),
    }
