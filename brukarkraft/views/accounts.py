# The shared app's views are split by area (pages, accounts, dashboards, feedback,
# health) because together they would make one long file with unrelated concerns.
from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.i18n import set_language as django_set_language

from ..forms import LoginForm, PasswordResetForm, ProfileForm
from ..http import post_only
from ..languages import portal_language
from ..ratelimits import limit_posts
from ..roles import Role
from ..selectors import memberships_of
from ..services import user_set_preferred_language, user_update_profile
from ..twofactor import two_factor_status


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def _language_of_path(url: str) -> str:
    return translation.get_language_from_path(urlsplit(url).path) or settings.LANGUAGE_CODE


def _translate_url(url: str, language: str) -> str:
    """translate_url() that resolves `url` in its own language, not the request's.

    The URL resolver only matches the prefix of the active language, so "/en/x/"
    would not resolve while Swedish is active and would come back untranslated.
    """
    with translation.override(_language_of_path(url)):
        return translate_url(url, language)


@method_decorator(limit_posts("login"), name="dispatch")
class LoginView(auth_views.LoginView):
    """Log in, then continue in the language the person chose on their profile."""

    form_class = LoginForm

    def form_valid(self, form: LoginForm) -> HttpResponse:
        response = super().form_valid(form)
        language = portal_language(self.request.user.preferred_language)
        if language:
            translation.activate(language)
            _set_language_cookie(response, language)
        return response

    def get_success_url(self) -> str:
        # The safe `next` (or the start page), moved under the preferred language's prefix.
        url = super().get_success_url()
        language = portal_language(getattr(self.request.user, "preferred_language", ""))
        return _translate_url(url, language) if language else url


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's login page sends everyone to the portal's login, so that one rate limit,
    one lock-out rule and the two-step login hold for both; nothing is checked here."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        if not request.user.is_staff:
            # The admin would send them here again: say no instead of a loop.
            raise PermissionDenied
        return redirect(next_url)
    return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")


class LogoutView(auth_views.LogoutView):
    # Logging out takes a POST (a link or a prefetch must never log anyone out); the address
    # opened by GET shows the start page instead of an empty 405.
    http_method_names = ["get", "head", "post", "options"]

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return redirect("start" if request.user.is_authenticated else "home")

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, gettext("You are logged out."))
        return response


@method_decorator(limit_posts("password_reset"), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    @property
    def extra_email_context(self) -> dict:
        # The request's host name would otherwise stand in as the site's name.
        return {"site_name": "Brukarkraft", "valid_hours": _reset_link_hours()}

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(valid_hours=_reset_link_hours(), **kwargs)


def _reset_link_hours() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        # Whoever proved they own the address may log in again at once, even if
        # someone locked the address out with wrong passwords.
        axes_reset(username=form.user.email)
        return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            user_update_profile(
                user=user,
                full_name=form.cleaned_data["full_name"],
                preferred_language=form.cleaned_data["preferred_language"],
            )
        except ValidationError as error:
            form.add_error("preferred_language", error)
        else:
            language = user.preferred_language
            translation.activate(language)
            messages.success(request, gettext("Your profile has been saved."))
            response = redirect(reverse("profile"))
            _set_language_cookie(response, language)
            return response
    if request.method == "POST":
        # Validation copied the rejected input onto request.user (the form's instance);
        # the navigation must keep showing the saved name.
        user.refresh_from_db(fields=["full_name", "preferred_language"])
    context = {
        "form": form,
        "memberships": memberships_of(user),
        "role_labels": _role_labels(user),
        "two_factor": two_factor_status(user),
    }
    return render(request, "brukarkraft/profile.html", context)


def _role_labels(user) -> list[str]:
    return [role.label for role in Role.by_precedence() if role in user.roles]


@post_only("home")
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a logged-in person also keeps it for next time."""
    language = portal_language(request.POST.get("language", ""))
    if language is None:
        return HttpResponseBadRequest(gettext("Choose one of the portal's languages."))
    if request.user.is_authenticated:
        user_set_preferred_language(user=request.user, language=language)
    # Django's view sets the cookie and translates `next` into the chosen language,
    # resolving it in the active language: make that the language `next` is in.
    next_url = request.POST.get("next") or request.META.get("HTTP_REFERER", "")
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    with translation.override(_language_of_path(next_url) if safe else settings.LANGUAGE_CODE):
        return django_set_language(request)
